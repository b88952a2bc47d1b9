import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const REGRESSION = {
  name: 'tiny regression',
  seed: 3,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs: 6 },
};

const IRIS = {
  name: 'tiny iris',
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  task: { kind: 'iris' },
  error: { kind: 'frequency' },
  training: { epochs: 2 },
};

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('train')));
afterAll(() => cleanup());

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = text.trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('multimech train', () => {
  test('a tiny regression run writes every file of the results folder', async () => {
    const config = writeConfig('regression.json', REGRESSION);
    const out = path.join(dir, 'regression-run');
    const r = await runCli(['train', config, '--out', out]);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);

    const files = readdirSync(out).sort();
    expect(files).toEqual(
      ['checkpoint.json', 'config.json', 'learning-curve.png', 'learning-curve.svg', 'metrics.csv', 'network.cir', 'parameters.csv', 'run.json', 'summary.json', 'summary.md'].sort(),
    );

    // one log line per epoch (stderr is not a terminal), epoch 0 being the evaluation before training
    const log = r.stderr.trim().split('\n');
    expect(log).toHaveLength(7);
    expect(log[6]).toMatch(/^epoch 6\/6 loss \S+ test_loss \S+ train_rel_err \S+ test_rel_err \S+$/);

    const metrics = parseCsv(readFileSync(path.join(out, 'metrics.csv'), 'utf8'));
    expect(metrics.header).toEqual(['epoch', 'train_loss', 'test_loss', 'train_relative_error', 'test_relative_error', 'seconds', 'clamped']);
    expect(metrics.rows.map((row) => row[0])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const row of metrics.rows) for (const v of row) expect(Number.isFinite(v)).toBe(true);
    const first = metrics.rows[0];
    const last = metrics.rows[metrics.rows.length - 1];
    expect(last[1]).toBeLessThan(first[1]); // train loss falls
    expect(last[2]).toBeLessThan(first[2]); // test loss falls

    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary).sort()).toEqual(['epochs', 'final_loss', 'relative_error', 'seconds']);
    expect(summary.epochs).toBe(6);
    expect(summary.final_loss).toBe(last[1]);
    expect(summary.relative_error).toBe(last[4]);
    expect(r.stdout).toBe(`results: ${out}\nrelative error: ${summary.relative_error.toPrecision(4)}\n`);

    const resolved = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(resolved.seed).toBe(3);
    expect(resolved.training.epochs).toBe(6);
    expect(resolved.task.features).toBe(2);

    const parameters = parseCsv(readFileSync(path.join(out, 'parameters.csv'), 'utf8'));
    expect(parameters.header).toEqual(['name', 'value']);
    // layered: 5 input ports (2 features × ±, bias) × 4 hidden + 4 hidden × 1 output + 4 hidden to ground
    const names = readFileSync(path.join(out, 'parameters.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(names).toHaveLength(28);
    for (const row of parameters.rows) expect(row[1]).toBeGreaterThan(0);

    // the trained network as SPICE: one resistor line per parameter, R = 1/g
    const cir = readFileSync(path.join(out, 'network.cir'), 'utf8');
    const resistors = cir.split('\n').filter((l) => /^R/i.test(l));
    expect(resistors).toHaveLength(28);
    const g0 = parameters.rows[0][1];
    expect(Number(resistors[0].split(/\s+/)[3])).toBeCloseTo(1 / g0, 10);
    expect(cir.trim().endsWith('.end')).toBe(true);

    const png = readFileSync(path.join(out, 'learning-curve.png'));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const svg = readFileSync(path.join(out, 'learning-curve.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('tiny regression');

    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/^# tiny regression/);
    expect(md).toContain('substrate: resistive');
    expect(md).toContain('error adjoint');
    expect(md).toContain('](learning-curve.svg)');
    expect(md).toContain(`relative error (test): ${summary.relative_error.toPrecision(4)}`);

    // no temporary files left behind
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('a classification run reports accuracies and prints the test accuracy; --seed overrides the config', async () => {
    const config = writeConfig('iris.json', IRIS);
    const out = path.join(dir, 'iris-run');
    const r = await runCli(['train', config, '--out', out, '--seed', '7']);
    expect(r.code).toBe(0);
    const metrics = parseCsv(readFileSync(path.join(out, 'metrics.csv'), 'utf8'));
    // the frequency mechanism reports its lock-in window and sample count
    expect(metrics.header).toEqual(['epoch', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'seconds', 'clamped', 'diag_samples', 'diag_window']);
    expect(metrics.rows).toHaveLength(3);
    expect(metrics.rows[2][1]).toBeLessThan(metrics.rows[0][1]);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary).sort()).toEqual(['epochs', 'final_loss', 'seconds', 'test_accuracy', 'train_accuracy']);
    expect(summary.test_accuracy).toBe(metrics.rows[2][4]);
    expect(r.stdout).toMatch(new RegExp(`\\ntest accuracy: ${summary.test_accuracy.toFixed(4).replace('.', '\\.')}\\n$`));
    expect(r.stdout).toMatch(/^test accuracy: \d\.\d{4}$/m);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).seed).toBe(7);
    expect(r.stderr).toMatch(/^epoch 2\/2 loss \S+ test_loss \S+ train_acc \d\.\d\d test_acc \d\.\d\d$/m);
  });

  test('on a terminal it draws a progress bar instead of log lines', async () => {
    const config = writeConfig('regression-tty.json', { ...REGRESSION, training: { epochs: 2 } });
    const r = await runCli(['train', config, '--out', path.join(dir, 'tty-run')], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\x1b[2K');
    expect(r.stderr).toMatch(/epoch 2\/2 \[#{24}\] 100% loss \S+ rel_err \S+ ETA 0:00\n$/);
    expect(r.stderr).not.toMatch(/^epoch 1\/2 loss/m);
  });

  test('a previous results folder is replaced only with --replace (moved aside); a non-empty folder of something else is refused', async () => {
    const config = writeConfig('rerun.json', { ...REGRESSION, training: { epochs: 1 } });
    const out = path.join(dir, 'rerun');
    expect((await runCli(['train', config, '--out', out])).code).toBe(0);
    const before = readFileSync(path.join(out, 'metrics.csv'), 'utf8');
    const refused = await runCli(['train', config, '--out', out, '--seed', '11']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--out .*rerun holds a run of another experiment \(at seed it has \d+ and this config 11\); choose another folder, or --replace/);
    expect(readFileSync(path.join(out, 'metrics.csv'), 'utf8')).toBe(before);
    const replaced = await runCli(['train', config, '--out', out, '--seed', '11', '--replace']);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).seed).toBe(11);
    const aside = readdirSync(dir).filter((f) => f.startsWith('rerun.replaced-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0], 'metrics.csv'), 'utf8')).toBe(before);

    const other = path.join(dir, 'precious');
    mkdirSync(other);
    writeFileSync(path.join(other, 'data.txt'), 'keep me');
    const r = await runCli(['train', config, '--out', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^multimech: error: --out .*precious: the folder is not empty and holds no summary\.json/);
    expect(readdirSync(other)).toEqual(['data.txt']);
    expect(readFileSync(path.join(other, 'data.txt'), 'utf8')).toBe('keep me');

    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect((await runCli(['train', config, '--out', file])).stderr).toMatch(/a-file: is a file, expected a results folder/);
  });
});

describe('multimech train: bad configs', () => {
  async function fails(config: unknown, ...patterns: RegExp[]): Promise<string> {
    const file = writeConfig('bad.json', config);
    const out = path.join(dir, 'bad-run');
    const r = await runCli(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^multimech: error: /);
    expect(r.stderr).not.toMatch(STACK_LINE);
    for (const p of patterns) expect(r.stderr).toMatch(p);
    expect(existsSync(out)).toBe(false); // decoded before any folder is made
    return r.stderr;
  }

  test('an unknown substrate kind lists the known ones', async () => {
    await fails({ ...REGRESSION, substrate: { ...REGRESSION.substrate, kind: 'resistiv' } }, /bad\.json: invalid configuration/, /substrate\.kind: unknown substrate kind 'resistiv' \(known substrate kinds: .*resistive/);
  });

  test('an unknown error mechanism and task kind list the known ones', async () => {
    await fails({ ...REGRESSION, error: { kind: 'telepathy' }, task: { kind: 'mnist' } }, /error\.kind: unknown error mechanism kind 'telepathy' \(known error mechanism kinds: adjoint, chemical, cl, ep, frequency\)/, /task\.kind: unknown task kind 'mnist' \(known task kinds: allostery, images, iris, regression, table\)/);
  });

  test('a value of the wrong type names its JSON path', async () => {
    await fails({ ...REGRESSION, training: { epochs: 'five' } }, /^ {2}training\.epochs: expected a positive integer, got "five"$/m);
    await fails({ ...REGRESSION, substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4, -1] } } }, /^ {2}substrate\.network\.hidden\[1\]: expected a positive integer, got -1$/m);
  });

  test('invalid JSON names the line and column', async () => {
    await fails('{\n  "name": "x",\n  "seed": 1\n  "task": {}\n}\n', /bad\.json:4: invalid JSON at column 3: expected ',' or '}' after a property value, found "\\""/);
    await fails('{\n  "training": { "epochs": 3, }\n}', /bad\.json:2: invalid JSON at column 30: expected a property name in double quotes \(no trailing comma before '}'\)/);
    await fails('{\n  "name": "x",', /bad\.json:2: invalid JSON at column 15: .*found the end of the file/);
  });

  test('a missing config file', async () => {
    const r = await runCli(['train', path.join(dir, 'nope.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^multimech: error: .*nope\.json: no such file \(expected a JSON experiment config\)\n$/);
  });
});
