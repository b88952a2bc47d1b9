/**
 * A sweep through the Redis queue with two worker processes (the built bin),
 * one of them killed with SIGKILL in the middle of a job: every run must be
 * in the results exactly once, and equal, number for number, to the same
 * run made on this machine's worker threads.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { startRedis, type TestRedis } from '../../sweep/test/redis-server';
import { run } from '../src/main';
import { STACK_LINE, tempDir } from './run-cli';

const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');
const BUILT = existsSync(path.join(__dirname, '..', 'dist', 'main.js')) && existsSync(path.join(__dirname, '..', 'dist', 'comparison-worker.js'));

/** Six runs long enough (about a second each) to be killed in the middle of. */
const SWEEP = {
  name: 'queue sweep',
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [8] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 48, test: 12 },
    error: { kind: 'frequency', mode: 'transient', periods: 4, samplesPerPeriod: 8 },
    optimizer: { batchSize: 4 },
    training: { epochs: 25 },
  },
  sweep: { mode: 'grid', parameters: { 'optimizer.learningRate': [0.05, 0.1, 0.2] } },
  seeds: [1, 2],
};
const RUNS = 6;

interface Worker {
  readonly child: ChildProcess;
  log: string;
  /** The key of the job it is running, if any. */
  current?: string;
  readonly exited: Promise<void>;
}

function startWorker(url: string, cwd: string): Worker {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--stall-interval', '1500'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const worker: Worker = { child, log: '', exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  child.stderr!.on('data', (d: Buffer) => {
    worker.log += d.toString();
    for (const m of d.toString().matchAll(/^multimech worker: ([0-9a-f]+) \(.*\): (started|done)$/gm)) worker.current = m[2] === 'started' ? m[1] : undefined;
  });
  return worker;
}

const withoutSeconds = (result: { history: { seconds: number }[]; summary: { seconds: number } }) => ({
  history: result.history.map(({ seconds: _s, ...e }) => e),
  summary: { ...result.summary, seconds: 0 },
});

/** The largest difference between the numbers of two JSON values of one shape (Infinity where the shapes differ). */
function maxDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length ? Math.max(0, ...a.map((x, i) => maxDifference(x, b[i]))) : Infinity;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return Math.max(0, ...[...keys].map((k) => maxDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])));
  }
  return a === b ? 0 : Infinity;
}

test('the workers are the built bin (npx tsc -b, which npm install runs)', () => {
  expect(BUILT).toBe(true);
});

(BUILT ? describe : describe.skip)('multimech sweep --queue with two workers, one killed with SIGKILL in the middle of a job', () => {
  let redis: TestRedis;
  let dir: string;
  let cleanup: () => void;
  const workers: Worker[] = [];
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('sweep-queue'));
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
    cleanup?.();
  });

  test('every run is in the results once, equal number for number to the run made on worker threads; the lost job ran again on the other worker', async () => {
    const config = path.join(dir, 'sweep.json');
    writeFileSync(config, JSON.stringify(SWEEP, null, 2));
    workers.push(startWorker(redis.url, dir), startWorker(redis.url, dir));
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      const wait = () => (/serving the queue/.test(w.log) ? resolve() : setTimeout(wait, 20));
      wait();
    })));

    // the submitter, in this process: its one progress display shows every worker's epochs
    const out = path.join(dir, 'queue');
    let stderr = '';
    let stdout = '';
    let killed: { worker: Worker; key: string } | undefined;
    const epochsSeen = new Map<string, number>();
    const submitted = run(['node', 'multimech', 'sweep', config, '--queue', redis.url, '--out', out, '--verbose'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: {
        isTTY: false,
        write: (s: string) => {
          stderr += s;
          for (const m of s.matchAll(/^\[(.*) seed (\d+)\] epoch (\d+)\//gm)) epochsSeen.set(`${m[1]} seed ${m[2]}`, Number(m[3]));
          // kill the first worker found in the middle of a job whose epochs have reached the display
          if (killed) return;
          for (const w of workers) {
            const job = w.current && new RegExp(`${w.current} \\((.*), seed (\\d+)\\): started`).exec(w.log);
            if (job && (epochsSeen.get(`${job[1]} seed ${job[2]}`) ?? 0) >= 2) {
              killed = { worker: w, key: w.current! };
              w.child.kill('SIGKILL');
              return;
            }
          }
        },
      },
      env: {},
    });
    const code = await submitted;
    expect(stderr).not.toMatch(STACK_LINE);
    expect(code).toBe(0);
    expect(killed).toBeDefined();
    await killed!.worker.exited;
    expect(killed!.worker.child.signalCode).toBe('SIGKILL');
    const other = workers.find((w) => w !== killed!.worker)!;
    // the killed worker started the job and never finished it; the other worker took it up after the stall interval and did
    expect(killed!.worker.log).toContain(`${killed!.key} (`);
    expect(killed!.worker.log).not.toMatch(new RegExp(`${killed!.key} \\(.*\\): done`));
    expect(other.log).toMatch(new RegExp(`${killed!.key} \\(.*\\): started`));
    expect(other.log).toMatch(new RegExp(`${killed!.key} \\(.*\\): done`));

    // every run exactly once
    const csv = readFileSync(path.join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    const keys = csv.map((l) => l.split(',')[1]);
    expect(keys).toHaveLength(RUNS);
    expect(new Set(keys).size).toBe(RUNS);
    expect(keys).toContain(killed!.key);
    expect(readdirSync(path.join(out, 'runs')).sort()).toEqual(keys.map((k) => `${k}.json`).sort());
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ runs: RUNS, ran: RUNS, skipped: 0, queue: redis.url });

    // progress across workers: the lost job's epochs reached the display from both workers (epoch 0 twice), every run's last epoch once or more
    const label = new RegExp(`${killed!.key} \\((.*), seed (\\d+)\\): started`).exec(other.log)!;
    const lostLines = stderr.split('\n').filter((l) => l.startsWith(`[${label[1]} seed ${label[2]}] epoch 0/`));
    expect(lostLines.length).toBe(2);
    expect((stderr.match(/\] epoch 25\/25 /g) ?? []).length).toBeGreaterThanOrEqual(RUNS);
    expect((stderr.match(/\] done \(/g) ?? []).length).toBe(RUNS);
    expect(stdout).toMatch(/\nresults: .*queue\n$/);

    // the same sweep on this machine's worker threads (the built bin): the same keys, the same numbers
    const local = path.join(dir, 'local');
    const made = spawnSync(process.execPath, [BIN, 'sweep', config, '--out', local, '--workers', '2'], { cwd: dir, encoding: 'utf8' });
    expect(made.stderr).not.toMatch(STACK_LINE);
    expect(made.status).toBe(0);
    expect(made.stderr).toContain(`${RUNS} runs on 2 worker threads`);
    let largest = 0;
    for (const key of keys) {
      const q = JSON.parse(readFileSync(path.join(out, 'runs', `${key}.json`), 'utf8'));
      const l = JSON.parse(readFileSync(path.join(local, 'runs', `${key}.json`), 'utf8'));
      expect(withoutSeconds(q.result)).toEqual(withoutSeconds(l.result));
      expect(q.result.history).toHaveLength(26);
      largest = Math.max(largest, maxDifference(withoutSeconds(q.result), withoutSeconds(l.result)));
    }
    expect(largest).toBe(0);
    const columns = (text: string) => text.split('\n').map((l) => l.split(',').slice(0, -1).join(','));
    expect(columns(readFileSync(path.join(local, 'sweep.csv'), 'utf8'))).toEqual(columns(readFileSync(path.join(out, 'sweep.csv'), 'utf8')));
    // six runs, six final losses
    expect(new Set(csv.map((l) => l.split(',')[4])).size).toBe(RUNS);
  });
});
