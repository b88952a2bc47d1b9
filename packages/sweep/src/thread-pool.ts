import { MultimechError } from '@multimech/core';
import { MessagePort, Worker } from 'worker_threads';
import type { StopFlag } from './stop-flag';

/**
 * The messages between a pool and its worker threads. The pool posts
 * `{ id, job }`; a worker answers with any number of `progress` messages and
 * then one `done` (with the result) or `failed` (with the error), and takes
 * the next job.
 */
export interface PoolRequest<J> {
  readonly id: number;
  readonly job: J;
}
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A MultimechError: the user's to fix, reported without a stack. */
  readonly user: boolean;
}
export type PoolReply<R, P> =
  | { readonly id: number; readonly type: 'progress'; readonly progress: P }
  | { readonly id: number; readonly type: 'done'; readonly result: R }
  | { readonly id: number; readonly type: 'failed'; readonly error: SerializedError };

/** What the pool tells its caller while it runs. */
export interface PoolEvents<P, R = unknown> {
  /** A job was handed to a worker. */
  started?(id: number): void;
  progress?(id: number, progress: P): void;
  /** A job is done, with its result (before the next one starts in that thread). */
  finished?(id: number, result: R): void;
  /**
   * A job failed. Given, the pool reports the failure here and goes on with
   * the other jobs (their results resolve, the failed job's slot stays
   * empty); not given, the first failure stops every worker and rejects.
   */
  failed?(id: number, error: Error): void;
}

/** How a pool's run may end early. */
export interface PoolOptions {
  /**
   * Shared with the worker threads (`workerData.stop`): once requested, no
   * new job starts, each running job stops at its next epoch (the worker
   * reads the flag), and the run resolves when those have answered, with
   * empty slots for the jobs never started.
   */
  readonly stop?: StopFlag;
}

/** A job that failed: its index, and its error (re-created in this thread when it failed in another). */
export class JobFailedError extends Error {
  constructor(
    readonly jobId: number,
    readonly error: Error,
  ) {
    super(error.message);
    this.name = 'JobFailedError';
  }
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack, user: e instanceof MultimechError };
  return { name: 'Error', message: String(e), user: false };
}

export function reviveError(e: SerializedError): Error {
  const error = e.user ? new MultimechError(e.message) : new Error(e.message);
  error.name = e.name;
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

/**
 * A worker thread's loop: run each job posted to `port` (`parentPort`, or
 * one end of a MessageChannel) through `handler`, posting its progress and
 * its end.
 */
export function serveJobs<J, R, P>(port: MessagePort, handler: (job: J, progress: (p: P) => void) => R | Promise<R>): void {
  port.on('message', async ({ id, job }: PoolRequest<J>) => {
    let reply: PoolReply<R, P>;
    try {
      const result = await handler(job, (progress) => port.postMessage({ id, type: 'progress', progress } satisfies PoolReply<R, P>));
      reply = { id, type: 'done', result };
    } catch (e) {
      reply = { id, type: 'failed', error: serializeError(e) };
    }
    port.postMessage(reply);
  });
}

/**
 * Runs jobs in up to `size` worker threads, each loading `script` (a
 * compiled JavaScript file that calls serveJobs). Results come back in the
 * order of the jobs. The first failure stops every worker and rejects with a
 * JobFailedError naming the job (or an Error when a thread itself died),
 * unless the caller takes failures (`PoolEvents.failed`) and the others go
 * on. A stop flag (`PoolOptions.stop`) is shared with the threads.
 */
export class ThreadPool<J, R, P> {
  constructor(
    readonly script: string,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a pool needs a positive whole number of workers, got ${size}`);
  }

  run(jobs: readonly J[], events: PoolEvents<P, R> = {}, options: PoolOptions = {}): Promise<R[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    const flag = options.stop;
    return new Promise<R[]>((resolve, reject) => {
      const results: R[] = new Array<R>(jobs.length);
      const workers: Worker[] = [];
      let next = 0;
      let answered = 0;
      let stopped = false;
      let unlisten: () => void = () => undefined;
      const stop = (then: () => void) => {
        stopped = true;
        unlisten();
        void Promise.allSettled(workers.map((w) => w.terminate())).then(then);
      };
      const fail = (e: Error) => {
        if (!stopped) stop(() => reject(e));
      };
      // every job answered, or a stop asked for and every job started has answered
      const settleIfDone = () => {
        if (!stopped && (answered === jobs.length || (flag?.requested() && answered === next))) stop(() => resolve(results));
      };
      const feed = (worker: Worker) => {
        if (next >= jobs.length || flag?.requested()) return;
        const id = next++;
        events.started?.(id);
        worker.postMessage({ id, job: jobs[id] } satisfies PoolRequest<J>);
      };
      for (let i = 0; i < Math.min(this.size, jobs.length); i++) {
        const worker = new Worker(this.script, flag ? { workerData: { stop: flag.buffer } } : {});
        workers.push(worker);
        worker.on('message', (m: PoolReply<R, P>) => {
          if (stopped) return;
          if (m.type === 'progress') {
            events.progress?.(m.id, m.progress);
            return;
          }
          answered++;
          try {
            if (m.type === 'done') {
              results[m.id] = m.result;
              events.finished?.(m.id, m.result);
            } else if (events.failed) {
              events.failed(m.id, reviveError(m.error));
            } else {
              fail(new JobFailedError(m.id, reviveError(m.error)));
              return;
            }
          } catch (e) {
            fail(e as Error);
            return;
          }
          feed(worker);
          settleIfDone();
        });
        worker.on('error', (e) => fail(new Error(`a worker thread failed: ${e.message}`)));
        worker.on('exit', (code) => fail(new Error(`a worker thread stopped (exit code ${code}) before its jobs were done`)));
        feed(worker);
      }
      if (flag) unlisten = flag.onRequest(() => settleIfDone());
      settleIfDone();
    });
  }
}

/**
 * One worker thread of `script` that runs one job at a time, for a caller
 * that hands out jobs as they come (the queue's worker): its own event loop
 * stays free (the queue's locks are renewed) while the thread trains. A
 * thread that dies is replaced for the next job.
 */
export class JobThread<J, R, P> {
  private worker: Worker | undefined;
  private next = 0;

  constructor(readonly script: string) {}

  run(job: J, progress?: (p: P) => void): Promise<R> {
    const worker = (this.worker ??= new Worker(this.script));
    const id = this.next++;
    return new Promise<R>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: PoolReply<R, P>) => {
        if (m.id !== id) return;
        if (m.type === 'progress') progress?.(m.progress);
        else if (m.type === 'done') {
          done();
          resolve(m.result);
        } else {
          done();
          reject(reviveError(m.error));
        }
      };
      const onError = (e: Error) => {
        done();
        this.worker = undefined;
        reject(new Error(`a worker thread failed: ${e.message}`));
      };
      const onExit = (code: number) => {
        done();
        this.worker = undefined;
        reject(new Error(`a worker thread stopped (exit code ${code}) before its job was done`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, job } satisfies PoolRequest<J>);
    });
  }

  /** Stops the thread (the next job starts a new one). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
