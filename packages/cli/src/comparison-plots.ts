import type { EpochEvent } from '@multimech/trainer';
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

/**
 * A figure against epoch: a line per mechanism (the mean over the seeds) in
 * a band from the smallest to the largest seed's value (a vega-lite errorband).
 * A log scale when every value is positive and `log` is asked for.
 */
export function seedBandSpec(options: {
  readonly title: string;
  readonly yTitle: string;
  readonly mechanisms: readonly string[];
  readonly points: readonly SeedBandPoint[];
  readonly log?: boolean;
}): object {
  const { points, mechanisms } = options;
  const log = options.log === true && points.length > 0 && points.every((p) => p.min > 0);
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } };
  const color = { field: 'mechanism', type: 'nominal', title: 'mechanism', scale: { domain: [...mechanisms] } };
  return {
    $schema: SCHEMA,
    title: options.title,
    background: 'white',
    config: { font: 'DejaVu Sans', legend: { symbolOpacity: 1, symbolType: 'stroke', labelLimit: 260 } },
    width: 480,
    height: 260,
    data: { values: points },
    layer: [
      {
        mark: { type: 'errorband', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'min', type: 'quantitative', title: options.yTitle, scale: log ? { type: 'log', nice: false } : { zero: false } },
          y2: { field: 'max' },
          color,
        },
      },
      {
        mark: { type: 'line', point: points.length <= 200 },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: options.yTitle }, color },
      },
    ],
  };
}

/** A bar per mechanism: the mean cosine between its gradient estimate and the exact gradient. */
export function fidelitySpec(title: string, rows: readonly ComparisonSummary[]): object {
  const values = rows.filter((r) => r.fidelity).map((r) => ({ mechanism: r.mechanism, cosine: r.fidelity!.cosine, relativeError: r.fidelity!.relativeError }));
  const low = Math.min(0, ...values.map((v) => v.cosine));
  const x = { field: 'mechanism', type: 'nominal', title: 'mechanism', sort: rows.map((r) => r.mechanism), axis: { labelAngle: -30, labelLimit: 200 } };
  return {
    $schema: SCHEMA,
    title,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    width: Math.max(240, 80 * values.length),
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          y: { field: 'cosine', type: 'quantitative', title: 'cosine with the exact gradient', scale: { domain: [low, 1] } },
          color: { field: 'mechanism', type: 'nominal', legend: null, scale: { domain: rows.map((r) => r.mechanism) } },
        },
      },
      {
        mark: { type: 'text', dy: -6 },
        encoding: { x, y: { field: 'cosine', type: 'quantitative' }, text: { field: 'cosine', type: 'quantitative', format: '.4f' } },
      },
    ],
  };
}
