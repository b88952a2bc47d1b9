/** The loss as a function of a state, for mechanisms that nudge (EP) or clamp (CL). */
export interface StateLoss {
  /** C(s), and the error force e = -∂C/∂s on every dof. */
  evaluate(state: Float64Array): { readonly value: number; readonly force: Float64Array };
}

/** A nudged or clamped equilibrium and how many Newton steps (factorizations of H, but the first) it took: 0 for a solver that makes none. */
export interface NudgedState {
  readonly state: Float64Array;
  readonly iterations: number;
}

/**
 * The states the contrastive mechanisms compare (PHYSICS.md §5), around one
 * free state: nudged states s^β = argmin_s E(θ, s) + β C(s) and clamped
 * states, the equilibrium with the outputs held at given values. The
 * contrastive package gives one for any substrate (damped Newton on E + βC,
 * or the output subspace of a linear network's factor); a substrate that
 * solves its own equilibria another way supplies its own
 * (`Substrate.nudgedSolver`).
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
