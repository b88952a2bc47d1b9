import type { FidelityFigures } from '@multimech/trainer';
import type { EpochFigures } from './progress-display';

/** An epoch's figures, how long its training steps took, and what the optimizer and the error mechanism reported. */
export interface EpochRow extends EpochFigures {
  readonly seconds: number;
  readonly clamped?: number;
  /** Edges broken since the row before (`training.damage`). */
  readonly damaged?: number;
  readonly diagnostics?: Readonly<Record<string, number>>;
  /** The physical time and energy of the epoch's measurements, and over the run so far (see the trainer's EpochEvent). */
  readonly physicalSeconds?: number;
  readonly physicalSecondsTotal?: number;
  readonly energy?: number;
  readonly energyTotal?: number;
  readonly fidelity?: FidelityFigures;
}

/** The optional columns of `metrics.csv`: the physical cost (`training.physicalCost`), the edges broken (`training.damage`). */
export interface MetricsOptions {
  readonly physical?: boolean;
  readonly damage?: boolean;
}

/** The physical-cost columns `metricsCsv` appends when asked (`training.physicalCost`). */
export const PHYSICAL_COLUMNS = ['physical_seconds', 'physical_seconds_total', 'energy', 'energy_total'] as const;

/** A CSV field: numbers in full precision, empty when absent, text quoted when it must be. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The columns of an epoch's figures: losses, then accuracies (classification) or relative errors (regression), then seconds. */
export function metricColumns(classification: boolean): string[] {
  return classification
    ? ['epoch', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'seconds']
    : ['epoch', 'train_loss', 'test_loss', 'train_relative_error', 'test_relative_error', 'seconds'];
}

/** An epoch's figures in the order of `metricColumns`. */
export function metricValues(r: EpochRow, classification: boolean): (number | undefined)[] {
  return [
    r.epoch,
    r.trainLoss,
    r.testLoss,
    classification ? r.trainAccuracy : r.trainRelativeError,
    classification ? r.testAccuracy : r.testRelativeError,
    r.seconds,
  ];
}

/**
 * `metrics.csv`: one row per epoch (epoch 0 is the evaluation before any
 * update) with the losses and, for classification, the accuracies or, for
 * regression, the relative errors, the seconds the epoch took, how many
 * parameters the projection held at a bound, the edges broken since the row
 * before (with `training.damage`), and one `diag_<name>` column per
 * diagnostic of the error mechanism (its largest value over the epoch).
 */
export function metricsCsv(rows: readonly EpochRow[], classification: boolean, options: MetricsOptions = {}): string {
  const keys = diagnosticKeys(rows);
  return [metricsHeader(keys, classification, options), ...rows.map((r) => metricsLine(r, keys, classification, options))].join('\n') + '\n';
}

/** The diagnostics any of the rows reports, sorted: one `diag_<name>` column each (of `metrics.csv`, and of a comparison's tables). */
export function diagnosticKeys(rows: readonly { readonly diagnostics?: Readonly<Record<string, number>> }[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.diagnostics ?? {})))].sort();
}

/** The header line of `metrics.csv` with the diagnostics `keys` (no line end). */
export function metricsHeader(keys: readonly string[], classification: boolean, options: MetricsOptions = {}): string {
  return [...metricColumns(classification), 'clamped', ...(options.damage ? ['damaged'] : []), ...keys.map((k) => `diag_${k}`), ...(options.physical ? PHYSICAL_COLUMNS : [])].join(',');
}

/** One row of `metrics.csv` under the diagnostics `keys` (no line end). */
export function metricsLine(r: EpochRow, keys: readonly string[], classification: boolean, options: MetricsOptions = {}): string {
  const physical = options.physical ? [r.physicalSeconds, r.physicalSecondsTotal, r.energy, r.energyTotal] : [];
  return [...metricValues(r, classification), r.clamped, ...(options.damage ? [r.damaged ?? 0] : []), ...keys.map((k) => r.diagnostics?.[k]), ...physical].map(csvField).join(',');
}

/** One run's epochs that carry a fidelity measurement, named for `fidelityCsv`. */
export interface FidelityRun {
  readonly mechanism: string;
  readonly seed: number;
  readonly history: readonly { readonly epoch: number; readonly fidelity?: FidelityFigures }[];
}

/**
 * `fidelity.csv`: one row per run and measured epoch (`training.fidelity`),
 * the mechanism's estimate against the exact gradient at that epoch's
 * parameters: the mean cosine and relative error over the examples and
 * repeats, the bias (the error of the mean of the repeats) and the rms
 * spread of the repeats about their mean, both relative to the exact
 * gradient's norm (empty for a single repeat).
 */
export function fidelityCsv(runs: readonly FidelityRun[]): string {
  const lines = runs.flatMap((run) =>
    run.history.flatMap((e) =>
      e.fidelity
        ? [[e.epoch, run.mechanism, run.seed, e.fidelity.cosine, e.fidelity.relativeError, e.fidelity.bias, e.fidelity.varianceRms, e.fidelity.examples, e.fidelity.repeats].map(csvField).join(',')]
        : [],
    ),
  );
  return ['epoch,mechanism,seed,cosine,relative_error,bias,variance_rms,examples,repeats', ...lines].join('\n') + '\n';
}

/** `parameters.csv`: one row per trainable parameter. */
export function parametersCsv(names: readonly string[], values: ArrayLike<number>): string {
  return ['name,value', ...names.map((n, k) => `${csvField(n)},${csvField(values[k])}`)].join('\n') + '\n';
}
