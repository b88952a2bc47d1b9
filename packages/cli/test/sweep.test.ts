import { runKey } from '@multimech/sweep';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { runComparisonJob } from '../src/comparison-job';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/** Two knobs of a tiny regression: the learning rate and the batch size, over two seeds. */
const GRID = {
  name: 'tiny sweep',
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6 },
    error: { kind: 'frequency', mode: 'phasor' },
    optimizer: { batchSize: 4 },
    training: { epochs: 3 },
  },
  sweep: { mode: 'grid', parameters: { 'optimizer.learningRate': [0.05, 0.2], 'optimizer.batchSize': [2, 4, 6] } },
  seeds: [1, 2],
};

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('sweep')));
afterAll(() => cleanup());

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

type Row = Record<string, string>;
function readCsv(file: string): { header: string[]; rows: Row[] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const header = head.split(',');
  // no field of these files holds a comma
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v]))) };
}

const runFile = (out: string, key: string) => JSON.parse(readFileSync(path.join(out, 'runs', `${key}.json`), 'utf8'));

describe('multimech sweep: a grid on worker threads of this machine', () => {
  let out: string;
  let r: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    out = path.join(dir, 'grid');
    r = await runCli(['sweep', writeConfig('grid.json', GRID), '--out', out, '--workers', '1']);
  });

  test('writes sweep.csv, a file per run, the plots against each knob, the heatmaps and summary.json', () => {
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const plots = ['loss', 'relative-error'].flatMap((f) => [`${f}-vs-optimizer.learningRate`, `${f}-vs-optimizer.batchSize`, `${f}-heatmap`]);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'run.json', 'runs', 'summary.json', 'sweep.csv', ...plots.flatMap((p) => [`${p}.png`, `${p}.svg`])].sort());
    expect(readdirSync(path.join(out, 'runs'))).toHaveLength(2 * 3 * 2);
    const heatmap = readFileSync(path.join(out, 'loss-heatmap.svg'), 'utf8');
    expect(heatmap).toContain('tiny sweep: final training loss (mean over the seeds)');
    expect((heatmap.match(/class="mark-rect role-mark/g) ?? []).length).toBe(1);
    const line = readFileSync(path.join(out, 'loss-vs-optimizer.batchSize.svg'), 'utf8');
    expect((line.match(/class="mark-area role-mark/g) ?? []).length).toBe(1);
    expect(r.stdout).toMatch(/^optimizer\.learningRate {2}optimizer\.batchSize {2}runs {2}final training loss {2}test relative error {2}seconds\n/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1 + 6 + 1);
    expect(r.stdout).toMatch(/\nresults: .*grid\n$/);
  });

  test('sweep.csv: one row per run, the swept values as columns, and figures that are the run made on its own', () => {
    const csv = readCsv(path.join(out, 'sweep.csv'));
    expect(csv.header).toEqual(['run', 'key', 'seed', 'optimizer.learningRate', 'optimizer.batchSize', 'final_loss', 'relative_error', 'seconds']);
    expect(csv.rows.map((row) => [row['optimizer.learningRate'], row['optimizer.batchSize'], row.seed])).toEqual([
      ['0.05', '2', '1'],
      ['0.05', '2', '2'],
      ['0.05', '4', '1'],
      ['0.05', '4', '2'],
      ['0.05', '6', '1'],
      ['0.05', '6', '2'],
      ['0.2', '2', '1'],
      ['0.2', '2', '2'],
      ['0.2', '4', '1'],
      ['0.2', '4', '2'],
      ['0.2', '6', '1'],
      ['0.2', '6', '2'],
    ]);
    expect(new Set(csv.rows.map((row) => row.key)).size).toBe(12);
    // run 9 (learning rate 0.2, batches of 4, seed 1), made directly: the same numbers
    const row = csv.rows[8];
    const config = { ...GRID.base, name: 'tiny sweep', optimizer: { batchSize: 4, learningRate: 0.2 }, seed: 1 };
    const direct = runComparisonJob({ seed: 1, config, baseDir: dir });
    expect(Number(row.final_loss)).toBe(direct.summary.final_loss);
    expect(Number(row.relative_error)).toBe(direct.summary.relative_error);
    expect(runFile(out, row.key).result.history.map((e: { trainLoss: number }) => e.trainLoss)).toEqual(direct.history.map((e) => e.trainLoss));
    // its key: the resolved config and the versions
    expect(row.key).toBe(runKey({ ...config, activation: { kind: 'dc' }, rule: { kind: 'product' }, optimizer: { kind: 'sgd', learningRate: 0.2, momentum: 0.9, batchSize: 4, bounds: 'project' } }, versionsOf()));
    // the knobs matter: a larger learning rate ends lower, seed by seed
    for (let i = 0; i < 6; i++) expect(Number(csv.rows[6 + i].final_loss)).toBeLessThan(Number(csv.rows[i].final_loss));
  });

  test('summary.json names the best point by its mean over the seeds', () => {
    const csv = readCsv(path.join(out, 'sweep.csv'));
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ name: 'tiny sweep', mode: 'grid', parameters: ['optimizer.learningRate', 'optimizer.batchSize'], points: 6, seeds: [1, 2], runs: 12, ran: 12, skipped: 0 });
    const means = new Map<string, number[]>();
    for (const row of csv.rows) {
      const id = `${row['optimizer.learningRate']}|${row['optimizer.batchSize']}`;
      means.set(id, [...(means.get(id) ?? []), Number(row.relative_error)]);
    }
    const best = [...means].map(([id, v]) => [id, (v[0] + v[1]) / 2] as const).sort((a, b) => a[1] - b[1])[0];
    expect(`${summary.best.point['optimizer.learningRate']}|${summary.best.point['optimizer.batchSize']}`).toBe(best[0]);
    expect(summary.best.relative_error_mean).toBeCloseTo(best[1], 15);
  });

  test('a rerun into the folder skips every finished run; a larger grid runs only its new points', async () => {
    const stamps = readdirSync(path.join(out, 'runs')).map((f) => statSync(path.join(out, 'runs', f)).mtimeMs);
    const before = readFileSync(path.join(out, 'sweep.csv'), 'utf8');
    const again = await runCli(['sweep', path.join(dir, 'grid.json'), '--out', out, '--workers', '1']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`multimech: 12 of 12 runs are in ${out} already (the same config and versions): skipped\n`);
    expect(again.stderr).not.toMatch(/epoch/);
    expect(readdirSync(path.join(out, 'runs')).map((f) => statSync(path.join(out, 'runs', f)).mtimeMs)).toEqual(stamps);
    // the same rows, read back from the runs' files
    expect(readFileSync(path.join(out, 'sweep.csv'), 'utf8')).toBe(before);

    const larger = { ...GRID, sweep: { mode: 'grid', parameters: { 'optimizer.learningRate': [0.05, 0.1, 0.2], 'optimizer.batchSize': [2, 4, 6] } } };
    const grown = await runCli(['sweep', writeConfig('larger.json', larger), '--out', out, '--workers', '1']);
    expect(grown.code).toBe(0);
    expect(grown.stderr).toContain('multimech: 12 of 18 runs are in');
    expect(grown.stderr).toContain('multimech: 6 runs on this thread\n');
    expect((grown.stderr.match(/\] done \(/g) ?? []).length).toBe(6);
    expect(readCsv(path.join(out, 'sweep.csv')).rows).toHaveLength(18);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ runs: 18, ran: 6, skipped: 12 });

    // an interrupted sweep (a run's file and summary.json missing) is finished by running what is missing
    const csv = readCsv(path.join(out, 'sweep.csv'));
    const lost = csv.rows[4];
    rmSync(path.join(out, 'runs', `${lost.key}.json`));
    rmSync(path.join(out, 'summary.json'));
    const resumed = await runCli(['sweep', path.join(dir, 'larger.json'), '--out', out, '--workers', '1']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('multimech: 17 of 18 runs are in');
    expect(resumed.stderr).toContain(`[optimizer.learningRate=${lost['optimizer.learningRate']} optimizer.batchSize=${lost['optimizer.batchSize']} seed ${lost.seed}] done (1/1 runs)`);
    const { seconds: _s, ...figures } = lost;
    expect(readCsv(path.join(out, 'sweep.csv')).rows[4]).toMatchObject(figures);
  });
});

/** The versions the command line keys its runs with. */
function versionsOf(): Record<string, string> {
  const { multimechVersions } = require('../src/comparison-job') as typeof import('../src/comparison-job');
  return multimechVersions();
}

describe('multimech sweep: mechanisms as in a comparison, a classification task, values with units', () => {
  test('runs point × mechanism × seed; the mechanism is a column; "1.7 kHz" is the run at 1700 Hz', async () => {
    const config = {
      base: {
        substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
        task: { kind: 'iris', test: 45 },
        training: { epochs: 1 },
      },
      sweep: { mode: 'grid', parameters: { 'error.frequency': ['1.7 kHz', 1700, '3 kHz'] } },
      mechanisms: [
        { name: 'phasor', error: { kind: 'frequency', mode: 'phasor' } },
        { name: 'small-signal', error: { kind: 'frequency', mode: 'small-signal' }, optimizer: { learningRate: 0.1 } },
      ],
      seeds: [3],
    };
    const out = path.join(dir, 'mechanisms');
    const r = await runCli(['sweep', writeConfig('mechanisms.json', config), '--out', out, '--workers', '1']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const csv = readCsv(path.join(out, 'sweep.csv'));
    expect(csv.header).toEqual(['run', 'key', 'mechanism', 'seed', 'error.frequency', 'final_loss', 'test_accuracy', 'train_accuracy', 'seconds']);
    expect(csv.rows.map((row) => [row['error.frequency'], row.mechanism])).toEqual([
      ['1.7 kHz', 'phasor'],
      ['1.7 kHz', 'small-signal'],
      ['1700', 'phasor'],
      ['1700', 'small-signal'],
      ['3 kHz', 'phasor'],
      ['3 kHz', 'small-signal'],
    ]);
    // written two ways, one frequency: two keys, the same numbers
    expect(csv.rows[0].key).not.toBe(csv.rows[2].key);
    for (const f of ['final_loss', 'test_accuracy', 'train_accuracy']) {
      expect(csv.rows[0][f]).toBe(csv.rows[2][f]);
      expect(csv.rows[1][f]).toBe(csv.rows[3][f]);
    }
    // the mechanisms differ (the small-signal one has its own learning rate)
    expect(csv.rows[0].final_loss).not.toBe(csv.rows[1].final_loss);
    for (const row of csv.rows) {
      expect(Number(row.test_accuracy)).toBeGreaterThan(0);
      expect(Number(row.test_accuracy)).toBeLessThanOrEqual(1);
    }
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['accuracy-vs-error.frequency.svg', 'loss-vs-error.frequency.png']));
    // the axis is the frequency in Hz, decoded from the units: one point at 1700 holds both writings
    const svg = readFileSync(path.join(out, 'accuracy-vs-error.frequency.svg'), 'utf8');
    expect(svg).toContain('small-signal');
    expect(r.stdout.split('\n')[0]).toMatch(/^error\.frequency {2}mechanism {5}runs {2}final training loss {2}test accuracy {2}seconds$/);
  });
});

describe('multimech sweep: bad input, found before anything runs or is written', () => {
  const bad = async (name: string, config: unknown, extra: string[] = []) => {
    const out = path.join(dir, `bad-${name}`);
    const r = await runCli(['sweep', writeConfig(`${name}.json`, config), '--out', out, ...extra]);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
    return { ...r, file: path.join(dir, `${name}.json`) };
  };
  const withParameters = (parameters: unknown) => ({ ...GRID, sweep: { mode: 'grid', parameters } });

  test('a path that is not in the config names it and the nearest paths', async () => {
    const r = await bad('typo', withParameters({ 'error.amplitud': [0.1, 0.2] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `multimech: error: ${r.file}: invalid configuration\n  sweep.parameters["error.amplitud"]: "error.amplitud" is not a setting of the config (nearest: error.amplitude, error.kind, error.mode)\n`,
    );
  });

  test('a swept value the codec refuses names the run and the path', async () => {
    const r = await bad('refused', withParameters({ 'optimizer.batchSize': [4, 0.5], 'error.amplitude': [0.01] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `multimech: error: ${r.file}: invalid configuration\n  sweep.parameters["optimizer.batchSize"][1]: expected a positive integer, got 0.5, in run 3 (optimizer.batchSize=0.5 error.amplitude=0.01, seed 1)\n`,
    );
  });

  test('an empty grid', async () => {
    const r = await bad('empty', withParameters({ 'optimizer.learningRate': [] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`multimech: error: ${r.file}: invalid configuration\n  sweep.parameters["optimizer.learningRate"]: expected at least one value, got [] (the grid would be empty)\n`);
  });

  test('an unreachable Redis names the URL, and nothing goes on a queue; --workers beside --queue is a usage error', async () => {
    const { freePort } = require('../../sweep/test/redis-server') as typeof import('../../sweep/test/redis-server');
    const port = await freePort();
    const r = await bad('unreachable', GRID, ['--queue', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`multimech: error: --queue redis://127.0.0.1:${port}: cannot reach Redis (connect ECONNREFUSED 127.0.0.1:${port}); nothing was put on the queue\n`);
    const usage = await bad('usage', GRID, ['--queue', `redis://127.0.0.1:${port}`, '--workers', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^multimech: error: --workers applies to the runs on this machine; with --queue, start `multimech worker`/);
  });
});
