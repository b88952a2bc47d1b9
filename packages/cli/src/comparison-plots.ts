import type { EpochEvent } from '@multimech/trainer';
import { lossAxisName } from './learning-curve';
import type { ComparisonSummary, ComparisonRun } from './comparison-summary';

/** A mechanism's figure at one epoch over its seeds: the mean and the range. */
export interface SeedBandPoint {
  readonly mechanism: string;
  readonly epoch: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly seeds: number;
}

/** The per-epoch mean, min and max over the seeds of each mechanism, of the figure `pick` reads (missing values left out). */
export function seedBands(runs: readonly ComparisonRun[], pick: (e: EpochEvent) => number | undefined): SeedBandPoint[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const run of runs) {
    const byEpoch = groups.get(run.mechanism) ?? new Map<number, number[]>();
    groups.set(run.mechanism, byEpoch);
    for (const e of run.result.history) {
      const v = pick(e);
      if (v === undefined || !Number.isFinite(v)) continue;
      byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), v]);
    }
  }
  const points: SeedBandPoint[] = [];
  for (const [mechanism, byEpoch] of groups) {
    for (const [epoch, values] of [...byEpoch].sort((a, b) => a[0] - b[0])) {
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      points.push({ mechanism, epoch, mean, min: Math.min(...values), max: Math.max(...values), seeds: values.length });
    }
  }
  return points;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A dash pattern per mechanism, in the order of the mechanisms (solid first); repeated past the tenth. */
export const DASHES: readonly (readonly number[])[] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [4, 2, 1, 2], [1, 3], [10, 2, 2, 2, 2, 2], [6, 6], [3, 5]];
/** A marker shape per mechanism (drawn hollow, so that markers on top of each other stay visible). */
export const SHAPES: readonly string[] = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-left', 'triangle-right', 'wedge', 'arrow'];

const cycle = <T>(values: readonly T[], n: number): T[] => Array.from({ length: n }, (_, i) => values[i % values.length]);

/** The x axis of a figure against epoch. */
const EPOCH_AXIS = { field: 'epoch', type: 'quantitative', title: 'epoch (passes over the training set)', axis: { tickMinStep: 1 } };

/** The legend below the plot, in columns, its symbols hollow markers with the line's dash. */
function legendConfig(mechanisms: number): object {
  return { orient: 'bottom', direction: 'horizontal', columns: Math.max(1, Math.min(4, mechanisms)), labelLimit: 260, symbolSize: 150, symbolStrokeWidth: 1.5, symbolOpacity: 1 };
}

/** What the line and the band of a seed-band figure are, for its subtitle: `line: mean over 3 seeds; band: min–max over the seeds`. */
export function bandMeaning(points: readonly SeedBandPoint[]): string {
  const seeds = Math.max(0, ...points.map((p) => p.seeds));
  return seeds > 1 ? `line: mean over ${seeds} seeds; band: min–max over the ${seeds} seeds` : 'one seed: no band';
}

const lastEpochOf = (points: readonly SeedBandPoint[]) => Math.max(0, ...points.map((p) => p.epoch));

/**
 * Whether the `index`-th of `mechanisms` curves has a marker at `epoch`: at
 * every epoch up to 12 epochs; beyond, every `k`-th epoch with k = the
 * larger of epochs/10 and (up to epochs/3) the number of mechanisms, each
 * mechanism starting at its own epoch, so that curves on top of each other
 * show their markers side by side.
 */
export function markerAt(epoch: number, index: number, mechanisms: number, lastEpoch: number): boolean {
  if (lastEpoch <= 12) return true;
  const every = Math.max(Math.ceil(lastEpoch / 10), Math.min(mechanisms, Math.ceil(lastEpoch / 3)));
  const offset = Math.floor((Math.max(0, index) * every) / Math.max(1, mechanisms));
  return epoch >= offset && (epoch - offset) % every === 0;
}

/**
 * A figure against epoch: a line per mechanism (the mean over the seeds) in
 * a band from the smallest to the largest seed's value (a vega-lite
 * errorband). Each mechanism has its colour, dash pattern and (hollow)
 * marker shape, so curves on top of each other stay apart; with many epochs
 * the markers are thinned and staggered between mechanisms. The subtitle says
 * what the line and the band are; the legend sits below the plot. A log
 * scale when every value is positive and `log` is asked for.
 */
export function seedBandSpec(options: {
  readonly title: string;
  /** The y axis's title, a line or several (the figure, then its definition and unit). */
  readonly yTitle: string | readonly string[];
  readonly mechanisms: readonly string[];
  readonly points: readonly (SeedBandPoint & { readonly time?: number })[];
  readonly log?: boolean;
  /** The x axis, when it is not the epoch: a field of the points (`time`), its title with its unit, a log scale. */
  readonly x?: { readonly field: string; readonly title: string; readonly log?: boolean };
}): object {
  const { points, mechanisms } = options;
  const log = options.log === true && points.length > 0 && points.every((p) => p.min > 0);
  const domain = [...mechanisms];
  const n = domain.length;
  const values = points.map((p) => ({ ...p, marker: markerAt(p.epoch, domain.indexOf(p.mechanism), n, lastEpochOf(points)) }));
  const x = options.x
    ? { field: options.x.field, type: 'quantitative', title: options.x.title, ...(options.x.log ? { scale: { type: 'log', nice: false } } : {}) }
    : EPOCH_AXIS;
  const y = { field: 'mean', type: 'quantitative', title: options.yTitle };
  const color = { field: 'mechanism', type: 'nominal', title: 'mechanism', scale: { domain, scheme: 'tableau10' } };
  return {
    $schema: SCHEMA,
    title: { text: options.title, subtitle: bandMeaning(points) },
    background: 'white',
    config: { font: 'DejaVu Sans', legend: legendConfig(n) },
    width: 480,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: 'errorband', opacity: 0.15 },
        encoding: {
          x,
          y: { field: 'min', type: 'quantitative', title: options.yTitle, scale: log ? { type: 'log', nice: false } : { zero: false } },
          y2: { field: 'max' },
          // fill, not color: the band stays out of the legend, whose symbols are the lines' markers
          fill: { field: 'mechanism', type: 'nominal', legend: null, scale: { domain, scheme: 'tableau10' } },
        },
      },
      {
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: { x, y, color, strokeDash: { field: 'mechanism', type: 'nominal', title: 'mechanism', scale: { domain, range: cycle(DASHES, n) } } },
      },
      {
        mark: { type: 'point', filled: false, size: 45, strokeWidth: 1.4, opacity: 1 },
        transform: [{ filter: 'datum.marker' }],
        encoding: { x, y, color, shape: { field: 'mechanism', type: 'nominal', title: 'mechanism', scale: { domain, range: cycle(SHAPES, n) } } },
      },
    ],
    resolve: { legend: { fill: 'independent' } },
  };
}

/** Values this small are drawn at this value on the fidelity figure's log axes (exact but for rounding). */
export const FIDELITY_FLOOR = 1e-16;

/**
 * The fidelity figure: per mechanism, 1 − cosine with the exact gradient and
 * the relative error ‖estimate − exact‖/‖exact‖, each on a log axis (one
 * panel each, a hollow marker per mechanism in its colour and shape, the
 * value written beside it). A value below FIDELITY_FLOOR (0 for an exact
 * mechanism) is drawn at the floor and written as it is.
 */
export function fidelitySpec(title: string, rows: readonly ComparisonSummary[], options: { readonly subtitle?: string | readonly string[] } = {}): object {
  const measured = rows.filter((r) => r.fidelity);
  const values = measured.map((r) => {
    const oneMinusCosine = 1 - r.fidelity!.cosine;
    const relativeError = r.fidelity!.relativeError;
    return {
      mechanism: r.mechanism,
      cosine: r.fidelity!.cosine,
      relativeError,
      oneMinusCosine,
      oneMinusCosineShown: Math.max(FIDELITY_FLOOR, oneMinusCosine),
      relativeErrorShown: Math.max(FIDELITY_FLOOR, relativeError),
      oneMinusCosineText: fidelityText(oneMinusCosine),
      relativeErrorText: fidelityText(relativeError),
    };
  });
  const domain = rows.map((r) => r.mechanism);
  const n = domain.length;
  const y = { field: 'mechanism', type: 'nominal', title: null, sort: domain, axis: { labelLimit: 220 } };
  const color = { field: 'mechanism', type: 'nominal', legend: null, scale: { domain, scheme: 'tableau10' } };
  const shape = { field: 'mechanism', type: 'nominal', legend: null, scale: { domain, range: cycle(SHAPES, n) } };
  const panel = (field: string, text: string, axisTitle: readonly string[], largest: number) => {
    // a decade beyond the largest value, for its label
    const x = { field, type: 'quantitative', title: axisTitle, scale: { type: 'log', domain: [FIDELITY_FLOOR, 10 * Math.max(1, largest)], nice: false } };
    return {
      width: 300,
      height: Math.max(80, 26 * values.length),
      layer: [
        { mark: { type: 'point', filled: false, size: 80, strokeWidth: 1.6, opacity: 1 }, encoding: { x, y, color, shape } },
        { mark: { type: 'text', align: 'left', dx: 8, fontSize: 10 }, encoding: { x, y, text: { field: text } } },
      ],
    };
  };
  return {
    $schema: SCHEMA,
    title: { text: title, ...(options.subtitle ? { subtitle: options.subtitle } : {}) },
    background: 'white',
    config: { font: 'DejaVu Sans' },
    data: { values },
    hconcat: [
      panel('oneMinusCosineShown', 'oneMinusCosineText', ['1 − cosine with the exact gradient', '(dimensionless)'], Math.max(...values.map((v) => v.oneMinusCosineShown))),
      panel('relativeErrorShown', 'relativeErrorText', ['‖estimate − exact‖ / ‖exact‖', '(dimensionless)'], Math.max(...values.map((v) => v.relativeErrorShown))),
    ],
  };
}

/** A fidelity figure's label: 0 as `0`, else two significant digits. */
function fidelityText(x: number): string {
  return x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}

/** What the comparison's figures are drawn from. */
export interface ComparisonPlotInput {
  readonly name: string;
  readonly mechanisms: readonly string[];
  readonly runs: readonly ComparisonRun[];
  readonly summaries: readonly ComparisonSummary[];
  readonly classification: boolean;
  /** The task's loss: its kind and settings (`{ kind: 'cross-entropy', kappa: 20 }`). */
  readonly loss: { readonly kind: string; readonly kappa?: unknown };
  /** Where the fidelity was measured: the seed and the examples averaged over. */
  readonly fidelity: { readonly seed: number; readonly examples: number };
}

/**
 * The comparison's three figures as [file stem, caption, vega-lite spec]:
 * the training loss (log axis), the test accuracy or the test relative error
 * (log axis) against epoch, and the fidelity at the initial parameters.
 */
export function comparisonPlots(input: ComparisonPlotInput): [string, string, object][] {
  const { name, mechanisms, runs } = input;
  const lossName = lossAxisName(input.loss.kind, input.loss);
  const metric = input.classification
    ? { stem: 'accuracy', title: 'test accuracy', yTitle: ['test accuracy', '(fraction classified right)'], pick: (e: EpochEvent) => e.testAccuracy, log: false }
    : { stem: 'relative-error', title: 'test relative error', yTitle: ['test relative error', '‖y − t‖ / ‖t‖ (dimensionless)'], pick: (e: EpochEvent) => e.testRelativeError, log: true };
  return [
    ['loss', 'training loss', seedBandSpec({ title: `${name}: training loss`, yTitle: ['training loss', lossName], mechanisms, points: seedBands(runs, (e) => e.trainLoss), log: true })],
    [metric.stem, metric.title, seedBandSpec({ title: `${name}: ${metric.title}`, yTitle: metric.yTitle, mechanisms, points: seedBands(runs, metric.pick), log: metric.log })],
    [
      'fidelity',
      'fidelity at the initial parameters',
      fidelitySpec(`${name}: fidelity at the initial parameters`, input.summaries, {
        subtitle: [
          `against the exact gradient at seed ${input.fidelity.seed}'s initial parameters, mean over ${input.fidelity.examples} training examples`,
          `log axes; values below ${FIDELITY_FLOOR} (0 for an exact mechanism) drawn at ${FIDELITY_FLOOR}`,
        ],
      }),
    ],
  ];
}
