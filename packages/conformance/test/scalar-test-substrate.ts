import {
  Boundary,
  Capability,
  CsrMatrix,
  Drive,
  Graph,
  ParameterBounds,
  ScalarNetwork,
  Substrate,
  Topology,
  driveFromInputs,
  edgeDrops,
  readScalarOutputs,
  scalarOutputForce,
} from '@multimech/core';

/**
 * A minimal linear scalar substrate on core's ScalarNetwork (E = ½ Σ w Δs² − q·s),
 * written here so the suite can be tested without importing a plugin; the
 * tests derive broken variants from it.
 */
export class ScalarTestSubstrate implements Substrate {
  readonly kind: string = 'test/scalar';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['linear', 'scalar-potential']);
  readonly dofPerNode = 1;
  readonly parameterName = 'weight';
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  readonly network: ScalarNetwork;
  readonly parameters: Float64Array;

  constructor(topology: Topology, inputType: 'flow' | 'potential', weights: Float64Array) {
    this.graph = topology.graph;
    const dirichlet = [...topology.groundNodes];
    const inputs = topology.inputNodes.map((node, i) =>
      inputType === 'flow'
        ? { name: `q${i}`, type: 'flow' as const, node, ref: topology.groundNodes[0] }
        : { name: `p${i}`, type: 'potential' as const, node, dirichletIndex: dirichlet.push(node) - 1 },
    );
    this.boundary = {
      dirichlet: Int32Array.from(dirichlet),
      dirichletNames: dirichlet.map((d) => this.graph.nodeNames[d]),
      inputs,
      outputs: topology.outputNodes.map((node) => ({ name: this.graph.nodeNames[node], node })),
    };
    this.parameterNames = this.graph.edgeNames;
    this.bounds = { min: new Float64Array(weights.length).fill(1e-3), max: new Float64Array(weights.length).fill(100) };
    this.network = new ScalarNetwork(this.graph, this.boundary.dirichlet);
    this.parameters = Float64Array.from(weights);
    this.network.setWeights(this.parameters);
  }

  setParameters(theta: ArrayLike<number>): void {
    this.parameters.set(theta);
    this.network.setWeights(this.parameters);
  }
  drive(inputs: ArrayLike<number>): Drive {
    return driveFromInputs(this.boundary, this.graph.nodeNames.length, inputs);
  }
  energy(state: Float64Array, drive: Drive): number {
    return this.network.energy(state, drive);
  }
  residual(state: Float64Array, drive: Drive): Float64Array {
    return this.network.residual(state, drive);
  }
  equilibrium(drive: Drive): Float64Array {
    return this.network.equilibrium(drive);
  }
  hessian(_state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array } {
    return { matrix: this.network.hessian(), freeDofs: this.network.freeNodes };
  }
  linearResponse(_state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    return this.network.response(forces);
  }
  readout(state: Float64Array): Float64Array {
    return readScalarOutputs(this.boundary, state);
  }
  outputForce(_state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    return scalarOutputForce(this.boundary, this.graph.nodeNames.length, dCdy);
  }
  activationReadings(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state);
  }
  errorReadings(_state: Float64Array, response: Float64Array): Float64Array {
    return edgeDrops(this.graph, response);
  }
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    return activation.map((a, k) => a * error[k]);
  }
  parameterForce(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state).map((d) => 0.5 * d * d);
  }
}
