import { MultimechError, NumericalError, type MultimechPlugin } from '@multimech/core';
import {
  Trainer,
  checkCheckpoint,
  createExperiment,
  type EpochEvent,
  type TrainerCheckpoint,
  type TrainingPhysicalCost,
  type TrainingResult,
  type TrainingSummary,
} from '@multimech/trainer';

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
  /** The checkpoint of this run stopped earlier (`RunResult.stopped`): the run continues from it, to the numbers of an uninterrupted run. */
  readonly checkpoint?: unknown;
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
  /**
   * The run was asked to stop (`stop`) before its last epoch: its checkpoint
   * after the last whole epoch, to continue from (`TrainingJob.checkpoint`);
   * the history and summary are those so far. Not a finished run.
   */
  readonly stopped?: TrainerCheckpoint;
}

/** The trainer of a job, continued from its checkpoint when it has one (checked whole first: a damaged one fails the run, naming the key). */
function jobTrainer(job: TrainingJob, plugins: readonly MultimechPlugin[], onEpoch?: (event: EpochEvent) => void): Trainer {
  const { trainer } = createExperiment(job.config, plugins, {
    seed: job.seed,
    baseDir: job.baseDir,
    source: job.source,
    ...(job.validation !== undefined ? { validation: job.validation } : {}),
  });
  if (job.checkpoint !== undefined) {
    try {
      trainer.restore(checkCheckpoint(job.checkpoint, trainer.parts));
    } catch (e) {
      if (e instanceof MultimechError) throw new MultimechError(`its checkpoint: ${e.message}`);
      throw e;
    }
  }
  if (onEpoch) trainer.on('epoch', onEpoch);
  return trainer;
}

/** What a job gives back from its trainer's result (or its failure, for a selection run). */
function jobResult(job: TrainingJob, trainer: Trainer, run: () => TrainingResult): RunResult;
function jobResult(job: TrainingJob, trainer: Trainer, run: () => Promise<TrainingResult>): Promise<RunResult>;
function jobResult(job: TrainingJob, trainer: Trainer, run: () => TrainingResult | Promise<TrainingResult>): RunResult | Promise<RunResult> {
  const failed = (e: unknown): RunResult => {
    // a learning-rate selection run whose rate diverges is a result, not the end of the comparison
    if (job.validation === undefined || !(e instanceof NumericalError)) throw e;
    return { history: [], summary: { final_loss: Infinity, epochs: 0, seconds: 0 }, secondsPerEpoch: 0, failure: e.message };
  };
  const done = (result: TrainingResult): RunResult => {
    const { history, summary, physicalCost } = result;
    const trained = history.slice(1);
    const secondsPerEpoch = trained.length > 0 ? trained.reduce((s, e) => s + e.seconds, 0) / trained.length : 0;
    return { history, summary, secondsPerEpoch, ...(physicalCost ? { physicalCost } : {}), ...(result.stopped ? { stopped: trainer.checkpoint() } : {}) };
  };
  let pending: TrainingResult | Promise<TrainingResult>;
  try {
    pending = run();
  } catch (e) {
    return failed(e);
  }
  return pending instanceof Promise ? pending.then(done, failed) : done(pending);
}

/**
 * Trains one run with the plugins the caller gives (the command line passes
 * its own and those the config's `plugins` list names), from its checkpoint
 * when it has one, until `stop` says so (then its result is `stopped`, with
 * the checkpoint). Seeded: the same job gives the same numbers (all but the
 * seconds) in any thread, process or machine, interrupted or not.
 */
export function trainJob(job: TrainingJob, plugins: readonly MultimechPlugin[], onEpoch?: (event: EpochEvent) => void, stop?: () => boolean): RunResult {
  const trainer = jobTrainer(job, plugins, onEpoch);
  return jobResult(job, trainer, () => trainer.run({ stop }));
}

/** `trainJob`, giving the event loop a turn after every step (so that a signal handler of this thread can ask `stop`). */
export async function trainJobAsync(job: TrainingJob, plugins: readonly MultimechPlugin[], onEpoch?: (event: EpochEvent) => void, stop?: () => boolean): Promise<RunResult> {
  const trainer = jobTrainer(job, plugins, onEpoch);
  return jobResult(job, trainer, () => trainer.runAsync({ stop }));
}
