import type { EpochEvent } from '@multimech/trainer';
import { JobFailedError, ThreadPool } from './thread-pool';
import type { RunResult } from './training-job';

/** What an executor tells its caller while the runs go: by each run's index in the jobs given. */
export interface RunEvents {
  /** A run was taken up (by a thread, or by a worker of the queue; again when a worker was lost). */
  started?(index: number): void;
  progress?(index: number, event: EpochEvent): void;
  /** A run is done, with its result: called once per run. */
  finished?(index: number, result: RunResult): void;
}

/**
 * Runs jobs and gives their results in the jobs' order. The first failure
 * rejects with a JobFailedError naming the job's index (the runs finished
 * before it have been reported to `finished`).
 */
export interface RunExecutor<J> {
  run(jobs: readonly J[], events?: RunEvents): Promise<RunResult[]>;
}

/** Trains one job in this thread (the caller's training call, with its plugins). */
export type RunInThread<J> = (job: J, onEpoch: (event: EpochEvent) => void) => RunResult;

/**
 * The runs on this machine: in `workers` threads of `script` (a compiled
 * entry that serves the jobs with `serveJobs`), or one after another in this
 * thread with `runInThread` when `workers` is 1 or there is no script.
 * Either way the numbers (all but the seconds) are the same: each run is
 * built from its own seed.
 */
export class LocalExecutor<J> implements RunExecutor<J> {
  constructor(
    readonly workers: number,
    readonly script: string | undefined,
    readonly runInThread: RunInThread<J>,
  ) {}

  /** Whether the runs go to worker threads. */
  get threaded(): boolean {
    return this.workers > 1 && this.script !== undefined;
  }

  async run(jobs: readonly J[], events: RunEvents = {}): Promise<RunResult[]> {
    if (this.threaded) {
      return new ThreadPool<J, RunResult, EpochEvent>(this.script!, this.workers).run(jobs, {
        started: (i) => events.started?.(i),
        progress: (i, e) => events.progress?.(i, e),
        finished: (i, r) => events.finished?.(i, r),
      });
    }
    const results: RunResult[] = [];
    for (const [i, job] of jobs.entries()) {
      events.started?.(i);
      let result: RunResult;
      try {
        result = this.runInThread(job, (e) => events.progress?.(i, e));
      } catch (e) {
        throw new JobFailedError(i, e instanceof Error ? e : new Error(String(e)));
      }
      results.push(result);
      events.finished?.(i, result);
    }
    return results;
  }
}
