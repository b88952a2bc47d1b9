import { MultimechError } from '@multimech/core';
import type { EpochEvent } from '@multimech/trainer';
import { JobFailedError, QueueExecutor, checkRedis, redisOptions, serveQueue, type QueueWorker, type RunResult } from '../src';
import { freePort, startRedis, type TestRedis } from './redis-server';

interface Job {
  readonly key: string;
  readonly n: number;
  readonly fail?: boolean;
  /** Milliseconds the worker waits before it runs the job. */
  readonly delay?: number;
}

/** A run of `n` epochs whose loss is 1/(epoch + n). */
function fakeRun(job: Job, progress: (e: EpochEvent) => void): RunResult {
  if (job.fail) throw new MultimechError(`job ${job.key} is refused`);
  const history: EpochEvent[] = [];
  for (let epoch = 0; epoch <= job.n; epoch++) {
    const e = { epoch, epochs: job.n, trainLoss: 1 / (epoch + job.n), testLoss: 0, seconds: 0, clamped: 0 };
    history.push(e);
    progress(e);
  }
  return { history, summary: { final_loss: 1 / (2 * job.n), epochs: job.n, seconds: 0 }, secondsPerEpoch: 0 };
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('the Redis URL and reachability', () => {
  it('reads redis:// URLs and refuses others in one line', () => {
    expect(redisOptions('redis://10.0.0.5:6380')).toEqual({ host: '10.0.0.5', port: 6380 });
    expect(redisOptions('redis://:s3cret@box/2')).toEqual({ host: 'box', port: 6379, password: 's3cret', db: 2 });
    expect(() => redisOptions('http://box:6379')).toThrow(/^--queue http:\/\/box:6379: expected a Redis URL, redis:\/\/HOST:PORT \(got the scheme http\)$/);
    expect(() => redisOptions('box:6379')).toThrow(/expected a Redis URL/);
  });

  it('an unreachable Redis is one line naming the URL', async () => {
    const port = await freePort();
    await expect(checkRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow(
      new RegExp(`^--queue redis://127\\.0\\.0\\.1:${port}: cannot reach Redis \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); nothing was put on the queue$`),
    );
    await expect(checkRedis(redis.url)).resolves.toBeUndefined();
  });
});

describe('the queue: a submitter and workers', () => {
  const workers: QueueWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  it('every job runs once and comes back once, by key, in the order of the jobs, with the progress of every epoch', async () => {
    const ran: string[] = [];
    for (let w = 0; w < 2; w++) {
      workers.push(
        await serveQueue<Job>({
          url: redis.url,
          run: async (job, progress) => {
            ran.push(job.key);
            return fakeRun(job, progress);
          },
        }),
      );
    }
    const jobs: Job[] = Array.from({ length: 6 }, (_, i) => ({ key: `a${i}`, n: i + 1 }));
    const finished: number[] = [];
    const epochs = jobs.map(() => [] as number[]);
    const results = await new QueueExecutor<Job>(redis.url, { pollMs: 200 }).run(jobs, {
      progress: (i, e) => epochs[i].push(e.epoch),
      finished: (i) => finished.push(i),
    });
    expect(results.map((r) => r.summary.final_loss)).toEqual(jobs.map((j) => 1 / (2 * j.n)));
    expect(results[2].history.map((e) => e.trainLoss)).toEqual([1 / 3, 1 / 4, 1 / 5, 1 / 6]);
    expect([...finished].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...ran].sort()).toEqual(jobs.map((j) => j.key));
    // progress events arrive through Redis: every epoch of every job, in order
    expect(epochs).toEqual(jobs.map((j) => Array.from({ length: j.n + 1 }, (_, e) => e)));
  });

  it('a job the queue completed already (a submitter that stopped before collecting it) is collected, not run again', async () => {
    const ran: string[] = [];
    const worker = await serveQueue<Job>({ url: redis.url, run: async (job, progress) => (ran.push(job.key), fakeRun(job, progress)) });
    workers.push(worker);
    // a first submission, whose submitter stops collecting after the first result
    const first = new QueueExecutor<Job>(redis.url, { pollMs: 200 });
    const jobs: Job[] = [
      { key: 'b0', n: 2 },
      { key: 'b1', n: 3 },
    ];
    await first.run([jobs[0]]);
    const { Queue } = require('bullmq') as typeof import('bullmq');
    const queue = new Queue('multimech-runs', { connection: redisOptions(redis.url) });
    try {
      await queue.add('run', jobs[1], { jobId: 'b1', removeOnComplete: false });
      while ((await queue.getJobState('b1')) !== 'completed') await new Promise((r) => setTimeout(r, 50));
    } finally {
      await queue.close();
    }
    expect(ran).toEqual(['b0', 'b1']);
    const again = await new QueueExecutor<Job>(redis.url, { pollMs: 200 }).run(jobs);
    // b0 was collected and removed, so it runs again; b1 was waiting, completed, and is only collected
    expect(ran).toEqual(['b0', 'b1', 'b0']);
    expect(again.map((r) => r.summary.final_loss)).toEqual([1 / 4, 1 / 6]);
  });

  it('a job that leaves the queue before the submitter has its result (another submission collected it) is put back and run', async () => {
    const jobs: Job[] = [{ key: 'd0', n: 2 }];
    const submitted = new QueueExecutor<Job>(redis.url, { pollMs: 100 }).run(jobs);
    const { Queue } = require('bullmq') as typeof import('bullmq');
    const queue = new Queue('multimech-runs', { connection: redisOptions(redis.url) });
    try {
      // no worker yet: the job waits; someone takes it off the queue
      while ((await queue.getJobState('d0')) !== 'waiting') await new Promise((r) => setTimeout(r, 20));
      expect(await queue.remove('d0')).toBe(1);
      // the submitter puts it back, and a worker runs it
      while ((await queue.getJobState('d0')) !== 'waiting') await new Promise((r) => setTimeout(r, 20));
    } finally {
      await queue.close();
    }
    workers.push(await serveQueue<Job>({ url: redis.url, run: async (job, progress) => fakeRun(job, progress) }));
    expect((await submitted).map((r) => r.summary.final_loss)).toEqual([1 / 4]);
  });

  it("a failed job rejects with its index and the worker's message; the submission's jobs that no worker took leave the queue", async () => {
    workers.push(
      await serveQueue<Job>({
        url: redis.url,
        run: async (job, progress) => {
          await new Promise((r) => setTimeout(r, job.delay ?? 0));
          return fakeRun(job, progress);
        },
      }),
    );
    const jobs: Job[] = [{ key: 'c0', n: 1, fail: true }, ...Array.from({ length: 4 }, (_, i) => ({ key: `c${i + 1}`, n: 1, delay: 300 }))];
    const failure = await new QueueExecutor<Job>(redis.url, { pollMs: 200 }).run(jobs).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect((failure as JobFailedError).jobId).toBe(0);
    expect((failure as JobFailedError).error).toBeInstanceOf(MultimechError);
    expect((failure as JobFailedError).error.message).toBe('job c0 is refused');
    const { Queue } = require('bullmq') as typeof import('bullmq');
    const queue = new Queue('multimech-runs', { connection: redisOptions(redis.url) });
    try {
      const states = await Promise.all(jobs.map((j) => queue.getJobState(j.key)));
      expect(states[0]).toBe('failed');
      // the one worker had taken at most one more; the others are gone
      expect(states.slice(1).filter((s) => s === 'waiting')).toEqual([]);
      expect(states.slice(1).filter((s) => s === 'unknown').length).toBeGreaterThanOrEqual(3);
    } finally {
      await queue.close();
    }
  });
});
