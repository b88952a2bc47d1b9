import { ScalarSubstrate, Topology, boundaryFromTopology, uniformBounds } from '@multimech/core';

/**
 * A thermal network (kind `acme/heat-grid`): nodes carry temperatures T
 * (above ambient), edges are trainable thermal conductances k (W/K), heat
 * sources (W) are flow inputs that draw their heat from the sink, the sink
 * is held at ambient (T = 0), and fixed-temperature reservoirs are potential
 * inputs. At steady state heat is conserved at every node; the energy whose
 * minimum that is reads E = ½ Σ k ΔT² − Q·T, the same form as a resistive
 * network, so the numerical work is core's ScalarSubstrate: the
 * example only names its kind, its parameter and its ports.
 */
export class HeatGridSubstrate extends ScalarSubstrate {
  readonly kind = 'acme/heat-grid';
  readonly parameterName = 'thermal conductance';

  /**
   * `topology`: nodes, edges and where heat enters (inputs), is measured
   * (outputs) and leaves (its first ground node is the sink).
   */
  constructor(topology: Topology, inputType: 'flow' | 'potential', conductances: ArrayLike<number>, bounds: { min: number; max: number }) {
    super({
      graph: topology.graph,
      boundary: boundaryFromTopology(topology, inputType, {
        input: (i, type) => (type === 'flow' ? `heater${i + 1}` : `reservoir${i + 1}`),
        ground: (i) => (i === 0 ? 'sink' : `sink${i}`),
      }),
      parameters: conductances,
      parameterName: 'thermal conductance',
      bounds: uniformBounds(topology.graph.from.length, bounds.min, bounds.max),
    });
  }
}
