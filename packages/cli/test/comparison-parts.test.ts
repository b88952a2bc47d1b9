import { createExperiment } from '@multimech/trainer';
import type { EpochEvent } from '@multimech/trainer';
import { CLI_PLUGINS } from '../src/cli-plugins';
import { mechanismFidelity } from '../src/comparison-fidelity';
import { fidelitySpec, seedBandSpec, seedBands } from '../src/comparison-plots';
import { ComparisonProgress } from '../src/comparison-progress';
import { comparisonMarkdownTable, comparisonTable } from '../src/comparison-report';
import { ComparisonRun, ComparisonSummary, comparisonCsv, runsCsv, seedStat, summarizeComparison } from '../src/comparison-summary';

function experiment(error: object, rule?: object) {
  return createExperiment(
    {
      seed: 4,
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } },
      task: { kind: 'regression', features: 3, outputs: 2, train: 8, test: 4 },
      error,
      ...(rule ? { rule } : {}),
    },
    CLI_PLUGINS,
  );
}

describe('fidelity of a mechanism at the initial parameters', () => {
  test('the adjoint is its own reference: cosine 1, relative error 0', () => {
    const f = mechanismFidelity(experiment({ kind: 'adjoint' }).trainer.parts, 5)!;
    expect(f).toEqual({ cosine: 1, relativeError: 0, examples: 5 });
  });

  test('equilibrium propagation: the relative error halves with β one-sided and quarters centred (its O(β) and O(β²) bias)', () => {
    const ep = (beta: number, variant: string) => mechanismFidelity(experiment({ kind: 'ep', beta, variant }, { kind: 'contrastive' }).trainer.parts, 6)!;
    const p1 = ep(0.02, 'positive');
    const p2 = ep(0.01, 'positive');
    expect(p1.relativeError).toBeGreaterThan(1e-4);
    expect(p1.relativeError / p2.relativeError).toBeGreaterThan(1.9);
    expect(p1.relativeError / p2.relativeError).toBeLessThan(2.1);
    expect(p1.cosine).toBeLessThan(1);
    expect(p1.cosine).toBeGreaterThan(0.99);
    const c1 = ep(0.2, 'centred');
    const c2 = ep(0.1, 'centred');
    expect(c1.relativeError / c2.relativeError).toBeGreaterThan(3.8);
    expect(c1.relativeError / c2.relativeError).toBeLessThan(4.2);
    // more examples than the training set: all of them
    expect(ep(0.01, 'centred').examples).toBe(6);
    expect(mechanismFidelity(experiment({ kind: 'adjoint' }).trainer.parts, 100)!.examples).toBe(8);
  });

  test('examples whose exact gradient is zero are left out; none left is no figure rather than a NaN', () => {
    const { parts } = experiment({ kind: 'frequency' }).trainer;
    const { substrate, task } = parts;
    const atTarget = task.train.map((ex) => ({ inputs: ex.inputs, target: substrate.readout(substrate.equilibrium(substrate.drive(ex.inputs))) }));
    expect(mechanismFidelity({ ...parts, task: { ...task, train: atTarget } }, 10)).toBeUndefined();
    const mixed = mechanismFidelity({ ...parts, task: { ...task, train: [atTarget[0], task.train[1], atTarget[2]] } }, 10)!;
    expect(mixed.examples).toBe(1);
    expect(mixed.cosine).toBeCloseTo(1, 12);
  });
});

const event = (epoch: number, trainLoss: number, testRelativeError: number): EpochEvent => ({ epoch, epochs: 2, trainLoss, testLoss: trainLoss, testRelativeError, seconds: epoch === 0 ? 0 : 0.5, clamped: 0 });
const run = (mechanism: string, seed: number, losses: number[], secondsPerEpoch: number): ComparisonRun => ({
  mechanism,
  seed,
  result: {
    history: losses.map((l, e) => event(e, l, l / 10)),
    summary: { final_loss: losses[losses.length - 1], relative_error: losses[losses.length - 1] / 10, epochs: losses.length - 1, seconds: 1 },
    secondsPerEpoch,
  },
});
const RUNS = [run('a', 1, [4, 2, 1], 0.5), run('a', 2, [4, 3, 2], 1.5), run('a', 3, [5, 3, 3], 1), run('b|c', 1, [4, 1, 0.5], 2)];

describe('summaries, tables and CSV', () => {
  test('mean and sample standard deviation over the seeds; 0 for one seed', () => {
    expect(seedStat([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(seedStat([7])).toEqual({ mean: 7, std: 0 });
    const [a, b] = summarizeComparison(['a', 'b|c'], RUNS, [{ cosine: 0.9, relativeError: 0.5, examples: 3 }, undefined], false);
    expect(a.runs).toBe(3);
    expect(a.finalLoss).toEqual({ mean: 2, std: 1 });
    expect(a.relativeError!.mean).toBeCloseTo(0.2, 15);
    expect(a.secondsPerEpoch).toEqual({ mean: 1, std: 0.5 });
    expect(b.finalLoss).toEqual({ mean: 0.5, std: 0 });
    expect(b.fidelity).toBeUndefined();
    expect(a.testAccuracy).toBeUndefined();
  });

  test('comparison.csv, runs.csv and the printed table', () => {
    const rows = summarizeComparison(['a', 'b|c'], RUNS, [{ cosine: 0.9, relativeError: 0.5, examples: 3 }, undefined], false);
    expect(comparisonCsv(rows, false).split('\n')).toEqual([
      'mechanism,runs,relative_error_mean,relative_error_std,final_loss_mean,final_loss_std,seconds_per_epoch_mean,seconds_per_epoch_std,fidelity_cosine,fidelity_relative_error',
      `a,3,${rows[0].relativeError!.mean},${rows[0].relativeError!.std},2,1,1,0.5,0.9,0.5`,
      'b|c,1,0.05,0,0.5,0,2,0,,',
      '',
    ]);
    const runs = runsCsv(RUNS, false).trim().split('\n');
    expect(runs[0]).toBe('mechanism,seed,epoch,train_loss,test_loss,train_relative_error,test_relative_error,seconds');
    expect(runs).toHaveLength(1 + 4 * 3);
    expect(runs[6]).toBe('a,2,2,2,2,,0.2,0.5');
    const table = comparisonTable(rows, false).split('\n');
    expect(table.slice(0, 3)).toEqual([
      'mechanism  runs   relative error     final loss     s/epoch  fidelity cosine  fidelity rel. error',
      'a             3  0.2000 ± 0.1000  2.000 ± 1.000  1.0 ± 0.50           0.9000               0.5000',
      'b|c           1      0.05000 ± 0     0.5000 ± 0     2.0 ± 0                -                    -',
    ]);
    const md = comparisonMarkdownTable(rows, false).split('\n');
    expect(md[1]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md[3]).toBe('| b\\|c | 1 | 0.05000 ± 0 | 0.5000 ± 0 | 2.0 ± 0 | - | - |');
  });
});

describe('plots', () => {
  test('seed bands: per mechanism and epoch the mean, min and max over the seeds', () => {
    const points = seedBands(RUNS, (e) => e.trainLoss);
    expect(points.filter((p) => p.mechanism === 'a')).toEqual([
      { mechanism: 'a', epoch: 0, mean: 13 / 3, min: 4, max: 5, seeds: 3 },
      { mechanism: 'a', epoch: 1, mean: 8 / 3, min: 2, max: 3, seeds: 3 },
      { mechanism: 'a', epoch: 2, mean: 2, min: 1, max: 3, seeds: 3 },
    ]);
    expect(points.filter((p) => p.mechanism === 'b|c').map((p) => [p.min, p.max])).toEqual([[4, 4], [1, 1], [0.5, 0.5]]);
    expect(seedBands(RUNS, (e) => e.testAccuracy)).toEqual([]);
    const spec = seedBandSpec({ title: 't', yTitle: 'loss', mechanisms: ['a', 'b|c'], points, log: true }) as { layer: { mark: { type: string }; encoding: { y: { scale?: { type?: string } } } }[] };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorband', 'line']);
    expect(spec.layer[0].encoding.y.scale!.type).toBe('log');
    const withZero = seedBandSpec({ title: 't', yTitle: 'loss', mechanisms: ['a'], points: [{ ...points[0], min: 0 }], log: true }) as typeof spec;
    expect(withZero.layer[0].encoding.y.scale!.type).toBeUndefined();
  });

  test('fidelity bars: one per measured mechanism, the axis reaching below 0 only for a negative cosine', () => {
    const rows = [{ mechanism: 'x', fidelity: { cosine: 0.5, relativeError: 1, examples: 1 } }, { mechanism: 'y' }] as ComparisonSummary[];
    const spec = fidelitySpec('f', rows) as { data: { values: { mechanism: string; cosine: number }[] }; layer: { encoding: { y: { scale?: { domain: number[] } } } }[] };
    expect(spec.data.values.map((v) => [v.mechanism, v.cosine])).toEqual([['x', 0.5]]);
    expect(spec.layer[0].encoding.y.scale!.domain).toEqual([0, 1]);
    const negative = fidelitySpec('f', [{ mechanism: 'x', fidelity: { cosine: -0.25, relativeError: 1, examples: 1 } }] as ComparisonSummary[]) as typeof spec;
    expect(negative.layer[0].encoding.y.scale!.domain).toEqual([-0.25, 1]);
  });
});

function sink(isTTY: boolean) {
  const s = { text: '', isTTY, columns: 200, write: (x: string) => (s.text += x) };
  return s;
}

describe('one progress display for every run', () => {
  const runs = [
    { mechanism: 'adjoint', seed: 1 },
    { mechanism: 'ep', seed: 1 },
  ];

  test('log lines name the run', () => {
    const s = sink(false);
    const p = new ComparisonProgress(s, runs, 2, () => 0);
    p.started(1);
    p.epoch(1, { epoch: 2, epochs: 2, trainLoss: 0.5, testLoss: 0.6, trainAccuracy: 0.75, testAccuracy: 0.5 });
    p.finished(1);
    p.finish();
    expect(s.text).toBe('[ep seed 1] epoch 2/2 loss 0.500 test_loss 0.600 train_acc 0.75 test_acc 0.50\n[ep seed 1] done (1/2 runs)\n');
  });

  test('on a terminal, one line: runs finished, a bar over every epoch of every run, the runs in progress, the ETA', () => {
    const s = sink(true);
    let t = 0;
    const p = new ComparisonProgress(s, runs, 4, () => t);
    p.started(0);
    p.started(1);
    t = 1000;
    p.epoch(0, { epoch: 2, epochs: 4, trainLoss: 1, testLoss: 1 });
    expect(s.text.endsWith('\r\x1b[2Kruns 0/2 [######..................] 25% adjoint:1 2/4, ep:1 0/4 ETA 0:03')).toBe(true);
    const before = s.text;
    t = 1050; // closer than 100 ms: not redrawn
    p.epoch(1, { epoch: 1, epochs: 4, trainLoss: 1, testLoss: 1 });
    expect(s.text).toBe(before);
    t = 2000;
    p.finished(0); // always drawn
    expect(s.text.endsWith('\r\x1b[2Kruns 1/2 [###############.........] 63% ep:1 1/4 ETA 0:01')).toBe(true);
    p.finish();
    expect(s.text.endsWith('\n')).toBe(true);
  });
});
