import { MultimechError, NumericalError } from '@multimech/core';
import { DEFAULT_GMIN, THERMAL_VOLTAGE } from './shockley-diode';

/**
 * The diode that ties each hidden node of a deep resistive network to
 * ground.
 *
 * - `ideal`: the exact piecewise-linear limit: no current in reverse, no
 *   voltage drop forward. An excitatory node (cathode at the node, anode at
 *   ground) cannot fall below 0 V, an inhibitory node (anode at the node)
 *   cannot rise above it. The equilibrium is then the minimum of the
 *   network's co-content under the linear inequality constraints `v ≥ 0`
 *   (or `v ≤ 0`): a constrained convex problem (Scellier 2024), which the
 *   layered solver solves exactly. Damped Newton cannot (the energy is not
 *   differentiable), so networks with ideal diodes are solved by the layered
 *   solver only.
 * - `shockley`: `i(v_d) = IS (e^{v_d/(N Vt)} − 1) + gmin v_d`, the same law
 *   as a netlist's `D` element (SPICE's gmin in parallel, 1e-12 S by
 *   default), with co-content `IS N Vt (e^{v_d/(N Vt)} − 1) − IS v_d + ½ gmin v_d²`.
 */
export type DrnDiode = { readonly kind: 'ideal' } | { readonly kind: 'shockley'; readonly IS: number; readonly N: number; readonly gmin: number };

/** The ideal diode. */
export const IDEAL_DIODE: DrnDiode = { kind: 'ideal' };

/** A Shockley diode of saturation current IS and emission coefficient N, gmin in parallel. */
export function shockleyDrnDiode(IS: number, N: number, gmin = DEFAULT_GMIN): DrnDiode {
  if (!(IS > 0 && Number.isFinite(IS)) || !(N > 0 && Number.isFinite(N))) throw new MultimechError(`diode parameters must be finite and positive, got IS=${IS} N=${N}`);
  if (!(gmin >= 0 && Number.isFinite(gmin))) throw new MultimechError(`gmin must be a finite non-negative conductance, got ${gmin}`);
  return { kind: 'shockley', IS, N, gmin };
}

/** The diode's current at forward voltage v_d, its conductance and its co-content (Shockley only). */
export function shockleyLaw(d: Extract<DrnDiode, { kind: 'shockley' }>) {
  const nvt = d.N * THERMAL_VOLTAGE;
  return {
    current: (vd: number) => d.IS * Math.expm1(vd / nvt) + d.gmin * vd,
    conductance: (vd: number) => (d.IS / nvt) * Math.exp(vd / nvt) + d.gmin,
    coContent: (vd: number) => d.IS * nvt * Math.expm1(vd / nvt) - d.IS * vd + 0.5 * d.gmin * vd * vd,
  };
}

/**
 * The minimum over v of `½ a v² − c v + F(−σ v)`: one hidden node given its
 * neighbours (a: the conductances to them, c: the current they and the bias
 * drive into it), with its diode of orientation σ (+1 excitatory, −1
 * inhibitory; the diode's forward voltage is −σ v). For the ideal diode it
 * is the weighted average c/a clipped to the diode's side; for a Shockley
 * diode, the root of the monotone derivative by Newton's method safeguarded
 * by bisection, from `start`.
 */
export function nodeMinimum(a: number, c: number, sigma: number, diode: DrnDiode, start: number, where: () => string): number {
  if (diode.kind === 'ideal') {
    if (a > 0) {
      const v = c / a;
      return sigma > 0 ? (v > 0 ? v : 0) : v < 0 ? v : 0;
    }
    // no conductance: the diode alone holds the node at 0 unless the bias drives it away without bound
    if (sigma * c <= 0) return 0;
    throw new NumericalError(`${where()}: no conductance ties the node, and its bias current ${c} drives it without bound past its ideal diode`);
  }
  const law = shockleyLaw(diode);
  const f = (v: number) => a * v - c - sigma * law.current(-sigma * v);
  const fp = (v: number) => a + law.conductance(-sigma * v);
  let x = Number.isFinite(start) ? start : 0;
  let fx = f(x);
  if (fx === 0) return x;
  // bracket the root: f is increasing
  let lo = x;
  let hi = x;
  let h = Math.max(1e-3, Math.abs(x) * 1e-3);
  if (fx > 0) {
    for (let k = 0; f(lo) > 0; k++) {
      hi = lo;
      lo -= h;
      h *= 2;
      if (k > 200) throw new NumericalError(`${where()}: cannot bracket the node's equilibrium`);
    }
  } else {
    for (let k = 0; f(hi) < 0; k++) {
      lo = hi;
      hi += h;
      h *= 2;
      if (k > 200) throw new NumericalError(`${where()}: cannot bracket the node's equilibrium`);
    }
  }
  for (let it = 0; it < 300; it++) {
    let next = x - fx / fp(x);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const step = Math.abs(next - x);
    x = next;
    fx = f(x);
    if (fx === 0) return x;
    if (fx > 0) hi = x;
    else lo = x;
    if (step <= 1e-16 * Math.max(1, Math.abs(x)) || hi - lo <= 4e-16 * Math.max(1, Math.abs(x))) return x;
  }
  return x;
}
