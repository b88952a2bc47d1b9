/**
 * The current law of a fixed (not trained) nonlinear two-terminal element:
 * a diode, a varistor. The current i(v) flows from the element's first
 * terminal to its second when the drop v = s_first − s_second is positive.
 * It must be strictly increasing (conductance > 0 everywhere), so its
 * co-content F(v) = ∫₀ᵛ i(v') dv' is strictly convex and the network's
 * energy keeps a unique minimum (PHYSICS.md §1).
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
}

/** A fixed nonlinear element on a scalar network: a law between two nodes. */
export interface FixedElement {
  readonly name: string;
  /** Node index of the first terminal (a diode's anode). */
  readonly from: number;
  /** Node index of the second terminal (a diode's cathode). */
  readonly to: number;
  readonly law: TwoTerminalLaw;
}
