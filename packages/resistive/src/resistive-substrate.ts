import {
  DissipativeSubstrate,
  DynamicSubstrate,
  EquilibriumOptions,
  FixedElement,
  MultimechError,
  PhasorResponse,
  ScalarSubstrate,
  ScalarSubstrateSpec,
  solvePhasor,
  withParallelConductance,
} from '@multimech/core';
import type { DiodeModel } from './netlist';
import { DEFAULT_GMIN, shockleyDiode } from './shockley-diode';

/** A diode of a resistive network: fixed (not trained), between two node indices, with its model. */
export interface DiodeSpec {
  readonly name: string;
  readonly anode: number;
  readonly cathode: number;
  readonly model: DiodeModel;
}

/** A capacitor from a node to ground (a node capacitance), in farads. */
export interface CapacitorSpec {
  readonly name: string;
  readonly node: number;
  readonly capacitance: number;
}

/** What a resistive network is made of (conductances g = 1/R are its parameters); see `resistiveFromNetlist` and `resistiveFromTopology`. */
export type ResistiveNetworkSpec = Omit<ScalarSubstrateSpec, 'parameters' | 'elements' | 'parameterMap' | 'capabilities' | 'parameterName' | 'edgeLaw'> & {
  readonly conductances: ArrayLike<number>;
  /** Shockley diodes (default none). */
  readonly diodes?: readonly DiodeSpec[];
  /** Further fixed two-terminal elements, e.g. behavioural laws from core's `expressionLaw` (default none); each gets gmin in parallel, as a diode does. */
  readonly laws?: readonly FixedElement[];
  /** Conductance in parallel with every diode and every law (default DEFAULT_GMIN = 1e-12 S, SPICE's). */
  readonly gmin?: number;
  readonly newton?: EquilibriumOptions;
  /** Node capacitances to ground (default none); with any, the substrate has 'dynamics'. */
  readonly capacitors?: readonly CapacitorSpec[];
};

/**
 * A resistive network (PHYSICS.md §1-2): state = node voltages V, θ =
 * resistor conductances g, E = ½ Σ g ΔV² + Σ_d F_d(ΔV_d) − I·V, where each
 * diode adds its co-content F (see `shockleyDiode`). Every Dirichlet node
 * (ground, a voltage source's node) is held at 0 unless a potential input
 * port sets it; flow input ports are current sources. Each resistor reads
 * ΔV* and Δu, and dC/dg = ΔV*·Δu, with u solved against H at the free state
 * (diodes add their conductance i'(ΔV*) there). Without diodes the network
 * is linear: one factorization per parameter update serves every solve.
 * Behavioural elements (`laws`) enter exactly as diodes do, gmin in parallel
 * included (a law flat at a point, v³ at 0, then still conducts there).
 * With diodes or laws the equilibrium is found by damped Newton, and the substrate
 * lacks the 'linear' capability.
 *
 * Capacitors to ground (node capacitances C) carry no current at DC, so
 * equilibria, H and the adjoint do not see them; they give the substrate
 * 'dynamics' and its phasor response (H + iωC)⁻¹ f at ω (PHYSICS.md §3.3).
 *
 * Final: not to be extended.
 */
export class ResistiveSubstrate extends ScalarSubstrate implements DynamicSubstrate, DissipativeSubstrate {
  readonly kind = 'resistive';
  readonly parameterName = 'conductance';
  readonly diodes: readonly DiodeSpec[];
  /** The fixed elements given as `laws` (behavioural elements), as given: the network adds gmin in parallel to each. */
  readonly laws: readonly FixedElement[];
  readonly gmin: number;
  readonly capacitors: readonly CapacitorSpec[];
  /** Total capacitance to ground at each node (F). */
  readonly nodeCapacitance: Float64Array;
  /** The damping Γ of the dynamics (DynamicSubstrate): the node capacitances, zero on Dirichlet nodes. */
  get dofDamping(): Float64Array {
    const d = Float64Array.from(this.nodeCapacitance);
    for (const dof of this.boundary.dirichlet) d[dof] = 0;
    return d;
  }

  constructor(spec: ResistiveNetworkSpec) {
    const diodes = spec.diodes ?? [];
    const gmin = spec.gmin ?? DEFAULT_GMIN;
    const elements: FixedElement[] = diodes.map((d) => {
      try {
        return { name: d.name, from: d.anode, to: d.cathode, law: shockleyDiode(d.model, gmin) };
      } catch (e) {
        throw e instanceof MultimechError ? new MultimechError(`diode '${d.name}' (model '${d.model.name}'): ${e.message}`) : e;
      }
    });
    const laws = spec.laws ?? [];
    // SPICE puts gmin across every nonlinear element: a law whose slope vanishes somewhere (v³ at 0) keeps H positive definite.
    const parallel = laws.map((l) => ({ ...l, law: withParallelConductance(l.law, gmin) }));
    const capacitors = spec.capacitors ?? [];
    super({
      ...spec,
      parameters: spec.conductances,
      parameterName: 'conductance',
      elements: [...elements, ...parallel],
      capabilities: capacitors.length > 0 ? ['dynamics'] : [],
    });
    this.diodes = diodes;
    this.laws = laws;
    this.gmin = gmin;
    this.capacitors = capacitors;
    const n = spec.graph.nodeNames.length;
    this.nodeCapacitance = new Float64Array(n);
    for (const c of this.capacitors) {
      if (!Number.isInteger(c.node) || c.node < 0 || c.node >= n) {
        throw new MultimechError(`capacitor '${c.name}' refers to node index ${c.node}, but there are ${n} nodes`);
      }
      if (!(c.capacitance > 0 && Number.isFinite(c.capacitance))) {
        throw new MultimechError(`capacitance of '${c.name}' must be a finite positive number of farads, got ${c.capacitance}`);
      }
      this.nodeCapacitance[c.node] += c.capacitance;
    }
  }

  /**
   * The power the network dissipates in a state (W): Σ G ΔV² over the
   * resistors plus i(v)·v over the diodes and laws (capacitors dissipate
   * nothing).
   */
  power(state: Float64Array): number {
    return this.flowTimesDrop(state);
  }

  /**
   * x = (H(state) + iωC)⁻¹ f on the free nodes for each force field f (one
   * value per node, read at the free nodes), zero on Dirichlet nodes; ω in
   * rad/s. Solved in real arithmetic by BiCGSTAB on the 2n×2n block system
   * (see core's `solvePhasor`). Without capacitors it is H⁻¹f with a zero
   * imaginary part.
   */
  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse {
    const { matrix, freeDofs } = this.hessian(state);
    const c = Float64Array.from(freeDofs, (node) => this.nodeCapacitance[node]);
    const n = this.graph.nodeNames.length;
    const rhs = forces.map((f) => {
      if (f.length !== n) throw new MultimechError(`phasorResponse: expected a force of ${n} node values, got ${f.length}`);
      return Float64Array.from(freeDofs, (node) => f[node]);
    });
    const { real, imag } = solvePhasor(matrix, c, omega, rhs);
    const scatter = (x: Float64Array) => {
      const s = new Float64Array(n);
      freeDofs.forEach((node, r) => (s[node] = x[r]));
      return s;
    };
    return { real: real.map(scatter), imag: imag.map(scatter) };
  }
}
