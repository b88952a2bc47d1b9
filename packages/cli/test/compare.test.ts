import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/** Two mechanisms that compute the same gradient: the exact adjoint and ideal (phasor) frequency propagation. */
const REGRESSION = {
  name: 'tiny comparison',
  description: 'adjoint against phasor frequency propagation',
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
    optimizer: { learningRate: 0.1, batchSize: 4 },
    training: { epochs: 4 },
  },
  mechanisms: [
    { name: 'adjoint', error: { kind: 'adjoint' } },
    { name: 'frequency', error: { kind: 'frequency', mode: 'phasor', amplitude: 0.001 } },
  ],
  seeds: [1, 2],
  fidelity: { examples: 5 },
};

const IRIS = {
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'iris', test: 45 },
    training: { epochs: 1 },
  },
  mechanisms: [
    { name: 'exact', error: { kind: 'adjoint' } },
    { name: 'ep', error: { kind: 'ep', beta: 0.001 }, rule: { kind: 'contrastive' } },
  ],
  seeds: [3],
};

const FILES = ['accuracy.png', 'accuracy.svg', 'comparison.csv', 'comparison.md', 'config.json', 'fidelity.png', 'fidelity.svg', 'loss.png', 'loss.svg', 'run.json', 'runs', 'runs.csv', 'summary.json'];
// a mechanism with a physical time (frequency) adds the loss against physical time
const REGRESSION_FILES = [...FILES.map((f) => f.replace('accuracy', 'relative-error')), 'loss-vs-physical-time.png', 'loss-vs-physical-time.svg'].sort();
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('compare')));
afterAll(() => cleanup());

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

type Table = { header: string[]; rows: Record<string, string>[] };
function readCsv(file: string): Table {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const header = head.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v]))) };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sampleStd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

describe('multimech compare', () => {
  let out: string;
  let r: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    out = path.join(dir, 'regression');
    r = await runCli(['compare', writeConfig('regression.json', REGRESSION), '--out', out, '--workers', '1', '--verbose']);
  });

  test('writes every file of the results folder, and no temporary file', () => {
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(REGRESSION_FILES);
    for (const plot of ['loss', 'relative-error', 'fidelity']) {
      expect(readFileSync(path.join(out, `${plot}.png`)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const svg = readFileSync(path.join(out, `${plot}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg[\s>]/);
      expect(svg).toContain('tiny comparison');
      expect(svg).toContain('frequency');
    }
    // the seed bands: one errorband (an area) and one line per mechanism
    const loss = readFileSync(path.join(out, 'loss.svg'), 'utf8');
    expect((loss.match(/class="mark-area role-mark/g) ?? []).length).toBe(2);
    expect((loss.match(/class="mark-line role-mark/g) ?? []).length).toBe(2);
    expect((loss.match(/<path[^>]*d="M[^"]*L/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });

  test('comparison.csv: one row per mechanism; the adjoint and phasor frequency propagation are the same gradient', () => {
    const csv = readCsv(path.join(out, 'comparison.csv'));
    expect(csv.header).toEqual([
      'mechanism',
      'runs',
      'relative_error_mean',
      'relative_error_std',
      'final_loss_mean',
      'final_loss_std',
      'seconds_per_epoch_mean',
      'seconds_per_epoch_std',
      'fidelity_cosine',
      'fidelity_relative_error',
      // what frequency propagation reports: its lock-in's samples and window (the adjoint reports nothing)
      'diag_samples',
      'diag_window',
      // the epochs to the target loss, the runs that did not learn, then each figure paired with the reference seed by seed
      'epochs_to_target_mean',
      'epochs_to_target_reached',
      'not_learning',
      ...['relative_error', 'final_loss', 'epochs_to_target'].flatMap((k) => ['diff', 'diff_low', 'diff_high', 'wins', 'ties', 'losses'].map((x) => `${k}_${x}`)),
    ]);
    expect(csv.rows.map((row) => row.mechanism)).toEqual(['adjoint', 'frequency']);
    expect([csv.rows[0].diag_samples, csv.rows[0].diag_window]).toEqual(['', '']);
    expect(Number(csv.rows[1].diag_samples)).toBe(320);
    expect(Number(csv.rows[1].diag_window)).toBeCloseTo(1 / 170, 15);
    const [adjoint, frequency] = csv.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'mechanism' ? v : Number(v)]))) as Record<string, number>[];
    expect(adjoint.runs).toBe(2);
    expect(Math.abs(frequency.final_loss_mean - adjoint.final_loss_mean)).toBeLessThanOrEqual(1e-9 * adjoint.final_loss_mean);
    expect(Math.abs(frequency.relative_error_mean - adjoint.relative_error_mean)).toBeLessThanOrEqual(1e-9);
    // the two seeds differ (their own networks and data), so the spread is not zero
    expect(adjoint.final_loss_std).toBeGreaterThan(0);
    expect(adjoint.relative_error_mean).toBeGreaterThan(0);
    expect(adjoint.relative_error_mean).toBeLessThan(1);
    for (const row of [adjoint, frequency]) {
      expect(row.seconds_per_epoch_mean).toBeGreaterThanOrEqual(0);
      expect(row.seconds_per_epoch_std).toBeGreaterThanOrEqual(0);
    }
    // fidelity: the adjoint is its own reference; phasor frequency propagation is exact on a linear network
    expect(adjoint.fidelity_cosine).toBe(1);
    expect(adjoint.fidelity_relative_error).toBe(0);
    expect(frequency.fidelity_cosine).toBeCloseTo(1, 12);
    expect(frequency.fidelity_relative_error).toBeLessThan(1e-9);
    // paired with the adjoint (the reference), seed by seed: the same runs, so every seed ties and the differences vanish
    expect([frequency.relative_error_wins, frequency.relative_error_ties, frequency.relative_error_losses]).toEqual([0, 2, 0]);
    expect([frequency.final_loss_wins, frequency.final_loss_ties, frequency.final_loss_losses]).toEqual([0, 2, 0]);
    expect(Math.abs(frequency.final_loss_diff)).toBeLessThanOrEqual(1e-9 * adjoint.final_loss_mean);
    expect(frequency.final_loss_diff_low).toBeLessThanOrEqual(frequency.final_loss_diff);
    expect(frequency.final_loss_diff_high).toBeGreaterThanOrEqual(frequency.final_loss_diff);
    expect(frequency.epochs_to_target_reached).toBe(adjoint.epochs_to_target_reached);
    expect([adjoint.not_learning, frequency.not_learning]).toEqual([0, 0]);
    // the reference's own paired cells are empty
    expect(csv.rows[0].relative_error_diff).toBe('');
    expect(csv.rows[0].final_loss_wins).toBe('');
  });

  test('runs.csv holds every epoch of every run; comparison.csv is its summary', () => {
    const runs = readCsv(path.join(out, 'runs.csv'));
    expect(runs.header).toEqual(['mechanism', 'seed', 'epoch', 'train_loss', 'test_loss', 'train_relative_error', 'test_relative_error', 'seconds', 'diag_samples', 'diag_window']);
    expect(runs.rows).toHaveLength(2 * 2 * (4 + 1)); // mechanisms × seeds × (epochs + 1)
    const summary = readCsv(path.join(out, 'comparison.csv'));
    for (const m of ['adjoint', 'frequency']) {
      const last = runs.rows.filter((row) => row.mechanism === m && row.epoch === '4');
      expect(last.map((row) => row.seed)).toEqual(['1', '2']);
      const losses = last.map((row) => Number(row.train_loss));
      const row = summary.rows.find((s) => s.mechanism === m)!;
      expect(Number(row.final_loss_mean)).toBeCloseTo(mean(losses), 14);
      expect(Number(row.final_loss_std)).toBeCloseTo(sampleStd(losses), 14);
      expect(Number(row.relative_error_mean)).toBeCloseTo(mean(last.map((x) => Number(x.test_relative_error))), 14);
      // training lowers the loss of every run
      for (const seed of ['1', '2']) {
        const first = runs.rows.find((x) => x.mechanism === m && x.seed === seed && x.epoch === '0')!;
        expect(Number(last.find((x) => x.seed === seed)!.train_loss)).toBeLessThan(Number(first.train_loss));
      }
    }
  });

  test('prints the table and the folder; logs each epoch of each run; writes the resolved config, comparison.md and summary.json', () => {
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^mechanism\s+runs\s+relative error\s+final loss\s+s\/epoch\s+fidelity cosine\s+fidelity rel\. error$/);
    expect(lines[1]).toMatch(/^adjoint\s+2\s+\S+ ± \S+\s+\S+ ± \S+\s+\S+ ± \S+\s+1\.0000\s+0$/);
    expect(lines[2]).toMatch(/^frequency\s+2\s/);
    // then the verdict against the reference, then the folder
    expect(lines[3]).toBe('against adjoint, seed by seed (mechanism − adjoint, seeds 1, 2; mean difference and its 95% t-interval):');
    expect(lines[4]).toBe('frequency is the same as adjoint on test relative error in every seed (0 wins, 2 ties, 0 losses).');
    expect(lines[5]).toBe(`results: ${out}`);
    // --verbose: a line per epoch of each run, and one when each run ends
    expect(r.stderr).toMatch(/^\[adjoint seed 1\] epoch 0\/4 loss \S+ test_loss \S+ train_rel_err \S+ test_rel_err \S+$/m);
    expect(r.stderr).toMatch(/^\[frequency seed 2\] epoch 4\/4 /m);
    expect(r.stderr).toMatch(/^\[frequency seed 2\] done \(4\/4 runs\) loss \S+ → \S+ test_rel_err \S+ ETA \d+:\d\d$/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(4 * (5 + 1));

    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.seeds).toEqual([1, 2]);
    expect(config.base.optimizer).toEqual({ kind: 'sgd', learningRate: 0.1, momentum: 0.9, batchSize: 4, bounds: 'project' });
    expect(config.base.task.features).toBe(2);
    expect(config.mechanisms[0]).toEqual({ name: 'adjoint', activation: { kind: 'dc' }, error: { kind: 'adjoint' }, rule: { kind: 'product' } });
    expect(config.fidelity).toEqual({ examples: 5 });

    const md = readFileSync(path.join(out, 'comparison.md'), 'utf8');
    expect(md).toMatch(/^# tiny comparison\n\nadjoint against phasor frequency propagation\n/);
    expect(md).toContain('- substrate: resistive (28 trainable parameters); task: regression');
    expect(md).toMatch(/^\| adjoint \| 2 \| /m);
    expect(md).toContain('| frequency | dc | frequency | product |');
    for (const plot of ['loss', 'relative-error', 'fidelity']) expect(md).toContain(`](${plot}.svg)`);

    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const csv = readCsv(path.join(out, 'comparison.csv'));
    expect(summary.mechanisms.map((m: { mechanism: string }) => m.mechanism)).toEqual(['adjoint', 'frequency']);
    expect(summary.mechanisms[1].final_loss_mean).toBe(Number(csv.rows[1].final_loss_mean));
    expect(summary.workers).toBe(1);
    expect(summary.reference).toBe('adjoint');
    expect(summary.targetLoss).toEqual({ fraction: 0.5 });
    expect(summary.verdicts).toEqual([lines[4]]);
    expect(summary.mechanisms[1].relative_error_ties).toBe(2);
    expect(summary.warnings).toEqual([]);
    expect(config.reference).toBe('adjoint');
    expect(config.targetLoss).toEqual({ fraction: 0.5 });
    // comparison.md: the paired section, the sentence and how the interval is computed
    expect(md).toContain('\n## Against adjoint, seed by seed\n');
    expect(md).toContain(`\n- ${lines[4]}\n`);
    expect(md).toContain("95% confidence interval from Student's t with 1 degree of freedom (mean ± t(0.975, 1) · s/√2");
    expect(md).toMatch(/^\| frequency \| \S.* \| 0 \/ 2 \/ 0 \| /m);
  });

  test('the resolved config.json runs again to the same figures; --workers without a compiled worker runs in this thread', async () => {
    const again = path.join(dir, 'again');
    const r2 = await runCli(['compare', path.join(out, 'config.json'), '--out', again, '--workers', '2']);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toMatch(/^multimech: note: no compiled worker \(dist\/comparison-worker\.js\), so the runs go one after another in this thread$/m);
    const seconds = readCsv(path.join(out, 'runs.csv')).header.indexOf('seconds');
    const strip = (file: string) => readFileSync(file, 'utf8').split('\n').map((l) => l.split(',').filter((_, i) => i !== seconds).join(','));
    expect(strip(path.join(again, 'runs.csv'))).toEqual(strip(path.join(out, 'runs.csv'))); // all but the seconds
    const a = readCsv(path.join(out, 'comparison.csv')).rows;
    const b = readCsv(path.join(again, 'comparison.csv')).rows;
    for (const k of ['final_loss_mean', 'final_loss_std', 'relative_error_mean', 'fidelity_cosine', 'fidelity_relative_error']) {
      expect(b.map((row) => row[k])).toEqual(a.map((row) => row[k]));
    }
  });

  test('one seed: the standard deviations are 0', async () => {
    const one = path.join(dir, 'one-seed');
    const config = { ...REGRESSION, seeds: [5], base: { ...REGRESSION.base, training: { epochs: 2 } } };
    const r1 = await runCli(['compare', writeConfig('one-seed.json', config), '--out', one]);
    expect(r1.code).toBe(0);
    // without --verbose and without a terminal: one line per run, none per epoch
    const progress = r1.stderr.trim().split('\n');
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^\[(adjoint|frequency) seed 5\] done \(1\/2 runs\) loss \S+ → \S+ test_rel_err \S+ ETA \d+:\d\d$/);
    expect(progress[1]).toMatch(/^\[(adjoint|frequency) seed 5\] done \(2\/2 runs\) .* ETA 0:00$/);
    expect(r1.stderr).not.toMatch(/epoch \d+\/\d+/);
    // one seed: a difference, no interval
    expect(r1.stdout).toContain('against adjoint, seed by seed (mechanism − adjoint, seed 5 only: no interval):\n');
    expect(readFileSync(path.join(one, 'comparison.md'), 'utf8')).toContain('With one seed there is one difference per mechanism and no interval');
    const rows = readCsv(path.join(one, 'comparison.csv')).rows;
    for (const row of rows) {
      expect(row.runs).toBe('1');
      expect(Number(row.final_loss_std)).toBe(0);
      expect(Number(row.relative_error_std)).toBe(0);
      expect(Number(row.seconds_per_epoch_std)).toBe(0);
      expect(Number(row.final_loss_mean)).toBeGreaterThan(0);
    }
    expect(readCsv(path.join(one, 'runs.csv')).rows).toHaveLength(2 * 1 * 3);
  });
});

describe('multimech compare: classification', () => {
  test('accuracy columns and plot; a contrastive mechanism beside the exact gradient; a progress line on a terminal', async () => {
    const out = path.join(dir, 'iris');
    const r = await runCli(['compare', writeConfig('iris.json', IRIS), '--out', out], { tty: true });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(FILES);
    const csv = readCsv(path.join(out, 'comparison.csv'));
    expect(csv.header.slice(2, 5)).toEqual(['test_accuracy_mean', 'test_accuracy_std', 'train_accuracy_mean']);
    for (const row of csv.rows) {
      // one seed: accuracies are multiples of 1/45 (test) and 1/105 (train)
      expect(Number(row.test_accuracy_mean) * 45).toBeCloseTo(Math.round(Number(row.test_accuracy_mean) * 45), 9);
      expect(Number(row.train_accuracy_mean) * 105).toBeCloseTo(Math.round(Number(row.train_accuracy_mean) * 105), 9);
      expect(Number(row.test_accuracy_std)).toBe(0);
    }
    // centred EP with a small β is the gradient to O(β²)
    const ep = csv.rows[1];
    expect(Number(ep.fidelity_cosine)).toBeGreaterThan(0.999);
    expect(Number(ep.fidelity_relative_error)).toBeLessThan(1e-2);
    expect(Number(ep.fidelity_relative_error)).toBeGreaterThan(0);
    expect(r.stderr).toContain('\r\x1b[2Kruns ');
    // per mechanism, the share of its epochs done, while it is not finished
    expect(r.stderr).toContain('\r\x1b[2Kruns 0/2 [........................] 0% exact 0% ep 0% ETA ?');
    expect(r.stderr).not.toMatch(/epoch \d+\/\d+/);
    expect(r.stderr).toMatch(/runs 2\/2 \[#{24}\] 100% ETA 0:00\n$/);
    expect(r.stdout).toMatch(/^mechanism\s+runs\s+test accuracy\s+train accuracy\s/);
  });
});

describe('multimech compare: diagnostics', () => {
  test("negative chemical concentrations are reported: runs.csv, comparison.csv, comparison.md's Diagnostics, summary.json and a warning on stderr", async () => {
    const out = path.join(dir, 'chemical');
    const config = {
      name: 'chemical baselines',
      base: {
        substrate: { kind: 'flow', network: { generator: 'layered', hidden: [4] } },
        task: { kind: 'regression', features: 2, outputs: 2, train: 8, test: 4 },
        optimizer: { learningRate: 0.2, batchSize: 4 },
        training: { epochs: 2 },
      },
      mechanisms: [
        { name: 'adjoint', error: { kind: 'adjoint' } },
        { name: 'one-species', error: { kind: 'chemical', baseline: 0 } },
        { name: 'two-species', error: { kind: 'chemical', baseline: 0, species: 'two' } },
      ],
      seeds: [1, 2],
      fidelity: { examples: 2 },
    };
    const r = await runCli(['compare', writeConfig('chemical.json', config), '--out', out, '--workers', '1']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);

    const runs = readCsv(path.join(out, 'runs.csv'));
    expect(runs.header.filter((h) => h.startsWith('diag_'))).toEqual(['diag_negativeCount', 'diag_negativeMin', 'diag_requiredBaseline']);
    const one = runs.rows.filter((row) => row.mechanism === 'one-species' && row.epoch !== '0');
    expect(one).toHaveLength(2 * 2);
    for (const row of one) expect(Number(row.diag_negativeCount)).toBeGreaterThan(0);
    expect(runs.rows.filter((row) => row.mechanism === 'two-species' && row.epoch !== '0').map((row) => row.diag_negativeCount)).toEqual(['0', '0', '0', '0']);
    expect(runs.rows.filter((row) => row.epoch === '0').every((row) => row.diag_negativeCount === '')).toBe(true);

    // comparison.csv: the worst over the seeds and epochs
    const csv = readCsv(path.join(out, 'comparison.csv'));
    const row = (m: string) => csv.rows.find((x) => x.mechanism === m)!;
    const count = Math.max(...one.map((x) => Number(x.diag_negativeCount)));
    const lowest = Math.min(...one.map((x) => Number(x.diag_negativeMin)));
    const required = Math.max(...one.map((x) => Number(x.diag_requiredBaseline)));
    expect(Number(row('one-species').diag_negativeCount)).toBe(count);
    expect(Number(row('one-species').diag_negativeMin)).toBe(lowest);
    expect(lowest).toBeLessThan(0);
    expect(Number(row('one-species').diag_requiredBaseline)).toBe(required);
    expect(required).toBeCloseTo(-lowest, 12); // on a zero baseline the baseline needed is the lowest concentration's depth
    expect([row('two-species').diag_negativeCount, row('two-species').diag_negativeMin]).toEqual(['0', '0']);
    expect(row('adjoint').diag_negativeCount).toBe('');
    // two species on a zero baseline carry the same signal: the same runs
    expect(Number(row('two-species').final_loss_mean)).toBeCloseTo(Number(row('one-species').final_loss_mean), 12);

    // one warning, about the one-species row, after the table and the folder
    const warning =
      `multimech: warning: one-species (worst of seeds 1, 2): chemical concentrations went negative in 4 of 4 epochs (up to ${count} nodes in one measurement, ` +
      `the lowest concentration ${Number(lowest.toPrecision(4))}): unphysical, and reported rather than clipped; a baseline c₀ of at least ${Number(required.toPrecision(4))} (mechanisms[1].error.baseline) ` +
      'covers the most negative signal, or two species carry the two signs (mechanisms[1].error.species "two")';
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('multimech:'))).toEqual([warning]);
    expect(r.stderr.trim().endsWith(warning)).toBe(true);

    const md = readFileSync(path.join(out, 'comparison.md'), 'utf8');
    expect(md).toContain('\n## Diagnostics\n');
    expect(md).toContain('| mechanism | negativeCount | negativeMin | requiredBaseline |\n');
    expect(md).toContain(`\n| one-species | ${count} | ${Number(lowest.toPrecision(4))} | ${Number(required.toPrecision(4))} |\n| two-species | 0 | 0 | 0 |\n`);
    expect(md).toContain(`\n- **Warning:** ${warning.replace('multimech: warning: ', '')}\n`);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.warnings).toEqual([warning.replace('multimech: ', '')]);
    expect(summary.mechanisms[1].diag_negativeCount).toBe(count);
  });
});

describe('multimech compare: a mechanism that does not learn', () => {
  test('a flat training loss is warned about on stderr, marked in the table and comparison.md, counted in comparison.csv and summary.json', async () => {
    const out = path.join(dir, 'flat');
    const config = {
      ...REGRESSION,
      name: 'flat',
      base: { ...REGRESSION.base, training: { epochs: 2 } },
      mechanisms: [REGRESSION.mechanisms[0], { name: 'still', error: { kind: 'adjoint' }, optimizer: { learningRate: 1e-12 } }],
    };
    const r = await runCli(['compare', writeConfig('flat.json', config), '--out', out, '--workers', '1']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const runs = readCsv(path.join(out, 'runs.csv')).rows;
    const loss = (m: string, seed: string, epoch: string) => Number(runs.find((x) => x.mechanism === m && x.seed === seed && x.epoch === epoch)!.train_loss);
    // the adjoint learns; the same mechanism with a learning rate of 1e-12 stays where it started
    for (const seed of ['1', '2']) {
      expect(loss('adjoint', seed, '2')).toBeLessThan(0.99 * loss('adjoint', seed, '0'));
      expect(loss('still', seed, '2')).toBeCloseTo(loss('still', seed, '0'), 9);
    }
    const figure = (x: number) => String(Number(x.toPrecision(4)));
    const warning =
      `multimech: warning: still (seeds 1, 2): the training loss did not fall in 2 of 2 runs (seed 1: ${figure(loss('still', '1', '0'))} → ${figure(loss('still', '1', '2'))}; ` +
      `seed 2: ${figure(loss('still', '2', '0'))} → ${figure(loss('still', '2', '2'))}; a fall of less than 1% of the initial loss counts as none): look at the learning rate and the mechanism's settings`;
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('multimech:'))).toEqual([warning]);
    expect(r.stdout).toMatch(/^still \(no learning: 2\/2 runs\)\s+2\s/m);
    expect(r.stdout).toMatch(/^adjoint\s+2\s/m);
    const csv = readCsv(path.join(out, 'comparison.csv')).rows;
    expect(csv.map((row) => [row.mechanism, row.not_learning])).toEqual([['adjoint', '0'], ['still', '2']]);
    // it never reaches half its initial loss, and loses to the adjoint in both seeds on the final loss
    expect(csv[1].epochs_to_target_reached).toBe('0');
    expect([csv[1].final_loss_wins, csv[1].final_loss_ties, csv[1].final_loss_losses]).toEqual(['0', '0', '2']);
    const md = readFileSync(path.join(out, 'comparison.md'), 'utf8');
    expect(md).toMatch(/^\| still \(no learning: 2\/2 runs\) \| 2 \| /m);
    expect(md).toContain(`\n- **Warning:** ${warning.replace('multimech: warning: ', '')}\n`);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')).warnings).toEqual([warning.replace('multimech: ', '')]);
  });
});

describe('multimech compare: bad input', () => {
  async function fails(config: unknown, ...patterns: RegExp[]): Promise<string> {
    const file = writeConfig('bad.json', config);
    const out = path.join(dir, 'bad-run');
    const r = await runCli(['compare', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^multimech: error: .*bad\.json: invalid configuration\n/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    for (const p of patterns) expect(r.stderr).toMatch(p);
    expect(existsSync(out)).toBe(false); // checked before any folder is made or any run starts
    return r.stderr;
  }

  test("a bad mechanism is named by its path in the comparison config; the base's problems by theirs", async () => {
    const stderr = await fails(
      {
        ...REGRESSION,
        base: { ...REGRESSION.base, training: { epochs: 'five' } },
        mechanisms: [...REGRESSION.mechanisms, { name: 'mind', error: { kind: 'telepathy' } }, { name: 'ep', error: { kind: 'ep', beta: -1 } }],
      },
      /^ {2}base\.training\.epochs: expected a positive integer, got "five"$/m,
    );
    // the base failed first: the mechanisms are checked once the base is right
    expect(stderr).not.toMatch(/mechanisms\[/);
    const again = await fails(
      { ...REGRESSION, mechanisms: [...REGRESSION.mechanisms, { name: 'mind', error: { kind: 'telepathy' } }, { name: 'ep', error: { kind: 'ep', beta: -1 }, rule: { kind: 'contrastive' } }, { name: 'ep-product', error: { kind: 'ep' }, rule: { kind: 'product' } }] },
      /^ {2}mechanisms\[2\]\.error\.kind: unknown error mechanism kind 'telepathy' \(known error mechanism kinds: adjoint, chemical, cl, ep, frequency\)$/m,
      /^ {2}mechanisms\[3\]\.error\.beta: expected a positive number, got -1$/m,
      /^ {2}mechanisms\[4\]\.rule\.kind: learning rule 'product' consumes 'product' readings, but error mechanism 'ep' produces 'contrastive' readings: use rule 'contrastive', which consumes 'contrastive' readings \(or leave out "rule": the default follows the error mechanism\)$/m,
    );
    expect(again.trim().split('\n')).toHaveLength(4);
  });

  test('a duplicate mechanism name, an unknown key and a bad seed list are refused with their paths', async () => {
    await fails(
      { ...REGRESSION, mechanisms: [...REGRESSION.mechanisms, { name: 'adjoint', error: { kind: 'adjoint' } }] },
      /^ {2}mechanisms\[2\]\.name: duplicate mechanism name 'adjoint' \(also mechanisms\[0\]\.name\); names must be unique$/m,
    );
    await fails({ ...REGRESSION, base: { ...REGRESSION.base, error: { kind: 'adjoint' } } }, /^ {2}base\.error: unknown key \(known keys: substrate, task, optimizer, training, seed, plugins, limits\)$/m);
    await fails({ ...REGRESSION, seeds: [] }, /^ {2}seeds: expected at least one seed, got \[\]$/m);
    await fails({ ...REGRESSION, mechanisms: [{ name: 'a', error: { kind: 'adjoint' }, optimizer: { momentum: 1 } }] }, /^ {2}mechanisms\[0\]\.optimizer\.momentum: expected a number in \[0, 1\), got 1$/m);
    await fails({ ...REGRESSION, base: { ...REGRESSION.base, substrate: { kind: 'resistiv' } } }, /^ {2}base\.substrate\.kind: unknown substrate kind 'resistiv' \(known substrate kinds: drn, elastic, flow, resistive\)$/m);
  });

  test('broken JSON, a missing file, a bad --workers and a folder of something else', async () => {
    const broken = writeConfig('broken.json', '{\n  "base": {,\n}');
    const b = await runCli(['compare', broken]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^multimech: error: .*broken\.json:2: invalid JSON at column 12/);
    const missing = await runCli(['compare', path.join(dir, 'nope.json')]);
    expect(missing.stderr).toMatch(/^multimech: error: .*nope\.json: no such file \(expected a JSON comparison config\)\n$/);
    const workers = await runCli(['compare', broken, '--workers', '0']);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--workers <N>' argument '0' is invalid\. expected a positive integer/);

    const other = path.join(dir, 'precious');
    mkdirSync(other);
    writeFileSync(path.join(other, 'data.txt'), 'keep me');
    const r = await runCli(['compare', writeConfig('ok.json', { ...REGRESSION, seeds: [1], base: { ...REGRESSION.base, training: { epochs: 1 } } }), '--out', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out .*precious: the folder is not empty and holds no summary\.json/);
    expect(readdirSync(other)).toEqual(['data.txt']);
  });
});
