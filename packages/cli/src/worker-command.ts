import { DEFAULT_STALL_INTERVAL_MS, JobThread, QUEUE_NAME, runTitle, serveQueue, type PlannedRun, type RunResult } from '@multimech/sweep';
import type { EpochEvent } from '@multimech/trainer';
import type { CliIo } from './cli-io';
import { corePlugin, createRegistries, decodePluginSections } from '@multimech/core';
import { trainerPlugin } from '@multimech/trainer';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { comparisonWorkerScript, runComparisonJob } from './comparison-job';

export interface WorkerOptions {
  /** The Redis URL of the queue (redis://HOST:PORT). */
  readonly queue: string;
  /** Runs at once, each in its own worker thread (default 1). */
  readonly concurrency?: number;
  /** Milliseconds after which a job whose worker was lost is taken up again (default 30000). */
  readonly stallInterval?: number;
  /** Stops the worker when it resolves (tests); the command itself stops on SIGINT or SIGTERM. */
  readonly until?: Promise<unknown>;
}

/**
 * `multimech worker --queue redis://HOST:PORT`: runs the jobs that `sweep`
 * (or any submitter of the engine) puts on the queue, with this machine's
 * plugins (the command line's, and those each run's config names, resolved
 * from the working folder), each in a worker thread so that the queue's
 * lock is renewed while it trains; relays every epoch as the job's
 * progress. Logs a line per job on stderr. SIGINT or SIGTERM lets the jobs
 * in hand finish and stops; a second one stops at once (the queue gives
 * those jobs to another worker after the stall interval).
 */
export async function workerCommand(options: WorkerOptions, io: CliIo): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  const script = comparisonWorkerScript();
  const idle = script === undefined ? [] : Array.from({ length: concurrency }, () => new JobThread<PlannedRun, RunResult, EpochEvent>(script));
  const threads = [...idle];
  const run = async (job: PlannedRun, progress: (e: EpochEvent) => void): Promise<RunResult> => {
    // a job from the queue is a stranger's config: its plugins run only with --allow-plugins, and its files are read
    // from its folder only (both checked here, before a thread is given it)
    await preloadPluginsFor(job.config, job.baseDir, job.source);
    decodePluginSections(job.config, createRegistries([corePlugin, trainerPlugin, ...pluginsFor(job.config, job.baseDir, job.source)]), job.source);
    if (script === undefined) return runComparisonJob(job, progress);
    const thread = idle.pop()!;
    try {
      return await thread.run(job, progress);
    } finally {
      idle.push(thread);
    }
  };
  const log = (line: string) => io.stderr.write(`multimech worker: ${line}\n`);
  const worker = await serveQueue<PlannedRun>({
    url: options.queue,
    concurrency,
    stallIntervalMs: options.stallInterval ?? DEFAULT_STALL_INTERVAL_MS,
    run,
    log,
    describe: (job) => `${job.key} (${runTitle(job)})`,
  });
  log(`serving the queue ${QUEUE_NAME} at ${options.queue}, ${concurrency} run${concurrency === 1 ? '' : 's'} at a time${script === undefined ? ' in this thread' : ''}; stop with Ctrl-C`);
  let signals = 0;
  const stop = () => {
    signals++;
    if (signals === 1) log('stopping after the runs in hand (again to stop at once)');
    void worker.close(signals > 1);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void options.until?.then(() => worker.close());
  try {
    await worker.closed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await Promise.all(threads.map((t) => t.close()));
  }
  log('stopped');
}
