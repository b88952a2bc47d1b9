import {
  LEARNING_RATE_RULE,
  type LearningRateCandidate,
  type LearningRateTrial,
  type ResolvedComparison,
  chooseLearningRate,
  comparisonExperimentConfig,
  selectionExperimentConfig,
} from '@multimech/trainer';
import type { ComparisonJob, ComparisonJobResult } from './comparison-job';

/** What a comparison's learning-rate selection chose, and on what figures: `summary.json`'s `learningRates`. */
export interface LearningRateReport {
  /** The rule the rates were chosen by (`LEARNING_RATE_RULE`). */
  readonly rule: string;
  readonly grid: readonly number[];
  /** The fraction of the training examples held out to choose on. */
  readonly validation: number;
  /** Epochs of each selection run. */
  readonly epochs: number;
  /** Per mechanism, in the config's order: the rate chosen and every candidate's validation figures (means over the seeds). */
  readonly mechanisms: readonly { readonly mechanism: string; readonly rate: number; readonly candidates: readonly LearningRateCandidate[] }[];
}

/**
 * The selection runs of a comparison with `learningRates`: every mechanism
 * at every rate of the grid from every seed, each trained on the training
 * examples left after its validation split and scored on that split. The
 * test split is not part of these runs (`createExperiment`'s `validation`).
 */
export function learningRateJobs(resolved: ResolvedComparison, baseDir: string, source: string): ComparisonJob[] {
  const selection = resolved.learningRates;
  if (!selection) return [];
  const { config, seeds } = resolved;
  return config.mechanisms.flatMap((m, i) =>
    selection.grid.flatMap((rate) =>
      seeds.map((seed) => ({
        mechanism: `${m.name} @ ${rate}`,
        mechanismIndex: i,
        seed,
        config: selectionExperimentConfig(config, i, seed, rate, selection),
        baseDir,
        source,
        validation: selection.validation,
      })),
    ),
  );
}

/** The rate each mechanism gets (`chooseLearningRate`) from the selection runs' results, in the order of `learningRateJobs`. */
export function learningRateReport(resolved: ResolvedComparison, jobs: readonly ComparisonJob[], results: readonly ComparisonJobResult[], epochs: number): LearningRateReport {
  const selection = resolved.learningRates!;
  const grid = selection.grid;
  const mechanisms = resolved.config.mechanisms.map((m, i) => {
    const trials: LearningRateTrial[] = [];
    jobs.forEach((job, j) => {
      if (job.mechanismIndex !== i) return;
      const r = results[j];
      const last = r.history[r.history.length - 1];
      const rate = (job.config.optimizer as { learningRate: number }).learningRate;
      trials.push(
        r.failure !== undefined || !last
          ? { rate, seed: job.seed, validationLoss: Infinity, failure: r.failure ?? 'no epoch' }
          : { rate, seed: job.seed, validationLoss: last.testLoss, ...(last.testAccuracy !== undefined ? { validationAccuracy: last.testAccuracy } : {}) },
      );
    });
    const choice = chooseLearningRate(trials);
    return { mechanism: m.name, rate: choice.rate, candidates: choice.candidates };
  });
  return { rule: LEARNING_RATE_RULE, grid, validation: selection.validation, epochs: selection.epochs ?? epochs, mechanisms };
}

/** The comparison's runs with each mechanism's chosen rate in its optimizer: the runs that see the test split, once, at the end. */
export function withChosenRates(resolved: ResolvedComparison, jobs: readonly ComparisonJob[], report: LearningRateReport): ComparisonJob[] {
  return jobs.map((job) => ({ ...job, config: comparisonExperimentConfig(resolved.config, job.mechanismIndex, job.seed, report.mechanisms[job.mechanismIndex].rate) }));
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** comparison.md's section on the learning rates: the rule, the rate chosen per mechanism and each candidate's validation figures. */
export function learningRateMarkdown(report: LearningRateReport): string {
  const shown = (x: number | undefined, digits = 4) => (x === undefined ? '' : Number.isFinite(x) ? x.toPrecision(digits) : 'failed');
  const accuracy = report.mechanisms.some((m) => m.candidates.some((c) => c.validationAccuracy !== undefined));
  const lines = [
    '## Learning rates, chosen on a validation split',
    '',
    `Each mechanism's learning rate was chosen from ${report.grid.join(', ')} on ${Math.round(report.validation * 100)}% of the training ` +
      `examples held out (${report.epochs} epochs per run, every seed): ${report.rule}. The test split was used only by the runs above, with the rates chosen.`,
    '',
    '| mechanism | rate chosen |',
    '|---|---|',
    ...report.mechanisms.map((m) => `| ${cell(m.mechanism)} | ${m.rate} |`),
    '',
    `| mechanism | rate | validation loss${accuracy ? ' | validation accuracy' : ''} | failed runs |`,
    `|---|---|---|${accuracy ? '---|' : ''}---|`,
    ...report.mechanisms.flatMap((m) =>
      m.candidates.map((c) => `| ${cell(m.mechanism)} | ${c.rate} | ${shown(c.validationLoss)}${accuracy ? ` | ${shown(c.validationAccuracy)}` : ''} | ${c.failed} |`),
    ),
    '',
  ];
  return lines.join('\n');
}
