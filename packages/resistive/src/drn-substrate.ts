import {
  ADJOINT_COST,
  type Boundary,
  type Capability,
  type Drive,
  type Graph,
  type MinibatchGradient,
  type MinibatchRequest,
  type MinibatchSubstrate,
  MultimechError,
  type NudgedSolver,
  type NudgedState,
  type ParameterBounds,
  type PhysicalCost,
  RelaxationTimes,
  type StateLoss,
  createGraph,
  equilibriaCost,
  driveFromInputs,
  readScalarOutputs,
  scalarOutputForce,
} from '@multimech/core';
import { type CsrMatrix, csrFromTriplets } from '@multimech/sparse';
import { DeepResistiveNetwork } from './deep-resistive-network';
import { shockleyLaw } from './drn-diode';
import { type DrnMechanism, drnGradient, exactResponse } from './drn-gradients';
import { type LayeredSolveOptions, type LayeredState, layeredEnergy, nodeConductances, pinnedNodes, solveLayered } from './layered-solver';

/** The bounds of a deep resistive network's parameters: conductances in [0, MAX_DRN_CONDUCTANCE] S, bias currents in ±MAX_DRN_BIAS A. */
export const MAX_DRN_CONDUCTANCE = 1e6;
export const MAX_DRN_BIAS = 1e6;

/**
 * A deep resistive network (`DeepResistiveNetwork`) as a substrate, so that
 * the shared trainer composes it with any mechanism (docs/drn.md).
 *
 * Nodes: `gnd` (node 0, held at 0 V), the input sources `x0 …` (held at the
 * drive's potentials), the hidden layers' nodes `h1_0 …`, the outputs
 * `y0 …`. Edges, one per parameter and in the parameters' order: each
 * conductance `W{k}[i,j]` from node i of layer k − 1 to node j of layer k,
 * then each bias current `b{k}[j]` as an edge from its node to ground. The
 * diodes are fixed elements from each hidden node to ground.
 *
 * - equilibrium: the layered solver (exact block-coordinate minimisation,
 *   converged to `solver.tolerance` of the largest potential), with the
 *   drive's injections at free nodes;
 * - Hessian: on the free nodes; with ideal diodes, a node held at 0 V by its
 *   conducting diode is held (left out of the free dofs, its response 0):
 *   the linear response of the piecewise-linear network at a state where no
 *   node sits exactly at its knee without conducting, the limit the
 *   constrained problem's derivative takes (the active set held fixed);
 * - linear response: exact block elimination of the layered Hessian, with
 *   forces at any free node;
 * - readings: each edge's drop (a bias current reads its node's potential);
 *   dC/dW = ΔV·Δu, dC/db = −u (PHYSICS.md §2); ∂E/∂W = ½ΔV², ∂E/∂b = −V;
 * - nudged and clamped states: the layered solver too (`nudgedSolver`),
 *   from the free state, with the MSE nudge in the output layer's closed
 *   form; the loss must be quadratic in the outputs;
 * - minibatches (core's `MinibatchSubstrate`, `minibatch` on): the
 *   trainer's minibatch solved together and its mean estimate computed by
 *   `drnGradient`, for the adjoint, EP and CL.
 *
 * With ideal diodes E is +∞ outside the diodes' sides; the residual at a
 * node on its diode's bound is the part of ∂E/∂s the diode cannot carry
 * (zero when the diode conducts the node's net current).
 */
export class DrnSubstrate implements MinibatchSubstrate {
  readonly kind = 'drn';
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['scalar-potential']);
  readonly dofPerNode = 1;
  readonly parameterName = 'conductance';
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  /** The first node of each layer (inputs first; node 0 is ground). */
  readonly offsets: readonly number[];
  private theta: Float64Array;
  private readonly nodes: number;
  /** The last free state solved, what a nudged solve around it starts from (and reuses the input current of). */
  private last: { readonly drive: Drive; readonly version: number; readonly vector: Float64Array; readonly layered: LayeredState } | undefined;

  /** Whether `minibatchGradient` serves the trainer (else it goes example by example). */
  readonly minibatch: boolean;

  constructor(
    readonly network: DeepResistiveNetwork,
    readonly solver: LayeredSolveOptions = {},
    options: { readonly minibatch?: boolean } = {},
  ) {
    this.minibatch = options.minibatch ?? true;
    const { sizes } = network;
    const offsets: number[] = [];
    let at = 1;
    for (const n of sizes) (offsets.push(at), (at += n));
    this.offsets = offsets;
    this.nodes = at;
    const top = sizes.length - 1;
    const nodeNames = ['gnd'];
    for (let k = 0; k <= top; k++) for (let j = 0; j < sizes[k]; j++) nodeNames.push(k === 0 ? `x${j}` : k === top ? `y${j}` : `h${k}_${j}`);
    const edges: { name: string; from: number; to: number }[] = [];
    const names: string[] = [];
    for (let k = 0; k < top; k++) {
      const m = sizes[k + 1];
      for (let i = 0; i < sizes[k]; i++) {
        for (let j = 0; j < m; j++) {
          const name = `W${k + 1}[${i},${j}]`;
          edges.push({ name, from: offsets[k] + i, to: offsets[k + 1] + j });
          names.push(name);
        }
      }
    }
    for (let k = 1; k <= top; k++) {
      for (let j = 0; j < sizes[k]; j++) {
        const name = `b${k}[${j}]`;
        edges.push({ name, from: offsets[k] + j, to: 0 });
        names.push(name);
      }
    }
    this.graph = createGraph(nodeNames, edges);
    this.parameterNames = names;
    const dirichlet = Int32Array.from({ length: 1 + sizes[0] }, (_, i) => i);
    this.boundary = {
      dirichlet,
      dirichletNames: ['gnd', ...Array.from({ length: sizes[0] }, (_, i) => `x${i}`)],
      inputs: Array.from({ length: sizes[0] }, (_, i) => ({ name: `x${i}`, type: 'potential' as const, node: 1 + i, dirichletIndex: 1 + i })),
      outputs: Array.from({ length: sizes[top] }, (_, j) => ({ name: `y${j}`, node: offsets[top] + j })),
    };
    const m = network.parameterCount;
    const c = network.conductanceCount;
    const min = new Float64Array(m);
    const max = new Float64Array(m);
    for (let p = 0; p < m; p++) {
      min[p] = p < c ? 0 : -MAX_DRN_BIAS;
      max[p] = p < c ? MAX_DRN_CONDUCTANCE : MAX_DRN_BIAS;
    }
    this.bounds = { min, max };
    this.theta = network.parameters;
  }

  get parameters(): Float64Array {
    return this.theta;
  }

  setParameters(theta: ArrayLike<number>): void {
    this.network.setParameters(theta);
    this.theta = Float64Array.from(theta);
  }

  drive(inputs: ArrayLike<number>): Drive {
    return driveFromInputs(this.boundary, this.nodes, inputs);
  }

  /** The input potentials of a drive, and its injections at each free layer (none where it injects nothing). */
  private layeredDrive(drive: Drive): { inputs: Float64Array; nodeCurrent?: (Float64Array | undefined)[] } {
    if (drive.fixed.length !== 1 + this.network.sizes[0] || drive.injection.length !== this.nodes) {
      throw new MultimechError(`a drive of the deep resistive network needs ${this.nodes} injections and ${1 + this.network.sizes[0]} held values, got ${drive.injection.length} and ${drive.fixed.length}`);
    }
    if (drive.fixed[0] !== 0) throw new MultimechError(`the deep resistive network's ground is at 0 V; a drive holds it at ${drive.fixed[0]}`);
    const inputs = drive.fixed.slice(1);
    let nodeCurrent: (Float64Array | undefined)[] | undefined;
    const { sizes } = this.network;
    for (let k = 1; k < sizes.length; k++) {
      const part = drive.injection.subarray(this.offsets[k], this.offsets[k] + sizes[k]);
      if (part.some((x) => x !== 0)) {
        nodeCurrent ??= sizes.slice(1).map(() => undefined);
        nodeCurrent[k - 1] = Float64Array.from(part);
      }
    }
    return nodeCurrent ? { inputs, nodeCurrent } : { inputs };
  }

  /** A state vector as the layered solver's state of one example (the inputs as the state holds them). */
  toLayered(state: Float64Array): LayeredState {
    const { sizes } = this.network;
    if (state.length !== this.nodes) throw new MultimechError(`a state of the deep resistive network has ${this.nodes} node values, got ${state.length}`);
    return { batch: 1, layers: sizes.map((n, k) => state.slice(this.offsets[k], this.offsets[k] + n)), sweeps: 0, change: 0 };
  }

  private fromLayered(layered: LayeredState, example = 0): Float64Array {
    const s = new Float64Array(this.nodes);
    this.network.sizes.forEach((n, k) => s.set(layered.layers[k].subarray(example * n, (example + 1) * n), this.offsets[k]));
    return s;
  }

  /** The free state by the layered solver, as the solver gives it (with what a nudged solve from it reuses). */
  solve(drive: Drive, extra: Parameters<typeof solveLayered>[3] = {}): LayeredState {
    const d = this.layeredDrive(drive);
    let inputs = d.inputs;
    let start = extra.start;
    // the same input potentials as the last free state, under the same parameters (a lock-in's samples): its input current
    // into the first hidden layer is reused, from a cold start all the same, so the solve does not depend on what came before
    const last = this.last?.layered;
    if (!start && last?.reuse && last.reuse.version === this.network.version && sameValues(last.reuse.inputs, inputs)) {
      inputs = last.reuse.inputs;
      start = { batch: 1, layers: last.layers.map((l) => new Float64Array(l.length)), sweeps: 0, change: 0, reuse: last.reuse };
    }
    return solveLayered(this.network, inputs, 1, { ...this.solver, ...(d.nodeCurrent ? { nodeCurrent: d.nodeCurrent } : {}), ...extra, ...(start ? { start } : {}) });
  }

  equilibrium(drive: Drive): Float64Array {
    const layered = this.solve(drive);
    const vector = this.fromLayered(layered);
    this.last = { drive, version: this.network.version, vector, layered };
    return vector;
  }

  /** The layered state of a free state this substrate solved last (the same vector, drive and parameters), else solved anew. */
  freeLayered(free: Float64Array, drive: Drive): LayeredState {
    const last = this.last;
    return last && last.vector === free && last.drive === drive && last.version === this.network.version ? last.layered : this.solve(drive);
  }

  energy(state: Float64Array, drive: Drive): number {
    const layered = this.toLayered(state);
    let e = layeredEnergy(this.network, layered, 0);
    for (let i = 0; i < this.nodes; i++) if (drive.injection[i] !== 0) e -= drive.injection[i] * state[i];
    return e;
  }

  residual(state: Float64Array, drive: Drive): Float64Array {
    const net = this.network;
    const { sizes, weights, biases } = net;
    const top = sizes.length - 1;
    const r = new Float64Array(this.nodes);
    for (let k = 0; k < top; k++) {
      const n = sizes[k];
      const m = sizes[k + 1];
      const w = weights[k];
      const a = this.offsets[k];
      const c = this.offsets[k + 1];
      for (let i = 0; i < n; i++) {
        const vi = state[a + i];
        let ri = 0;
        for (let j = 0; j < m; j++) {
          const flow = w[i * m + j] * (vi - state[c + j]);
          ri += flow;
          r[c + j] -= flow;
        }
        r[a + i] += ri;
      }
    }
    for (let k = 1; k <= top; k++) {
      for (let j = 0; j < sizes[k]; j++) {
        const node = this.offsets[k] + j;
        r[node] -= biases[k - 1][j];
        r[0] += biases[k - 1][j];
      }
    }
    for (let i = 0; i < this.nodes; i++) r[i] -= drive.injection[i];
    const diode = net.diode;
    for (let k = 1; k < top; k++) {
      for (let j = 0; j < sizes[k]; j++) {
        const node = this.offsets[k] + j;
        const sigma = net.orientation[k - 1][j];
        const v = state[node];
        let current: number; // the current the diode draws out of the node: ∂F(−σv)/∂v
        if (diode.kind === 'shockley') current = -sigma * shockleyLaw(diode).current(-sigma * v);
        else if (v === 0 && sigma * r[node] > 0) current = -r[node]; // on its bound, the diode conducts what pushes the node past it
        else current = 0;
        r[node] += current;
        r[0] -= current;
      }
    }
    return r;
  }

  /** The free nodes of a state: every hidden and output node but those an ideal diode holds at 0 V. */
  private freeNodes(layered: LayeredState): Int32Array {
    const pinned = pinnedNodes(this.network, layered);
    const free: number[] = [];
    const { sizes } = this.network;
    for (let k = 1; k < sizes.length; k++) for (let j = 0; j < sizes[k]; j++) if (!pinned(k, 0, j)) free.push(this.offsets[k] + j);
    return Int32Array.from(free);
  }

  hessian(state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array } {
    const net = this.network;
    const layered = this.toLayered(state);
    const freeDofs = this.freeNodes(layered);
    const row = new Int32Array(this.nodes).fill(-1);
    freeDofs.forEach((node, i) => (row[node] = i));
    const sums = nodeConductances(net, layered);
    const { sizes } = net;
    const top = sizes.length - 1;
    const rows: number[] = [];
    const cols: number[] = [];
    const values: number[] = [];
    const law = net.diode.kind === 'shockley' ? shockleyLaw(net.diode) : undefined;
    for (let k = 1; k <= top; k++) {
      for (let j = 0; j < sizes[k]; j++) {
        const r = row[this.offsets[k] + j];
        if (r < 0) continue;
        let d = sums[k - 1][j];
        if (law && k < top) d += law.conductance(-net.orientation[k - 1][j] * layered.layers[k][j]);
        rows.push(r), cols.push(r), values.push(d);
      }
    }
    for (let k = 1; k < top; k++) {
      const m = sizes[k + 1];
      const w = net.weights[k];
      for (let i = 0; i < sizes[k]; i++) {
        const ri = row[this.offsets[k] + i];
        if (ri < 0) continue;
        for (let j = 0; j < m; j++) {
          const rj = row[this.offsets[k + 1] + j];
          const g = w[i * m + j];
          if (rj < 0 || g === 0) continue;
          rows.push(ri, rj), cols.push(rj, ri), values.push(-g, -g);
        }
      }
    }
    return { matrix: csrFromTriplets(freeDofs.length, freeDofs.length, rows, cols, values), freeDofs };
  }

  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    const layered = this.toLayered(state);
    const { sizes } = this.network;
    const top = sizes.length - 1;
    return forces.map((f) => {
      if (f.length !== this.nodes) throw new MultimechError(`linearResponse: expected a force of ${this.nodes} node values, got ${f.length}`);
      const at = (k: number) => f.slice(this.offsets[k], this.offsets[k] + sizes[k]);
      const hidden = sizes.slice(1, top).map((_, i) => at(i + 1));
      const u = hidden.some((h) => h.some((x) => x !== 0)) ? exactResponse(this.network, layered, at(top), [...hidden, undefined]) : exactResponse(this.network, layered, at(top));
      const out = this.fromLayered(u);
      for (const d of this.boundary.dirichlet) out[d] = 0;
      return out;
    });
  }

  readout(state: Float64Array): Float64Array {
    return readScalarOutputs(this.boundary, state);
  }

  outputForce(_state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    return scalarOutputForce(this.boundary, this.nodes, dCdy);
  }

  /** Each edge's drop of a node field: V_i − V_j for a conductance, V_j (to ground) for a bias current. */
  private drops(field: Float64Array): Float64Array {
    const { from, to } = this.graph;
    const out = new Float64Array(from.length);
    for (let e = 0; e < out.length; e++) out[e] = field[from[e]] - field[to[e]];
    return out;
  }

  activationReadings(state: Float64Array): Float64Array {
    return this.drops(state);
  }

  errorReadings(_state: Float64Array, response: Float64Array): Float64Array {
    return this.drops(response);
  }

  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    const c = this.network.conductanceCount;
    const g = new Float64Array(activation.length);
    for (let e = 0; e < c; e++) g[e] = activation[e] * error[e];
    for (let e = c; e < g.length; e++) g[e] = -error[e];
    return g;
  }

  parameterForce(state: Float64Array): Float64Array {
    const d = this.drops(state);
    const c = this.network.conductanceCount;
    for (let e = 0; e < c; e++) d[e] = 0.5 * d[e] * d[e];
    for (let e = c; e < d.length; e++) d[e] = -d[e];
    return d;
  }

  /**
   * A minibatch's mean gradient estimate in one pass (core's
   * `MinibatchSubstrate`): the free states of its examples solved together
   * by the layered solver, then `drnGradient` (the scripts' computation),
   * for the combinations it knows: a DC activation, the half-sum MSE, and
   * the exact adjoint (rule `product`), EP centred or positive and CL (rule
   * `contrastive`). The estimate is the one the example-by-example path
   * gives, to rounding (held against it in test/drn-substrate.test.ts); so
   * are the cost each example reports (the adjoint's two solves, EP's and
   * CL's two instantaneous equilibria) and the diagnostics (0 Newton steps).
   * Anything else, and `minibatch: false`, answers undefined.
   */
  minibatchGradient(request: MinibatchRequest): MinibatchGradient | undefined {
    if (!this.minibatch || request.activation.kind !== 'dc' || request.examples.length === 0) return undefined;
    const { loss } = request;
    if (loss.kind !== 'mse' || (loss.scaling ?? 'half-sum') !== 'half-sum') return undefined;
    const known = this.knownMechanism(request);
    if (!known) return undefined;
    const { sizes } = this.network;
    const nIn = sizes[0];
    const nOut = sizes[sizes.length - 1];
    const B = request.examples.length;
    const inputs = new Float64Array(B * nIn);
    const targets = new Float64Array(B * nOut);
    request.examples.forEach((ex, b) => {
      if (ex.inputs.length !== nIn || ex.target.length !== nOut) throw new MultimechError(`an example of ${ex.inputs.length} inputs and ${ex.target.length} targets for a deep resistive network of ${nIn} inputs and ${nOut} outputs`);
      inputs.set(ex.inputs, b * nIn);
      targets.set(ex.target, b * nOut);
    });
    const g = drnGradient(this.network, { size: B, inputs, targets }, known.mechanism, this.solver);
    const out = g.free.layers[sizes.length - 1];
    const losses = new Float64Array(B);
    for (let b = 0; b < B; b++) for (let j = 0; j < nOut; j++) losses[b] += 0.5 * (out[b * nOut + j] - targets[b * nOut + j]) ** 2;
    return { gradient: g.gradient, losses, cost: known.cost, ...(known.diagnostics ? { diagnostics: known.diagnostics } : {}) };
  }

  /** The mechanism of a request as `drnGradient` names it, with what each example's measurement reports; undefined for one it does not know. */
  private knownMechanism(request: MinibatchRequest): { mechanism: DrnMechanism; cost: PhysicalCost; diagnostics?: Record<string, number> } | undefined {
    const { error, rule } = request;
    const settings = (error as { readonly settings?: { readonly beta?: unknown; readonly variant?: unknown; readonly eta?: unknown } }).settings;
    if (error.kind === 'adjoint' && rule.kind === 'product') return { mechanism: { kind: 'adjoint' }, cost: ADJOINT_COST };
    if (rule.kind !== 'contrastive' || !settings) return undefined;
    // the contrastive mechanisms' cost on a network without dynamics: two instantaneous equilibria (core's equilibriaCost, which reads no state then)
    const cost = () => {
      const state = new Float64Array(this.nodes);
      return equilibriaCost(this, [state, state], new RelaxationTimes());
    };
    if (error.kind === 'ep' && typeof settings.beta === 'number' && (settings.variant === 'centred' || settings.variant === 'positive')) {
      return { mechanism: { kind: 'ep', beta: settings.beta, variant: settings.variant }, cost: cost(), diagnostics: { newtonSteps: 0 } };
    }
    if (error.kind === 'cl' && typeof settings.eta === 'number') return { mechanism: { kind: 'cl', eta: settings.eta }, cost: cost(), diagnostics: { newtonSteps: 0 } };
    return undefined;
  }

  /**
   * Nudged and clamped states by the layered solver from the free state
   * (docs/architecture.md, "A substrate's own nudged solver"). The loss must
   * be quadratic in the outputs with one curvature c (the MSE at any of its
   * scalings): E + βC is then the layered solver's nudge of strength βc
   * towards the targets y = v + e/c it reads off the error force e at the
   * free state.
   */
  nudgedSolver(free: Float64Array, drive: Drive, loss: StateLoss): NudgedSolver {
    return new LayeredNudgedSolver(this, free, drive, loss);
  }
}

/** EP's nudged and CL's clamped states of a deep resistive network, by its layered solver (see `DrnSubstrate.nudgedSolver`). */
class LayeredNudgedSolver implements NudgedSolver {
  readonly outputs: Float64Array;
  readonly outputGradient: Float64Array;
  private readonly start: LayeredState;
  private readonly curvature: number;
  private readonly targets: Float64Array;

  constructor(
    private readonly substrate: DrnSubstrate,
    readonly free: Float64Array,
    private readonly drive: Drive,
    loss: StateLoss,
  ) {
    const ports = substrate.boundary.outputs;
    this.outputs = substrate.readout(free);
    const e = loss.evaluate(free).force;
    this.outputGradient = Float64Array.from(ports, (p) => -e[p.node]);
    // the loss's curvature: e moves by −c per unit of an output, the same c at every output and every distance
    const probe = Float64Array.from(free);
    for (const p of ports) probe[p.node] += 1;
    const moved = loss.evaluate(probe).force;
    const c = e[ports[0].node] - moved[ports[0].node];
    const quadratic = c > 0 && Number.isFinite(c) && ports.every((p) => Math.abs(e[p.node] - moved[p.node] - c) <= 1e-9 * c);
    const far = Float64Array.from(free);
    for (const p of ports) far[p.node] += 10;
    const farForce = loss.evaluate(far).force;
    if (!quadratic || !ports.every((p) => Math.abs(e[p.node] - farForce[p.node] - 10 * c) <= 1e-8 * c * 10)) {
      throw new MultimechError(
        "the deep resistive network's layered solver nudges and clamps by a loss quadratic in the outputs (the MSE): this loss is not; give the task { \"loss\": { \"kind\": \"mse\" } }",
      );
    }
    this.curvature = c;
    this.targets = Float64Array.from(ports, (p) => free[p.node] + e[p.node] / c);
    this.start = substrate.freeLayered(free, drive);
  }

  nudged(beta: number): NudgedState {
    if (!Number.isFinite(beta)) throw new MultimechError(`nudging strength β must be finite, got ${beta}`);
    if (beta === 0) return { state: Float64Array.from(this.free), iterations: 0 };
    const s = this.substrate.solve(this.drive, { start: this.start, nudge: { beta: beta * this.curvature, targets: this.targets } });
    return { state: this.layeredToState(s), iterations: 0 };
  }

  clamped(outputs: ArrayLike<number>): NudgedState {
    const ports = this.substrate.boundary.outputs;
    if (outputs.length !== ports.length) throw new MultimechError(`expected ${ports.length} clamped output values, got ${outputs.length}`);
    for (let j = 0; j < ports.length; j++) if (!Number.isFinite(outputs[j])) throw new MultimechError(`clamped value of output '${ports[j].name}' is not finite (${outputs[j]})`);
    const s = this.substrate.solve(this.drive, { start: this.start, clampOutputs: Float64Array.from(outputs) });
    return { state: this.layeredToState(s), iterations: 0 };
  }

  private layeredToState(s: LayeredState): Float64Array {
    const out = new Float64Array(this.free.length);
    out[0] = 0;
    this.substrate.network.sizes.forEach((n, k) => out.set(s.layers[k].subarray(0, n), this.substrate.offsets[k]));
    return out;
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
