import type { ActivationMechanism } from '../contracts/activation-mechanism';
import { outputPortProblems, type Boundary, type Drive } from '../contracts/boundary';
import type { ErrorMechanism, PhysicalCost } from '../contracts/error-mechanism';
import type { StateLoss } from '../contracts/nudged-states';
import { MultimechError, NumericalError, assertFinite } from '../support/errors';
import type { LearningRule } from '../contracts/learning-rule';
import type { Rng } from '../support/rng';
import type { Substrate } from '../contracts/substrate';
import type { Loss } from '../contracts/task';

/** The four parts that turn one example into a gradient estimate. */
export interface GradientPipeline {
  readonly substrate: Substrate;
  readonly activation: ActivationMechanism;
  readonly error: ErrorMechanism;
  readonly rule: LearningRule;
  readonly loss: Loss;
  readonly rng: Rng;
}

export interface ExampleGradient {
  /** Loss at the free state. */
  readonly loss: number;
  /** Outputs at the free state. */
  readonly outputs: Float64Array;
  /** Estimate of dC/dθ per parameter. */
  readonly gradient: Float64Array;
  readonly diagnostics?: Readonly<Record<string, number>>;
  /** What the error mechanism's measurement cost physically, as it reported it. */
  readonly cost?: PhysicalCost;
}

/** The loss as a function of a state, through the substrate's readout. */
export function stateLoss(substrate: Substrate, loss: Loss, target: ArrayLike<number>): StateLoss {
  return {
    evaluate(state) {
      const y = substrate.readout(state);
      return { value: loss.value(y, target), force: substrate.outputForce(state, loss.gradient(y, target)) };
    },
  };
}

/** What `outputsLearnable` found for a boundary: the message, or null when its outputs are fine. */
const outputVerdicts = new WeakMap<Boundary, string | null>();

/**
 * Refuses a one-value-per-node substrate (`scalar-potential`) whose loss
 * reads an output its boundary holds (a ground or source-held node, a
 * difference of two held nodes, an output given twice): no update can
 * bring it to a target, so a run would train a loss it can never reduce.
 * Builders that read outputs by name refuse these earlier, in their terms;
 * this is the check every learning path passes (once per boundary).
 */
function outputsLearnable(substrate: Substrate): void {
  if (!substrate.capabilities.has('scalar-potential')) return;
  let verdict = outputVerdicts.get(substrate.boundary);
  if (verdict === undefined) {
    const [first] = outputPortProblems(substrate.boundary, substrate.graph.nodeNames);
    verdict = first ? `output ${first.message}` : null;
    outputVerdicts.set(substrate.boundary, verdict);
  }
  if (verdict !== null) throw new MultimechError(verdict);
}

/**
 * One example through the pipeline: activation, error force at the free
 * state, error mechanism, rule. Used by the trainer, the `gradient` command
 * and the fidelity measurements alike. A scalar network whose outputs its
 * boundary holds is refused first (`outputsLearnable`).
 */
export function exampleGradient(p: GradientPipeline, drive: Drive, target: ArrayLike<number>): ExampleGradient {
  outputsLearnable(p.substrate);
  const activation = p.activation.activate(p.substrate, drive);
  const lossOfState = stateLoss(p.substrate, p.loss, target);
  const { value, force } = lossOfState.evaluate(activation.state);
  if (!Number.isFinite(value)) throw new NumericalError(`loss is not finite (${value}) at the free state`);
  const error = p.error.measure({ substrate: p.substrate, activation, errorForce: force, loss: lossOfState, rng: p.rng });
  const gradient = p.rule.gradient(p.substrate, activation, error);
  assertFinite(gradient, `gradient estimate of error mechanism '${p.error.kind}'`, p.substrate.parameterNames);
  return { loss: value, outputs: p.substrate.readout(activation.state), gradient, diagnostics: error.diagnostics, ...(error.cost ? { cost: error.cost } : {}) };
}

/** Loss at the equilibrium under a drive. */
export function equilibriumLoss(substrate: Substrate, drive: Drive, loss: Loss, target: ArrayLike<number>): number {
  return loss.value(substrate.readout(substrate.equilibrium(drive)), target);
}

/**
 * Central finite differences of the equilibrium loss in every parameter,
 * with a relative step `h` (θ_k ± h·|θ_k|; ± h·1e-12 for a zero θ_k).
 * Restores the parameters.
 */
export function centralDifferenceGradient(
  substrate: Substrate,
  drive: Drive,
  loss: Loss,
  target: ArrayLike<number>,
  h = 1e-5,
): Float64Array {
  const theta = Float64Array.from(substrate.parameters);
  const g = new Float64Array(theta.length);
  const probe = Float64Array.from(theta);
  try {
    for (let k = 0; k < theta.length; k++) {
      // relative to θ_k itself, so that θ_k − step keeps its sign however small θ_k is (a 2 PΩ resistor is 5e-16 S)
      const step = h * (theta[k] !== 0 ? Math.abs(theta[k]) : 1e-12);
      probe[k] = theta[k] + step;
      substrate.setParameters(probe);
      const up = equilibriumLoss(substrate, drive, loss, target);
      probe[k] = theta[k] - step;
      substrate.setParameters(probe);
      const down = equilibriumLoss(substrate, drive, loss, target);
      probe[k] = theta[k];
      g[k] = (up - down) / (2 * step);
    }
  } finally {
    substrate.setParameters(theta);
  }
  return g;
}

/**
 * The finite-difference reference: central differences at relative steps h
 * and h/2 combined by one Richardson step, (4·D(h/2) − D(h))/3, whose error
 * is O(h⁴). A step large enough to keep rounding small (1e-3) then resolves
 * about 1e-10 relative on well-conditioned networks, where plain central
 * differences stall near 1e-8.
 */
export function finiteDifferenceGradient(
  substrate: Substrate,
  drive: Drive,
  loss: Loss,
  target: ArrayLike<number>,
  h = 1e-3,
): Float64Array {
  const coarse = centralDifferenceGradient(substrate, drive, loss, target, h);
  const fine = centralDifferenceGradient(substrate, drive, loss, target, h / 2);
  return fine.map((f, k) => (4 * f - coarse[k]) / 3);
}

/** Cosine similarity and relative error ‖a − b‖/‖b‖ of an estimate a against a reference b. */
export function fidelity(estimate: ArrayLike<number>, reference: ArrayLike<number>): { cosine: number; relativeError: number } {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let diff = 0;
  for (let i = 0; i < reference.length; i++) {
    dot += estimate[i] * reference[i];
    na += estimate[i] ** 2;
    nb += reference[i] ** 2;
    diff += (estimate[i] - reference[i]) ** 2;
  }
  return { cosine: dot / Math.sqrt(na * nb), relativeError: Math.sqrt(diff / nb) };
}

/**
 * The least-squares slope of log y against log x: how a mechanism's error
 * scales with its knob (2 for a β² law). Undefined unless at least two
 * points have positive, finite x and y.
 */
export function logLogSlope(x: readonly number[], y: readonly number[]): number {
  const lx: number[] = [];
  const ly: number[] = [];
  x.forEach((v, i) => {
    if (v > 0 && y[i] > 0 && Number.isFinite(v) && Number.isFinite(y[i])) {
      lx.push(Math.log(v));
      ly.push(Math.log(y[i]));
    }
  });
  if (lx.length < 2) return NaN;
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return sxy / sxx;
}
