/**
 * Stopping and continuing the built bin: SIGTERM, SIGKILL and --max-seconds
 * on the XOR diode example (a nonlinear network whose Newton solves are
 * warm-started from the previous equilibrium), each continued with
 * --resume to every number of an uninterrupted run's metrics.csv and to its
 * final parameters, bit for bit; a second signal stops at once without a
 * damaged file; a folder in use is refused naming the process.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { EventEmitter } from 'events';
import type { CliIo } from '../src/cli-io';
import type { SignalSource } from '../src/run-stop';
import { trainCommand } from '../src/train-command';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');
const BUILT = existsSync(path.join(__dirname, '..', 'dist', 'main.js'));
const XOR = path.join(__dirname, '..', '..', '..', 'examples', 'xor-diode');

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('interrupt')));
afterAll(() => cleanup());

/** The example as it is (its task is a plugin of its folder); the results go to the test's folder. */
const xorConfig = () => path.join(XOR, 'config.json');

/** A spawned `multimech ARGS`, its stderr gathered, and when it ends. */
interface Child {
  readonly child: ChildProcess;
  stderr: string;
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: readonly string[]): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MULTIMECH_DEBUG: '' } });
  const c: Child = { child, stderr: '', ended: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
  child.stderr!.on('data', (d: Buffer) => (c.stderr += d.toString()));
  return c;
}

/** Resolves once the child's stderr matches (or rejects when it ends first). */
async function waitFor(c: Child, pattern: RegExp): Promise<void> {
  for (;;) {
    if (pattern.test(c.stderr)) return;
    const ended = await Promise.race([c.ended.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5))]);
    if (ended && !pattern.test(c.stderr)) throw new Error(`the process ended before its stderr matched ${pattern}:\n${c.stderr}`);
  }
}

/** The flag that lets a config load its plugins, where the command asks for one (the example's task is a plugin). */
const TRUST: string[] = BUILT && /--allow-plugins/.test(spawnSync(process.execPath, [BIN, 'train', '--help'], { encoding: 'utf8' }).stdout) ? ['--allow-plugins'] : [];

/** Runs the bin to its end. */
function bin(args: readonly string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MULTIMECH_DEBUG: '' } });
  return { code: r.status, stderr: r.stderr };
}

/** Every number of metrics.csv (or runs.csv) but the wall-clock seconds, as written (so equal text is equal bits). */
function figures(folder: string, file = 'metrics.csv'): string[] {
  const [head, ...rows] = readFileSync(path.join(folder, file), 'utf8').trim().split('\n');
  const drop = head.split(',').indexOf('seconds');
  return [head, ...rows].map((r) => r.split(',').filter((_, i) => i !== drop).join(','));
}

/** The final parameters, from checkpoint.json (JSON numbers round-trip every bit). */
const finalParameters = (folder: string): number[] => JSON.parse(readFileSync(path.join(folder, 'checkpoint.json'), 'utf8')).parameters;

/** The largest difference between two runs' parameters, relative. */
const maxRelative = (a: number[], b: number[]) => Math.max(...a.map((x, k) => Math.abs(x - b[k]) / Math.abs(x)));

/** Stops the child where it is, sends it `signal`, and lets it go on: it sees the signal at a point of its run that is not its end. */
function interrupt(c: Child, signal: NodeJS.Signals): void {
  c.child.kill('SIGSTOP');
  c.child.kill(signal);
  if (signal !== 'SIGKILL') c.child.kill('SIGCONT');
}

test('the interrupted runs are the built bin (npx tsc -b, which npm install runs)', () => {
  expect(BUILT).toBe(true);
});

(BUILT ? describe : describe.skip)('stopping train and continuing it with --resume (examples/xor-diode)', () => {
  let whole: string;
  beforeAll(() => {
    whole = path.join(dir, 'whole');
    const r = bin(['train', xorConfig(), ...TRUST, '--out', whole]);
    expect(r.code).toBe(0);
  });

  test('SIGTERM: the epoch in progress ends, the checkpoint is saved, one line says how to continue; --resume ends on the uninterrupted numbers, bit for bit', async () => {
    const out = path.join(dir, 'sigterm');
    const c = start(['train', xorConfig(), ...TRUST, '--out', out]);
    await waitFor(c, /^epoch 60\/300 /m);
    interrupt(c, 'SIGTERM');
    const end = await c.ended;
    expect(end.code).toBe(1);
    expect(c.stderr).toMatch(/^multimech: SIGTERM: stopping after the epoch in progress and saving a checkpoint \(send it again to stop at once\)$/m);
    const last = c.stderr.trim().split('\n').pop()!;
    const m = /^multimech: error: stopped after epoch (\d+) of 300 \(SIGTERM\); the checkpoint is in (.*): continue with: multimech train (.*) --out (.*) --resume$/.exec(last);
    expect(m).not.toBeNull();
    const stoppedAt = Number(m![1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(60);
    expect(stoppedAt).toBeLessThan(300);
    expect(m![2]).toBe(out);
    expect(c.stderr).not.toMatch(STACK_LINE);
    // the checkpoint after the last whole epoch, metrics up to it, no summary, no lock, no temporary file
    expect(JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).epoch).toBe(stoppedAt);
    expect(figures(out)).toEqual(figures(whole).slice(0, stoppedAt + 2));
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ command: 'train', state: 'interrupted', epoch: stoppedAt, epochs: 300, reason: 'SIGTERM' });
    expect(readdirSync(out).filter((f) => f.startsWith('.') || f === 'summary.json')).toEqual([]);

    const r = bin(['train', xorConfig(), ...TRUST, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`resuming ${out} after epoch ${stoppedAt} of 300\n`);
    expect(figures(out)).toEqual(figures(whole));
    expect(finalParameters(out)).toEqual(finalParameters(whole));
    expect(maxRelative(finalParameters(out), finalParameters(whole))).toBe(0);
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8')).toBe(readFileSync(path.join(whole, 'parameters.csv'), 'utf8'));
    expect(readFileSync(path.join(out, 'network.cir'), 'utf8')).toBe(readFileSync(path.join(whole, 'network.cir'), 'utf8'));
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).state).toBe('complete');
  });

  test.each([37, 103, 150, 200])(
    'SIGTERM after epoch %i exactly (from a signal source the test holds): --resume ends on the uninterrupted numbers, bit for bit, the Newton warm start included',
    async (at) => {
      const out = path.join(dir, `at-${at}`);
      const signals = new EventEmitter();
      let stderr = '';
      const io: CliIo = {
        stdout: { write: () => true },
        stderr: {
          write: (text: string) => {
            stderr += text;
            // the epoch's line is written once its row is: the signal arrives between two epochs, and the run stops there with its checkpoint saved
            if (text.startsWith(`epoch ${at}/300 `)) signals.emit('SIGTERM', 'SIGTERM');
            return true;
          },
        },
      };
      await expect(trainCommand(xorConfig(), { out, signals: signals as unknown as SignalSource }, io)).rejects.toThrow(
        new RegExp(`^stopped after epoch ${at} of 300 \\(SIGTERM\\); the checkpoint is in `),
      );
      expect(stderr).toContain('multimech: SIGTERM: stopping after the epoch in progress');
      expect(signals.listenerCount('SIGTERM')).toBe(0);
      expect(JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).epoch).toBe(at);
      const r = bin(['train', xorConfig(), ...TRUST, '--out', out, '--resume']);
      expect(r.code).toBe(0);
      expect(figures(out)).toEqual(figures(whole));
      expect(maxRelative(finalParameters(out), finalParameters(whole))).toBe(0);
      expect(finalParameters(out)).toEqual(finalParameters(whole));
    },
  );

  test('SIGKILL: the run dies where it is; --resume takes over its lock (the pid is gone) and ends on the uninterrupted numbers', async () => {
    const out = path.join(dir, 'sigkill');
    const c = start(['train', xorConfig(), ...TRUST, '--out', out]);
    await waitFor(c, /^epoch 120\/300 /m);
    interrupt(c, 'SIGKILL');
    const end = await c.ended;
    expect(end.signal).toBe('SIGKILL');
    const pid = c.child.pid!;
    // what a killed run leaves: a lock of a process that is gone, run.json saying it was running, no summary
    expect(JSON.parse(readFileSync(path.join(out, '.multimech.lock'), 'utf8')).pid).toBe(pid);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).state).toBe('running');
    expect(existsSync(path.join(out, 'summary.json'))).toBe(false);
    const killedAt = JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).epoch;

    const r = bin(['train', xorConfig(), ...TRUST, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^multimech: note: took over the lock of .*sigkill from pid ${pid} \\(multimech train, since .*\\), which no longer runs`, 'm'));
    expect(r.stderr).toContain(`after epoch ${killedAt} of 300`);
    expect(figures(out)).toEqual(figures(whole));
    expect(finalParameters(out)).toEqual(finalParameters(whole));
    expect(existsSync(path.join(out, '.multimech.lock'))).toBe(false);
  });

  test('SIGKILL after rows past the last checkpoint (training.checkpoint every 50 epochs): --resume drops those rows and writes each epoch exactly once, to the uninterrupted numbers', async () => {
    // the example checkpointed every 50 epochs (its plugin and netlist named where they are)
    const example = path.join(dir, 'xor-every-50');
    mkdirSync(example);
    const config = JSON.parse(readFileSync(xorConfig(), 'utf8'));
    writeFileSync(
      path.join(example, 'config.json'),
      JSON.stringify({
        ...config,
        plugins: [path.join(XOR, 'xor-task')],
        substrate: { ...config.substrate, network: { ...config.substrate.network, netlist: path.join(XOR, 'network.cir') } },
        training: { ...config.training, checkpoint: { every: 50 } },
      }),
    );
    const out = path.join(dir, 'sigkill-every-50');
    const c = start(['train', path.join(example, 'config.json'), ...TRUST, '--out', out]);
    await waitFor(c, /^epoch 120\/300 /m);
    interrupt(c, 'SIGKILL');
    expect((await c.ended).signal).toBe('SIGKILL');
    const killedAt = JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).epoch;
    // checkpoints at 0, 50 and 100 (150 had the run got there before it stopped): the rows go on past the last
    expect(killedAt % 50).toBe(0);
    expect(killedAt).toBeGreaterThanOrEqual(100);
    const rowsBefore = figures(out).length - 1;
    expect(rowsBefore).toBeGreaterThan(killedAt + 1);
    expect(figures(out)).toEqual(figures(whole).slice(0, rowsBefore + 1));

    const r = bin(['train', path.join(example, 'config.json'), ...TRUST, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`after epoch ${killedAt} of 300`);
    const epochs = figures(out).slice(1).map((row) => Number(row.split(',')[0]));
    expect(epochs).toEqual(Array.from({ length: 301 }, (_, i) => i));
    expect(figures(out)).toEqual(figures(whole));
    expect(finalParameters(out)).toEqual(finalParameters(whole));
  });

  test('--max-seconds: stops after the epoch in progress once the time is up (here at once), exit code 1 and one line; --resume goes on to the same numbers', () => {
    const out = path.join(dir, 'budget');
    const r = bin(['train', xorConfig(), ...TRUST, '--out', out, '--max-seconds', '0.001']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`multimech: error: stopped after epoch 0 of 300 (--max-seconds 0.001); the checkpoint is in ${out}: continue with: multimech train ${xorConfig()} --out ${out} --resume`);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ state: 'interrupted', epoch: 0, reason: '--max-seconds 0.001' });
    // another budget, long enough for the rest
    const again = bin(['train', xorConfig(), ...TRUST, '--out', out, '--resume', '--max-seconds', '600']);
    expect(again.code).toBe(0);
    expect(figures(out)).toEqual(figures(whole));
    expect(finalParameters(out)).toEqual(finalParameters(whole));
  });
});

/** A run whose epochs last a second or two: long enough to send two signals within one. */
const SLOW = {
  name: 'slow',
  seed: 3,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [8] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 8000, test: 12 },
  error: { kind: 'frequency', mode: 'transient', periods: 4, samplesPerPeriod: 8 },
  optimizer: { batchSize: 4 },
  training: { epochs: 2 },
};

(BUILT ? describe : describe.skip)('a second signal, and a folder in use', () => {
  let slow: string;
  beforeAll(() => {
    slow = path.join(dir, 'slow.json');
    writeFileSync(slow, JSON.stringify(SLOW));
  });

  test('a second SIGTERM stops at once (the signal’s default action) and leaves no damaged file: --resume continues from the last checkpoint', async () => {
    const out = path.join(dir, 'twice');
    const c = start(['train', slow, '--out', out]);
    await waitFor(c, /^epoch 0\/2 /m);
    c.child.kill('SIGTERM');
    await waitFor(c, /stopping after the epoch in progress/);
    c.child.kill('SIGTERM');
    const end = await c.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(c.stderr).not.toMatch(/^epoch 1\/2 /m);
    // every file reads: the checkpoint of epoch 0, the metrics up to it
    expect(JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).epoch).toBe(0);
    expect(readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).name).toBe('slow');
    const r = await runCli(['train', slow, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/took over the lock/);
    expect(readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  test('two commands with one --out: the second is refused, naming the first’s pid; nothing of the first changes', async () => {
    const out = path.join(dir, 'shared');
    const c = start(['train', slow, '--out', out]);
    try {
      await waitFor(c, /^epoch 0\/2 /m);
      const record = readFileSync(path.join(out, 'run.json'), 'utf8');
      for (const extra of [[], ['--resume'], ['--replace']]) {
        const r = await runCli(['train', slow, '--out', out, ...extra]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^multimech: error: --out .*shared: the folder is in use by another multimech process, pid ${c.child.pid} \\(multimech train, since [^)]+\\); wait for it to finish, or choose another folder\\n$`));
      }
      expect(readFileSync(path.join(out, 'run.json'), 'utf8')).toBe(record);
      expect(readdirSync(dir).filter((f) => f.startsWith('shared.replaced-'))).toEqual([]);
    } finally {
      c.child.kill('SIGKILL');
      await c.ended;
    }
  });
});

(BUILT ? describe : describe.skip)('compare on worker threads, stopped by SIGTERM', () => {
  test('each running thread stops after its epoch in progress and hands back its checkpoint; the same command continues to the numbers of an uninterrupted comparison', async () => {
    const file = path.join(dir, 'threads.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'threads',
        base: {
          substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [8] } },
          task: { kind: 'regression', features: 2, outputs: 1, train: 400, test: 12 },
          optimizer: { batchSize: 4 },
          training: { epochs: 30 },
        },
        mechanisms: [
          { name: 'adjoint', error: { kind: 'adjoint' } },
          { name: 'transient', error: { kind: 'frequency', mode: 'transient', periods: 4, samplesPerPeriod: 8 } },
        ],
        seeds: [1, 2],
      }),
    );
    const whole = path.join(dir, 'threads-whole');
    expect(bin(['compare', file, '--out', whole, '--workers', '2']).code).toBe(0);
    const out = path.join(dir, 'threads-stopped');
    const c = start(['compare', file, '--out', out, '--workers', '2', '--verbose']);
    await waitFor(c, /^\[transient seed \d\] epoch 3\/30 /m);
    interrupt(c, 'SIGTERM');
    const end = await c.ended;
    expect(end.code).toBe(1);
    const last = c.stderr.trim().split('\n').pop()!;
    const m = /^multimech: error: stopped \(SIGTERM\) with (\d) of 4 runs finished and (\d) saved at their last epoch; the finished runs are in .*: continue with: multimech compare .* --out .*$/.exec(last);
    expect(m).not.toBeNull();
    const saved = readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.checkpoint.json'));
    expect(saved.length).toBe(Number(m![2]));
    expect(saved.length).toBeGreaterThanOrEqual(1);
    for (const f of saved) expect(JSON.parse(readFileSync(path.join(out, 'runs', f), 'utf8')).epoch).toBeLessThan(30);
    const again = bin(['compare', file, '--out', out, '--workers', '2']);
    expect(again.code).toBe(0);
    expect(figures(out, 'runs.csv')).toEqual(figures(whole, 'runs.csv'));
  });
});

