import type { Drive, StateLoss, Substrate } from '@multimech/core';
import { NewtonNudgedSolver } from './newton-nudged-solver';
import { OutputSubspaceSolver } from './output-subspace-solver';

/** A nudged or clamped equilibrium and how many Newton steps (factorizations of H, but the first) it took. */
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
  /** The equilibrium with the outputs held at `outputs` and every other free dof relaxed. */
  clamped(outputs: ArrayLike<number>): NudgedState;
}

/**
 * The nudged solver for a substrate at a free state under a drive. A linear
 * substrate gets the output-subspace solver (no new factorization: every
 * state comes from the free state's factor); any other (diodes, springs)
 * the Newton solver, whose first step shares the free state's
 * factorization and each further step refactors H (the substrate's own
 * symbolic analysis serves them all).
 */
export function createNudgedSolver(substrate: Substrate, free: Float64Array, drive: Drive, loss: StateLoss): NudgedSolver {
  return substrate.capabilities.has('linear') ? new OutputSubspaceSolver(substrate, free, loss) : new NewtonNudgedSolver(substrate, free, drive, loss);
}
