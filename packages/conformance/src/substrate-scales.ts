import type { Drive, Substrate } from '@multimech/core';
import { axpy, maxAbs } from './vectors';

/**
 * The scales the substrate checks measure their steps and tolerances
 * against, read off the fixture rather than fixed in absolute units: the
 * size of a state, the size of the flows, the scale over which the law
 * bends, and how well an equilibrium converged.
 */

/**
 * The size of a perturbation of a state. Scalar potentials: the largest
 * value (or 1). Vector states (positions in space): a tenth of the mean
 * edge length, so that a perturbation strains the edges without folding
 * the network over itself.
 */
export function stateScale(s: Substrate, state: Float64Array): number {
  const d = s.dofPerNode;
  if (d === 1 || !s.capabilities.has('vector-state')) return maxAbs(state) || 1;
  const { from, to } = s.graph;
  let sum = 0;
  for (let k = 0; k < from.length; k++) {
    let r2 = 0;
    for (let a = 0; a < d; a++) r2 += (state[from[k] * d + a] - state[to[k] * d + a]) ** 2;
    sum += Math.sqrt(r2);
  }
  return from.length > 0 && sum > 0 ? (0.1 * sum) / from.length : 1;
}

/** The parameter scale: the largest |θ| (or 1), for a step at a parameter that is zero. */
export function parameterScale(theta: ArrayLike<number>): number {
  return maxAbs(theta) || 1;
}

/** The size of the flows at equilibrium: injections, reactions at held dofs, pulls of held dofs on free ones. */
export function flowScale(s: Substrate, drive: Drive, state: Float64Array, free: Int32Array): number {
  const r = s.residual(state, drive);
  let scale = maxAbs(drive.injection);
  for (const dof of s.boundary.dirichlet) scale = Math.max(scale, Math.abs(r[dof]));
  // positions: zeroing the free dofs would stack the free nodes onto one point (zero-length edges)
  if (s.capabilities.has('vector-state')) return scale;
  const held = Float64Array.from(state);
  for (const dof of free) held[dof] = 0;
  const pull = s.residual(held, drive);
  for (const dof of free) scale = Math.max(scale, Math.abs(pull[dof]));
  return scale;
}

/**
 * The scale of the law along a direction d, as a multiple of d: how far the
 * state can move along d before the residual's slope changes by its own
 * size, the smaller of |r′|/|r″| and (|r′|/|r‴|)^½ (largest entries over
 * the free dofs) for r(t) = ∂E/∂s at s + t·d. The third derivative sets the
 * error of a central difference, and is what an odd law such as sinh shows
 * at zero drop. Measured by differences at ±h·d and ±2h·d. A junction's
 * N·Vt, a laminar core, a memristor's V0 set it; a substrate that declares
 * 'linear' has none (Infinity), and neither has a residual whose
 * differences are at rounding level.
 */
export function lawScale(s: Substrate, drive: Drive, state: Float64Array, d: Float64Array, free: Int32Array, h: number): number {
  if (s.capabilities.has('linear')) return Infinity;
  const at = (t: number) => s.residual(axpy(state, t, d), drive);
  const [up2, up, mid, down, down2] = [at(2 * h), at(h), s.residual(state, drive), at(-h), at(-2 * h)];
  let first = 0;
  let second = 0;
  let third = 0;
  for (const dof of free) {
    first = Math.max(first, Math.abs(up[dof] - down[dof]) / (2 * h));
    second = Math.max(second, Math.abs(up[dof] - 2 * mid[dof] + down[dof]) / (h * h));
    third = Math.max(third, Math.abs(up2[dof] - 2 * up[dof] + 2 * down[dof] - down2[dof]) / (2 * h * h * h));
  }
  const t = Math.min(first / second, Math.sqrt(first / third));
  return Number.isFinite(t) && t > 0 ? t : Infinity;
}

/**
 * The residual relative to the flows at or below which an equilibrium
 * counts as converged: the `conservation` check's default tolerance.
 */
export const CONVERGED = 1e-9;

/** How well an equilibrium converged: the largest residual at a free dof against the flow scale. */
export interface EquilibriumConvergence {
  /** The largest |∂E/∂s| at a free dof. */
  readonly residual: number;
  /** The free dof where it is (−1 without free dofs). */
  readonly dof: number;
  /** The flow scale (`flowScale`) it is measured against. */
  readonly flows: number;
  /** residual / flows. */
  readonly ratio: number;
  /** The residual at every dof (zero at held dofs), for the error it causes. */
  readonly field: Float64Array;
}

export function equilibriumConvergence(s: Substrate, drive: Drive, state: Float64Array, free: Int32Array): EquilibriumConvergence {
  const flows = flowScale(s, drive, state, free);
  const r = s.residual(state, drive);
  const field = new Float64Array(r.length);
  let residual = 0;
  let dof = -1;
  for (const i of free) {
    field[i] = r[i];
    if (!(Math.abs(r[i]) <= residual)) {
      residual = Math.abs(r[i]);
      dof = i;
    }
  }
  return { residual, dof, flows, ratio: residual === 0 ? 0 : residual / flows, field };
}

/** "the residual at free dof 7 is 3.1e-6, 2.0e-6 of the flow scale 1.55". */
export function describeConvergence(c: EquilibriumConvergence): string {
  return `the residual at free dof ${c.dof} is ${c.residual.toExponential(2)}, ${c.ratio.toExponential(2)} of the flow scale ${c.flows.toPrecision(3)}`;
}
