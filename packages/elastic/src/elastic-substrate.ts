import {
  Boundary,
  Capability,
  Drive,
  DynamicSubstrate,
  Graph,
  InputPort,
  MultimechError,
  NewtonProblem,
  NumericalError,
  restatingSolverFailures,
  OutputPort,
  ParameterBounds,
  PhasorResponse,
  Substrate,
  fireMinimize,
  newtonMinimize,
  solvePhasor,
} from '@multimech/core';
import {
  CsrMatrix,
  SolverOptions,
  planSolver,
  largestEigenvalue,
} from '@multimech/sparse';
import { SpringStiffness } from './spring-stiffness';

/** What the springs learn: their stiffness k, their rest length ℓ, or both (θ = [k…, ℓ…]). */
export type ElasticParameter = 'stiffness' | 'rest-length' | 'both';

/**
 * An input port. `force`: a force of the port's value on `node` along
 * `axis`, and the opposite force on `ref` along the same axis when set (a
 * force dipole). `displacement`: the dof (node, axis) is held at its
 * reference position plus the port's value (an imposed position).
 * `strain`: a strained source pair; every dof of `a` and `b` is held, each
 * node moved by half the port's value along the pair's reference axis ê =
 * (X_b − X_a)/|X_b − X_a|, away from the other, so the pair's distance is
 * its reference distance plus the value (its extension, a length).
 */
export type ElasticInput =
  | { readonly type: 'force'; readonly node: number; readonly axis: number; readonly ref?: number; readonly name?: string }
  | { readonly type: 'displacement'; readonly node: number; readonly axis: number; readonly name?: string }
  | { readonly type: 'strain'; readonly a: number; readonly b: number; readonly name?: string };

/**
 * An output. `displacement`: x[node·dim + axis] minus its reference value.
 * `distance`: |x_a − x_b| minus the pair's reference distance (the change
 * of distance, the allostery form; a nonlinear readout).
 */
export type ElasticOutput =
  | { readonly type: 'displacement'; readonly node: number; readonly axis: number; readonly name?: string }
  | { readonly type: 'distance'; readonly a: number; readonly b: number; readonly name?: string };

export interface ElasticSpec {
  readonly dimension: number;
  readonly graph: Graph;
  /** Reference positions, node-major (x0, y0, [z0,] x1, ...); held dofs start here. */
  readonly positions: ArrayLike<number>;
  /** Stiffness k per spring. */
  readonly stiffness: ArrayLike<number>;
  /** Rest length ℓ per spring (default: the reference lengths, a stress-free reference). */
  readonly restLength?: ArrayLike<number>;
  readonly parameter: ElasticParameter;
  /** Bounds of θ: one pair per trainable parameter (m, or 2m for 'both'). */
  readonly bounds: ParameterBounds;
  /** Pinned nodes: every dof held at its reference position. */
  readonly pins: readonly number[];
  readonly inputs?: readonly ElasticInput[];
  readonly outputs?: readonly ElasticOutput[];
  readonly solver?: SolverOptions;
  /** Newton: converged when max |∂E/∂x| ≤ tolerance·(1 + force scale) (default 1e-9, then up to 4 polishing Newton steps while the residual falls, to rounding level); iteration cap (default 200). */
  readonly newton?: { readonly tolerance?: number; readonly maxIterations?: number };
  /**
   * The minimiser of the equilibrium: damped Newton with a Levenberg shift
   * (default), or FIRE (damped inertial dynamics on the energy and its
   * gradient alone, the robust alternative far from the minimum), finished by
   * the same polishing Newton steps.
   */
  readonly minimiser?: 'newton' | 'fire';
  /**
   * Node masses m, one for every node or one per node (node order): with
   * them the substrate has 'dynamics' with inertia, M ẍ + Γ ẋ = −∂E/∂x, and
   * a lowest resonance. Units: force per acceleration (force · time² /
   * length), so that √(k/m) is an angular frequency in rad per unit of time.
   */
  readonly mass?: number | ArrayLike<number>;
  /**
   * Viscous drag γ per node, one for every node or one per node: a force
   * −γ·v on each coordinate of a node moving at velocity v. Units: force ·
   * time / length. Damping alone (no masses) gives first-order dynamics
   * Γ ẋ = −∂E/∂x.
   */
  readonly damping?: number | ArrayLike<number>;
}

const AXES = ['x', 'y', 'z'];

/**
 * A network of central-force springs in 2-D or 3-D (PHYSICS.md §1, elastic
 * column): state = node positions (dof = node·dim + axis),
 * `E = Σ ½ k (r − ℓ)² − f·(x − X)` over the free dofs (X the reference positions), `r = |x_a − x_b|`,
 * `ê = (x_a − x_b)/r`. Pinned nodes and displacement inputs are Dirichlet
 * dofs; force inputs inject f.
 *
 * Equilibrium: core's damped Newton with an energy line search, warm
 * started from the last equilibrium. Away from the minimum H may be
 * indefinite (compressed springs soften transversally): when H is not
 * positive definite, or its step is not a descent direction, the step uses
 * H + λI with λ raised tenfold from 1e-8·max diag(H) until it is (a
 * Levenberg shift). A trial step that would turn any spring through zero
 * length (its vector reversing) has infinite energy for the line search,
 * so the step is halved until no spring passes through zero.
 *
 * Dirichlet values in a Drive are absolute positions. When every dof is
 * held there is nothing to solve: the equilibrium is the imposed state, H
 * is 0x0 and responses are zero.
 *
 * With node masses and/or damping (`mass`, `damping`) it is a
 * DynamicSubstrate (PHYSICS.md §3.3): M ẍ + Γ ẋ = −∂E/∂x with M and Γ
 * diagonal, the phasor response (H − ω²M + iωΓ)⁻¹ f, and with masses the
 * lowest resonance ω₀. Equilibria, H and the adjoint do not depend on them.
 */
export class ElasticSubstrate implements DynamicSubstrate {
  readonly kind = 'elastic';
  /** 'vector-state', and 'dynamics' when the network has masses or damping. */
  readonly capabilities: ReadonlySet<Capability>;
  readonly dofPerNode: number;
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterName: ElasticParameter;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  /** Reference positions. */
  readonly reference: Float64Array;
  readonly inputs: readonly ElasticInput[];
  readonly outputs: readonly ElasticOutput[];
  /** Pinned nodes. */
  readonly pins: readonly number[];
  /** Stiffness k per spring (live: use setParameters or setSprings). */
  readonly stiffness: Float64Array;
  /** Rest length ℓ per spring (live). */
  readonly restLength: Float64Array;
  readonly freeDofs: Int32Array;
  private readonly freeIndex: Int32Array;
  private readonly heldDofs: Int32Array;
  private readonly referenceDistance: Float64Array;
  /** Per input: the held values it moves, fixed[index] += weight · value. */
  private readonly inputHolds: { readonly index: number; readonly weight: number }[][] = [];
  private readonly stiffnessMatrix: SpringStiffness;
  private readonly theta: Float64Array;
  private readonly tolerance: number;
  /** The equilibrium's minimiser. */
  readonly minimiser: 'newton' | 'fire';
  private readonly maxIterations: number;
  private last: Float64Array | undefined;
  /** Mass per node (zero everywhere when the network has none). */
  readonly nodeMass: Float64Array;
  /** Viscous drag per node (zero everywhere when the network has none). */
  readonly nodeDamping: Float64Array;
  /** Γ per dof: the drag of its node, zero on held dofs (DynamicSubstrate). */
  readonly dofDamping: Float64Array;
  /** M per dof: the mass of its node, zero on held dofs; absent without masses (DynamicSubstrate). */
  readonly dofMass: Float64Array | undefined;
  /**
   * The lowest natural angular frequency ω₀ (rad per unit of time) at a
   * state: the smallest √λ of H x = λ M x on the free dofs, by Lanczos on
   * M^½ H⁻¹ M^½ with one factorization of H. Present only when the network
   * has masses.
   */
  readonly lowestResonance: ((state: Float64Array) => number) | undefined;

  constructor(spec: ElasticSpec) {
    const d = spec.dimension;
    if (d !== 2 && d !== 3) throw new MultimechError(`elastic network: dimension must be 2 or 3, got ${d}`);
    this.dofPerNode = d;
    const graph = spec.graph;
    this.graph = graph;
    const n = graph.nodeNames.length;
    const m = graph.from.length;
    const dofs = n * d;
    if (spec.positions.length !== dofs) {
      throw new MultimechError(`elastic network: expected ${dofs} coordinates (${n} nodes x ${d}), got ${spec.positions.length}`);
    }
    this.reference = Float64Array.from(spec.positions);
    for (let i = 0; i < dofs; i++) {
      if (!Number.isFinite(this.reference[i])) throw new MultimechError(`position of node '${this.dofName(i)}' is not finite (${this.reference[i]})`);
    }
    checkOverlaps(this.reference, d, graph.nodeNames);
    this.referenceDistance = this.lengths(this.reference);
    this.stiffness = perSpring(spec.stiffness, 'stiffness', graph.edgeNames);
    this.restLength = spec.restLength ? perSpring(spec.restLength, 'rest length', graph.edgeNames) : Float64Array.from(this.referenceDistance);
    this.parameterName = spec.parameter;
    if (!['stiffness', 'rest-length', 'both'].includes(spec.parameter)) {
      throw new MultimechError(`elastic network: parameter must be 'stiffness', 'rest-length' or 'both', got ${JSON.stringify(spec.parameter)}`);
    }
    this.parameterNames =
      spec.parameter === 'both' ? [...graph.edgeNames.map((e) => `k:${e}`), ...graph.edgeNames.map((e) => `l:${e}`)] : [...graph.edgeNames];
    this.theta = new Float64Array(this.parameterNames.length);
    this.readTheta();
    this.bounds = checkBounds(spec.bounds, this.parameterNames, this.theta);

    // boundary: pins first, then displacement inputs
    const heldIndex = new Int32Array(dofs).fill(-1);
    const held: number[] = [];
    const heldNames: string[] = [];
    const hold = (dof: number, name: string) => {
      if (heldIndex[dof] >= 0) throw new MultimechError(`dof ${this.dofName(dof)} is held twice (as '${heldNames[heldIndex[dof]]}' and '${name}')`);
      heldIndex[dof] = held.push(dof) - 1;
      heldNames.push(name);
      return heldIndex[dof];
    };
    this.pins = [...spec.pins];
    for (const node of spec.pins) {
      this.checkNode(node, 'pin');
      for (let a = 0; a < d; a++) hold(node * d + a, `pin:${this.dofName(node * d + a)}`);
    }
    this.inputs = spec.inputs ?? [];
    const inputPorts: InputPort[] = this.inputs.map((p, i) => {
      this.inputHolds.push([]);
      if (p.type === 'strain') {
        this.checkNode(p.a, `input ${i}`);
        this.checkNode(p.b, `input ${i}`);
        const name = p.name ?? `e${i + 1}(${graph.nodeNames[p.a]},${graph.nodeNames[p.b]})`;
        if (p.a === p.b) throw new MultimechError(`input '${name}' strains node '${graph.nodeNames[p.a]}' against itself`);
        let len = 0;
        for (let a = 0; a < d; a++) len += (this.reference[p.b * d + a] - this.reference[p.a * d + a]) ** 2;
        len = Math.sqrt(len);
        for (let a = 0; a < d; a++) {
          const e = (this.reference[p.b * d + a] - this.reference[p.a * d + a]) / len;
          this.inputHolds[i].push({ index: hold(p.a * d + a, `${name}:${this.dofName(p.a * d + a)}`), weight: -e / 2 });
          this.inputHolds[i].push({ index: hold(p.b * d + a, `${name}:${this.dofName(p.b * d + a)}`), weight: e / 2 });
        }
        return { name, type: 'potential', node: p.b * d, dirichletIndex: this.inputHolds[i][1].index };
      }
      this.checkNode(p.node, `input ${i}`);
      this.checkAxis(p.axis, `input ${i}`);
      const dof = p.node * d + p.axis;
      if (p.type === 'force') {
        const name = p.name ?? `f${i + 1}`;
        if (p.ref === undefined) return { name, type: 'flow', node: dof };
        this.checkNode(p.ref, `input '${name}' ref`);
        if (p.ref === p.node) throw new MultimechError(`input '${name}' pushes node '${graph.nodeNames[p.node]}' against itself`);
        return { name, type: 'flow', node: dof, ref: p.ref * d + p.axis };
      }
      if (p.type !== 'displacement') throw new MultimechError(`input ${i}: type must be 'force' or 'displacement', got ${JSON.stringify((p as { type: unknown }).type)}`);
      const name = p.name ?? `u${i + 1}`;
      const index = hold(dof, name);
      this.inputHolds[i].push({ index, weight: 1 });
      return { name, type: 'potential', node: dof, dirichletIndex: index };
    });
    this.outputs = spec.outputs ?? [];
    const outputPorts: OutputPort[] = this.outputs.map((o, i) => {
      if (o.type === 'displacement') {
        this.checkNode(o.node, `output ${i}`);
        this.checkAxis(o.axis, `output ${i}`);
        return { name: o.name ?? this.dofName(o.node * d + o.axis), node: o.node * d + o.axis };
      }
      if (o.type !== 'distance') throw new MultimechError(`output ${i}: type must be 'displacement' or 'distance', got ${JSON.stringify((o as { type: unknown }).type)}`);
      this.checkNode(o.a, `output ${i}`);
      this.checkNode(o.b, `output ${i}`);
      if (o.a === o.b) throw new MultimechError(`output ${i} measures the distance of node '${graph.nodeNames[o.a]}' to itself`);
      return { name: o.name ?? `d(${graph.nodeNames[o.a]},${graph.nodeNames[o.b]})`, node: o.a, ref: o.b };
    });
    this.heldDofs = Int32Array.from(held);
    this.boundary = { dirichlet: this.heldDofs, dirichletNames: heldNames, inputs: inputPorts, outputs: outputPorts };
    this.freeIndex = new Int32Array(dofs).fill(-1);
    const free: number[] = [];
    for (let i = 0; i < dofs; i++) if (heldIndex[i] < 0) this.freeIndex[i] = free.push(i) - 1;
    this.freeDofs = Int32Array.from(free);
    this.checkSprings(heldIndex);
    this.stiffnessMatrix = new SpringStiffness(graph, d, this.freeIndex, free.length, spec.solver ?? {});
    this.checkRigid();
    this.tolerance = spec.newton?.tolerance ?? 1e-9;
    this.maxIterations = spec.newton?.maxIterations ?? 200;
    this.minimiser = spec.minimiser ?? 'newton';

    this.nodeMass = perNode(spec.mass, 'mass', graph.nodeNames, (v) => v > 0, 'a finite positive number');
    this.nodeDamping = perNode(spec.damping, 'damping', graph.nodeNames, (v) => v >= 0, 'a finite non-negative number');
    const onFree = (perNodeValues: Float64Array) => {
      const out = new Float64Array(dofs);
      for (const dof of this.freeDofs) out[dof] = perNodeValues[Math.floor(dof / d)];
      return out;
    };
    this.dofDamping = onFree(this.nodeDamping);
    this.dofMass = spec.mass !== undefined ? onFree(this.nodeMass) : undefined;
    this.lowestResonance = spec.mass !== undefined ? (state) => this.resonance(state) : undefined;
    this.capabilities = new Set<Capability>(spec.mass !== undefined || spec.damping !== undefined ? ['vector-state', 'dynamics'] : ['vector-state']);
  }

  /** `name.x` for a dof. */
  dofName(dof: number): string {
    const d = this.dofPerNode;
    return `${this.graph.nodeNames[Math.floor(dof / d)]}.${AXES[dof % d]}`;
  }

  private checkNode(node: number, what: string): void {
    if (!(Number.isInteger(node) && node >= 0 && node < this.graph.nodeNames.length)) {
      throw new MultimechError(`${what}: node index ${node} is unknown (there are ${this.graph.nodeNames.length} nodes)`);
    }
  }

  private checkAxis(axis: number, what: string): void {
    if (!(Number.isInteger(axis) && axis >= 0 && axis < this.dofPerNode)) {
      throw new MultimechError(`${what}: axis must be 0..${this.dofPerNode - 1} in ${this.dofPerNode}-D, got ${axis}`);
    }
  }

  /** Every free node needs a spring; springs must be able to hold every free dof (Maxwell count). */
  private checkSprings(heldIndex: Int32Array): void {
    const { from, to, nodeNames } = this.graph;
    const d = this.dofPerNode;
    const degree = new Int32Array(nodeNames.length);
    let acting = 0;
    for (let k = 0; k < from.length; k++) {
      degree[from[k]]++;
      degree[to[k]]++;
      const freeEnd = [from[k], to[k]].some((node) => Array.from({ length: d }, (_, a) => heldIndex[node * d + a]).some((h) => h < 0));
      if (freeEnd) acting++;
    }
    const bare = nodeNames.filter((_, i) => degree[i] === 0 && Array.from({ length: d }, (__, a) => heldIndex[i * d + a]).some((h) => h < 0));
    if (bare.length > 0) {
      throw new MultimechError(
        `node(s) ${bare.slice(0, 10).join(', ')}${bare.length > 10 ? ', ...' : ''} have no spring: their free dofs are free of any stiffness`,
      );
    }
    const free = this.freeDofs.length;
    if (acting < free) {
      throw new MultimechError(
        `the network is floppy: ${free} free dofs but only ${acting} springs act on them, so at least ${free - acting} dofs are free of any spring stiffness; pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line) or add springs`,
      );
    }
  }

  /**
   * Rigidity at the reference positions: H of the stress-free reference
   * (Σ k êêᵀ blocks) must be positive definite. A zero-energy (floppy) mode,
   * such as a rigid-body motion that too few pins leave free, is reported
   * with the node that moves most in it.
   */
  private checkRigid(): void {
    const free = this.freeDofs.length;
    if (free === 0) return;
    const A = this.stiffnessMatrix.assemble(this.reference, this.stiffness, this.referenceDistance);
    const scale = this.stiffnessMatrix.maxDiagonal();
    const plan = this.stiffnessMatrix.plan?.method === 'cholesky' ? this.stiffnessMatrix.plan : planSolver(A, { method: 'cholesky' });
    const b = Float64Array.from({ length: free }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let x: Float64Array | undefined;
    try {
      x = plan.factor(A).solve(b);
    } catch {
      x = undefined;
    }
    let worst = 0;
    let at = 0;
    if (x) for (let i = 0; i < free; i++) if (!(Math.abs(x[i]) <= worst)) [worst, at] = [Math.abs(x[i]), i];
    if (!x || !(worst * scale <= 1e10 * 2)) {
      const where = x ? ` (it moves node '${this.graph.nodeNames[Math.floor(this.freeDofs[at] / this.dofPerNode)]}' most)` : '';
      throw new MultimechError(
        `the network is not rigid: its stiffness matrix at the reference positions is singular, a zero-energy (floppy) mode${where}; ` +
          `pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line) or add springs`,
      );
    }
  }

  get parameters(): Float64Array {
    return this.theta;
  }

  private readTheta(): void {
    const m = this.stiffness.length;
    if (this.parameterName === 'stiffness') this.theta.set(this.stiffness);
    else if (this.parameterName === 'rest-length') this.theta.set(this.restLength);
    else {
      this.theta.set(this.stiffness);
      this.theta.set(this.restLength, m);
    }
  }

  setParameters(theta: ArrayLike<number>): void {
    const m = this.stiffness.length;
    if (theta.length !== this.theta.length) {
      throw new MultimechError(`expected ${this.theta.length} ${this.parameterName} values (${this.parameterName === 'both' ? 'k then ℓ per spring' : 'one per spring'}), got ${theta.length}`);
    }
    for (let i = 0; i < theta.length; i++) {
      if (!(Number.isFinite(theta[i]) && theta[i] > 0)) {
        const what = this.parameterName === 'both' ? (i < m ? 'stiffness' : 'rest length') : this.parameterName === 'stiffness' ? 'stiffness' : 'rest length';
        throw new MultimechError(`${what} of spring '${this.graph.edgeNames[i % m]}' must be a finite positive number, got ${theta[i]}`);
      }
    }
    if (this.parameterName === 'stiffness') this.stiffness.set(theta);
    else if (this.parameterName === 'rest-length') this.restLength.set(theta);
    else {
      for (let k = 0; k < m; k++) {
        this.stiffness[k] = theta[k];
        this.restLength[k] = theta[m + k];
      }
    }
    this.theta.set(theta);
  }

  drive(values: ArrayLike<number>): Drive {
    const ports = this.boundary.inputs;
    if (values.length !== ports.length) {
      throw new MultimechError(`expected ${ports.length} input values (${ports.map((p) => p.name).join(', ')}), got ${values.length}`);
    }
    const injection = new Float64Array(this.reference.length);
    const fixed = Float64Array.from(this.heldDofs, (dof) => this.reference[dof]);
    ports.forEach((port, i) => {
      const v = values[i];
      if (!Number.isFinite(v)) throw new MultimechError(`input '${port.name}' is not finite (${v})`);
      if (port.type === 'flow') {
        injection[port.node] += v;
        if (port.ref !== undefined) injection[port.ref] -= v;
      } else for (const { index, weight } of this.inputHolds[i]) fixed[index] += weight * v;
    });
    return { injection, fixed };
  }

  /** Length of every spring at the reference positions (a copy). */
  referenceLengths(): Float64Array {
    return Float64Array.from(this.referenceDistance);
  }

  /** Length of every spring in a state. */
  lengths(state: Float64Array): Float64Array {
    const { from, to } = this.graph;
    const d = this.dofPerNode;
    const r = new Float64Array(from.length);
    for (let k = 0; k < from.length; k++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (state[from[k] * d + a] - state[to[k] * d + a]) ** 2;
      r[k] = Math.sqrt(s);
    }
    return r;
  }

  /** Σ ½ k (r − ℓ)² over the springs. */
  private springEnergy(state: Float64Array): number {
    const r = this.lengths(state);
    let e = 0;
    for (let k = 0; k < r.length; k++) e += 0.5 * this.stiffness[k] * (r[k] - this.restLength[k]) ** 2;
    return e;
  }

  energy(state: Float64Array, drive: Drive): number {
    let e = this.springEnergy(state);
    // the work of the forces is counted from the reference positions (a constant shift of E that keeps its rounding small)
    for (const dof of this.freeDofs) e -= drive.injection[dof] * (state[dof] - this.reference[dof]);
    return e;
  }

  residual(state: Float64Array, drive: Drive): Float64Array {
    const g = this.springForces(state);
    for (let i = 0; i < g.length; i++) g[i] -= drive.injection[i];
    return g;
  }

  /** ∂(Σ springs)/∂x at every dof: k (r − ℓ) ê at a, the opposite at b. */
  private springForces(state: Float64Array): Float64Array {
    const { from, to, edgeNames, nodeNames } = this.graph;
    const d = this.dofPerNode;
    const g = new Float64Array(state.length);
    for (let k = 0; k < from.length; k++) {
      let r2 = 0;
      for (let a = 0; a < d; a++) r2 += (state[from[k] * d + a] - state[to[k] * d + a]) ** 2;
      const r = Math.sqrt(r2);
      if (!(r > 0)) {
        throw new NumericalError(`spring '${edgeNames[k]}' has zero length: nodes '${nodeNames[from[k]]}' and '${nodeNames[to[k]]}' coincide, so its force has no direction`);
      }
      const t = (this.stiffness[k] * (r - this.restLength[k])) / r;
      for (let a = 0; a < d; a++) {
        const f = t * (state[from[k] * d + a] - state[to[k] * d + a]);
        g[from[k] * d + a] += f;
        g[to[k] * d + a] -= f;
      }
    }
    return g;
  }

  /** The state with free dofs from x and held dofs from the drive. */
  private scatter(x: Float64Array, fixed: ArrayLike<number>): Float64Array {
    const s = new Float64Array(this.reference.length);
    this.freeDofs.forEach((dof, i) => (s[dof] = x[i]));
    this.heldDofs.forEach((dof, i) => (s[dof] = fixed[i]));
    return s;
  }

  equilibrium(drive: Drive): Float64Array {
    if (drive.injection.length !== this.reference.length || drive.fixed.length !== this.heldDofs.length) {
      throw new MultimechError(`drive: expected ${this.reference.length} injections and ${this.heldDofs.length} held values, got ${drive.injection.length} and ${drive.fixed.length}`);
    }
    const start = this.last ?? this.reference;
    const x0 = Float64Array.from(this.freeDofs, (dof) => start[dof]);
    if (x0.length === 0) return this.scatter(x0, drive.fixed);
    const { from, to } = this.graph;
    const d = this.dofPerNode;
    // the state each trial step starts from: a spring whose vector reverses on the way has passed through zero length
    let current = this.scatter(x0, drive.fixed);
    const fire = this.minimiser === 'fire';
    let forceScale = 0;
    for (let i = 0; i < drive.injection.length; i++) forceScale = Math.max(forceScale, Math.abs(drive.injection[i]));
    for (let k = 0; k < from.length; k++) forceScale = Math.max(forceScale, this.stiffness[k] * this.restLength[k]);
    const problem: NewtonProblem = {
      size: x0.length,
      energy: (x) => {
        const s = this.scatter(x, drive.fixed);
        // a spring whose vector reverses within the step has passed through zero length: reject the step
        for (let k = 0; k < from.length; k++) {
          let dot = 0;
          for (let a = 0; a < d; a++) dot += (s[from[k] * d + a] - s[to[k] * d + a]) * (current[from[k] * d + a] - current[to[k] * d + a]);
          if (!(dot > 0)) return Infinity;
        }
        return this.energy(s, drive);
      },
      gradient: (x) => {
        const s = this.scatter(x, drive.fixed);
        // FIRE evaluates the gradient only where it has moved to; Newton also at trial points of its line search
        if (fire) current = s;
        const r = this.residual(s, drive);
        return Float64Array.from(this.freeDofs, (dof) => r[dof]);
      },
      solve: (x, g) => {
        current = this.scatter(x, drive.fixed);
        return this.descentStep(current, g);
      },
      name: (i) => `dof ${this.dofName(this.freeDofs[i])}`,
    };
    let result;
    try {
      result =
        fire
          ? fireMinimize(problem, x0, { tolerance: this.tolerance, scale: forceScale })
          : newtonMinimize(problem, x0, { tolerance: this.tolerance, scale: forceScale, maxIterations: this.maxIterations });
    } catch (e) {
      if (e instanceof NumericalError) {
        const r = this.lengths(current);
        let k = 0;
        for (let j = 1; j < r.length; j++) if (r[j] / this.restLength[j] < r[k] / this.restLength[k]) k = j;
        e.message += `; the shortest spring is '${this.graph.edgeNames[k]}' at length ${r[k].toExponential(3)} (rest length ${this.restLength[k]})` +
          (r[k] < 1e-3 * this.restLength[k] ? ': the load pushes it through zero length' : '');
      }
      throw e;
    }
    // polish with plain Newton steps accepted while max |∂E/∂x| falls: near the minimum the
    // energy changes below its rounding, so the line search cannot judge steps there
    let x = result.x;
    let g = problem.gradient(x);
    const size = (v: Float64Array) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    for (let i = 0; i < 4 && size(g) > 0; i++) {
      const step = this.descentStep(this.scatter(x, drive.fixed), g);
      const trial = x.map((v, j) => v - step[j]);
      const gt = problem.gradient(trial);
      if (!(size(gt) < size(g))) break;
      x = trial;
      g = gt;
    }
    const state = this.scatter(x, drive.fixed);
    this.last = state;
    return state;
  }

  /** A descent direction H⁻¹g, or (H + λI)⁻¹g when H is not positive definite there. */
  private descentStep(state: Float64Array, g: Float64Array): Float64Array {
    const K = this.stiffnessMatrix;
    const attempt = (lambda: number): Float64Array | undefined => {
      K.assemble(state, this.stiffness, this.restLength);
      if (lambda > 0) K.shift(lambda);
      try {
        const step = K.factor().solve(g);
        let dot = 0;
        for (let i = 0; i < g.length; i++) dot += g[i] * step[i];
        return Number.isFinite(dot) && dot > 0 ? step : undefined;
      } catch (e) {
        if (e instanceof NumericalError) throw e;
        return undefined;
      }
    };
    const plain = attempt(0);
    if (plain) return plain;
    K.assemble(state, this.stiffness, this.restLength);
    const scale = K.maxDiagonal() || 1;
    for (let lambda = 1e-8 * scale; lambda <= 1e6 * scale; lambda *= 10) {
      const step = attempt(lambda);
      if (step) return step;
    }
    throw new NumericalError('no descent direction: the stiffness matrix stays indefinite under every Levenberg shift up to 1e6 x its largest diagonal entry');
  }

  hessian(state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array } {
    const A = this.stiffnessMatrix.assemble(state, this.stiffness, this.restLength);
    return { matrix: { ...A, values: Float64Array.from(A.values) }, freeDofs: this.freeDofs };
  }

  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    if (this.freeDofs.length === 0) return forces.map(() => new Float64Array(this.reference.length));
    const xs = this.factorAt(state).solveMany(forces.map((f) => this.onFreeDofs(f, 'linearResponse')));
    return xs.map((x) => this.fromFreeDofs(x));
  }

  /** H at the state, factored; a NumericalError when it is not positive definite. */
  private factorAt(state: Float64Array) {
    const K = this.stiffnessMatrix;
    K.assemble(state, this.stiffness, this.restLength);
    try {
      return K.factor();
    } catch (e) {
      throw new NumericalError(
        `the stiffness matrix at this state is not positive definite (the state is not a stable equilibrium): ${(e as Error).message}`,
      );
    }
  }

  private onFreeDofs(f: Float64Array, what: string): Float64Array {
    if (f.length !== this.reference.length) throw new MultimechError(`${what}: expected a force of ${this.reference.length} dof values, got ${f.length}`);
    return Float64Array.from(this.freeDofs, (dof) => f[dof]);
  }

  private fromFreeDofs(x: Float64Array): Float64Array {
    const u = new Float64Array(this.reference.length);
    this.freeDofs.forEach((dof, i) => (u[dof] = x[i]));
    return u;
  }

  /**
   * x = (H(state) − ω²M + iωΓ)⁻¹ f on the free dofs for each force f (one
   * value per dof, read at the free dofs), zero on held dofs; ω in rad per
   * unit of time. Solved in real arithmetic by core's `solvePhasor`
   * (BiCGSTAB on the 2n×2n block system). Without masses and damping it is
   * H⁻¹f with a zero imaginary part. The real part is the in-phase, the
   * imaginary part the quadrature amplitude: x(t) = Re[x e^{iωt}].
   */
  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse {
    if (!(Number.isFinite(omega) && omega >= 0)) throw new MultimechError(`phasorResponse: ω must be a finite number >= 0 rad per unit of time, got ${omega}`);
    const rhs = forces.map((f) => this.onFreeDofs(f, 'phasorResponse'));
    if (this.freeDofs.length === 0) return { real: forces.map(() => new Float64Array(this.reference.length)), imag: forces.map(() => new Float64Array(this.reference.length)) };
    const { matrix } = this.hessian(state);
    const damping = Float64Array.from(this.freeDofs, (dof) => this.dofDamping[dof]);
    const mass = this.dofMass ? Float64Array.from(this.freeDofs, (dof) => this.dofMass![dof]) : undefined;
    const { real, imag } = solvePhasor(matrix, damping, omega, rhs, 1e-13, mass);
    return { real: real.map((x) => this.fromFreeDofs(x)), imag: imag.map((x) => this.fromFreeDofs(x)) };
  }

  /** ω₀ = 1/√θ with θ the largest eigenvalue of M^½ H⁻¹ M^½ (the generalized problem H x = λ M x, symmetrised). */
  private resonance(state: Float64Array): number {
    const n = this.freeDofs.length;
    if (n === 0) return Infinity;
    const root = Float64Array.from(this.freeDofs, (dof) => Math.sqrt(this.dofMass![dof]));
    const factor = this.factorAt(state);
    const theta = restatingSolverFailures(() => largestEigenvalue((v) => {
      const y = factor.solve(v.map((x, i) => x * root[i]));
      for (let i = 0; i < n; i++) y[i] *= root[i];
      return y;
    }, n, { what: 'lowest resonance' }));
    if (!(theta > 0)) throw new NumericalError(`lowest resonance: M^½ H⁻¹ M^½ has no positive eigenvalue (largest ${theta})`);
    return 1 / Math.sqrt(theta);
  }

  readout(state: Float64Array): Float64Array {
    const d = this.dofPerNode;
    return Float64Array.from(this.outputs, (o, i) => {
      if (o.type === 'displacement') return state[o.node * d + o.axis] - this.reference[o.node * d + o.axis];
      let s = 0;
      for (let a = 0; a < d; a++) s += (state[o.a * d + a] - state[o.b * d + a]) ** 2;
      return Math.sqrt(s) - this.pairReference(i);
    });
  }

  private pairReference(i: number): number {
    const o = this.outputs[i] as { a: number; b: number };
    const d = this.dofPerNode;
    let s = 0;
    for (let a = 0; a < d; a++) s += (this.reference[o.a * d + a] - this.reference[o.b * d + a]) ** 2;
    return Math.sqrt(s);
  }

  /** e = −Jᵀ ∂C/∂y, J the readout's Jacobian at the state (ê_ab rows for distances). */
  outputForce(state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    const d = this.dofPerNode;
    const e = new Float64Array(state.length);
    this.outputs.forEach((o, i) => {
      if (o.type === 'displacement') {
        e[o.node * d + o.axis] -= dCdy[i];
        return;
      }
      let r2 = 0;
      for (let a = 0; a < d; a++) r2 += (state[o.a * d + a] - state[o.b * d + a]) ** 2;
      const r = Math.sqrt(r2);
      if (!(r > 0)) throw new NumericalError(`output '${this.boundary.outputs[i].name}': the pair's nodes coincide, so its distance has no gradient`);
      for (let a = 0; a < d; a++) {
        const u = (state[o.a * d + a] - state[o.b * d + a]) / r;
        e[o.a * d + a] -= dCdy[i] * u;
        e[o.b * d + a] += dCdy[i] * u;
      }
    });
    return e;
  }

  /** r − ℓ per spring, once per parameter (θ = [k…, ℓ…] reads it twice). */
  activationReadings(state: Float64Array): Float64Array {
    const r = this.lengths(state);
    const m = r.length;
    const out = new Float64Array(this.theta.length);
    for (let j = 0; j < out.length; j++) out[j] = r[j % m] - this.restLength[j % m];
    return out;
  }

  /** ê·Δu per spring (ê at the state), once per parameter. */
  errorReadings(state: Float64Array, response: Float64Array): Float64Array {
    const { from, to } = this.graph;
    const d = this.dofPerNode;
    const r = this.lengths(state);
    const m = from.length;
    const out = new Float64Array(this.theta.length);
    for (let k = 0; k < m; k++) {
      if (!(r[k] > 0)) throw new NumericalError(`spring '${this.graph.edgeNames[k]}' has zero length: its direction is undefined`);
      let s = 0;
      for (let a = 0; a < d; a++) s += (state[from[k] * d + a] - state[to[k] * d + a]) * (response[from[k] * d + a] - response[to[k] * d + a]);
      out[k] = s / r[k];
      if (out.length > m) out[m + k] = out[k];
    }
    return out;
  }

  /** dC/dk = (r − ℓ)·ê·Δu; dC/dℓ = −k·ê·Δu (PHYSICS.md §2). */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    const m = this.stiffness.length;
    return Float64Array.from(error, (e, j) => (this.isRestLength(j) ? -this.stiffness[j % m] * e : activation[j] * e));
  }

  /** ∂E/∂k = ½ (r − ℓ)²; ∂E/∂ℓ = −k (r − ℓ). */
  parameterForce(state: Float64Array): Float64Array {
    const r = this.lengths(state);
    const m = r.length;
    return Float64Array.from(this.theta, (_, j) => {
      const k = j % m;
      const stretch = r[k] - this.restLength[k];
      return this.isRestLength(j) ? -this.stiffness[k] * stretch : 0.5 * stretch * stretch;
    });
  }

  private isRestLength(j: number): boolean {
    return this.parameterName === 'rest-length' || (this.parameterName === 'both' && j >= this.stiffness.length);
  }

  /** Forgets the warm start: the next equilibrium starts from the reference positions. */
  resetWarmStart(): void {
    this.last = undefined;
  }
}

function perSpring(values: ArrayLike<number>, what: string, names: readonly string[]): Float64Array {
  if (values.length !== names.length) throw new MultimechError(`elastic network: expected ${names.length} ${what} values (one per spring), got ${values.length}`);
  const out = Float64Array.from(values);
  out.forEach((v, k) => {
    if (!(Number.isFinite(v) && v > 0)) throw new MultimechError(`${what} of spring '${names[k]}' must be a finite positive number, got ${v}`);
  });
  return out;
}

/** One value per node from a single value (every node) or a list; zeros when absent. */
function perNode(values: number | ArrayLike<number> | undefined, what: string, names: readonly string[], ok: (v: number) => boolean, expected: string): Float64Array {
  const n = names.length;
  if (values === undefined) return new Float64Array(n);
  if (typeof values === 'number') {
    if (!(Number.isFinite(values) && ok(values))) throw new MultimechError(`elastic network: ${what} must be ${expected}, got ${values}`);
    return new Float64Array(n).fill(values);
  }
  if (values.length !== n) throw new MultimechError(`elastic network: expected ${n} ${what} values (one per node), got ${values.length}`);
  const out = Float64Array.from(values);
  out.forEach((v, i) => {
    if (!(Number.isFinite(v) && ok(v))) throw new MultimechError(`${what} of node '${names[i]}' must be ${expected}, got ${v}`);
  });
  return out;
}

function checkBounds(bounds: ParameterBounds, names: readonly string[], theta: Float64Array): ParameterBounds {
  if (bounds.min.length !== names.length || bounds.max.length !== names.length) {
    throw new MultimechError(`parameter bounds: expected ${names.length} minima and maxima, got ${bounds.min.length} and ${bounds.max.length}`);
  }
  names.forEach((name, k) => {
    const [lo, hi] = [bounds.min[k], bounds.max[k]];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo < hi)) throw new MultimechError(`bounds of '${name}' must be finite with 0 < min < max, got [${lo}, ${hi}]`);
    if (theta[k] < lo || theta[k] > hi) throw new MultimechError(`parameter '${name}' (${theta[k]}) lies outside its bounds [${lo}, ${hi}]`);
  });
  return { min: Float64Array.from(bounds.min), max: Float64Array.from(bounds.max) };
}

/** Refuses two nodes at one place (within 1e-9 of the network's size), naming both. */
function checkOverlaps(x: Float64Array, d: number, names: readonly string[]): void {
  const n = names.length;
  let size = 0;
  for (let a = 0; a < d; a++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) [lo, hi] = [Math.min(lo, x[i * d + a]), Math.max(hi, x[i * d + a])];
    size = Math.max(size, hi - lo);
  }
  const tol = 1e-9 * (size || 1);
  const order = [...Array(n).keys()].sort((i, j) => x[i * d] - x[j * d]);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n && x[order[q] * d] - x[order[p] * d] <= tol; q++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (x[order[p] * d + a] - x[order[q] * d + a]) ** 2;
      if (Math.sqrt(s) <= tol) {
        throw new MultimechError(`nodes '${names[order[p]]}' and '${names[order[q]]}' overlap (both at [${Array.from({ length: d }, (_, a) => x[order[p] * d + a]).join(', ')}])`);
      }
    }
  }
}
