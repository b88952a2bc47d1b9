import type * as t from 'io-ts';
import type { Rng } from '../support/rng';
import type { ResourceLimits, SizeClaim } from '../config/resource-limits';

/** One example: the values of the input ports and the target at the outputs. */
export interface Example {
  readonly inputs: Float64Array;
  readonly target: Float64Array;
  /** Class index, for classification. */
  readonly label?: number;
}

/** A differentiable loss on the output values y. */
export interface Loss {
  readonly kind: string;
  value(y: ArrayLike<number>, target: ArrayLike<number>): number;
  /** ∂C/∂y. */
  gradient(y: ArrayLike<number>, target: ArrayLike<number>): Float64Array;
  /**
   * How the value is scaled over the outputs, when the task names it
   * (`half-sum`: ½ Σ_o, `sum`, `half-mean`: ½ mean_o, `mean`): the trainer
   * reports it with the run's figures (`TrainingSummary.loss_scaling`).
   */
  readonly scaling?: string;
}

/** A data set, its encoding as port values, and its loss. */
export interface Task {
  readonly kind: string;
  readonly inputCount: number;
  /** Whether inputs impose flows (current sources) or potentials (voltage sources). */
  readonly inputType: 'flow' | 'potential';
  readonly inputNames?: readonly string[];
  readonly outputCount: number;
  readonly outputNames?: readonly string[];
  readonly train: readonly Example[];
  readonly test: readonly Example[];
  readonly loss: Loss;
  /** Classification tasks name their classes and predict a class from outputs. */
  readonly classes?: readonly string[];
  predict?(y: ArrayLike<number>): number;
}

export interface TaskRecord<S = unknown> {
  readonly kind: string;
  readonly description: string;
  /** Decodes the section (without `kind`) into settings with every default filled in (core's `withDefaults`). */
  readonly configCodec: t.Type<S, unknown, unknown>;
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  /** What the settings will allocate (examples, data values), counted before the data are made; each claim over its limit is refused at its key. */
  sizes?(settings: S): readonly SizeClaim[];
  create(settings: S, context: { readonly rng: Rng; readonly baseDir: string; readonly limits?: ResourceLimits }): Task;
}
export const TaskRecord = Symbol.for('@multimech/core/TaskRecord');
