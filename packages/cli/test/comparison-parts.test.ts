import { createExperiment } from '@multimech/trainer';
import type { EpochEvent } from '@multimech/trainer';
import { CLI_PLUGINS } from '../src/cli-plugins';
import { mechanismFidelity } from '../src/comparison-fidelity';
import { FIDELITY_FLOOR, bandMeaning, comparisonPlots, fidelitySpec, markerAt, seedBandSpec, seedBands } from '../src/comparison-plots';
import { lossAxisName } from '../src/learning-curve';
import { ComparisonProgress } from '../src/comparison-progress';
import { comparisonMarkdownTable, comparisonTable, differenceText, formatDifferences, learningMarkdown, pairedMarkdown, targetLossText, verdictLines, verdicts } from '../src/comparison-report';
import { ComparisonRun, ComparisonSummary, comparisonCsv, epochsToTarget, learned, runsCsv, seedStat, summarizeComparison } from '../src/comparison-summary';

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
    // the columns as before, then the epochs to half the initial loss, the runs that did not learn, and each figure paired with the reference ('a', the first)
    const paired = ['relative_error', 'final_loss', 'epochs_to_target'].flatMap((k) => ['diff', 'diff_low', 'diff_high', 'wins', 'ties', 'losses'].map((x) => `${k}_${x}`));
    expect(comparisonCsv(rows, false).split('\n')).toEqual([
      'mechanism,runs,relative_error_mean,relative_error_std,final_loss_mean,final_loss_std,seconds_per_epoch_mean,seconds_per_epoch_std,fidelity_cosine,fidelity_relative_error' +
        `,epochs_to_target_mean,epochs_to_target_reached,not_learning,${paired.join(',')}`,
      // a's seeds reach half their initial loss after 1 and 2 epochs; seed 3 (5 → 3) never does
      `a,3,${rows[0].relativeError!.mean},${rows[0].relativeError!.std},2,1,1,0.5,0.9,0.5` + ',1.5,2,0' + ','.repeat(18),
      // b|c against a on seed 1, the one they share: relative error 0.05 against 0.1, final loss 0.5 against 1 (wins), one epoch each (a tie); one seed, no interval
      'b|c,1,0.05,0,0.5,0,2,0,,' + ',1,1,0' + ',-0.05,,,1,0,0' + ',-0.5,,,1,0,0' + ',0,,,0,1,0',
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
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorband', 'line', 'point']);
    expect(spec.layer[0].encoding.y.scale!.type).toBe('log');
    const withZero = seedBandSpec({ title: 't', yTitle: 'loss', mechanisms: ['a'], points: [{ ...points[0], min: 0 }], log: true }) as typeof spec;
    expect(withZero.layer[0].encoding.y.scale!.type).toBeUndefined();
  });

  test('the fidelity figure: per measured mechanism, 1 − cosine and the relative error on log axes; an exact 0 drawn at the floor and written as 0', () => {
    const rows = [{ mechanism: 'x', fidelity: { cosine: 0.5, relativeError: 1, examples: 1 } }, { mechanism: 'y' }, { mechanism: 'z', fidelity: { cosine: 1, relativeError: 0, examples: 1 } }] as ComparisonSummary[];
    type Panel = { layer: { mark: { type: string; filled?: boolean }; encoding: { x: { field: string; title: string[]; scale: { type: string; domain: number[] } }; shape?: { scale: { range: string[] } } } }[] };
    const spec = fidelitySpec('f', rows) as { data: { values: Record<string, number | string>[] }; hconcat: Panel[] };
    expect(spec.data.values.map((v) => [v.mechanism, v.cosine])).toEqual([['x', 0.5], ['z', 1]]);
    expect(spec.data.values.map((v) => [v.oneMinusCosineShown, v.relativeErrorShown, v.oneMinusCosineText, v.relativeErrorText])).toEqual([
      [0.5, 1, '0.5', '1'],
      [FIDELITY_FLOOR, FIDELITY_FLOOR, '0', '0'],
    ]);
    expect(spec.hconcat.map((p) => p.layer[0].encoding.x.field)).toEqual(['oneMinusCosineShown', 'relativeErrorShown']);
    for (const panel of spec.hconcat) {
      expect(panel.layer[0].encoding.x.scale.type).toBe('log');
      expect(panel.layer[0].encoding.x.scale.domain[0]).toBe(FIDELITY_FLOOR);
      expect(panel.layer[0].encoding.x.title.join(' ')).toMatch(/\(dimensionless\)$/);
      expect(panel.layer[0].mark).toMatchObject({ type: 'point', filled: false });
      expect(panel.layer[0].encoding.shape!.scale.range).toEqual(['circle', 'square', 'triangle-up']);
    }
    expect(spec.hconcat[0].layer[0].encoding.x.title[0]).toBe('1 − cosine with the exact gradient');
    // a negative cosine: 1 − cosine above 1, and the axis reaches past it
    const negative = fidelitySpec('f', [{ mechanism: 'x', fidelity: { cosine: -0.25, relativeError: 1, examples: 1 } }] as ComparisonSummary[]) as typeof spec;
    expect(negative.data.values[0].oneMinusCosine).toBe(1.25);
    expect(negative.hconcat[0].layer[0].encoding.x.scale.domain[1]).toBeGreaterThan(1.25);
  });

  test("the comparison's figures: a dash and a marker shape per mechanism, the band's meaning in the subtitle, units on the axes, errors on log axes, the legend below", () => {
    const mechanisms = ['a', 'b|c', 'd'];
    const runs = [...RUNS, run('d', 1, [4, 2.5, 1.5], 1)];
    const summaries = summarizeComparison(mechanisms, runs, [{ cosine: 1, relativeError: 0, examples: 3 }, { cosine: 0.99, relativeError: 0.1, examples: 3 }, undefined], false);
    const plots = comparisonPlots({ name: 'cmp', mechanisms, runs, summaries, classification: false, loss: { kind: 'mse' }, fidelity: { seed: 1, examples: 3 } });
    expect(plots.map(([stem, caption]) => [stem, caption])).toEqual([
      ['loss', 'training loss'],
      ['relative-error', 'test relative error'],
      ['fidelity', 'fidelity at the initial parameters'],
    ]);
    type Layer = { mark: { type: string }; encoding: Record<string, { field?: string; title?: string | string[]; scale?: { type?: string; domain?: string[]; range?: unknown[] } }> };
    type Band = { title: { text: string; subtitle: string }; config: { legend: { orient: string } }; layer: Layer[] };
    const [loss, error, fidelity] = plots.map(([, , spec]) => spec) as [Band, Band, { title: { subtitle: string[] } }];
    for (const spec of [loss, error]) {
      expect(spec.title.subtitle).toBe('line: mean over 3 seeds; band: min–max over the 3 seeds');
      expect(spec.config.legend.orient).toBe('bottom');
      const [band, line, point] = spec.layer;
      expect(band.encoding.x.title).toBe('epoch (passes over the training set)');
      expect(band.encoding.y.scale!.type).toBe('log');
      // every mechanism its own dash pattern and its own marker shape, beside its colour
      const dashes = line.encoding.strokeDash.scale!;
      expect(dashes.domain).toEqual(mechanisms);
      expect(new Set(dashes.range!.map((d) => JSON.stringify(d))).size).toBe(3);
      const shapes = point.encoding.shape.scale!;
      expect(shapes.domain).toEqual(mechanisms);
      expect(new Set(shapes.range).size).toBe(3);
      expect(line.encoding.color.scale!.domain).toEqual(mechanisms);
    }
    expect(loss.layer[0].encoding.y.title).toEqual(['training loss', '½‖y − t‖² (output units²)']);
    expect(error.layer[0].encoding.y.title).toEqual(['test relative error', '‖y − t‖ / ‖t‖ (dimensionless)']);
    expect(fidelity.title.subtitle[0]).toBe("against the exact gradient at seed 1's initial parameters, mean over 3 training examples");
    // classification: the accuracy on a linear axis; the loss named with its sharpness and unit
    const iris = comparisonPlots({ name: 'cmp', mechanisms, runs, summaries, classification: true, loss: { kind: 'cross-entropy', kappa: 20 }, fidelity: { seed: 1, examples: 3 } });
    const [irisLoss, accuracy] = iris.map(([, , spec]) => spec) as Band[];
    expect(irisLoss.layer[0].encoding.y.title).toEqual(['training loss', 'cross-entropy, κ = 20 (nats)']);
    expect(accuracy.layer[0].encoding.y.title).toEqual(['test accuracy', '(fraction classified right)']);
    expect(lossAxisName('acme/hinge')).toBe('acme/hinge');
    // one seed: no band, and the subtitle says so
    expect(bandMeaning(seedBands([RUNS[0]], (e) => e.trainLoss))).toBe('one seed: no band');
  });

  test('markers: every epoch up to 12; beyond, thinned and staggered so that curves on top of each other show each marker', () => {
    expect([0, 1, 2, 3].every((e) => markerAt(e, 2, 7, 12))).toBe(true);
    const at = (index: number) => Array.from({ length: 31 }, (_, e) => e).filter((e) => markerAt(e, index, 7, 30));
    expect(at(0)).toEqual([0, 7, 14, 21, 28]);
    expect(at(1)).toEqual([1, 8, 15, 22, 29]);
    expect(at(6)).toEqual([6, 13, 20, 27]);
    // two mechanisms over 100 epochs: every 10th epoch, five apart
    expect(Array.from({ length: 101 }, (_, e) => e).filter((e) => markerAt(e, 1, 2, 100)).slice(0, 3)).toEqual([5, 15, 25]);
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
    const p = new ComparisonProgress(s, runs, 2, () => 0, { verbose: true });
    p.started(1);
    p.epoch(1, { epoch: 2, epochs: 2, trainLoss: 0.5, testLoss: 0.6, trainAccuracy: 0.75, testAccuracy: 0.5 });
    p.finished(1);
    p.finish();
    expect(s.text).toBe('[ep seed 1] epoch 2/2 loss 0.500 test_loss 0.600 train_acc 0.75 test_acc 0.50\n[ep seed 1] done (1/2 runs) loss 0.500 test_acc 0.50 ETA 0:00\n');
  });

  test("on a terminal, one line: runs finished, a bar over every epoch of every run, each unfinished mechanism's share, the ETA", () => {
    const s = sink(true);
    let t = 0;
    const p = new ComparisonProgress(s, runs, 4, () => t);
    p.started(0);
    p.started(1);
    t = 1000;
    p.epoch(0, { epoch: 2, epochs: 4, trainLoss: 1, testLoss: 1 });
    expect(s.text.endsWith('\r\x1b[2Kruns 0/2 [######..................] 25% adjoint 50% ep 0% ETA 0:03')).toBe(true);
    const before = s.text;
    t = 1050; // closer than 100 ms: not redrawn
    p.epoch(1, { epoch: 1, epochs: 4, trainLoss: 1, testLoss: 1 });
    expect(s.text).toBe(before);
    t = 2000;
    p.finished(0); // always drawn
    expect(s.text.endsWith('\r\x1b[2Kruns 1/2 [###############.........] 63% ep 25% ETA 0:01')).toBe(true);
    p.finish();
    expect(s.text.endsWith('\n')).toBe(true);
  });
});

describe('paired against the reference: the verdicts', () => {
  /** A classification run: its test accuracy, and its training loss per epoch (the last one the final loss). */
  const crun = (mechanism: string, seed: number, testAccuracy: number, losses: number[]): ComparisonRun => ({
    mechanism,
    seed,
    result: {
      history: losses.map((l, e) => ({ epoch: e, epochs: losses.length - 1, trainLoss: l, testLoss: l, testAccuracy, trainAccuracy: testAccuracy, seconds: 0, clamped: 0 })),
      summary: { final_loss: losses[losses.length - 1], test_accuracy: testAccuracy, train_accuracy: testAccuracy, epochs: losses.length - 1, seconds: 1 },
      secondsPerEpoch: 0.1,
    },
  });
  const seeds = [1, 2, 3, 4, 5];
  const reference = [0.9, 0.88, 0.92, 0.86, 0.9];
  const finals = [0.1, 0.12, 0.11, 0.1, 0.12];
  const RUNS5 = [
    ...seeds.map((s, i) => crun('adjoint', s, reference[i], [1, 0.4, 0.2])),
    // 0.02 to 0.04 worse in every seed: mean −0.03, s = 0.01, half-width t(0.975, 4)·0.01/√5 = 0.0124164
    ...seeds.map((s, i) => crun('worse', s, reference[i] + [-0.02, -0.04, -0.03, -0.02, -0.04][i], [1, 0.4, 0.2])),
    // the same accuracy, a lower final loss: differences −0.1, −0.08, −0.09, −0.1, −0.08
    ...seeds.map((s, i) => crun('lower-loss', s, reference[i], [1, 0.4, finals[i]])),
    // up and down: mean +0.004, s = √0.00068, half-width 0.0323790
    ...seeds.map((s, i) => crun('unclear', s, reference[i] + [0.02, -0.02, 0, 0.04, -0.02][i], [1, 0.4, 0.2])),
    // a loss that does not fall
    ...seeds.map((s, i) => crun('flat', s, reference[i], [1, 1, 1])),
    crun('one-seed', 1, 0.88, [1, 0.4, 0.2]),
  ];
  const mechanisms = ['worse', 'adjoint', 'lower-loss', 'unclear', 'flat', 'one-seed'];
  const rows = summarizeComparison(mechanisms, RUNS5, mechanisms.map(() => undefined), true, [], { reference: 'adjoint' });
  const row = (m: string) => rows.find((r) => r.mechanism === m)!;

  test('the paired difference, its t-interval and the wins, ties and losses, by hand', () => {
    const accuracy = row('worse').paired!.find((p) => p.key === 'test_accuracy')!;
    expect(accuracy).toMatchObject({ label: 'test accuracy', higherIsBetter: true, comparison: { n: 5, wins: 0, ties: 0, losses: 5 } });
    expect(accuracy.comparison.difference!.mean).toBeCloseTo(-0.03, 12);
    expect(accuracy.comparison.difference!.low).toBeCloseTo(-0.0424164, 6);
    expect(accuracy.comparison.difference!.high).toBeCloseTo(-0.0175836, 6);
    const loss = row('lower-loss').paired!.find((p) => p.key === 'final_loss')!.comparison;
    expect([loss.wins, loss.ties, loss.losses]).toEqual([5, 0, 0]);
    expect(loss.difference!.low).toBeCloseTo(-0.09 - 0.0124164, 6);
    const unclear = row('unclear').paired![0].comparison;
    expect([unclear.wins, unclear.ties, unclear.losses]).toEqual([2, 1, 2]);
    expect(unclear.difference!.low).toBeCloseTo(0.004 - 0.032379, 5);
    expect(unclear.difference!.high).toBeCloseTo(0.004 + 0.032379, 5);
    // the reference has no paired figures; the epochs to half the initial loss: 1 for every run that gets there
    expect(row('adjoint').paired).toBeUndefined();
    expect(row('adjoint').epochsToTarget).toEqual({ mean: 1, reached: 5 });
    expect(row('flat').epochsToTarget).toEqual({ reached: 0 });
    expect(row('one-seed').paired![0].comparison.n).toBe(1);
  });

  test('one sentence per mechanism: the direction when the interval excludes 0, else not distinguishable; the other figures when they are', () => {
    expect(verdicts(rows)).toEqual([
      'worse is worse than adjoint on test accuracy: −0.0300 [−0.0424, −0.0176], 0 wins, 0 ties, 5 losses.',
      'lower-loss is the same as adjoint on test accuracy in every seed (0 wins, 5 ties, 0 losses); and better on final loss: −0.090 [−0.102, −0.078], 5 wins, 0 ties, 0 losses.',
      'unclear is not distinguishable from adjoint on test accuracy: +0.0040 [−0.0284, +0.0364], 2 wins, 1 tie, 2 losses.',
      'flat is the same as adjoint on test accuracy in every seed (0 wins, 5 ties, 0 losses); and worse on final loss: +0.800 [+0.800, +0.800], 0 wins, 0 ties, 5 losses; and did not reach the target loss in 5 of 5 runs (0 wins, 0 ties, 5 losses).',
      'one-seed against adjoint on test accuracy: −0.0200 with one seed, so no interval (0 wins, 0 ties, 1 loss).',
    ]);
    expect(verdictLines(rows, seeds)[0]).toBe('against adjoint, seed by seed (mechanism − adjoint, seeds 1, 2, 3, 4, 5; mean difference and its 95% t-interval):');
    expect(verdictLines(rows.slice(1, 2), seeds)).toEqual([]);
  });

  test("comparison.md: how the interval is computed, the sentences, the paired table; a run that did not learn is marked and warned about", () => {
    const md = pairedMarkdown(rows, seeds, { fraction: 0.5 }).join('\n');
    expect(md).toContain("with its 95% confidence interval from Student's t with 4 degrees of freedom (mean ± t(0.975, 4) · s/√5, s the standard deviation of the differences)");
    expect(md).toContain('a tie when the two differ by at most 1e-6 of the larger');
    expect(md).toContain('\n- worse is worse than adjoint on test accuracy: −0.0300 [−0.0424, −0.0176], 0 wins, 0 ties, 5 losses.\n');
    expect(md).toContain('| mechanism | epochs to half the initial training loss (runs that reached it) | test accuracy − adjoint [95% CI] | W / T / L | final loss − adjoint [95% CI] | W / T / L |');
    expect(md).toContain('\n| adjoint | 1 (5/5) | reference |  | reference |  | reference |  |\n');
    expect(md).toContain('\n| worse | 1 (5/5) | −0.0300 [−0.0424, −0.0176] | 0 / 0 / 5 | 0 [0, 0] | 0 / 5 / 0 | 0 [0, 0] | 0 / 5 / 0 |\n');
    expect(md).toContain('\n| flat (no learning: 5/5 runs) | not reached (0/5) | 0 [0, 0] | 0 / 5 / 0 | +0.800 [+0.800, +0.800] | 0 / 0 / 5 | - | 0 / 0 / 5 |\n');
    expect(pairedMarkdown(rows, [1], { value: 0.3 }).join('\n')).toContain('With one seed there is one difference per mechanism and no interval');
    expect(targetLossText({ value: 0.3 })).toBe('a training loss of 0.3');
    expect(targetLossText({ fraction: 0.1 })).toBe('0.1 × the initial training loss');

    expect(row('flat').notLearning!.map((f) => f.seed)).toEqual(seeds);
    expect(row('flat').learningWarning).toBe(
      'warning: flat (seeds 1, 2, 3, 4, 5): the training loss did not fall in 5 of 5 runs (seed 1: 1 → 1; seed 2: 1 → 1; seed 3: 1 → 1; seed 4: 1 → 1; seed 5: 1 → 1; ' +
        "a fall of less than 1% of the initial loss counts as none): look at the learning rate and the mechanism's settings",
    );
    expect(rows.filter((r) => r.learningWarning).map((r) => r.mechanism)).toEqual(['flat']);
    expect(comparisonTable(rows, true).split('\n')[5]).toMatch(/^flat \(no learning: 5\/5 runs\)\s+5\s/);
    expect(learningMarkdown(rows)[2]).toBe(`- **Warning:** ${row('flat').learningWarning!.replace('warning: ', '')}`);
    // a fall of 1% is learning; less is not
    expect(learned([{ trainLoss: 1 }, { trainLoss: 0.989 }])).toBe(true);
    expect(learned([{ trainLoss: 1 }, { trainLoss: 0.995 }])).toBe(false);
    expect(learned([{ trainLoss: 1 }, { trainLoss: NaN }])).toBe(false);
    expect(epochsToTarget([{ epoch: 0, trainLoss: 2 }, { epoch: 1, trainLoss: 1.2 }, { epoch: 2, trainLoss: 1 }], { fraction: 0.5 })).toBe(2);
    expect(epochsToTarget([{ epoch: 0, trainLoss: 2 }, { epoch: 1, trainLoss: 1.2 }], { value: 1.5 })).toBe(1);
    expect(epochsToTarget([{ epoch: 0, trainLoss: 2 }, { epoch: 1, trainLoss: 1.2 }], { fraction: 0.5 })).toBe(Infinity);
  });

  test('formatting: one precision for a difference and its interval, integers as integers, tiny ones in exponent form', () => {
    expect(formatDifferences([-0.0296, -0.0574, -0.0019])).toEqual(['−0.0296', '−0.0574', '−0.0019']);
    expect(formatDifferences([-1, -1, -1])).toEqual(['−1', '−1', '−1']);
    expect(formatDifferences([3e-13, -1e-13, 7e-13])).toEqual(['+3.0e−13', '−1.0e−13', '+7.0e−13']);
    expect(formatDifferences([0, 0])).toEqual(['0', '0']);
    expect(differenceText({ mean: 0.5 })).toBe('+0.500');
    expect(differenceText(undefined)).toBe('-');
  });
});

describe('the console: a line per run, per epoch only when verbose', () => {
  const runs = [
    { mechanism: 'adjoint', seed: 1 },
    { mechanism: 'adjoint', seed: 2 },
    { mechanism: 'ep', seed: 1 },
  ];
  const feed = (p: ComparisonProgress) => {
    for (const run of [0, 2, 1]) {
      p.started(run);
      p.epoch(run, { epoch: 0, epochs: 1, trainLoss: 1, testLoss: 1, testRelativeError: 0.9 });
      p.epoch(run, { epoch: 1, epochs: 1, trainLoss: 0.5, testLoss: 0.6, testRelativeError: 0.7 });
      p.finished(run);
    }
    p.finish();
  };

  test('without a terminal: one plain line per finished run, with its loss from first to last epoch and the ETA; no epoch lines', () => {
    const s = sink(false);
    let t = 0;
    const p = new ComparisonProgress(s, runs, 1, () => (t += 1000));
    feed(p);
    const lines = s.text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[adjoint seed 1\] done \(1\/3 runs\) loss 1\.00 → 0\.500 test_rel_err 0\.700 ETA 0:\d\d$/);
    expect(lines[1]).toMatch(/^\[ep seed 1\] done \(2\/3 runs\) /);
    expect(lines[2]).toMatch(/^\[adjoint seed 2\] done \(3\/3 runs\) .* ETA 0:00$/);
    expect(s.text).not.toContain('epoch');
  });

  test('with verbose: the epoch lines as well; on a terminal above the one redrawn line', () => {
    const plain = sink(false);
    feed(new ComparisonProgress(plain, runs, 1, () => 0, { verbose: true }));
    expect(plain.text.trim().split('\n')).toHaveLength(3 * 3);
    expect(plain.text).toContain('[ep seed 1] epoch 1/1 loss 0.500 test_loss 0.600 train_rel_err - test_rel_err 0.700\n');

    const tty = sink(true);
    let t = 0;
    const p = new ComparisonProgress(tty, runs, 1, () => (t += 1000), { verbose: true });
    p.started(0);
    p.epoch(0, { epoch: 0, epochs: 1, trainLoss: 1, testLoss: 1 });
    // the status line is cleared, the epoch line written, the status line drawn again below it
    expect(tty.text).toContain('\r\x1b[2K[adjoint seed 1] epoch 0/1 loss 1.00 test_loss 1.00\nruns 0/3 [........................] 0% adjoint 0% ep 0% ETA ?');
    const quiet = sink(true);
    feed(new ComparisonProgress(quiet, runs, 1, () => (t += 1000)));
    expect(quiet.text).not.toContain('epoch');
    expect(quiet.text.split('\n').filter((l) => l !== '')).toHaveLength(1); // one line, redrawn in place
  });
});
