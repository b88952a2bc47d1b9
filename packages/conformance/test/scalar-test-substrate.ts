import { ScalarSubstrate, Topology, boundaryFromTopology, uniformBounds } from '@multimech/core';

/**
 * A minimal linear scalar substrate on core's ScalarSubstrate
 * (E = ½ Σ w Δs² − q·s), written here so the suite can be tested without
 * importing a plugin; the tests derive broken variants from it.
 */
export class ScalarTestSubstrate extends ScalarSubstrate {
  readonly kind: string = 'test/scalar';
  readonly parameterName = 'weight';

  constructor(topology: Topology, inputType: 'flow' | 'potential', weights: Float64Array) {
    super({
      graph: topology.graph,
      boundary: boundaryFromTopology(topology, inputType),
      parameters: weights,
      bounds: uniformBounds(weights.length, 1e-3, 100),
    });
  }
}
