import { Boundary, Drive, InputPort, OutputPort, driveFromInputs, readScalarOutputs, scalarOutputForce } from '../contracts/boundary';
import { MultimechError } from '../support/errors';
import { Graph, edgeDrops } from '../graph/graph';
import type { Topology } from '../graph/generators';
import type { CsrMatrix, SolverOptions } from '@multimech/sparse';
import { EquilibriumOptions, ScalarNetwork } from './scalar-network';
import type { Capability, ParameterBounds, Substrate } from '../contracts/substrate';
import type { FixedElement, TwoTerminalLaw } from './two-terminal-law';
import { ParameterMap, identityMap } from './parameter-map';

/** What a one-value-per-node quadratic network is made of. */
export interface ScalarSubstrateSpec {
  readonly graph: Graph;
  /** Dirichlet nodes, input ports and outputs. */
  readonly boundary: Boundary;
  /** Initial parameters θ, one per edge (the edge weights themselves unless `parameterMap` says otherwise). */
  readonly parameters: ArrayLike<number>;
  /** How θ sets each edge's weight w, with dw/dθ for the chain rule (default `identityMap`: θ = w). */
  readonly parameterMap?: ParameterMap;
  /**
   * Capabilities beyond those the network gives ('scalar-potential', and
   * 'linear' without nonlinear elements): 'transport' for a network that
   * carries a chemical, 'dynamics' with capacitances. 'linear' is not given
   * here: it follows from the network.
   */
  readonly capabilities?: readonly Capability[];
  readonly bounds: ParameterBounds;
  readonly solver?: SolverOptions;
  /** Input values the network carries itself (a netlist's sources). */
  readonly defaultInputs?: ArrayLike<number>;
  /** What the parameter is called in messages about the initial values (default 'parameter'). */
  readonly parameterName?: string;
  /**
   * Fixed nonlinear two-terminal elements (diodes) on extra edges: not
   * trained, not in `parameters`; with any, the substrate is not 'linear' and
   * its equilibrium is found by damped Newton.
   */
  readonly elements?: readonly FixedElement[];
  /** Newton settings for the nonlinear equilibria. */
  readonly newton?: EquilibriumOptions;
  /**
   * The law f of every trainable edge (the trainable nonlinear edge): edge
   * k carries the current `w_k f(Δs_k)`, with w = w(θ) its trainable
   * prefactor, and adds `w_k F(Δs_k)` to E (F the law's co-content). A
   * memristive device, a turbulent pipe. With it the substrate is not
   * 'linear' and its equilibrium is found by damped Newton. Default: the
   * linear edge, f(v) = v.
   */
  readonly edgeLaw?: TwoTerminalLaw;
}

/**
 * The Substrate of every network whose state is one scalar per node and
 * whose energy is `E = ½ Σ w_k Δs_k² − q·s` with trainable weights w
 * (resistors: w = g, s = V; tubes: w = k, s = p; heat: w = thermal
 * conductance, s = T). Each edge reads its drop Δs* as activation and Δu as
 * error; dC/dw_k = Δs*_k·Δu_k and ∂E/∂w_k = ½Δs_k² (PHYSICS.md §2).
 * Where the trainable parameter θ is not the weight itself (a tube radius),
 * the spec's `parameterMap` gives w(θ) and dw/dθ, and the chain rule is
 * applied here: dC/dθ = (dw/dθ) Δs*·Δu, ∂E/∂θ = (dw/dθ) ½Δs².
 *
 * Abstract or final: a plugin extends it with a final class that fills in
 * `kind` and `parameterName` and may add members of its own (a phasor
 * response, flows), but overrides none of the members here; what differs
 * between substrates is data in the spec (the parameter map, fixed
 * elements, extra capabilities).
 *
 * Fixed nonlinear elements (`spec.elements`) add their co-content to E and
 * their small-signal conductance to H at a state; the trainable parameters
 * stay on the linear edges, and dC/dw = Δs*·Δu still holds there, with u
 * solved against H at the free state. Such a substrate lacks 'linear'.
 *
 * A law of the trainable edges (`spec.edgeLaw`, f) makes each of them a
 * trainable nonlinear edge: current w f(Δs), energy w F(Δs), H from w f'(Δs).
 * Each edge still reads its drop Δs* and Δu, and the law is applied in the
 * derivatives: dC/dw = f(Δs*)·Δu and ∂E/∂w = F(Δs) (times dw/dθ), which
 * are Δs*·Δu and ½Δs² for the linear f(v) = v. Such a substrate lacks
 * 'linear' too.
 */
export abstract class ScalarSubstrate implements Substrate {
  abstract readonly kind: string;
  abstract readonly parameterName: string;
  /** 'linear' and 'scalar-potential' (without 'linear' when there are fixed nonlinear elements), and those the spec adds. */
  readonly capabilities: ReadonlySet<Capability>;
  readonly dofPerNode = 1;
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  readonly defaultInputs?: Float64Array;
  /** The shared numerical core (its `factorizations` counts numeric factorizations). */
  readonly network: ScalarNetwork;
  /** How θ sets the edge weights. */
  readonly parameterMap: ParameterMap;
  /** The law f of the trainable edges (current w·f(Δs)); undefined for linear edges. */
  readonly edgeLaw: TwoTerminalLaw | undefined;
  private readonly theta: Float64Array;
  /** The weights are assembled on first use after an update. */
  private stale = true;

  constructor(spec: ScalarSubstrateSpec) {
    this.graph = spec.graph;
    this.boundary = spec.boundary;
    this.parameterNames = spec.graph.edgeNames;
    const m = spec.graph.from.length;
    checkBounds(spec.bounds, this.parameterNames);
    this.bounds = { min: Float64Array.from(spec.bounds.min), max: Float64Array.from(spec.bounds.max) };
    if (spec.defaultInputs) {
      if (spec.defaultInputs.length !== spec.boundary.inputs.length) {
        throw new MultimechError(`${spec.defaultInputs.length} default inputs for ${spec.boundary.inputs.length} input ports`);
      }
      this.defaultInputs = Float64Array.from(spec.defaultInputs);
    }
    const elements = spec.elements ?? [];
    if (spec.capabilities?.includes('linear')) {
      throw new MultimechError("capabilities: 'linear' follows from the network (no nonlinear elements, no edge law); give only the capabilities it adds");
    }
    this.edgeLaw = spec.edgeLaw;
    const nonlinear = elements.length > 0 || this.edgeLaw !== undefined;
    this.capabilities = new Set<Capability>([...(nonlinear ? ['scalar-potential'] : ['linear', 'scalar-potential']), ...(spec.capabilities ?? [])]);
    this.parameterMap = spec.parameterMap ?? identityMap;
    this.network = new ScalarNetwork(spec.graph, spec.boundary.dirichlet, spec.solver ?? {}, elements, spec.newton ?? {}, this.edgeLaw);
    this.theta = new Float64Array(m);
    this.store(spec.parameters, spec.parameterName ?? 'parameter');
    const w = this.parameterMap.weights(this.theta);
    if (w.length !== m) throw new MultimechError(`parameter map '${this.parameterMap.description}' gives ${w.length} weights for ${m} edges`);
    for (let k = 0; k < m; k++) {
      if (this.theta[k] < this.bounds.min[k] || this.theta[k] > this.bounds.max[k]) {
        throw new MultimechError(
          `parameter of '${this.parameterNames[k]}' (${this.theta[k]}) lies outside its bounds [${this.bounds.min[k]}, ${this.bounds.max[k]}]`,
        );
      }
    }
  }

  get parameters(): Float64Array {
    return this.theta;
  }

  /** The edge weights w(θ) at the current parameters (a copy). */
  edgeWeights(): Float64Array {
    return this.parameterMap.weights(this.theta);
  }

  setParameters(theta: ArrayLike<number>): void {
    this.store(theta, this.parameterName);
  }

  private store(theta: ArrayLike<number>, name: string): void {
    const m = this.theta.length;
    if (theta.length !== m) throw new MultimechError(`expected ${m} ${name} values (one per edge), got ${theta.length}`);
    for (let k = 0; k < m; k++) {
      const x = theta[k];
      if (!Number.isFinite(x) || !(x > 0)) {
        throw new MultimechError(`${name} of '${this.parameterNames[k]}' must be a finite positive number, got ${x}`);
      }
    }
    this.theta.set(theta);
    this.stale = true;
  }

  /** The numerical core with the current weights assembled. */
  private get assembled(): ScalarNetwork {
    if (this.stale) {
      this.network.setWeights(this.edgeWeights());
      this.stale = false;
    }
    return this.network;
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
    return this.assembled.energy(state, drive);
  }

  residual(state: Float64Array, drive: Drive): Float64Array {
    return this.assembled.residual(state, drive);
  }

  equilibrium(drive: Drive): Float64Array {
    return this.assembled.equilibrium(drive);
  }

  /** A nonlinear network's Newton warm start (its last equilibrium's free part); undefined for a linear one, or before the first solve. */
  solverState(): number[] | undefined {
    return this.network.solverState();
  }

  restoreSolverState(state: readonly number[] | undefined): void {
    this.network.restoreSolverState(state);
  }

  /**
   * Σ over the trainable edges and the fixed elements of the flow through
   * each times the drop across it (w Δs² for a linear edge). Where E is a
   * co-content, as for resistors (G ΔV²) and tubes (k Δp²), that is the
   * power the network dissipates in the state, in watts for SI values; a
   * kind whose E is a stored energy gives it no such meaning, so only a kind
   * that declares a `power` (core's `DissipativeSubstrate`) is asked for it.
   */
  flowTimesDrop(state: Float64Array): number {
    return this.assembled.power(state);
  }

  /** Equilibria for several drives against one factorization. */
  equilibria(drives: readonly Drive[]): Float64Array[] {
    return this.assembled.equilibria(drives);
  }

  /**
   * The grounded weighted Laplacian, plus each fixed element's conductance
   * at the state when there are any (values are live until the next update
   * or the next state).
   */
  hessian(state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array } {
    return { matrix: this.assembled.hessian(state), freeDofs: this.network.freeNodes };
  }

  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    return this.assembled.response(forces, state);
  }

  readout(state: Float64Array): Float64Array {
    return readScalarOutputs(this.boundary, state);
  }

  outputForce(_state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    return scalarOutputForce(this.boundary, this.graph.nodeNames.length, dCdy);
  }

  /**
   * Δs* per edge: the drop, also with an edge law (the law is applied in
   * `localGradient`), so that a lock-in's DC part of the drop is the reading
   * and its part at ω₂ over β is the error reading, as on a linear edge.
   */
  activationReadings(state: Float64Array): Float64Array {
    return edgeDrops(this.graph, state);
  }

  /** Δu per edge. */
  errorReadings(_state: Float64Array, response: Float64Array): Float64Array {
    return edgeDrops(this.graph, response);
  }

  /** dC/dθ = (dw/dθ) Δs*·Δu (PHYSICS.md §2); with an edge law f, (dw/dθ) f(Δs*)·Δu. */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    const g = this.parameterMap.slopes(this.theta);
    const law = this.edgeLaw;
    if (law) for (let k = 0; k < g.length; k++) g[k] *= law.current(activation[k]) * error[k];
    else for (let k = 0; k < g.length; k++) g[k] *= activation[k] * error[k];
    return g;
  }

  /** ∂E/∂θ = (dw/dθ) ½ Δs² per edge; with an edge law f, (dw/dθ) F(Δs), F its co-content. */
  parameterForce(state: Float64Array): Float64Array {
    const d = edgeDrops(this.graph, state);
    const slope = this.parameterMap.slopes(this.theta);
    const law = this.edgeLaw;
    if (law) for (let k = 0; k < d.length; k++) d[k] = slope[k] * law.coContent(d[k]);
    else for (let k = 0; k < d.length; k++) d[k] = slope[k] * (0.5 * d[k] * d[k]);
    return d;
  }
}

function checkBounds(bounds: ParameterBounds, names: readonly string[]): void {
  const m = names.length;
  if (bounds.min.length !== m || bounds.max.length !== m) {
    throw new MultimechError(`parameter bounds: expected ${m} minima and maxima, got ${bounds.min.length} and ${bounds.max.length}`);
  }
  for (let k = 0; k < m; k++) {
    const lo = bounds.min[k];
    const hi = bounds.max[k];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo < hi)) {
      throw new MultimechError(`bounds of '${names[k]}' must be finite with 0 < min < max, got [${lo}, ${hi}]`);
    }
  }
}

/** How the ports of a generated topology are named. */
export interface PortNaming {
  /** Name of the i-th input port (0-based) of the given type. */
  input(i: number, type: 'flow' | 'potential'): string;
  /** Name of the i-th ground node. */
  ground(i: number, count: number): string;
}

const defaultNaming: PortNaming = {
  input: (i, type) => (type === 'flow' ? `I${i + 1}` : `V${i + 1}`),
  ground: (i, count) => (count === 1 ? 'gnd' : `gnd${i}`),
};

/**
 * The boundary of a generated topology on a scalar network: its ground
 * nodes held at 0; with `potential` inputs each input node held at its
 * port's value; with `flow` inputs each port injecting at its node and
 * withdrawing at the first ground node. Outputs are named after their nodes.
 */
export function boundaryFromTopology(topology: Topology, inputType: 'flow' | 'potential', naming: PortNaming = defaultNaming): Boundary {
  const { graph, groundNodes } = topology;
  if (groundNodes.length === 0) throw new MultimechError('the topology has no ground node');
  const dirichlet = [...groundNodes];
  const dirichletNames = groundNodes.map((_, i) => naming.ground(i, groundNodes.length));
  const inputs: InputPort[] = topology.inputNodes.map((node, i) => {
    const name = naming.input(i, inputType);
    if (inputType === 'flow') return { name, type: 'flow', node, ref: groundNodes[0] };
    dirichletNames.push(name);
    return { name, type: 'potential', node, dirichletIndex: dirichlet.push(node) - 1 };
  });
  const outputs: OutputPort[] = topology.outputNodes.map((node) => ({ name: graph.nodeNames[node], node }));
  return { dirichlet: Int32Array.from(dirichlet), dirichletNames, inputs, outputs };
}

/** The same bound for every edge. */
export function uniformBounds(edges: number, min: number, max: number): ParameterBounds {
  return { min: new Float64Array(edges).fill(min), max: new Float64Array(edges).fill(max) };
}
