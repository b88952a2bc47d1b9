import type { Substrate } from '@multimech/core';
import { MultimechError } from '@multimech/core';

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

/** Refuses clamp values of the wrong count, or not finite, naming the output. */
export function checkClampValues(substrate: Substrate, outputs: ArrayLike<number>): void {
  const ports = substrate.boundary.outputs;
  if (outputs.length !== ports.length) throw new MultimechError(`expected ${ports.length} clamped output values, got ${outputs.length}`);
  for (let j = 0; j < ports.length; j++) {
    if (!Number.isFinite(outputs[j])) throw new MultimechError(`clamped value of output '${ports[j].name}' is not finite (${outputs[j]})`);
  }
}
