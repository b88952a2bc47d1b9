import { COUNT_RANGE, GAIN_RANGE, bounded, numberWhere, positiveInteger, positiveNumber, strictObject } from '@multimech/core';
import * as t from 'io-ts';

/**
 * A comparison's `learningRates`: each mechanism's learning rate chosen
 * from `grid` on a validation split (`validation`, a fraction of the
 * training examples) before the comparison's runs, trained for `epochs`
 * (default: the base's).
 */
export const learningRatesCodec = strictObject(
  'learning-rate selection ({ "grid", "validation", "epochs"? })',
  {
    /** The candidate learning rates. */
    grid: t.array(bounded(positiveNumber, GAIN_RANGE, 'a step is the learning rate times a gradient, and must stay finite'), 'a list of positive learning rates'),
    /** The fraction of the training examples held out to choose on. */
    validation: numberWhere('a number in (0, 1)', (x) => x > 0 && x < 1, { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  {
    /** Epochs of each selection run (default: the comparison's). */
    epochs: bounded(positiveInteger, COUNT_RANGE),
  },
);
export type LearningRatesConfig = t.TypeOf<typeof learningRatesCodec>;

/** A learning-rate selection with its grid in increasing order. */
export interface LearningRateSelection {
  readonly grid: readonly number[];
  readonly validation: number;
  /** Epochs of each selection run; undefined: the comparison's. */
  readonly epochs?: number;
}

/** One selection run: a mechanism trained at `rate` from `seed` on the training examples left after the validation split, scored on that split. */
export interface LearningRateTrial {
  readonly rate: number;
  readonly seed: number;
  /** The validation loss after the last epoch; +∞ for a run that failed numerically (a rate that diverges). */
  readonly validationLoss: number;
  readonly validationAccuracy?: number;
  /** Why the run failed, if it did. */
  readonly failure?: string;
}

/** A candidate rate's figures over the seeds. */
export interface LearningRateCandidate {
  readonly rate: number;
  /** The mean over the seeds of the validation loss after the last epoch (+∞ if any seed failed). */
  readonly validationLoss: number;
  readonly validationAccuracy?: number;
  readonly seeds: number;
  readonly failed: number;
}

/** The rate chosen for a mechanism, and every candidate's figures, in increasing order of rate. */
export interface LearningRateChoice {
  readonly rate: number;
  readonly candidates: readonly LearningRateCandidate[];
}

/**
 * The selection rule, stated once: for each candidate rate, the validation
 * loss after the last epoch of its selection runs, averaged over the seeds
 * (a seed whose run failed numerically counts as +∞); the rate with the
 * lowest mean wins, and a tie goes to the smaller rate. The loss decides
 * rather than the accuracy because it is what every mechanism minimises, it
 * is defined for regression as for classification, and a validation split
 * of a few dozen examples ties often in accuracy.
 */
export const LEARNING_RATE_RULE =
  'the rate with the lowest validation loss after the last epoch, averaged over the seeds (a run that fails numerically counts as +∞; a tie goes to the smaller rate)';

/** Chooses a rate by `LEARNING_RATE_RULE` from one mechanism's selection runs. */
export function chooseLearningRate(trials: readonly LearningRateTrial[]): LearningRateChoice {
  if (trials.length === 0) throw new RangeError('chooseLearningRate: no selection runs');
  const rates = [...new Set(trials.map((r) => r.rate))].sort((a, b) => a - b);
  const candidates = rates.map((rate): LearningRateCandidate => {
    const mine = trials.filter((r) => r.rate === rate);
    const failed = mine.filter((r) => r.failure !== undefined || !Number.isFinite(r.validationLoss)).length;
    const validationLoss = failed > 0 ? Infinity : mine.reduce((s, r) => s + r.validationLoss, 0) / mine.length;
    const accuracies = mine.map((r) => r.validationAccuracy);
    const validationAccuracy = failed === 0 && accuracies.every((a): a is number => a !== undefined) ? accuracies.reduce((s, a) => s + a, 0) / accuracies.length : undefined;
    return { rate, validationLoss, ...(validationAccuracy !== undefined ? { validationAccuracy } : {}), seeds: mine.length, failed };
  });
  let best = candidates[0];
  for (const c of candidates) if (c.validationLoss < best.validationLoss) best = c;
  return { rate: best.rate, candidates };
}
