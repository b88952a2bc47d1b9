import { NumericalError } from '@multimech/core';
import type { EpochEvent, TrainingPhysicalCost, TrainingResult, TrainingSummary } from '@multimech/trainer';
import { createExperiment } from '@multimech/trainer';
import { pluginsFor } from './cli-plugins';

/** One run of a comparison: a mechanism over one seed. Plain data, so that it can be posted to a worker thread. */
export interface ComparisonJob {
  /** The mechanism's name (the `mechanism` column) and its index in the config. */
  readonly mechanism: string;
  readonly mechanismIndex: number;
  readonly seed: number;
  /** The run's experiment config (`comparisonExperimentConfig`). */
  readonly config: Record<string, unknown>;
  /** Folder that relative paths in the config are read from. */
  readonly baseDir: string;
  /** The comparison config's file name, for messages. */
  readonly source?: string;
  /** A learning-rate selection run: this fraction of the training examples is the split it is scored on, in place of the test split (`createExperiment`'s `validation`). */
  readonly validation?: number;
}

/** What one run gives back: its history (epoch 0 first), its summary and its mean seconds per training epoch. */
export interface ComparisonJobResult {
  readonly history: readonly EpochEvent[];
  readonly summary: TrainingSummary;
  readonly secondsPerEpoch: number;
  /** What its updates cost physically (time, energy, equilibria), where the mechanism reports it; per epoch in `history`. */
  readonly physicalCost?: TrainingPhysicalCost;
  /** A selection run (`validation`) that failed numerically, a rate that diverges: why (its history is empty). */
  readonly failure?: string;
}

/**
 * Trains one run with the command line's plugins. Seeded: the same job gives
 * the same numbers (all but the seconds) in the main thread and in a worker.
 */
export function runComparisonJob(job: ComparisonJob, onEpoch?: (event: EpochEvent) => void): ComparisonJobResult {
  const { trainer } = createExperiment(job.config, pluginsFor(job.config, job.baseDir, job.source), {
    seed: job.seed,
    baseDir: job.baseDir,
    source: job.source,
    ...(job.validation !== undefined ? { validation: job.validation } : {}),
  });
  if (onEpoch) trainer.on('epoch', onEpoch);
  let result: TrainingResult;
  try {
    result = trainer.run();
  } catch (e) {
    if (job.validation === undefined || !(e instanceof NumericalError)) throw e;
    return { history: [], summary: { final_loss: Infinity, epochs: 0, seconds: 0 }, secondsPerEpoch: 0, failure: e.message };
  }
  const { history, summary, physicalCost } = result;
  const trained = history.slice(1);
  const secondsPerEpoch = trained.length > 0 ? trained.reduce((s, e) => s + e.seconds, 0) / trained.length : 0;
  return { history, summary, secondsPerEpoch, ...(physicalCost ? { physicalCost } : {}) };
}
