// docs/writing-a-substrate.md, "When θ is not the edge weight": the code between "snippet start" and "snippet end" is the doc's, word for word.
// snippet start
import { ScalarSubstrate, Topology, boundaryFromTopology, powerLawMap, uniformBounds } from '@multimech/core';

const C = Math.PI / (8 * 1e-3 * 0.01); // π/(8μL): water, 1 cm tubes

class TubeGrid extends ScalarSubstrate {
  readonly kind = 'acme/tube-grid';
  readonly parameterName = 'radius';

  constructor(topology: Topology, radii: ArrayLike<number>) {
    super({
      graph: topology.graph,
      boundary: boundaryFromTopology(topology, 'flow'),
      parameters: radii,
      parameterMap: powerLawMap(C, 4),
      bounds: uniformBounds(topology.graph.from.length, 1e-5, 1e-2),
    });
  }
}
// snippet end

export { C, TubeGrid };
