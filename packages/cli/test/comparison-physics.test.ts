/**
 * What train and compare write of the physical cost, the fidelity during
 * training and the learning rates chosen on a validation split: the
 * physical-cost columns of metrics.csv (asked for with
 * `training.physicalCost`), fidelity.csv from both commands, and a
 * comparison whose learning rates are chosen per mechanism on held-out
 * training examples, the test examples evaluated only by the runs that
 * follow (a task that counts each read of a test example's inputs says so).
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { runCli, STACK_LINE, tempDir } from './run-cli';

/** A tiny regression task whose test examples count every read of their inputs in a file. */
const COUNTED_TASK = `
const fs = require('fs');
const path = require('path');
const { bindTask, definePlugin, mseLoss, nonEmptyString, strictObject, withDefaults } = require('@multimech/core');

const settings = withDefaults(strictObject('a counted task ({ "kind": "acme/counted", "file" })', { file: nonEmptyString }), (c) => ({ file: c.file }));

function example(rng, counted, file) {
  const x = rng.uniform(-1, 1);
  const inputs = Float64Array.from([x, 1]);
  const target = Float64Array.from([0.3 * x + 0.4]);
  if (!counted) return { inputs, target };
  return { get inputs() { fs.appendFileSync(file, 'x'); return inputs; }, target };
}

const record = {
  kind: 'acme/counted',
  description: 'a line to fit, whose test examples count how often they are read',
  configCodec: settings,
  create(s, context) {
    const file = path.resolve(context.baseDir, s.file);
    return {
      kind: 'acme/counted',
      inputCount: 2,
      inputType: 'potential',
      outputCount: 1,
      train: Array.from({ length: 12 }, () => example(context.rng, false)),
      test: Array.from({ length: 4 }, () => example(context.rng, true, file)),
      loss: mseLoss,
    };
  },
};

exports.countedPlugin = definePlugin(({ bind }) => bindTask(bind, record), 'acme/counted');
`;

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('comparison-physics'));
  writeFileSync(path.join(dir, 'counted.js'), COUNTED_TASK);
});
afterAll(() => cleanup());

function write(name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function csv(file: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

const reads = (file: string) => {
  try {
    return readFileSync(file, 'utf8').length;
  } catch {
    return 0;
  }
};

describe('multimech train', () => {
  it('with training.physicalCost, metrics.csv gains the physical columns after its own, and summary.json the totals', async () => {
    const config = write('frequency.json', {
      seed: 2,
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
      task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 4 },
      error: { kind: 'frequency', frequency: 1000, periods: 5 },
      optimizer: { learningRate: 0.1, batchSize: 4 },
      training: { epochs: 2, physicalCost: true, fidelity: { every: 1, examples: 3, repeats: 2 } },
    });
    const out = path.join(dir, 'frequency-run');
    const r = await runCli(['train', config, '--out', out]);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const metrics = csv(path.join(out, 'metrics.csv'));
    expect(metrics.header).toEqual([
      'epoch', 'train_loss', 'test_loss', 'train_relative_error', 'test_relative_error', 'seconds', 'clamped', 'diag_samples', 'diag_window',
      'physical_seconds', 'physical_seconds_total', 'energy', 'energy_total',
    ]);
    const T = 5 / 1000;
    // epoch 0 made no update; each epoch's 12 examples take one window each
    expect(metrics.rows[0].slice(9)).toEqual(['', '', '', '']);
    expect(Number(metrics.rows[1][9])).toBeCloseTo(12 * T, 14);
    expect(Number(metrics.rows[2][10])).toBeCloseTo(24 * T, 14);
    expect(Number(metrics.rows[2][12])).toBeCloseTo(Number(metrics.rows[1][11]) + Number(metrics.rows[2][11]), 12);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.physical_seconds).toBeCloseTo(24 * T, 14);
    expect(summary.energy).toBe(Number(metrics.rows[2][12]));
    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/^- physical time: 0\.1200 s over 6 updates \(0\.02000 s per update\), besides the \d+\.\d s of simulation$/m);
    expect(md).toMatch(/^- how: lock-in window T = 5 periods of 1000 Hz = 0\.005 s, no settling \(a memoryless network\)$/m);

    const fidelity = csv(path.join(out, 'fidelity.csv'));
    expect(fidelity.header).toEqual(['epoch', 'mechanism', 'seed', 'cosine', 'relative_error', 'bias', 'variance_rms', 'examples', 'repeats']);
    expect(fidelity.rows.map((row) => row.slice(0, 3))).toEqual([['0', 'frequency', '2'], ['1', 'frequency', '2'], ['2', 'frequency', '2']]);
    for (const row of fidelity.rows) {
      expect(Number(row[3])).toBeCloseTo(1, 12);
      expect(Number(row[4])).toBeLessThan(1e-9);
      expect(Number(row[6])).toBeLessThan(1e-9);
      expect(row.slice(7)).toEqual(['3', '2']);
    }
  });
});

describe('multimech compare with learning rates chosen on a validation split', () => {
  const comparison = (learningRates?: unknown, epochs = 2) => ({
    name: 'rates',
    base: {
      plugins: ['./counted.js'],
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
      task: { kind: 'acme/counted', file: 'reads.txt' },
      optimizer: { batchSize: 4, ...(learningRates ? {} : { learningRate: 0.2 }) },
      training: { epochs, fidelity: { every: 2, examples: 4, repeats: 2 } },
    },
    mechanisms: [
      { name: 'adjoint', error: { kind: 'adjoint' } },
      { name: 'ep', error: { kind: 'ep', beta: 0.001 } },
    ],
    seeds: [1, 2],
    ...(learningRates ? { learningRates } : {}),
  });

  it('chooses, per mechanism, the rate that learns over one that does nothing, reports it, and touches the test examples only in the final runs', async () => {
    const counter = path.join(dir, 'reads.txt');
    // the final runs alone: 2 mechanisms × 2 seeds, each evaluating its 4 test examples at epochs 0, 1, 2
    const fixed = await runCli(['compare', write('fixed.json', comparison()), '--out', path.join(dir, 'fixed'), '--workers', '1', '--allow-plugins']);
    expect(fixed.code).toBe(0);
    const finalReads = reads(counter);
    expect(finalReads).toBe(2 * 2 * 3 * 4);

    writeFileSync(counter, '');
    const out = path.join(dir, 'chosen');
    const r = await runCli(['compare', write('chosen.json', comparison({ grid: [0.2, 1e-9], validation: 0.25, epochs: 3 })), '--out', out, '--workers', '1', '--allow-plugins']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    // 16 selection runs of 3 epochs read no test example: the count is the final runs' alone
    expect(reads(counter)).toBe(finalReads);
    expect(r.stderr).toMatch(/^learning rates chosen on a validation split: adjoint 0\.2, ep 0\.2$/m);

    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.learningRates.grid).toEqual([1e-9, 0.2]);
    expect(summary.learningRates.validation).toBe(0.25);
    expect(summary.learningRates.epochs).toBe(3);
    expect(summary.learningRates.rule).toMatch(/^the rate with the lowest validation loss/);
    for (const m of summary.learningRates.mechanisms) {
      expect(m.rate).toBe(0.2);
      const [none, some] = m.candidates;
      expect([none.rate, some.rate]).toEqual([1e-9, 0.2]);
      expect(some.validationLoss).toBeLessThan(none.validationLoss);
      expect([none.seeds, none.failed]).toEqual([2, 0]);
    }
    const md = readFileSync(path.join(out, 'comparison.md'), 'utf8');
    expect(md).toContain('## Learning rates, chosen on a validation split');
    expect(md).toMatch(/^\| ep \| 0\.2 \|$/m);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).learningRates).toEqual({ grid: [1e-9, 0.2], validation: 0.25, epochs: 3 });

    // the final runs are the runs at the chosen rate on the whole training split: the same numbers as with the rate written in
    const strip = (file: string) => csv(file).rows.map((row) => row.filter((_, i) => i !== 7));
    expect(strip(path.join(out, 'runs.csv'))).toEqual(strip(path.join(dir, 'fixed', 'runs.csv')));

    // fidelity.csv: every run's measured epochs, by mechanism and seed
    const fidelity = csv(path.join(out, 'fidelity.csv'));
    expect(fidelity.rows.map((row) => row.slice(0, 3).join(' '))).toEqual([
      '0 adjoint 1', '2 adjoint 1', '0 adjoint 2', '2 adjoint 2', '0 ep 1', '2 ep 1', '0 ep 2', '2 ep 2',
    ]);
    for (const row of fidelity.rows.filter((row) => row[1] === 'ep')) {
      expect(Number(row[5])).toBeCloseTo(Number(row[4]), 12); // noiseless: its bias is its error
      expect(Number(row[6])).toBeLessThan(1e-12);
    }
  });
});
