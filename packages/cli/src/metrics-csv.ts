import type { EpochFigures } from './progress-display';

/** An epoch's figures, how long its training steps took, and what the optimizer and the error mechanism reported. */
export interface EpochRow extends EpochFigures {
  readonly seconds: number;
  readonly clamped?: number;
  readonly diagnostics?: Readonly<Record<string, number>>;
}

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
 * parameters the projection held at a bound, and one `diag_<name>` column per
 * diagnostic of the error mechanism (its largest value over the epoch).
 */
export function metricsCsv(rows: readonly EpochRow[], classification: boolean): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.diagnostics ?? {})))].sort();
  const lines = rows.map((r) => [...metricValues(r, classification), r.clamped, ...keys.map((k) => r.diagnostics?.[k])].map(csvField).join(','));
  return [[...metricColumns(classification), 'clamped', ...keys.map((k) => `diag_${k}`)].join(','), ...lines].join('\n') + '\n';
}

/** `parameters.csv`: one row per trainable parameter. */
export function parametersCsv(names: readonly string[], values: ArrayLike<number>): string {
  return ['name,value', ...names.map((n, k) => `${csvField(n)},${csvField(values[k])}`)].join('\n') + '\n';
}
