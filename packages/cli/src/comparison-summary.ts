import type { ComparisonJobResult } from './comparison-job';
import type { MechanismFidelity } from './comparison-fidelity';
import { csvField, metricColumns, metricValues } from './metrics-csv';

/** A figure over the seeds: its mean and sample standard deviation (n − 1; 0 for one seed). */
export interface SeedStat {
  readonly mean: number;
  readonly std: number;
}

export function seedStat(values: readonly number[]): SeedStat {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std };
}

/** One finished run of a comparison. */
export interface ComparisonRun {
  readonly mechanism: string;
  readonly seed: number;
  readonly result: ComparisonJobResult;
}

/** A mechanism's line of the comparison: its figures over the seeds, and its fidelity at the initial parameters. */
export interface ComparisonSummary {
  readonly mechanism: string;
  readonly runs: number;
  /** Classification. */
  readonly testAccuracy?: SeedStat;
  readonly trainAccuracy?: SeedStat;
  /** Regression: the relative error on the test set. */
  readonly relativeError?: SeedStat;
  /** The final training loss. */
  readonly finalLoss: SeedStat;
  readonly secondsPerEpoch: SeedStat;
  readonly fidelity?: MechanismFidelity;
}

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

/** One summary per mechanism, in the order given, from its runs. */
export function summarizeComparison(
  mechanisms: readonly string[],
  runs: readonly ComparisonRun[],
  fidelity: readonly (MechanismFidelity | undefined)[],
  classification: boolean,
): ComparisonSummary[] {
  return mechanisms.map((mechanism, i) => {
    const mine = runs.filter((r) => r.mechanism === mechanism).map((r) => r.result);
    const figures = classification
      ? {
          testAccuracy: seedStat(defined(mine.map((r) => r.summary.test_accuracy))),
          trainAccuracy: seedStat(defined(mine.map((r) => r.summary.train_accuracy))),
        }
      : { relativeError: seedStat(defined(mine.map((r) => r.summary.relative_error))) };
    return {
      mechanism,
      runs: mine.length,
      ...figures,
      finalLoss: seedStat(mine.map((r) => r.summary.final_loss)),
      secondsPerEpoch: seedStat(mine.map((r) => r.secondsPerEpoch)),
      ...(fidelity[i] ? { fidelity: fidelity[i] } : {}),
    };
  });
}

/** The columns of comparison.csv. */
export function comparisonColumns(classification: boolean): string[] {
  return [
    'mechanism',
    'runs',
    ...(classification ? ['test_accuracy_mean', 'test_accuracy_std', 'train_accuracy_mean'] : ['relative_error_mean', 'relative_error_std']),
    'final_loss_mean',
    'final_loss_std',
    'seconds_per_epoch_mean',
    'seconds_per_epoch_std',
    'fidelity_cosine',
    'fidelity_relative_error',
  ];
}

/** A mechanism's figures keyed by the columns of comparison.csv (undefined: not measured). */
export function comparisonRecord(r: ComparisonSummary, classification: boolean): Record<string, string | number | undefined> {
  const values = [
    r.mechanism,
    r.runs,
    ...(classification ? [r.testAccuracy?.mean, r.testAccuracy?.std, r.trainAccuracy?.mean] : [r.relativeError?.mean, r.relativeError?.std]),
    r.finalLoss.mean,
    r.finalLoss.std,
    r.secondsPerEpoch.mean,
    r.secondsPerEpoch.std,
    r.fidelity?.cosine,
    r.fidelity?.relativeError,
  ];
  return Object.fromEntries(comparisonColumns(classification).map((c, i) => [c, values[i]]));
}

/** comparison.csv: a row per mechanism (fidelity cells empty when it could not be measured). */
export function comparisonCsv(rows: readonly ComparisonSummary[], classification: boolean): string {
  const columns = comparisonColumns(classification);
  const lines = rows.map((r) => {
    const record = comparisonRecord(r, classification);
    return columns.map((c) => csvField(record[c])).join(',');
  });
  return [columns.join(','), ...lines].join('\n') + '\n';
}

/** runs.csv: the raw histories, one row per mechanism × seed × epoch (epoch 0 being the evaluation before training). */
export function runsCsv(runs: readonly ComparisonRun[], classification: boolean): string {
  const lines: string[] = [];
  for (const run of runs) {
    for (const e of run.result.history) lines.push([run.mechanism, run.seed, ...metricValues(e, classification)].map(csvField).join(','));
  }
  return [['mechanism', 'seed', ...metricColumns(classification)].join(','), ...lines].join('\n') + '\n';
}
