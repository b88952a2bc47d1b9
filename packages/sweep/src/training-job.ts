import { NumericalError, type MultimechPlugin } from '@multimech/core';
import { createExperiment, type EpochEvent, type TrainingPhysicalCost, type TrainingResult, type TrainingSummary } from '@multimech/trainer';

/**
 * One training run as plain data, so that it can be posted to a worker
 * thread or put on a queue: an experiment config, its seed, and where its
 * relative paths are read from.
 */
export interface TrainingJob {
  readonly seed: number;
  /** The run's experiment config. */
  readonly config: Record<string, unknown>;
  /** Folder that relative paths in the config are read from. */
  readonly baseDir: string;
  /** The config file the run comes from, for messages. */
  readonly source?: string;
  /** A learning-rate selection run: this fraction of the training examples is the split it is scored on, in place of the test split (`createExperiment`'s `validation`). */
  readonly validation?: number;
}

/** What one run gives back: its history (epoch 0 first), its summary and its mean seconds per training epoch. */
export interface RunResult {
  readonly history: readonly EpochEvent[];
  readonly summary: TrainingSummary;
  readonly secondsPerEpoch: number;
  /** What its updates cost physically (time, energy, equilibria), where the mechanism reports it; per epoch in `history`. */
  readonly physicalCost?: TrainingPhysicalCost;
  /** A selection run (`validation`) that failed numerically, a rate that diverges: why (its history is empty). */
  readonly failure?: string;
}

/**
 * Trains one run with the plugins the caller gives (the command line passes
 * its own and those the config's `plugins` list names). Seeded: the same job
 * gives the same numbers (all but the seconds) in any thread, process or
 * machine.
 */
export function trainJob(job: TrainingJob, plugins: readonly MultimechPlugin[], onEpoch?: (event: EpochEvent) => void): RunResult {
  const { trainer } = createExperiment(job.config, plugins, {
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
    // a learning-rate selection run whose rate diverges is a result, not the end of the comparison
    if (job.validation === undefined || !(e instanceof NumericalError)) throw e;
    return { history: [], summary: { final_loss: Infinity, epochs: 0, seconds: 0 }, secondsPerEpoch: 0, failure: e.message };
  }
  const { history, summary, physicalCost } = result;
  const trained = history.slice(1);
  const secondsPerEpoch = trained.length > 0 ? trained.reduce((s, e) => s + e.seconds, 0) / trained.length : 0;
  return { history, summary, secondsPerEpoch, ...(physicalCost ? { physicalCost } : {}) };
}
