import { MultimechError, type StateLoss, type Substrate } from '@multimech/core';
import { OutputSubspaceSolver } from './output-subspace-solver';

/** A nudged equilibrium and how many Newton steps it took. */
export interface NudgedState {
  readonly state: Float64Array;
  readonly iterations: number;
}

/**
 * The states the contrastive mechanisms compare (PHYSICS.md §5), around one
 * free state: nudged states s^β = argmin_s E(θ, s) + β C(s) and clamped
 * states, the equilibrium with the outputs held at given values.
 */
export interface NudgedSolver {
  /** The free state s^0. */
  readonly free: Float64Array;
  /** The outputs y^F at the free state. */
  readonly outputs: Float64Array;
  /** ∂C/∂y at the free state, one value per output. */
  readonly outputGradient: Float64Array;
  /** s^β (β may be negative: the anti-nudged state). */
  nudged(beta: number): NudgedState;
  /** The equilibrium with the outputs held (Dirichlet) at `outputs` and every other free dof relaxed. */
  clamped(outputs: ArrayLike<number>): Float64Array;
}

/**
 * The nudged solver for a substrate at a free state. A linear substrate gets
 * the output-subspace solver (no new factorization); a non-linear one would
 * need a nudged minimiser (damped Newton on E + βC), not built yet.
 */
export function createNudgedSolver(substrate: Substrate, free: Float64Array, loss: StateLoss, mechanism: string): NudgedSolver {
  if (!substrate.capabilities.has('linear')) {
    throw new MultimechError(
      `${mechanism} needs a nudged minimiser for substrate '${substrate.kind}', which is not linear; only linear substrates are supported so far`,
    );
  }
  return new OutputSubspaceSolver(substrate, free, loss);
}
