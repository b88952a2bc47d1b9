import { MultimechError } from '@multimech/core';
import type { EpochEvent } from '@multimech/trainer';
import type * as BullMq from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type IORedisModule from 'ioredis';
import type { RunControl, RunEvents, RunExecutor } from './run-executor';
import { JobFailedError } from './thread-pool';
import type { RunResult } from './training-job';

/**
 * Runs over BullMQ on Redis: the submitter puts each run on the queue as a
 * job whose id is the run's key and collects the results of the queue's
 * completed jobs by that key; `serveQueue` runs them, on any number of
 * machines. bullmq and ioredis are loaded when a queue is used.
 */

/** The queue's name in Redis. */
export const QUEUE_NAME = 'multimech-runs';

/** BullMQ's default: a worker that holds a job and renews no lock for this long has lost it, and the job goes back to the queue. */
export const DEFAULT_STALL_INTERVAL_MS = 30_000;

/** `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS) → the connection's options; refused with one clear line otherwise. */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MultimechError(`--queue ${url}: expected a Redis URL, redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new MultimechError(`--queue ${url}: expected a Redis URL, redis://HOST:PORT (got the scheme ${u.protocol.replace(/:$/, '')})`);
  if (!u.hostname) throw new MultimechError(`--queue ${url}: expected a host, redis://HOST:PORT`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new MultimechError(`--queue ${url}: expected a database number after the port (redis://HOST:PORT/0), got "${db}"`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Connects to the Redis of `url` once and asks it for PONG, giving up after
 * `timeoutMs`: before anything is put on the queue, an unreachable Redis is
 * one clear line naming the URL (and saying what did not happen).
 */
export async function checkRedis(url: string, timeoutMs = 5000, consequence = 'nothing was put on the queue'): Promise<void> {
  const options = redisOptions(url);
  const IORedis = require('ioredis') as typeof IORedisModule;
  const client = new IORedis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
  let reason: string | undefined;
  client.on('error', (e: Error) => (reason ??= e.message));
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`it answered ${JSON.stringify(pong)} to PING`);
  } catch (e) {
    // the socket's own error (connect ECONNREFUSED ...) says more than the client's 'Connection is closed'
    const why = reason ?? ((e as Error).message || 'no answer');
    throw new MultimechError(`--queue ${url}: cannot reach Redis (${why}); ${consequence}`);
  } finally {
    // a client that could not connect has ended already (disconnecting it again would leave a timer behind)
    if (client.status !== 'end') client.disconnect();
  }
}

/** A job of the queue: any plain data with its run key (the job's id). */
export interface QueuedJob {
  readonly key: string;
}

/** A run's job: its id is the run's key; tried once (a lost worker's job comes back by the stall recovery); kept once done, until the submitter has its result. */
function jobOptions(key: string) {
  return { jobId: key, attempts: 1, removeOnComplete: false, removeOnFail: false };
}

export interface QueueExecutorOptions {
  /** How often the submitter also asks the queue for its jobs' states (a completion whose event it missed is found this way). */
  readonly pollMs?: number;
}

/**
 * The submitter's side: puts every run on the queue (job id = run key; a
 * job the queue holds already is not added twice, a failed one is retried)
 * and collects each completed job's result once, by its key, whichever
 * worker ran it and however often it was taken up; relays the workers'
 * progress. The first failed job rejects with a JobFailedError, after the
 * submission's jobs still waiting are taken off the queue (with a `failed`
 * event, the failure is reported there and the other jobs go on). A stop
 * (`RunControl.stop`) ends the waiting with the results collected so far;
 * the jobs left stay on the queue, for the next submission of the same runs
 * to collect. A collected job
 * is removed from the queue once `finished` has had it; a job that left the
 * queue before this submitter had its result (another submission of the
 * same run collected it) is put back.
 */
export class QueueExecutor<J extends QueuedJob> implements RunExecutor<J> {
  constructor(
    readonly url: string,
    readonly options: QueueExecutorOptions = {},
  ) {}

  async run(jobs: readonly J[], events: RunEvents = {}, control: RunControl = {}): Promise<RunResult[]> {
    if (jobs.length === 0 || control.stop?.requested()) return new Array<RunResult>(jobs.length);
    const { Queue, QueueEvents, Job } = require('bullmq') as typeof BullMq;
    const connection = redisOptions(this.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const queueEvents = new QueueEvents(QUEUE_NAME, { connection });
    const quiet = () => undefined;
    queue.on('error', quiet);
    queueEvents.on('error', quiet);
    const index = new Map(jobs.map((j, i) => [j.key, i]));
    const results: RunResult[] = new Array<RunResult>(jobs.length);
    const done = new Set<string>();
    const collecting = new Set<string>();
    let poll: NodeJS.Timeout | undefined;
    let settled = false;
    let outcome: { ok: true } | { ok: false; error: unknown } | undefined;
    let wake: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (wake = resolve));
    const settle = (o: { ok: true } | { ok: false; error: unknown }) => {
      if (settled) return;
      settled = true;
      outcome = o;
      wake();
    };
    const fail = async (i: number, reason: string) => {
      if (settled) return;
      if (events.failed) {
        // reported, and the others go on; a rerun of the submission tries it again
        done.add(jobs[i].key);
        events.failed(i, new MultimechError(reason));
        if (done.size === jobs.length) settle({ ok: true });
        return;
      }
      settle({ ok: false, error: new JobFailedError(i, new MultimechError(reason)) });
      // the submission's jobs that no worker has taken yet leave the queue
      for (const j of jobs) {
        if (done.has(j.key)) continue;
        const job = await Job.fromId(queue, j.key).catch(() => undefined);
        if (job && ['waiting', 'prioritized', 'delayed'].includes(await job.getState())) await job.remove().catch(quiet);
      }
    };
    const collect = async (key: string) => {
      const i = index.get(key);
      if (i === undefined || settled || done.has(key) || collecting.has(key)) return;
      collecting.add(key);
      try {
        const job = await Job.fromId<J, RunResult>(queue, key);
        if (settled || done.has(key)) return;
        if (!job) {
          // gone from the queue before this submitter had its result (another submission of the same run collected it): put it back
          await queue.add('run', jobs[i], jobOptions(key));
          return;
        }
        const state = await job.getState();
        if (state === 'completed') {
          done.add(key);
          results[i] = job.returnvalue;
          events.finished?.(i, job.returnvalue);
          await job.remove().catch(quiet);
          if (done.size === jobs.length) settle({ ok: true });
        } else if (state === 'failed') {
          await fail(i, job.failedReason || 'the job failed');
        }
      } catch (e) {
        settle({ ok: false, error: e });
      } finally {
        collecting.delete(key);
      }
    };
    queueEvents.on('active', ({ jobId }) => {
      const i = index.get(jobId);
      if (i !== undefined && !done.has(jobId) && !settled) events.started?.(i);
    });
    queueEvents.on('progress', ({ jobId, data }) => {
      const i = index.get(jobId);
      if (i !== undefined && !done.has(jobId) && !settled && typeof data === 'object' && data !== null) events.progress?.(i, data as unknown as EpochEvent);
    });
    // a stop leaves the jobs on the queue: the workers run them, and the next submission of the same runs collects them
    const unlisten = control.stop?.onRequest(() => settle({ ok: true }));
    queueEvents.on('completed', ({ jobId }) => void collect(jobId));
    queueEvents.on('failed', ({ jobId }) => void collect(jobId));
    try {
      // listening before the first job goes on the queue, so that no event of this submission is missed
      await Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady()]);
      const added = await queue.addBulk(jobs.map((j) => ({ name: 'run', data: j, opts: jobOptions(j.key) })));
      // a job the queue held already: its result is collected, a failure of an earlier submission is tried again
      for (const job of added) {
        const state = await job.getState();
        if (state === 'failed') await job.retry('failed');
        else if (state === 'completed') void collect(job.id!);
      }
      poll = setInterval(() => {
        for (const j of jobs) if (!done.has(j.key)) void collect(j.key);
      }, this.options.pollMs ?? 1000);
      await finished;
    } catch (e) {
      settle({ ok: false, error: e });
    } finally {
      unlisten?.();
      if (poll) clearInterval(poll);
      while (collecting.size > 0) await new Promise((r) => setTimeout(r, 10));
      await Promise.allSettled([queueEvents.close(), queue.close()]);
    }
    if (outcome && !outcome.ok) throw outcome.error;
    return results;
  }
}

export interface QueueWorkerOptions<J> {
  readonly url: string;
  /** Jobs run at once (each in its own thread where the caller's `run` uses one). */
  readonly concurrency?: number;
  /**
   * How long a job whose worker stopped renewing its lock (killed, or its
   * machine gone) waits before another worker takes it up, and how often the
   * workers look for such jobs (BullMQ's lockDuration and stalledInterval),
   * in milliseconds; default BullMQ's 30 s.
   */
  readonly stallIntervalMs?: number;
  /** Runs one job (the command line trains it with its plugins, in a worker thread), reporting each epoch. */
  readonly run: (job: J, progress: (event: EpochEvent) => void) => Promise<RunResult>;
  /** A line about what the worker does (a job taken, done or failed). */
  readonly log?: (line: string) => void;
  /** How a job is named in the log. */
  readonly describe?: (job: J) => string;
}

/** A worker serving the queue; `close` lets its jobs in hand finish (or, forced, abandons them to the stall recovery). */
export interface QueueWorker {
  close(force?: boolean): Promise<void>;
  /** Resolves when the worker has closed. */
  readonly closed: Promise<void>;
}

/**
 * The worker's side: takes jobs from the queue and runs them, relaying
 * every epoch as the job's progress and returning the result as the job's
 * value. Jobs whose worker was lost (SIGKILL, a machine gone) go back to
 * the queue after the stall interval and are run again by a live worker;
 * only one completion of a job counts (BullMQ's lock), and the submitter
 * keeps one result per key.
 */
export async function serveQueue<J extends QueuedJob>(options: QueueWorkerOptions<J>): Promise<QueueWorker> {
  await checkRedis(options.url, 5000, 'no worker started');
  const { Worker } = require('bullmq') as typeof BullMq;
  const stall = options.stallIntervalMs ?? DEFAULT_STALL_INTERVAL_MS;
  const log = options.log ?? (() => undefined);
  const name = (job: J) => options.describe?.(job) ?? job.key;
  const worker = new Worker<J, RunResult>(
    QUEUE_NAME,
    async (job) => {
      log(`${name(job.data)}: started`);
      const result = await options.run(job.data, (event) => {
        void job.updateProgress(event as unknown as object).catch(() => undefined);
      });
      log(`${name(job.data)}: done`);
      return result;
    },
    {
      connection: { ...redisOptions(options.url), maxRetriesPerRequest: null },
      concurrency: options.concurrency ?? 1,
      lockDuration: stall,
      stalledInterval: stall,
      maxStalledCount: 3,
    },
  );
  worker.on('failed', (job, e) => {
    if (job) log(`${name(job.data)}: failed: ${e.message}`);
  });
  worker.on('error', (e) => log(`queue: ${e.message}`));
  let closed: () => void = () => undefined;
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  worker.on('closed', () => closed());
  await worker.waitUntilReady();
  return {
    closed: whenClosed,
    close: async (force) => {
      await worker.close(force);
      closed();
    },
  };
}
