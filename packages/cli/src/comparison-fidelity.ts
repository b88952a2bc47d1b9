import { type TrainerParts, measureFidelity } from '@multimech/trainer';

/** How close a mechanism's gradient estimate is to the exact gradient, averaged over examples. */
export interface MechanismFidelity {
  /** Mean cosine similarity with the adjoint gradient (1: the same direction). */
  readonly cosine: number;
  /** Mean ‖estimate − exact‖ / ‖exact‖. */
  readonly relativeError: number;
  /** Examples averaged over (those whose exact gradient is not zero). */
  readonly examples: number;
}

/**
 * A mechanism's fidelity at the parameters it is given (the initial ones,
 * in a comparison): on the first `examples` training examples, its estimate
 * (its own activation, error and rule) against the exact gradient on the same
 * substrate (DC activation, adjoint error, product rule). Examples whose exact
 * gradient is zero are left out; undefined when none is left. The trainer's
 * `measureFidelity` with one measurement per example, the measurement the
 * trainer makes during training (`training.fidelity`).
 */
export function mechanismFidelity(
  parts: Pick<TrainerParts, 'substrate' | 'task' | 'activation' | 'error' | 'rule' | 'rng'>,
  examples: number,
): MechanismFidelity | undefined {
  const f = measureFidelity(parts, parts.task.train.slice(0, examples), 1);
  return f && { cosine: f.cosine, relativeError: f.relativeError, examples: f.examples };
}
