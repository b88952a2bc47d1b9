/**
 * Results are never lost or mixed: run.json names the experiment of a
 * folder and says whether its run is complete; another experiment, another
 * command or a finished run is refused unless --replace (which moves the
 * folder aside); a lock keeps a second command out; stranded folders are
 * finished by --resume; compare keeps each run as it finishes, names a
 * failed run and goes on, and continues where it stopped; file system
 * errors are one line naming the path.
 */
import { spawnSync } from 'child_process';
import { EventEmitter } from 'events';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CliIo } from '../src/cli-io';
import { compareCommand } from '../src/compare-command';
import { experimentHash } from '../src/results-folder';
import type { SignalSource } from '../src/run-stop';
import { trainCommand } from '../src/train-command';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');
const BUILT = existsSync(path.join(__dirname, '..', 'dist', 'main.js'));

const experiment = (extra: Record<string, unknown> = {}) => ({
  name: 'record check',
  seed: 4,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs: 3 },
  ...extra,
});

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('record')));
afterAll(() => cleanup());

function config(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** Every file of a folder (hidden ones too) with its bytes. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files[path.relative(folder, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(folder);
  return files;
}

/** metrics.csv without its seconds column. */
function figures(folder: string, file = 'metrics.csv'): string[] {
  const [head, ...rows] = readFileSync(path.join(folder, file), 'utf8').trim().split('\n');
  const drop = head.split(',').indexOf('seconds');
  return [head, ...rows].map((r) => r.split(',').filter((_, i) => i !== drop).join(','));
}

const record = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'run.json'), 'utf8'));

/** An io whose stderr calls `on` with each text written (to send a signal at a chosen line). */
function watchedIo(on: (text: string) => void): CliIo & { text: () => string } {
  let stderr = '';
  return {
    stdout: { write: () => true },
    stderr: {
      write: (t: string) => {
        stderr += t;
        on(t);
        return true;
      },
    },
    text: () => stderr,
  };
}

/** A pid that is no longer running (a process of this host that has ended). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('run.json and the experiment of a folder', () => {
  test('a finished run records its experiment (the hash of config.json), the command and its state', async () => {
    const out = path.join(dir, 'complete');
    expect((await runCli(['train', config('exp.json', experiment()), '--out', out])).code).toBe(0);
    const r = record(out);
    expect(r).toMatchObject({ format: 'multimech-run', version: 1, command: 'train', state: 'complete', epoch: 3, epochs: 3 });
    expect(r.experiment).toBe(experimentHash(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'))));
    expect(Date.parse(r.updated)).toBeGreaterThanOrEqual(Date.parse(r.started));
    expect(JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8'))).toMatchObject({ experiment: r.experiment, seed: 4 });
    // the hash leaves out training.epochs: a run trained for longer stays the same experiment
    expect(experimentHash({ ...experiment(), training: { epochs: 30 } })).toBe(experimentHash(experiment()));
    expect(experimentHash(experiment({ seed: 5 }))).not.toBe(experimentHash(experiment()));
  });

  test('three experiments into one --out: the second and third are refused, naming the difference, and nothing of the first changes; --replace moves it aside', async () => {
    const out = path.join(dir, 'mixed');
    expect((await runCli(['train', config('first.json', experiment()), '--out', out])).code).toBe(0);
    const before = snapshot(out);
    const second = await runCli(['train', config('second.json', experiment({ optimizer: { learningRate: 0.2, batchSize: 4 } })), '--out', out]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^multimech: error: --out .*mixed holds a run of another experiment \(at optimizer\.learningRate it has 0\.1 and this config 0\.2\); choose another folder, or --replace to move it aside \(to .*mixed\.replaced-<time>\) and start anew\n$/);
    const third = await runCli(['train', config('third.json', experiment({ task: { kind: 'regression', features: 3, outputs: 1, train: 16, test: 8 } })), '--out', out]);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/holds a run of another experiment \(at task\.features it has 2 and this config 3\)/);
    const compare = await runCli(['compare', config('cmp.json', { base: { ...experiment(), name: undefined, error: undefined, seed: undefined }, mechanisms: [{ name: 'adjoint', error: { kind: 'adjoint' } }], seeds: [1] }), '--out', out]);
    expect(compare.code).toBe(1);
    expect(compare.stderr).toMatch(/--out .*mixed holds the results of multimech train, not of a comparison; choose another folder, or --replace/);
    const again = await runCli(['train', path.join(dir, 'first.json'), '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--out .*mixed holds a finished run of this experiment \(3 epochs\); train it for longer with --resume after raising training\.epochs, or choose another folder, or --replace/);
    expect(snapshot(out)).toEqual(before);

    const replaced = await runCli(['train', path.join(dir, 'second.json'), '--out', out, '--replace']);
    expect(replaced.code).toBe(0);
    const aside = readdirSync(dir).filter((f) => /^mixed\.replaced-\d{8}-\d{6}$/.test(f));
    expect(aside).toHaveLength(1);
    expect(replaced.stderr).toContain(`multimech: note: moved the earlier contents of ${out} aside to ${path.join(dir, aside[0])}\n`);
    expect(snapshot(path.join(dir, aside[0]))).toEqual(before);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).optimizer.learningRate).toBe(0.2);
    const usage = await runCli(['train', path.join(dir, 'second.json'), '--out', out, '--replace', '--resume']);
    expect(usage.code).toBe(2);
  });

  test('a finished run trained for longer is not complete until it ends: stopped (or killed) on the way, it keeps no summary.json, plain train is refused and --resume goes on', async () => {
    const out = path.join(dir, 'longer');
    expect((await runCli(['train', config('three.json', experiment()), '--out', out])).code).toBe(0);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(true);
    const longer = config('longer.json', experiment({ training: { epochs: 12 } }));
    // stopped after epoch 6 of 12 (as a kill would, it leaves the folder mid-run)
    const signals = new EventEmitter();
    const io = watchedIo((t) => {
      if (t.startsWith('epoch 6/12 ')) signals.emit('SIGINT', 'SIGINT');
    });
    await expect(trainCommand(longer, { out, resume: true, signals: signals as unknown as SignalSource }, io)).rejects.toThrow(/^stopped after epoch 6 of 12 \(SIGINT\)/);
    expect(io.text()).toContain('multimech: SIGINT: stopping after the epoch in progress and saving a checkpoint (Ctrl-C again to stop at once)');
    expect(existsSync(path.join(out, 'summary.json'))).toBe(false);
    expect(record(out)).toMatchObject({ state: 'interrupted', epoch: 6, epochs: 12, reason: 'SIGINT' });
    const checkpoint = readFileSync(path.join(out, 'checkpoint.json'), 'utf8');
    const plain = await runCli(['train', longer, '--out', out]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/holds an unfinished run \(a checkpoint\.json and no summary\.json\); continue it with --resume/);
    expect(readFileSync(path.join(out, 'checkpoint.json'), 'utf8')).toBe(checkpoint);
    const r = await runCli(['train', longer, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    const whole = path.join(dir, 'longer-whole');
    expect((await runCli(['train', longer, '--out', whole])).code).toBe(0);
    expect(figures(out)).toEqual(figures(whole));
    expect(record(out).state).toBe('complete');
  });
});

describe('stranded folders are finished by --resume', () => {
  let whole: string;
  let exp: string;
  beforeAll(async () => {
    exp = config('stranded.json', experiment({ name: 'stranded' }));
    whole = path.join(dir, 'stranded-whole');
    expect((await runCli(['train', exp, '--out', whole])).code).toBe(0);
  });

  test('killed before its first checkpoint (config.json, run.json running, a lock of a dead pid): plain train is refused, --resume runs it from the start', async () => {
    const out = path.join(dir, 'before-first');
    cpSync(whole, out, { recursive: true });
    for (const f of readdirSync(out)) if (!['config.json', 'run.json'].includes(f)) rmSync(path.join(out, f));
    writeFileSync(path.join(out, 'run.json'), JSON.stringify({ ...record(out), state: 'running', epoch: 0 }));
    const pid = deadPid();
    writeFileSync(path.join(out, '.multimech.lock'), JSON.stringify({ pid, host: os.hostname(), command: 'train', started: new Date().toISOString() }));
    const plain = await runCli(['train', exp, '--out', out]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/holds a run of this experiment that stopped before its first checkpoint; start it again with --resume, or --replace/);
    const r = await runCli(['train', exp, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^multimech: note: took over the lock of .*before-first from pid ${pid} \\(multimech train, since [^)]+\\), which no longer runs`, 'm'));
    expect(r.stderr).toMatch(/holds no checkpoint \(the run stopped before its first epoch\): starting it from the beginning/);
    expect(figures(out)).toEqual(figures(whole));
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8')).toBe(readFileSync(path.join(whole, 'parameters.csv'), 'utf8'));
  });

  test('killed after its last epoch but before its summary: --resume writes the results (no epoch trained again)', async () => {
    const out = path.join(dir, 'after-last');
    cpSync(whole, out, { recursive: true });
    for (const f of ['summary.json', 'summary.md', 'parameters.csv', 'network.cir', 'learning-curve.svg', 'learning-curve.png']) rmSync(path.join(out, f));
    writeFileSync(path.join(out, 'run.json'), JSON.stringify({ ...record(out), state: 'running' }));
    const plain = await runCli(['train', exp, '--out', out]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/holds an unfinished run/);
    const r = await runCli(['train', exp, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`finishing ${out}: its 3 epochs are done, its results were not written\n`);
    expect(r.stderr).not.toMatch(/^epoch /m);
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8')).toBe(readFileSync(path.join(whole, 'parameters.csv'), 'utf8'));
    const [a, b] = [out, whole].map((f) => ({ ...JSON.parse(readFileSync(path.join(f, 'summary.json'), 'utf8')), seconds: 0 }));
    expect(a).toEqual(b);
    expect(readdirSync(out).sort()).toEqual(readdirSync(whole).sort());
  });

  test('a signal after the last epoch stops at once, before the results: --resume writes them', async () => {
    const out = path.join(dir, 'signal-after-last');
    const signals = new EventEmitter();
    const io = watchedIo((t) => {
      if (t.startsWith('epoch 3/3 ')) signals.emit('SIGTERM', 'SIGTERM');
    });
    await expect(trainCommand(exp, { out, signals: signals as unknown as SignalSource }, io)).rejects.toThrow(
      /^stopped after the last epoch \(3 of 3\) before its results were written \(SIGTERM\); continue with: multimech train .* --resume$/,
    );
    expect(existsSync(path.join(out, 'summary.json'))).toBe(false);
    expect(record(out)).toMatchObject({ state: 'interrupted', epoch: 3, reason: 'SIGTERM' });
    const r = await runCli(['train', exp, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8')).toBe(readFileSync(path.join(whole, 'parameters.csv'), 'utf8'));
  });

  test('a lock of a live process, or of another host, is not taken over', async () => {
    const out = path.join(dir, 'held');
    mkdirSync(out);
    writeFileSync(path.join(out, '.multimech.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'sweep', started: '2026-01-02T03:04:05.000Z' }));
    const live = await runCli(['train', exp, '--out', out]);
    expect(live.code).toBe(1);
    expect(live.stderr).toBe(`multimech: error: --out ${out}: the folder is in use by another multimech process, pid ${process.pid} (multimech sweep, since 2026-01-02T03:04:05.000Z); wait for it to finish, or choose another folder\n`);
    writeFileSync(path.join(out, '.multimech.lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', command: 'train', started: '2026-01-02T03:04:05.000Z' }));
    const remote = await runCli(['train', exp, '--out', out]);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/in use by another multimech process, pid \d+ on host elsewhere\.example .*\(if that process is gone, remove .*held\/\.multimech\.lock\)\n$/);
    expect(readdirSync(out)).toEqual(['.multimech.lock']);
  });
});

describe('file system errors are one line naming the path', () => {
  test('a file where the results folder is expected, and a folder where a file of the run goes', async () => {
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const r = await runCli(['train', config('fs.json', experiment({ name: 'fs' })), '--out', path.join(file, 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`multimech: error: --out ${path.join(file, 'run')}: a part of the path is a file, expected a results folder\n`);

    // a run stopped after epoch 0, whose metrics.csv became a folder: the next epoch cannot be written
    const out = path.join(dir, 'blocked');
    expect((await runCli(['train', path.join(dir, 'fs.json'), '--out', out, '--max-seconds', '1e-9'])).code).toBe(1);
    rmSync(path.join(out, 'metrics.csv'));
    mkdirSync(path.join(out, 'metrics.csv', 'inner'), { recursive: true });
    const blocked = await runCli(['train', path.join(dir, 'fs.json'), '--out', out, '--resume']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).not.toMatch(STACK_LINE);
    expect(blocked.stderr.trim().split('\n').pop()).toBe(`multimech: error: ${path.join(out, 'metrics.csv')}: cannot write: a folder is in the way (EISDIR)`);
    expect(record(out)).toMatchObject({ state: 'interrupted', reason: `${path.join(out, 'metrics.csv')}: cannot write: a folder is in the way (EISDIR)` });
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('a folder the user may not write into (chmod 0555; run as an unprivileged user where the tests run as root): permission denied, naming the file', async () => {
    const locked = path.join(dir, 'readonly');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const cfg = config('perm.json', experiment({ name: 'perm' }));
    let stderr: string;
    let code: number | null;
    if (process.getuid?.() === 0) {
      // root writes through 0555: run the bin as nobody (uid 65534), who may read the config but not write the folder
      if (!BUILT) return;
      chmodSync(dir, 0o755);
      // a checkout inside a folder only root may enter (a private temporary folder) keeps the bin from nobody: nothing to show then
      const reach = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4)`], { uid: 65534, gid: 65534, cwd: dir });
      if ((reach.error as NodeJS.ErrnoException | undefined)?.code === 'EPERM' || reach.status !== 0) return;
      const r = spawnSync(process.execPath, [BIN, 'train', cfg, '--out', locked], { encoding: 'utf8', uid: 65534, gid: 65534, cwd: dir, env: { ...process.env, HOME: dir } });
      // a container that may not switch users cannot show this as root
      if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'EPERM') return;
      ({ stderr, status: code } = r);
    } else {
      const r = await runCli(['train', cfg, '--out', locked]);
      ({ stderr, code } = r);
    }
    expect(code).toBe(1);
    expect(stderr).toBe(`multimech: error: ${path.join(locked, '.multimech.lock')}: cannot create the lock: permission denied (EACCES)\n`);
    expect(readdirSync(locked)).toEqual([]);
  });
});

/** An error mechanism of a test plugin: the exact gradient, until a file `broken` beside the plugin exists and it has measured 40 examples. */
const FLAKY = `
const { adjointErrorRecord, bindErrorMechanism, definePlugin, MultimechError, strictObject } = require('@multimech/core');
const fs = require('fs');
const path = require('path');
const record = {
  kind: 'test/flaky',
  description: 'the exact gradient, until its instrument breaks',
  configCodec: strictObject('a flaky adjoint ({ "kind": "test/flaky" })', {}, {}),
  requires: [],
  produces: 'product',
  create() {
    const exact = adjointErrorRecord.create({});
    let measured = 0;
    return {
      kind: 'test/flaky',
      produces: 'product',
      measure(context) {
        if (++measured > 40 && fs.existsSync(path.join(__dirname, 'broken'))) throw new MultimechError('the instrument broke');
        return exact.measure(context);
      },
    };
  },
};
exports.flakyPlugin = definePlugin(({ bind }) => bindErrorMechanism(bind, record), 'test/flaky');
`;

describe('compare keeps each run as it finishes', () => {
  let cmp: string;
  let whole: string;
  const comparison = {
    name: 'kept runs',
    base: {
      plugins: ['./flaky.js'],
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
      task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
      optimizer: { learningRate: 0.1, batchSize: 4 },
      training: { epochs: 4 },
    },
    mechanisms: [
      { name: 'adjoint', error: { kind: 'adjoint' } },
      { name: 'flaky', error: { kind: 'test/flaky' } },
    ],
    seeds: [1, 2],
  };
  beforeAll(async () => {
    writeFileSync(path.join(dir, 'flaky.js'), FLAKY);
    cmp = config('kept.json', comparison);
    whole = path.join(dir, 'kept-whole');
    const r = await runCli(['compare', cmp, '--out', whole, '--workers', '1', '--allow-plugins']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
  });

  test('every run is in runs/, by its key; run.json says the comparison is complete', () => {
    const runs = readdirSync(path.join(whole, 'runs'));
    expect(runs).toHaveLength(4);
    for (const f of runs) expect(f).toMatch(/^[0-9a-f]{16}\.json$/);
    expect(record(whole)).toMatchObject({ command: 'compare', state: 'complete', runs: { finished: 4, planned: 4 } });
  });

  test('a failed run is named, the others are kept; once the cause is gone the same command runs only the failed ones, to the numbers of an uninterrupted comparison', async () => {
    const out = path.join(dir, 'kept-failing');
    writeFileSync(path.join(dir, 'broken'), '');
    let r;
    try {
      r = await runCli(['compare', cmp, '--out', out, '--workers', '1', '--allow-plugins']);
    } finally {
      rmSync(path.join(dir, 'broken'));
    }
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).toContain("multimech: run failed: mechanisms[1] 'flaky', seed 1: the instrument broke\n");
    expect(r.stderr).toContain("multimech: run failed: mechanisms[1] 'flaky', seed 2: the instrument broke\n");
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `multimech: error: 2 of 4 runs failed (named above); the 2 finished are kept in ${path.join(out, 'runs')}: fix the cause and run the same command again, which runs only what is missing`,
    );
    expect(readdirSync(path.join(out, 'runs'))).toHaveLength(2);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(false);
    expect(record(out)).toMatchObject({ command: 'compare', state: 'interrupted', runs: { finished: 2, planned: 4 } });
    const stamps = readdirSync(path.join(out, 'runs')).map((f) => [f, statSync(path.join(out, 'runs', f)).mtimeMs]);

    const again = await runCli(['compare', cmp, '--out', out, '--workers', '1', '--allow-plugins']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`multimech: 2 of 4 runs are in ${out} already (the same config and versions): kept\n`);
    expect((again.stderr.match(/\] done \(/g) ?? []).length).toBe(2);
    for (const [f, t] of stamps) expect(statSync(path.join(out, 'runs', f as string)).mtimeMs).toBe(t);
    expect(figures(out, 'runs.csv')).toEqual(figures(whole, 'runs.csv'));
    expect(record(out).state).toBe('complete');
  });

  test('stopped in the middle of a run (SIGTERM; --max-seconds alike), its checkpoint is kept, and the same command continues it to the uninterrupted numbers', async () => {
    const out = path.join(dir, 'kept-stopped');
    const signals = new EventEmitter();
    const io = watchedIo((t) => {
      if (t.startsWith('[adjoint seed 2] epoch 2/4 ')) signals.emit('SIGTERM', 'SIGTERM');
    });
    await expect(compareCommand(cmp, { out, workers: 1, verbose: true, signals: signals as unknown as SignalSource }, io)).rejects.toThrow(
      new RegExp(`^stopped \\(SIGTERM\\) with 1 of 4 runs finished and 1 saved at their last epoch; the finished runs are in ${path.join(out, 'runs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: continue with: multimech compare .*kept\\.json --out .*kept-stopped$`),
    );
    const files = readdirSync(path.join(out, 'runs')).sort();
    expect(files.filter((f) => f.endsWith('.checkpoint.json'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(out, 'runs', files.find((f) => f.endsWith('.checkpoint.json'))!), 'utf8')).epoch).toBe(2);
    expect(record(out)).toMatchObject({ state: 'interrupted', reason: 'SIGTERM' });

    // a damaged checkpoint of the store fails its run, by name, with the key
    const saved = path.join(out, 'runs', files.find((f) => f.endsWith('.checkpoint.json'))!);
    const text = readFileSync(saved, 'utf8');
    writeFileSync(saved, text.replace(/^\{/, '{"__proto__": {"polluted": 1}, '));
    const damaged = await runCli(['compare', cmp, '--out', out, '--workers', '1', '--allow-plugins']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`multimech: run failed: mechanisms[0] 'adjoint', seed 2: ${saved}: __proto__: a key no run of the store has`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    writeFileSync(saved, text);

    const budget = await runCli(['compare', cmp, '--out', out, '--workers', '1', '--allow-plugins', '--max-seconds', '1e-9']);
    expect(budget.code).toBe(1);
    expect(budget.stderr.trim().split('\n').pop()).toMatch(/^multimech: error: stopped \(--max-seconds 1e-9\) with 3 of 4 runs finished; the finished runs are in .*: continue with: multimech compare /);

    const again = await runCli(['compare', cmp, '--out', out, '--workers', '1', '--allow-plugins', '--verbose']);
    expect(again.code).toBe(0);
    // the stopped run goes on from epoch 3
    expect(again.stderr).toMatch(/^\[adjoint seed 2\] epoch 3\/4 /m);
    expect(again.stderr).not.toMatch(/^\[adjoint seed 2\] epoch [0-2]\/4 /m);
    expect(readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.checkpoint.json'))).toEqual([]);
    expect(figures(out, 'runs.csv')).toEqual(figures(whole, 'runs.csv'));
  });

  test('sweep: --max-seconds stops it with its finished runs kept, and the same command continues; a folder of train is refused', async () => {
    const sweep = config('sweep.json', {
      name: 'kept sweep',
      base: experiment({ name: undefined, seed: undefined }),
      sweep: { mode: 'grid', parameters: { 'optimizer.learningRate': [0.05, 0.1] } },
      seeds: [1],
    });
    const out = path.join(dir, 'sweep-stopped');
    const r = await runCli(['sweep', sweep, '--out', out, '--workers', '1', '--max-seconds', '1e-9']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`multimech: error: stopped (--max-seconds 1e-9) with 0 of 2 runs finished; the finished runs are in ${path.join(out, 'runs')}: continue with: multimech sweep ${sweep} --out ${out}`);
    expect(record(out)).toMatchObject({ command: 'sweep', state: 'interrupted' });
    const again = await runCli(['sweep', sweep, '--out', out, '--workers', '1']);
    expect(again.code).toBe(0);
    expect(record(out)).toMatchObject({ command: 'sweep', state: 'complete', runs: { finished: 2, planned: 2 } });
    const intoTrain = await runCli(['sweep', sweep, '--out', path.join(dir, 'complete')]);
    expect(intoTrain.code).toBe(1);
    expect(intoTrain.stderr).toMatch(/--out .*complete holds the results of multimech train, not of a sweep/);
  });
});
