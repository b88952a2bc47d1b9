import { ScalarSubstrate, ScalarSubstrateSpec } from '@multimech/core';

/** What a resistive network is made of (conductances g = 1/R are its parameters); see `resistiveFromNetlist` and `resistiveFromTopology`. */
export type ResistiveNetworkSpec = Omit<ScalarSubstrateSpec, 'parameters'> & { readonly conductances: ArrayLike<number> };

/**
 * A linear resistive network (PHYSICS.md §1-2): state = node voltages V,
 * θ = resistor conductances g, E = ½ Σ g ΔV² − I·V. Every Dirichlet node
 * (ground, a voltage source's node) is held at 0 unless a potential input
 * port sets it; flow input ports are current sources. Each resistor reads
 * ΔV* and Δu, and dC/dg = ΔV*·Δu. The numerical work is core's
 * ScalarSubstrate: one factorization per parameter update serves every solve.
 */
export class ResistiveSubstrate extends ScalarSubstrate {
  readonly kind = 'resistive';
  readonly parameterName = 'conductance';

  constructor(spec: ResistiveNetworkSpec) {
    super({ ...spec, parameters: spec.conductances, parameterName: 'conductance' });
  }
}
