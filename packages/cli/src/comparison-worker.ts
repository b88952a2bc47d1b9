/**
 * The entry of the worker threads of `compare`, `sweep` and `worker`
 * (compiled to dist/comparison-worker.js, which their thread pools load): it
 * trains each run it is given with the command line's plugins and posts
 * every epoch's figures and the run's result.
 */
import { serveJobs, workerStop, type RunResult, type TrainingJob } from '@multimech/sweep';
import type { EpochEvent } from '@multimech/trainer';
import { parentPort, workerData } from 'worker_threads';
import { preloadPluginsFor } from './cli-plugins';
import { runComparisonJob } from './comparison-job';

if (!parentPort) throw new Error('comparison-worker.js runs inside a worker thread started by `multimech compare`, `sweep` or `worker`');
// the pool's stop flag, read before each epoch (--max-seconds, Ctrl-C): the run then ends with its checkpoint
const stop = workerStop(workerData);
serveJobs<TrainingJob, RunResult, EpochEvent>(parentPort, async (job, progress) => {
  // an ES-module plugin is imported before the job builds its experiment
  await preloadPluginsFor(job.config, job.baseDir, job.source);
  return runComparisonJob(job, progress, stop);
});
