import { MultimechError, type StateLoss, type Substrate } from '@multimech/core';
import { checkClampValues, type NudgedSolver, type NudgedState } from './nudged-state';
import { OutputSubspace } from './output-subspace';

/**
 * Nudged and clamped states of a linear substrate without a new
 * factorization. With O the readout, f_j = −Oᵀe_j the force of output j and
 * V_j = H⁻¹f_j (o solves against the free state's factor), every state that
 * differs from the free one only by forces at the outputs is s* + Vμ, and
 * G = O H⁻¹ Oᵀ (G_ij = V_i·f_j, o×o, positive definite) is its output
 * response: O(s* + Vμ) = y* − Gμ (see OutputSubspace).
 *
 * - Nudged: s^β = s* + Vμ with μ = β ∂C/∂y(y^β), exactly (H s^β = b + β e(s^β)).
 *   μ minimises Φ(μ) = ½μᵀGμ + βC(s* + Vμ); for MSE the first Newton step
 *   in μ lands on it (the Woodbury identity for (H + βOᵀO)⁻¹); cross-entropy
 *   takes a few.
 * - Clamped at y^C: s^C = s* + Vλ with Gλ = y* − y^C (one o×o solve); the
 *   outputs hold y^C and every other free dof keeps its balance.
 */
export class OutputSubspaceSolver implements NudgedSolver {
  readonly outputs: Float64Array;
  readonly outputGradient: Float64Array;
  private readonly subspace: OutputSubspace;

  constructor(
    private readonly substrate: Substrate,
    readonly free: Float64Array,
    loss: StateLoss,
  ) {
    this.subspace = OutputSubspace.at(substrate, free, loss).subspace;
    this.outputs = substrate.readout(free);
    const force = loss.evaluate(free).force;
    this.outputGradient = this.subspace.outputGradient(force);
    this.subspace.checkThroughOutputs(force, this.outputGradient);
  }

  nudged(beta: number): NudgedState {
    if (!Number.isFinite(beta)) throw new MultimechError(`nudging strength β must be finite, got ${beta}`);
    const { state, iterations } = this.subspace.nudge(this.free, beta);
    return { state, iterations };
  }

  clamped(outputs: ArrayLike<number>): NudgedState {
    checkClampValues(this.substrate, outputs);
    const shift = this.outputs.map((y, j) => y - outputs[j]);
    return { state: this.subspace.state(this.free, this.subspace.solveGram(shift)), iterations: 0 };
  }
}
