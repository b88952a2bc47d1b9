import { significant, type DiagnosticSpec } from '@multimech/core';
import { DEFAULT_TARGET_LOSS, type EpochEvent, type TargetLoss } from '@multimech/trainer';
import type { ComparisonJobResult } from './comparison-job';
import type { MechanismFidelity } from './comparison-fidelity';
import { diagnosticWarnings, worstDiagnostics } from './diagnostic-warnings';
import { csvField, diagnosticKeys, metricColumns, metricValues } from './metrics-csv';
import { PairedComparison, pairedComparison } from './paired-statistics';

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

/**
 * A run learned when its training loss fell by at least this fraction of its
 * initial (epoch 0) value; a smaller fall, a rise, or a loss that is not a
 * number is warned about and marked in the table.
 */
export const LEARNING_FRACTION = 0.01;

/** The training loss a run with this history is timed to: `fraction` of its epoch-0 loss, or the `value`. */
export function targetLossOf(history: readonly Pick<EpochEvent, 'trainLoss'>[], target: TargetLoss): number {
  return target.value !== undefined ? target.value : target.fraction * (history[0]?.trainLoss ?? NaN);
}

/** The first epoch whose training loss is at or below the target loss; Infinity when none is. */
export function epochsToTarget(history: readonly Pick<EpochEvent, 'epoch' | 'trainLoss'>[], target: TargetLoss): number {
  const goal = targetLossOf(history, target);
  return history.find((e) => e.trainLoss <= goal)?.epoch ?? Infinity;
}

/** Whether the training loss fell from the first epoch of `history` to its last by at least LEARNING_FRACTION of its first value. */
export function learned(history: readonly Pick<EpochEvent, 'trainLoss'>[]): boolean {
  const initial = history[0]?.trainLoss;
  const final = history[history.length - 1]?.trainLoss;
  return initial !== undefined && final !== undefined && final < (1 - LEARNING_FRACTION) * initial;
}

/** A figure a mechanism is compared on, seed by seed, against the reference. */
export interface PairedMetric {
  /** The stem of its columns in comparison.csv: `test_accuracy`, `relative_error`, `final_loss`, `epochs_to_target`. */
  readonly key: string;
  /** Its name in sentences and tables: `test accuracy`. */
  readonly label: string;
  readonly higherIsBetter: boolean;
  /** The mechanism minus the reference, over the seeds both ran. */
  readonly comparison: PairedComparison;
}

/** A run whose training loss did not fall (see LEARNING_FRACTION). */
export interface FlatRun {
  readonly seed: number;
  readonly initial: number;
  readonly final: number;
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
  /** The epochs to the target loss: the mean over the runs that reached it (absent when none did), and how many did. */
  readonly epochsToTarget?: { readonly mean?: number; readonly reached: number };
  /** The runs whose training loss did not fall; empty when every run learned. */
  readonly notLearning?: readonly FlatRun[];
  /** The warning those runs call for (`warning: <mechanism> ...`), when there are any. */
  readonly learningWarning?: string;
  /** The mechanism this one is compared with (the comparison's reference). */
  readonly reference?: string;
  /** Against the reference, seed by seed: the task's figure, the final loss, the epochs to the target loss. Absent for the reference itself. */
  readonly paired?: readonly PairedMetric[];
}

/** How the mechanisms are compared with each other. */
export interface ComparisonOptions {
  /** The mechanism the others are compared with, seed by seed (default: the first). */
  readonly reference?: string;
  /** The target loss the runs are timed to (default: half the initial loss). */
  readonly targetLoss?: TargetLoss;
}

/** What the runs of a mechanism that did not learn call for. */
export function learningWarning(mechanism: string, flat: readonly FlatRun[], runs: number): string | undefined {
  if (flat.length === 0) return undefined;
  const seeds = flat.map((f) => f.seed);
  const each = flat.map((f) => `seed ${f.seed}: ${significant(f.initial, 4)} → ${significant(f.final, 4)}`).join('; ');
  return (
    `warning: ${mechanism} (${seeds.length === 1 ? 'seed' : 'seeds'} ${seeds.join(', ')}): the training loss did not fall in ${flat.length} of ${runs} runs (${each}; ` +
    `a fall of less than ${LEARNING_FRACTION * 100}% of the initial loss counts as none): look at the learning rate and the mechanism's settings`
  );
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
  options: ComparisonOptions = {},
): ComparisonSummary[] {
  const reference = options.reference ?? mechanisms[0];
  const target = options.targetLoss ?? DEFAULT_TARGET_LOSS;
  const primary = classification
    ? { key: 'test_accuracy', label: 'test accuracy', higherIsBetter: true, pick: (r: ComparisonJobResult) => r.summary.test_accuracy }
    : { key: 'relative_error', label: 'test relative error', higherIsBetter: false, pick: (r: ComparisonJobResult) => r.summary.relative_error };
  const pairedFigures: { key: string; label: string; higherIsBetter: boolean; pick: (r: ComparisonJobResult) => number | undefined }[] = [
    primary,
    { key: 'final_loss', label: 'final loss', higherIsBetter: false, pick: (r) => r.summary.final_loss },
    { key: 'epochs_to_target', label: 'epochs to the target loss', higherIsBetter: false, pick: (r) => epochsToTarget(r.history, target) },
  ];
  const bySeed = (mechanism: string) => new Map(runs.filter((r) => r.mechanism === mechanism).map((r) => [r.seed, r.result]));
  const referenceRuns = bySeed(reference);
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
    const times = mine.map((r) => epochsToTarget(r.history, target)).filter(Number.isFinite);
    const flat: FlatRun[] = runs
      .filter((r) => r.mechanism === mechanism && !learned(r.result.history))
      .map((r) => ({ seed: r.seed, initial: r.result.history[0]?.trainLoss ?? NaN, final: r.result.history[r.result.history.length - 1]?.trainLoss ?? NaN }));
    const warning = learningWarning(mechanism, flat, mine.length);
    // seed by seed against the reference, over the seeds both ran
    const own = bySeed(mechanism);
    const common = [...referenceRuns.keys()].filter((seed) => own.has(seed));
    const paired: PairedMetric[] | undefined =
      mechanism === reference
        ? undefined
        : pairedFigures.flatMap(({ pick, ...figure }) => {
            const values = common.map((seed) => pick(own.get(seed)!));
            const theirs = common.map((seed) => pick(referenceRuns.get(seed)!));
            if (values.some((v) => v === undefined) || theirs.some((v) => v === undefined)) return [];
            return [{ ...figure, comparison: pairedComparison(values as number[], theirs as number[], { higherIsBetter: figure.higherIsBetter }) }];
          });
    return {
      mechanism,
      runs: mine.length,
      ...figures,
      finalLoss: seedStat(mine.map((r) => r.summary.final_loss)),
      secondsPerEpoch: seedStat(mine.map((r) => r.secondsPerEpoch)),
      ...(fidelity[i] ? { fidelity: fidelity[i] } : {}),
      diagnostics: worstDiagnostics(epochs, diagnostics[i]?.specs),
      warnings: diagnosticWarnings(epochs, diagnostics[i]?.specs ?? [], { subject, ...(diagnostics[i]?.at ? { at: diagnostics[i].at } : {}) }),
      epochsToTarget: { ...(times.length > 0 ? { mean: times.reduce((a, b) => a + b, 0) / times.length } : {}), reached: times.length },
      notLearning: flat,
      ...(warning ? { learningWarning: warning } : {}),
      reference,
      ...(paired ? { paired } : {}),
    };
  });
}

/** The stems of the paired columns, in order: the task's figure, the final loss, the epochs to the target loss. */
export function pairedKeys(classification: boolean): string[] {
  return [classification ? 'test_accuracy' : 'relative_error', 'final_loss', 'epochs_to_target'];
}

const PAIRED_SUFFIXES = ['diff', 'diff_low', 'diff_high', 'wins', 'ties', 'losses'];

/**
 * The columns of comparison.csv: the figures, one `diag_<name>` per
 * diagnostic in `diagnostics` (the worst over the seeds), then the epochs to
 * the target loss, the runs that did not learn, and for each paired figure
 * the mean difference to the reference with its interval, and the wins, ties
 * and losses (`test_accuracy_diff`, `..._diff_low`, `..._diff_high`,
 * `..._wins`, `..._ties`, `..._losses`).
 */
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
    'epochs_to_target_mean',
    'epochs_to_target_reached',
    'not_learning',
    ...pairedKeys(classification).flatMap((k) => PAIRED_SUFFIXES.map((suffix) => `${k}_${suffix}`)),
  ];
}

/** A paired figure's cells, in the order of PAIRED_SUFFIXES (all undefined for the reference itself). */
function pairedValues(r: ComparisonSummary, key: string): (number | undefined)[] {
  const c = r.paired?.find((p) => p.key === key)?.comparison;
  if (c === undefined) return PAIRED_SUFFIXES.map(() => undefined);
  return [c.difference?.mean, c.difference?.low, c.difference?.high, c.wins, c.ties, c.losses];
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
    r.epochsToTarget?.mean,
    r.epochsToTarget?.reached,
    r.notLearning?.length,
    ...pairedKeys(classification).flatMap((k) => pairedValues(r, k)),
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
