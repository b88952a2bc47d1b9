import {
  Boundary,
  Capability,
  CsrMatrix,
  Drive,
  Graph,
  MultimechError,
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
 * A thermal network (kind `acme/heat-grid`): nodes carry temperatures T
 * (above ambient), edges are trainable thermal conductances k (W/K), heat
 * sources (W) are flow inputs that draw their heat from the sink, the sink
 * is held at ambient (T = 0), and fixed-temperature reservoirs are potential
 * inputs. At steady state heat is conserved at every node; the energy whose
 * minimum that is reads E = ½ Σ k ΔT² − Q·T, the same form as a resistive
 * network, so the numerical work is core's ScalarNetwork.
 */
export class HeatGridSubstrate implements Substrate {
  readonly kind = 'acme/heat-grid';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['linear', 'scalar-potential']);
  readonly dofPerNode = 1;
  readonly parameterName = 'thermal conductance';
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  private readonly network: ScalarNetwork;
  private readonly k: Float64Array;

  /**
   * `topology`: nodes, edges and where heat enters (inputs), is measured
   * (outputs) and leaves (its first ground node is the sink).
   */
  constructor(topology: Topology, inputType: 'flow' | 'potential', conductances: ArrayLike<number>, bounds: { min: number; max: number }) {
    this.graph = topology.graph;
    const sink = topology.groundNodes[0];
    const dirichlet = [...topology.groundNodes];
    const names = topology.groundNodes.map((_, i) => (i === 0 ? 'sink' : `sink${i}`));
    const inputs = topology.inputNodes.map((node, i) => {
      if (inputType === 'flow') return { name: `heater${i + 1}`, type: 'flow' as const, node, ref: sink };
      names.push(`reservoir${i + 1}`);
      return { name: `reservoir${i + 1}`, type: 'potential' as const, node, dirichletIndex: dirichlet.push(node) - 1 };
    });
    const outputs = topology.outputNodes.map((node) => ({ name: `T(${this.graph.nodeNames[node]})`, node }));
    this.boundary = { dirichlet: Int32Array.from(dirichlet), dirichletNames: names, inputs, outputs };
    this.parameterNames = this.graph.edgeNames;
    const m = this.graph.from.length;
    this.bounds = { min: new Float64Array(m).fill(bounds.min), max: new Float64Array(m).fill(bounds.max) };
    this.network = new ScalarNetwork(this.graph, this.boundary.dirichlet);
    this.k = new Float64Array(m);
    this.setParameters(conductances);
  }

  get parameters(): Float64Array {
    return this.k;
  }

  setParameters(theta: ArrayLike<number>): void {
    if (theta.length !== this.k.length) throw new MultimechError(`acme/heat-grid: expected ${this.k.length} conductances, got ${theta.length}`);
    for (let e = 0; e < theta.length; e++) {
      if (!(Number.isFinite(theta[e]) && theta[e] > 0)) {
        throw new MultimechError(`acme/heat-grid: thermal conductance of '${this.parameterNames[e]}' must be positive, got ${theta[e]}`);
      }
    }
    this.k.set(theta);
    this.network.setWeights(this.k);
  }

  drive(inputs: ArrayLike<number>): Drive {
    if (inputs.length !== this.boundary.inputs.length) {
      throw new MultimechError(`acme/heat-grid: expected ${this.boundary.inputs.length} input values, got ${inputs.length}`);
    }
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

  /** Each edge reads its temperature drop in the free state... */
  activationReadings(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state);
  }

  /** ...and its drop in the error state. */
  errorReadings(_state: Float64Array, response: Float64Array): Float64Array {
    return edgeDrops(this.graph, response);
  }

  /** dC/dk = ΔT*·Δu, because ∂²E/∂k∂ΔT = ΔT. */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    return activation.map((a, e) => a * error[e]);
  }

  /** ∂E/∂k = ½ ΔT². */
  parameterForce(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state).map((d) => 0.5 * d * d);
  }
}
