import {
  type ActivationMechanism,
  type ErrorMechanism,
  type Example,
  type GradientPipeline,
  type LearningRule,
  type Rng,
  type Substrate,
  type Task,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  productRule,
} from '@multimech/core';

/** What a fidelity measurement uses of a trainer's parts. */
export interface FidelityParts {
  readonly substrate: Substrate;
  readonly task: Task;
  readonly activation: ActivationMechanism;
  readonly error: ErrorMechanism;
  readonly rule: LearningRule;
  readonly rng: Rng;
}

/** When and how a trainer measures its mechanism's fidelity during training (`training.fidelity`). */
export interface FidelitySettings {
  /** Every this many epochs, epoch 0 (the initial parameters) included. */
  readonly every: number;
  /** The first this many training examples. */
  readonly examples: number;
  /** Measurements of each example, for the split into bias and variance. */
  readonly repeats: number;
}

/**
 * A mechanism's estimate against the exact gradient at the current
 * parameters, averaged over examples (those whose exact gradient is not
 * zero). With g* the exact gradient of an example and g₁ … g_R its
 * mechanism's repeated estimates, ḡ their mean, everything relative to ‖g*‖:
 *
 * - `cosine`: the mean of cos(g_r, g*) (an estimate of exactly zero has no
 *   direction and counts as 0);
 * - `relativeError`: the mean of ‖g_r − g*‖/‖g*‖;
 * - `bias`: ‖ḡ − g*‖/‖g*‖, the error of the mean of the repeats (for a
 *   noiseless mechanism, whose repeats agree, its relative error);
 * - `varianceRms`: √(mean_r ‖g_r − ḡ‖²)/‖g*‖, the spread of the repeats
 *   about their mean (0 for a noiseless mechanism; absent for one repeat).
 *
 * Per example, the mean of ‖g_r − g*‖² is bias² + varianceRms² (times
 * ‖g*‖²): the split is exact.
 */
export interface FidelityFigures {
  readonly cosine: number;
  readonly relativeError: number;
  readonly bias: number;
  readonly varianceRms?: number;
  /** Examples averaged over. */
  readonly examples: number;
  readonly repeats: number;
}

/**
 * The fidelity of a trainer's mechanism (its own activation, error and
 * rule) at the substrate's current parameters, on `examples`, each measured
 * `repeats` times against the exact gradient on the same substrate (DC
 * activation, adjoint error, product rule). Noise draws from the parts'
 * generators as training does; a caller that must not shift their streams
 * saves and restores them (the trainer does). Undefined when no example has
 * a non-zero exact gradient.
 */
export function measureFidelity(
  parts: FidelityParts,
  examples: readonly Example[],
  repeats = 1,
): FidelityFigures | undefined {
  const { substrate, task, rng } = parts;
  const estimate: GradientPipeline = { substrate, activation: parts.activation, error: parts.error, rule: parts.rule, loss: task.loss, rng };
  const exact: GradientPipeline = { substrate, activation: dcActivation, error: adjointError, rule: productRule, loss: task.loss, rng };
  let cosine = 0;
  let relativeError = 0;
  let bias = 0;
  let spread = 0;
  let n = 0;
  for (const ex of examples) {
    const drive = substrate.drive(ex.inputs);
    const reference = exampleGradient(exact, drive, ex.target).gradient;
    if (!reference.some((x) => x !== 0)) continue;
    let norm2 = 0;
    for (const x of reference) norm2 += x * x;
    const mean = new Float64Array(reference.length);
    const estimates: Float64Array[] = [];
    for (let r = 0; r < repeats; r++) {
      const g = exampleGradient(estimate, drive, ex.target).gradient;
      const f = fidelity(g, reference);
      // an estimate of exactly zero has no direction: it counts as orthogonal
      cosine += (g.some((x) => x !== 0) ? f.cosine : 0) / repeats;
      relativeError += f.relativeError / repeats;
      for (let k = 0; k < g.length; k++) mean[k] += g[k] / repeats;
      estimates.push(g);
    }
    bias += repeats === 1 ? fidelity(estimates[0], reference).relativeError : fidelity(mean, reference).relativeError;
    let s2 = 0;
    for (const g of estimates) for (let k = 0; k < g.length; k++) s2 += (g[k] - mean[k]) ** 2;
    spread += Math.sqrt(s2 / repeats / norm2);
    n++;
  }
  if (n === 0) return undefined;
  return { cosine: cosine / n, relativeError: relativeError / n, bias: bias / n, ...(repeats > 1 ? { varianceRms: spread / n } : {}), examples: n, repeats };
}
