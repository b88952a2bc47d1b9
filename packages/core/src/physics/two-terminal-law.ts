/**
 * The current law of a fixed (not trained) nonlinear two-terminal element:
 * a diode, a varistor. The current i(v) flows from the element's first
 * terminal to its second when the drop v = s_first − s_second is positive.
 * It must be strictly increasing (conductance > 0 everywhere), so its
 * co-content F(v) = ∫₀ᵛ i(v') dv' is strictly convex and the network's
 * energy keeps a unique minimum (PHYSICS.md §1). A law that is only
 * non-decreasing (i = v³, flat at 0) becomes strictly increasing with a
 * conductance in parallel (`withParallelConductance`, SPICE's gmin).
 */
export interface TwoTerminalLaw {
  /** i(v). */
  current(v: number): number;
  /** di/dv, positive. */
  conductance(v: number): number;
  /** F(v) = ∫₀ᵛ i, with F(0) = 0. */
  coContent(v: number): number;
  /**
   * Newton step limiting (SPICE's junction-voltage limiting): given the drop
   * before a step and the drop the full step would give, the largest new drop
   * the element accepts. Absent: no limit.
   */
  limit?(vNew: number, vOld: number): number;
  /**
   * The drops [lo, hi] on which the law is known to hold (an expression
   * law's checked range). Outside it the co-content is +∞, a wall that keeps
   * a line search on the energy inside, and `current` and `conductance`
   * refuse the drop with a message (a MultimechError). Absent: every drop.
   */
  readonly range?: readonly [number, number];
}

/** A fixed nonlinear element on a scalar network: a law between two nodes. */
export interface FixedElement {
  readonly name: string;
  /** Node index of the first terminal (a diode's anode). */
  readonly from: number;
  /** Node index of the second terminal (a diode's cathode). */
  readonly to: number;
  readonly law: TwoTerminalLaw;
  /** Where the element was written (`file:line`), for messages; absent when made in code. */
  readonly source?: string;
}

/**
 * The law with a conductance g ≥ 0 in parallel: i + g v, i' + g,
 * F + ½ g v², the same step limit and range. SPICE puts its gmin (1e-12 S)
 * across every nonlinear element this way, so that a law whose slope
 * vanishes somewhere (v³ at 0, a junction far in reverse) still has a
 * positive small-signal conductance and the Hessian stays positive definite.
 */
export function withParallelConductance(law: TwoTerminalLaw, g: number): TwoTerminalLaw {
  if (g === 0) return law;
  const out: TwoTerminalLaw = {
    current: (v) => law.current(v) + g * v,
    conductance: (v) => law.conductance(v) + g,
    coContent: (v) => law.coContent(v) + 0.5 * g * v * v,
    ...(law.limit ? { limit: (vNew: number, vOld: number) => law.limit!(vNew, vOld) } : {}),
    ...(law.range ? { range: law.range } : {}),
  };
  return out;
}
