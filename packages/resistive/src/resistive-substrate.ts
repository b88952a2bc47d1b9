import { EquilibriumOptions, FixedElement, MultimechError, ScalarSubstrate, ScalarSubstrateSpec } from '@multimech/core';
import type { DiodeModel } from './netlist';
import { DEFAULT_GMIN, shockleyDiode } from './shockley-diode';

/** A diode of a resistive network: fixed (not trained), between two node indices, with its model. */
export interface DiodeSpec {
  readonly name: string;
  readonly anode: number;
  readonly cathode: number;
  readonly model: DiodeModel;
}

/** What a resistive network is made of (conductances g = 1/R are its parameters); see `resistiveFromNetlist` and `resistiveFromTopology`. */
export type ResistiveNetworkSpec = Omit<ScalarSubstrateSpec, 'parameters' | 'elements'> & {
  readonly conductances: ArrayLike<number>;
  /** Shockley diodes (default none). */
  readonly diodes?: readonly DiodeSpec[];
  /** Conductance in parallel with every diode (default DEFAULT_GMIN = 1e-12 S, SPICE's). */
  readonly gmin?: number;
  readonly newton?: EquilibriumOptions;
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
 * With diodes the equilibrium is found by damped Newton, and the substrate
 * lacks the 'linear' capability.
 */
export class ResistiveSubstrate extends ScalarSubstrate {
  readonly kind = 'resistive';
  readonly parameterName = 'conductance';
  readonly diodes: readonly DiodeSpec[];
  readonly gmin: number;

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
    super({ ...spec, parameters: spec.conductances, parameterName: 'conductance', elements });
    this.diodes = diodes;
    this.gmin = gmin;
  }
}
