import { MultimechError } from '@multimech/core';
import { comparisonExperimentConfig, decodeComparison } from '@multimech/trainer';
import type { EpochEvent } from '@multimech/trainer';
import * as path from 'path';
import { MessageChannel } from 'worker_threads';
import { runComparisonJobs } from '../src/compare-command';
import { ComparisonJob, ComparisonJobResult, runComparisonJob } from '../src/comparison-job';
import { ComparisonPool, JobFailedError, PoolReply, serveJobs } from '../src/comparison-pool';

/** A plain JavaScript worker that speaks the pool's protocol (the TypeScript worker entry needs the compiled dist). */
const SCRIPT = path.join(__dirname, 'fixtures', 'pool-worker.js');

interface TinyJob {
  seed: number;
  steps: number;
  fail?: boolean;
  crash?: boolean;
}
interface TinyResult {
  value: number;
  thread: number;
}

/** What the fixture computes, here in the main thread. */
function expected(job: TinyJob): number {
  let x = job.seed;
  for (let i = 0; i < job.steps; i++) x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  return x;
}

describe('ComparisonPool', () => {
  test('runs every job in the worker threads and gives the results in the order of the jobs, with their progress', async () => {
    const jobs: TinyJob[] = Array.from({ length: 7 }, (_, i) => ({ seed: 11 * i + 1, steps: 2 + (i % 3) }));
    const progress = jobs.map(() => [] as number[]);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const pool = new ComparisonPool<TinyJob, TinyResult, number>(SCRIPT, 3);
    const results = await pool.run(jobs, {
      started: (id) => {
        order.push(`start ${id}`);
        most = Math.max(most, ++running);
      },
      progress: (id, p) => progress[id].push(p),
      finished: (id) => {
        order.push(`end ${id}`);
        running--;
      },
    });
    expect(results.map((r) => r.value)).toEqual(jobs.map(expected));
    expect(progress).toEqual(jobs.map((j) => Array.from({ length: j.steps }, (_, i) => i + 1)));
    // three threads, none of them this one (thread 0), never more than three jobs at once
    const threads = new Set(results.map((r) => r.thread));
    expect(threads.size).toBe(3);
    expect(threads.has(0)).toBe(false);
    expect(most).toBe(3);
    expect(order.filter((o) => o.startsWith('end'))).toHaveLength(7);
    expect(await pool.run([])).toEqual([]);
  });

  test('fewer jobs than workers start only as many threads as jobs', async () => {
    const results = await new ComparisonPool<TinyJob, TinyResult, number>(SCRIPT, 4).run([{ seed: 5, steps: 1 }]);
    expect(results).toHaveLength(1);
    expect(results[0].value).toBe(expected({ seed: 5, steps: 1 }));
  });

  test("a job's failure rejects with the job and its error re-created (a user error stays one); the other workers stop", async () => {
    const pool = new ComparisonPool<TinyJob, TinyResult, number>(SCRIPT, 2);
    const failure = await pool.run([{ seed: 1, steps: 1 }, { seed: 2, steps: 1, fail: true }, { seed: 3, steps: 50 }]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JobFailedError);
    const f = failure as JobFailedError;
    expect(f.jobId).toBe(1);
    expect(f.error).toBeInstanceOf(MultimechError);
    expect(f.error.name).toBe('ConfigError');
    expect(f.error.message).toBe('job 1 is refused');
  });

  test('a thread that dies, or a script that cannot load, rejects instead of hanging', async () => {
    const crash = new ComparisonPool<TinyJob, TinyResult, number>(SCRIPT, 2).run([{ seed: 1, steps: 1, crash: true }, { seed: 2, steps: 1 }]);
    await expect(crash).rejects.toThrow(/^a worker thread failed: worker crashed on job 0$/);
    const missing = new ComparisonPool<TinyJob, TinyResult, number>(path.join(__dirname, 'fixtures', 'no-such-worker.js'), 1).run([{ seed: 1, steps: 1 }]);
    await expect(missing).rejects.toThrow(/a worker thread failed: .*no-such-worker\.js/);
    expect(() => new ComparisonPool(SCRIPT, 0)).toThrow(/positive whole number of workers, got 0/);
  });
});

const COMPARISON = decodeComparison({
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6 },
    optimizer: { learningRate: 0.1, batchSize: 4 },
    training: { epochs: 3 },
  },
  mechanisms: [
    { name: 'exact', error: { kind: 'adjoint' } },
    { name: 'broken', error: { kind: 'frequency', mode: 'transient', samplesPerPeriod: 2 } },
  ],
}).config;

function job(mechanismIndex: number, seed: number): ComparisonJob {
  return { mechanism: COMPARISON.mechanisms[mechanismIndex].name, mechanismIndex, seed, config: comparisonExperimentConfig(COMPARISON, mechanismIndex, seed), baseDir: '.' };
}

/** Posts one job to serveJobs over a MessageChannel (what a worker thread does) and collects the replies. */
async function served(j: unknown, handler: (job: ComparisonJob, progress: (p: EpochEvent) => void) => ComparisonJobResult): Promise<PoolReply<ComparisonJobResult, EpochEvent>[]> {
  const { port1, port2 } = new MessageChannel();
  serveJobs(port1, handler);
  const replies: PoolReply<ComparisonJobResult, EpochEvent>[] = [];
  try {
    await new Promise<void>((resolve) => {
      port2.on('message', (m: PoolReply<ComparisonJobResult, EpochEvent>) => {
        replies.push(m);
        if (m.type !== 'progress') resolve();
      });
      port2.postMessage({ id: 4, job: j });
    });
  } finally {
    port1.close();
    port2.close();
  }
  return replies;
}

const withoutSeconds = (history: readonly EpochEvent[]) => history.map(({ seconds: _s, ...rest }) => rest);

describe('the worker side: serveJobs with the comparison job', () => {
  test('a job served over a message port gives the numbers of the job run directly, and every epoch on the way', async () => {
    const direct = runComparisonJob(job(0, 2));
    const replies = await served(job(0, 2), runComparisonJob);
    const done = replies[replies.length - 1];
    expect(done.type).toBe('done');
    expect(done.id).toBe(4);
    const result = (done as { result: ComparisonJobResult }).result;
    expect(withoutSeconds(result.history)).toEqual(withoutSeconds(direct.history));
    expect(result.history).toHaveLength(4);
    expect(result.summary.final_loss).toBe(direct.summary.final_loss);
    expect(result.summary.final_loss).toBeLessThan(result.history[0].trainLoss);
    const epochs = replies.filter((r) => r.type === 'progress').map((r) => (r as { progress: EpochEvent }).progress.epoch);
    expect(epochs).toEqual([0, 1, 2, 3]);
    // another seed is another network and data set
    expect(runComparisonJob(job(0, 3)).summary.final_loss).not.toBe(direct.summary.final_loss);
  });

  test('a failing job is answered with its error; user errors are marked as such', async () => {
    const user = await served(job(1, 1), runComparisonJob);
    expect(user).toHaveLength(1);
    expect(user[0]).toMatchObject({ id: 4, type: 'failed', error: { user: true } });
    expect((user[0] as { error: { message: string } }).error.message).toMatch(/samplesPerPeriod|alias/);
    const bug = await served(job(0, 1), () => {
      throw new TypeError('x is not a function');
    });
    expect(bug[0]).toMatchObject({ type: 'failed', error: { name: 'TypeError', message: 'x is not a function', user: false } });
  });

  test("through the pool, a run's failure is reported as the mechanism and seed of the comparison config", async () => {
    const jobs = [
      { ...job(0, 1), seed: 1, steps: 1 },
      { ...job(1, 7), seed: 7, steps: 1, fail: true },
    ] as unknown as ComparisonJob[];
    const noop = { started: () => undefined, epoch: () => undefined, finished: () => undefined };
    await expect(runComparisonJobs(jobs, 2, noop, SCRIPT)).rejects.toThrow(/^mechanisms\[1\] 'broken', seed 7: job 1 is refused$/);
    // in this thread, the same wording
    await expect(runComparisonJobs([job(1, 1)], 1, noop, SCRIPT)).rejects.toThrow(/^mechanisms\[1\] 'broken', seed 1: /);
  });
});
