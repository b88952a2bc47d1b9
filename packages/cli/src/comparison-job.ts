import type { EpochEvent, TrainingSummary } from '@multimech/trainer';
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
}

/** What one run gives back: its history (epoch 0 first), its summary and its mean seconds per training epoch. */
export interface ComparisonJobResult {
  readonly history: readonly EpochEvent[];
  readonly summary: TrainingSummary;
  readonly secondsPerEpoch: number;
}

/**
 * Trains one run with the command line's plugins. Seeded: the same job gives
 * the same numbers (all but the seconds) in the main thread and in a worker.
 */
export function runComparisonJob(job: ComparisonJob, onEpoch?: (event: EpochEvent) => void): ComparisonJobResult {
  const { trainer } = createExperiment(job.config, pluginsFor(job.config, job.baseDir, job.source), { seed: job.seed, baseDir: job.baseDir, source: job.source });
  if (onEpoch) trainer.on('epoch', onEpoch);
  const { history, summary } = trainer.run();
  const trained = history.slice(1);
  const secondsPerEpoch = trained.length > 0 ? trained.reduce((s, e) => s + e.seconds, 0) / trained.length : 0;
  return { history, summary, secondsPerEpoch };
}
