import type { EpochEvent } from '@multimech/trainer';
import type { StopFlag } from './stop-flag';
import { JobFailedError, ThreadPool } from './thread-pool';
import type { RunResult } from './training-job';

/** What an executor tells its caller while the runs go: by each run's index in the jobs given. */
export interface RunEvents {
  /** A run was taken up (by a thread, or by a worker of the queue; again when a worker was lost). */
  started?(index: number): void;
  progress?(index: number, event: EpochEvent): void;
  /** A run is done, with its result (`stopped` when a stop ended it before its last epoch): called once per run. */
  finished?(index: number, result: RunResult): void;
  /**
   * A run failed. Given, the failure is reported here and the other runs go
   * on (the failed run's slot of the results stays empty); not given, the
   * first failure ends every run.
   */
  failed?(index: number, error: Error): void;
}

/** How an executor's runs may end early. */
export interface RunControl {
  /** Once requested, no run starts and each running one stops after its epoch in progress (its result `stopped`, with its checkpoint). */
  readonly stop?: StopFlag;
}

/**
 * Runs jobs and gives their results in the jobs' order. Without a `failed`
 * event, the first failure rejects with a JobFailedError naming the job's
 * index (the runs finished before it have been reported to `finished`).
 * After a stop, the runs never started have empty slots.
 */
export interface RunExecutor<J> {
  run(jobs: readonly J[], events?: RunEvents, control?: RunControl): Promise<RunResult[]>;
}

/** Trains one job in this thread (the caller's training call, with its plugins), until `stop` says so. */
export type RunInThread<J> = (job: J, onEpoch: (event: EpochEvent) => void, stop?: () => boolean) => RunResult | Promise<RunResult>;

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

  async run(jobs: readonly J[], events: RunEvents = {}, control: RunControl = {}): Promise<RunResult[]> {
    const stop = control.stop;
    if (this.threaded) {
      return new ThreadPool<J, RunResult, EpochEvent>(this.script!, this.workers).run(
        jobs,
        {
          started: (i) => events.started?.(i),
          progress: (i, e) => events.progress?.(i, e),
          finished: (i, r) => events.finished?.(i, r),
          ...(events.failed ? { failed: (i: number, e: Error) => events.failed!(i, e) } : {}),
        },
        { stop },
      );
    }
    const results: RunResult[] = new Array<RunResult>(jobs.length);
    for (const [i, job] of jobs.entries()) {
      if (stop?.requested()) break;
      events.started?.(i);
      let result: RunResult;
      try {
        result = await this.runInThread(job, (e) => events.progress?.(i, e), stop?.requested);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        if (!events.failed) throw new JobFailedError(i, error);
        events.failed(i, error);
        continue;
      }
      results[i] = result;
      events.finished?.(i, result);
    }
    return results;
  }
}
