import type { DiagnosticSpec } from '@multimech/core';
import type { ComparisonJobResult } from './comparison-job';
import type { MechanismFidelity } from './comparison-fidelity';
import { diagnosticWarnings, worstDiagnostics } from './diagnostic-warnings';
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
  /** The error mechanism's diagnostics, each its worst value over every seed and epoch (see `worstDiagnostics`); empty when it reports none. */
  readonly diagnostics: Readonly<Record<string, number>>;
  /** What those diagnostics say went physically wrong (`diagnosticWarnings` over every seed's epochs), each line naming the mechanism. */
  readonly warnings: readonly string[];
}

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

/** One summary per mechanism, in the order given, from its runs. */
export function summarizeComparison(
  mechanisms: readonly string[],
  runs: readonly ComparisonRun[],
  fidelity: readonly (MechanismFidelity | undefined)[],
  classification: boolean,
  /** Each mechanism's declared diagnostics (its error record's), and where its settings are shown. */
  diagnostics: readonly { readonly specs: readonly DiagnosticSpec[]; readonly at?: (key: string) => string }[] = [],
): ComparisonSummary[] {
  return mechanisms.map((mechanism, i) => {
    const mine = runs.filter((r) => r.mechanism === mechanism).map((r) => r.result);
    const figures = classification
      ? {
          testAccuracy: seedStat(defined(mine.map((r) => r.summary.test_accuracy))),
          trainAccuracy: seedStat(defined(mine.map((r) => r.summary.train_accuracy))),
        }
      : { relativeError: seedStat(defined(mine.map((r) => r.summary.relative_error))) };
    const epochs = mine.flatMap((r) => r.history);
    const seeds = runs.filter((r) => r.mechanism === mechanism).map((r) => r.seed);
    const subject = `${mechanism} (${seeds.length === 1 ? `seed ${seeds[0]}` : `worst of seeds ${seeds.join(', ')}`})`;
    return {
      mechanism,
      runs: mine.length,
      ...figures,
      finalLoss: seedStat(mine.map((r) => r.summary.final_loss)),
      secondsPerEpoch: seedStat(mine.map((r) => r.secondsPerEpoch)),
      ...(fidelity[i] ? { fidelity: fidelity[i] } : {}),
      diagnostics: worstDiagnostics(epochs, diagnostics[i]?.specs),
      warnings: diagnosticWarnings(epochs, diagnostics[i]?.specs ?? [], { subject, ...(diagnostics[i]?.at ? { at: diagnostics[i].at } : {}) }),
    };
  });
}

/** The diagnostics any of the rows reports, sorted: one `diag_<name>` column each. */
export function diagnosticKeys(rows: readonly { readonly diagnostics: Readonly<Record<string, number>> }[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.diagnostics)))].sort();
}

/** The columns of comparison.csv: the figures, then one `diag_<name>` per diagnostic in `diagnostics` (the worst over the seeds). */
export function comparisonColumns(classification: boolean, diagnostics: readonly string[] = []): string[] {
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
    ...diagnostics.map((k) => `diag_${k}`),
  ];
}

/** A mechanism's figures keyed by the columns of comparison.csv (undefined: not measured). */
export function comparisonRecord(r: ComparisonSummary, classification: boolean, diagnostics: readonly string[] = []): Record<string, string | number | undefined> {
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
    ...diagnostics.map((k) => r.diagnostics[k]),
  ];
  return Object.fromEntries(comparisonColumns(classification, diagnostics).map((c, i) => [c, values[i]]));
}

/**
 * comparison.csv: a row per mechanism (fidelity cells empty when it could
 * not be measured), with a `diag_<name>` column per diagnostic any
 * mechanism reports, its worst value over the seeds and epochs (empty for a
 * mechanism that does not report it).
 */
export function comparisonCsv(rows: readonly ComparisonSummary[], classification: boolean): string {
  const keys = diagnosticKeys(rows);
  const columns = comparisonColumns(classification, keys);
  const lines = rows.map((r) => {
    const record = comparisonRecord(r, classification, keys);
    return columns.map((c) => csvField(record[c])).join(',');
  });
  return [columns.join(','), ...lines].join('\n') + '\n';
}

/**
 * runs.csv: the raw histories, one row per mechanism × seed × epoch (epoch 0
 * being the evaluation before training), with a `diag_<name>` column per
 * diagnostic any run reports: its worst value over that epoch's training
 * examples, as in train's metrics.csv (empty at epoch 0 and where a
 * mechanism does not report it).
 */
export function runsCsv(runs: readonly ComparisonRun[], classification: boolean): string {
  const keys = [...new Set(runs.flatMap((r) => r.result.history.flatMap((e) => Object.keys(e.diagnostics ?? {}))))].sort();
  const lines: string[] = [];
  for (const run of runs) {
    for (const e of run.result.history) {
      lines.push([run.mechanism, run.seed, ...metricValues(e, classification), ...keys.map((k) => e.diagnostics?.[k])].map(csvField).join(','));
    }
  }
  return [['mechanism', 'seed', ...metricColumns(classification), ...keys.map((k) => `diag_${k}`)].join(','), ...lines].join('\n') + '\n';
}
