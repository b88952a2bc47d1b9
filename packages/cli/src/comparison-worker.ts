/**
 * The entry of a comparison's worker threads (compiled to
 * dist/comparison-worker.js, which ComparisonPool loads): it trains each
 * run it is given and posts every epoch's figures and the run's result.
 */
import { parentPort } from 'worker_threads';
import { ComparisonJob, ComparisonJobResult, runComparisonJob } from './comparison-job';
import { preloadPluginsFor } from './cli-plugins';
import { serveJobs } from './comparison-pool';
import type { EpochEvent } from '@multimech/trainer';

if (!parentPort) throw new Error('comparison-worker.js runs inside a worker thread started by `multimech compare`');
serveJobs<ComparisonJob, ComparisonJobResult, EpochEvent>(parentPort, async (job, progress) => {
  // an ES-module plugin is imported before the job builds its experiment
  await preloadPluginsFor(job.config, job.baseDir, job.source);
  return runComparisonJob(job, progress);
});
