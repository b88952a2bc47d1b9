import { GradientPipeline, adjointError, dcActivation, exampleGradient, fidelity, productRule } from '@multimech/core';
import type { TrainerParts } from '@multimech/trainer';

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
 * gradient is zero are left out; undefined when none is left.
 */
export function mechanismFidelity(
  parts: Pick<TrainerParts, 'substrate' | 'task' | 'activation' | 'error' | 'rule' | 'rng'>,
  examples: number,
): MechanismFidelity | undefined {
  const { substrate, task, rng } = parts;
  const estimate: GradientPipeline = { substrate, activation: parts.activation, error: parts.error, rule: parts.rule, loss: task.loss, rng };
  const exact: GradientPipeline = { substrate, activation: dcActivation, error: adjointError, rule: productRule, loss: task.loss, rng };
  let cosine = 0;
  let relativeError = 0;
  let n = 0;
  for (const ex of task.train.slice(0, examples)) {
    const drive = substrate.drive(ex.inputs);
    const g = exampleGradient(estimate, drive, ex.target).gradient;
    const reference = exampleGradient(exact, drive, ex.target).gradient;
    if (!reference.some((x) => x !== 0)) continue;
    const f = fidelity(g, reference);
    // an estimate of exactly zero has no direction: it counts as orthogonal
    cosine += g.some((x) => x !== 0) ? f.cosine : 0;
    relativeError += f.relativeError;
    n++;
  }
  return n > 0 ? { cosine: cosine / n, relativeError: relativeError / n, examples: n } : undefined;
}
