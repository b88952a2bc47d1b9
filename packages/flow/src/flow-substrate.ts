import { DissipativeSubstrate, MultimechError, ScalarSubstrate, ScalarSubstrateSpec, TransportNetwork, TransportSubstrate, edgeDrops, powerLawMap } from '@multimech/core';

/** What a tube's trainable parameter is: its hydraulic conductance k, or its radius r (k = π r⁴ / (8 μ L)). */
export type FlowParameter = 'conductance' | 'radius';

/**
 * What a flow network is made of. `parameters` are the initial values of
 * the trainable parameter (conductances k, or radii r, one per tube);
 * `viscosity` μ and `length` L are one number for every tube or one per tube
 * (default 1 each).
 */
export interface FlowNetworkSpec extends Omit<ScalarSubstrateSpec, 'parameterMap' | 'capabilities' | 'parameterName' | 'edgeLaw'> {
  readonly parameter: FlowParameter;
  readonly viscosity?: number | ArrayLike<number>;
  readonly length?: number | ArrayLike<number>;
}

/** One positive finite value per tube from a scalar or an array, or a clear error naming the tube. */
function perTube(value: number | ArrayLike<number> | undefined, what: string, names: readonly string[]): Float64Array {
  const m = names.length;
  const out = typeof value === 'number' || value === undefined ? new Float64Array(m).fill(value ?? 1) : Float64Array.from(value);
  if (out.length !== m) throw new MultimechError(`flow network: expected ${m} ${what} values (one per tube), got ${out.length}`);
  for (let k = 0; k < m; k++) {
    if (!(Number.isFinite(out[k]) && out[k] > 0)) {
      throw new MultimechError(`${what} of tube '${names[k]}' must be a finite positive number, got ${out[k]}`);
    }
  }
  return out;
}

/**
 * A linear flow network of Hagen–Poiseuille tubes (PHYSICS.md §1, flow
 * column): state = node pressures p, edge weight = hydraulic conductance k,
 * `E = ½ Σ k Δp² − q·p`. Dirichlet nodes are pressure reservoirs (held at 0,
 * the reference, unless a potential input port sets them); flow input ports
 * inject a volume flow at a node and withdraw it at the reference reservoir.
 *
 * The trainable parameter θ is either k itself (`'conductance'`) or the tube
 * radius r (`'radius'`), with `k = π r⁴ / (8 μ L)` for the tube's viscosity
 * μ and length L; then `dC/dr = (4k/r) Δp*·Δu` and `∂E/∂r = (4k/r) ½Δp²`
 * (the chain rule `∂/∂r = (4k/r) ∂/∂k`). That is data, the parameter map
 * the network is built with (`powerLawMap(π/(8 μ L), 4)`); the scalar
 * substrate applies it.
 *
 * `transport` exposes the tubes to a chemical (PHYSICS.md §4): conductance,
 * cross-section π r², length and the flow `Q = k Δp` of each tube.
 *
 * Final: not to be extended.
 */
export class FlowSubstrate extends ScalarSubstrate implements TransportSubstrate, DissipativeSubstrate {
  readonly kind = 'flow';
  readonly parameterName: FlowParameter;
  /** Viscosity μ of each tube. */
  readonly viscosity: Float64Array;
  /** Length L of each tube. */
  readonly tubeLength: Float64Array;
  readonly transport: TransportNetwork;
  /** π / (8 μ L) per tube: k = geometry · r⁴. */
  private readonly geometry: Float64Array;

  constructor(spec: FlowNetworkSpec) {
    if (spec.parameter !== 'conductance' && spec.parameter !== 'radius') {
      throw new MultimechError(`flow network: parameter must be 'conductance' or 'radius', got ${JSON.stringify(spec.parameter)}`);
    }
    const names = spec.graph.edgeNames;
    const viscosity = perTube(spec.viscosity, 'viscosity', names);
    const tubeLength = perTube(spec.length, 'length', names);
    const geometry = viscosity.map((mu, j) => Math.PI / (8 * mu * tubeLength[j]));
    super({
      ...spec,
      parameterName: spec.parameter,
      parameterMap: spec.parameter === 'radius' ? powerLawMap(geometry, 4) : undefined,
      capabilities: ['transport'],
    });
    this.parameterName = spec.parameter;
    this.viscosity = viscosity;
    this.tubeLength = tubeLength;
    this.geometry = geometry;
    this.transport = {
      graph: this.graph,
      fixedNodes: this.boundary.dirichlet,
      hydraulicConductance: () => this.conductances(),
      area: () => this.area(),
      length: () => Float64Array.from(this.tubeLength),
      flows: (state) => this.flows(state),
    };
  }

  /** Hydraulic conductance k of each tube at the current parameters: θ itself, or π r⁴ / (8 μ L). */
  conductances(): Float64Array {
    return this.edgeWeights();
  }

  /** Radius r of each tube: θ itself, or (8 μ L k / π)^¼ in conductance mode. */
  radii(): Float64Array {
    if (this.parameterName === 'radius') return Float64Array.from(this.parameters);
    return this.parameters.map((k, j) => (k / this.geometry[j]) ** 0.25);
  }

  /** Cross-section π r² of each tube. */
  area(): Float64Array {
    return this.radii().map((r) => Math.PI * r * r);
  }

  /** The power the viscous flow dissipates in a pressure state: Σ k Δp² over the tubes (W for SI values). */
  power(state: Float64Array): number {
    return this.flowTimesDrop(state);
  }

  /** Volume flow Q = k (p_from − p_to) along each tube in a pressure state. */
  flows(state: Float64Array): Float64Array {
    const q = edgeDrops(this.graph, state);
    const k = this.conductances();
    for (let j = 0; j < q.length; j++) q[j] *= k[j];
    return q;
  }
}
