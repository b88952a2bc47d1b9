import {
  Boundary,
  Capability,
  CsrMatrix,
  Drive,
  Graph,
  MultimechError,
  ParameterBounds,
  ScalarNetwork,
  SolverOptions,
  Substrate,
  driveFromInputs,
  edgeDrops,
  readScalarOutputs,
  scalarOutputForce,
} from '@multimech/core';

/** What a resistive network is made of; see `resistiveFromNetlist` and `resistiveFromTopology`. */
export interface ResistiveNetworkSpec {
  /** Nodes and resistors; every edge is a trainable resistor. */
  readonly graph: Graph;
  /** Ground and voltage-source nodes (Dirichlet), current and voltage input ports, outputs. */
  readonly boundary: Boundary;
  /** Initial conductances g = 1/R, one per edge. */
  readonly conductances: ArrayLike<number>;
  /** Bounds on each conductance. */
  readonly bounds: ParameterBounds;
  readonly solver?: SolverOptions;
  /** Input values the network carries itself (a netlist's sources). */
  readonly defaultInputs?: ArrayLike<number>;
}

/**
 * A linear resistive network (PHYSICS.md §1-2): state = node voltages V,
 * θ = resistor conductances g, E = ½ Σ g ΔV² − I·V. Every Dirichlet node
 * (ground, a voltage source's node) is held at 0 unless a potential input
 * port sets it; flow input ports are current sources. Built on core's
 * ScalarNetwork: one factorization per parameter update serves every solve.
 */
export class ResistiveSubstrate implements Substrate {
  readonly kind = 'resistive';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['linear', 'scalar-potential']);
  readonly dofPerNode = 1;
  readonly parameterName = 'conductance';
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  readonly defaultInputs?: Float64Array;
  /** The shared scalar-network core (its `factorizations` counts numeric factorizations). */
  readonly network: ScalarNetwork;
  private readonly theta: Float64Array;

  constructor(spec: ResistiveNetworkSpec) {
    this.graph = spec.graph;
    this.boundary = spec.boundary;
    this.parameterNames = spec.graph.edgeNames;
    const m = spec.graph.from.length;
    checkBounds(spec.bounds, this.parameterNames);
    this.bounds = { min: Float64Array.from(spec.bounds.min), max: Float64Array.from(spec.bounds.max) };
    if (spec.defaultInputs) {
      if (spec.defaultInputs.length !== spec.boundary.inputs.length) {
        throw new MultimechError(`resistive network: ${spec.defaultInputs.length} default inputs for ${spec.boundary.inputs.length} input ports`);
      }
      this.defaultInputs = Float64Array.from(spec.defaultInputs);
    }
    this.network = new ScalarNetwork(spec.graph, spec.boundary.dirichlet, spec.solver ?? {});
    this.theta = new Float64Array(m);
    this.setParameters(spec.conductances);
    for (let k = 0; k < m; k++) {
      if (this.theta[k] < this.bounds.min[k] || this.theta[k] > this.bounds.max[k]) {
        throw new MultimechError(
          `conductance of '${this.parameterNames[k]}' (${this.theta[k]}) lies outside its bounds [${this.bounds.min[k]}, ${this.bounds.max[k]}]`,
        );
      }
    }
  }

  get parameters(): Float64Array {
    return this.theta;
  }

  setParameters(theta: ArrayLike<number>): void {
    const m = this.theta.length;
    if (theta.length !== m) throw new MultimechError(`expected ${m} conductances, got ${theta.length}`);
    for (let k = 0; k < m; k++) {
      const g = theta[k];
      if (!Number.isFinite(g) || !(g > 0)) {
        throw new MultimechError(`conductance of '${this.parameterNames[k]}' must be a finite positive number, got ${g}`);
      }
    }
    this.theta.set(theta);
    this.network.setWeights(this.theta);
  }

  drive(inputs: ArrayLike<number>): Drive {
    const ports = this.boundary.inputs;
    if (inputs.length !== ports.length) {
      throw new MultimechError(`expected ${ports.length} input values (${ports.map((p) => p.name).join(', ')}), got ${inputs.length}`);
    }
    for (let i = 0; i < inputs.length; i++) {
      if (!Number.isFinite(inputs[i])) throw new MultimechError(`input '${ports[i].name}' is not finite (${inputs[i]})`);
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

  /** Equilibria for several drives against one factorization. */
  equilibria(drives: readonly Drive[]): Float64Array[] {
    return this.network.equilibria(drives);
  }

  /** The grounded weighted Laplacian (it does not depend on the state; values are live until the next update). */
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

  /** ΔV* per resistor. */
  activationReadings(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state);
  }

  /** Δu per resistor. */
  errorReadings(_state: Float64Array, response: Float64Array): Float64Array {
    return edgeDrops(this.graph, response);
  }

  /** dC/dg = ΔV*·Δu (PHYSICS.md §2). */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    const g = new Float64Array(activation.length);
    for (let k = 0; k < g.length; k++) g[k] = activation[k] * error[k];
    return g;
  }

  /** ∂E/∂g = ½ ΔV² per resistor. */
  parameterForce(state: Float64Array): Float64Array {
    const d = edgeDrops(this.graph, state);
    for (let k = 0; k < d.length; k++) d[k] = 0.5 * d[k] * d[k];
    return d;
  }
}

function checkBounds(bounds: ParameterBounds, names: readonly string[]): void {
  const m = names.length;
  if (bounds.min.length !== m || bounds.max.length !== m) {
    throw new MultimechError(`conductance bounds: expected ${m} minima and maxima, got ${bounds.min.length} and ${bounds.max.length}`);
  }
  for (let k = 0; k < m; k++) {
    const lo = bounds.min[k];
    const hi = bounds.max[k];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo < hi)) {
      throw new MultimechError(`conductance bounds of '${names[k]}' must be finite with 0 < min < max, got [${lo}, ${hi}]`);
    }
  }
}
