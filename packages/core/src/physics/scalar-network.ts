import type { Drive } from '../contracts/boundary';
import { MultimechError, NumericalError } from '../support/errors';
import type { Graph } from '../graph/graph';
import { CsrMatrix, Factorization, SolverOptions, SolverPlan, addEdgeLaplacian, planSolver } from '@multimech/sparse';
import { EquilibriumOptions, NewtonReport, ScalarNewton } from './scalar-newton';
import { ScalarPattern } from './scalar-pattern';
import { TwoTerminalElements } from './two-terminal-elements';
import type { FixedElement, TwoTerminalLaw } from './two-terminal-law';

export type { EquilibriumOptions, NewtonReport } from './scalar-newton';

/**
 * The numerical core shared by every substrate whose state is one scalar
 * per node and whose energy is quadratic in it: `E = ½ Σ w_k Δs_k² − q·s`
 * (resistors: w = g, s = V; tubes: w = k, s = p).
 *
 * Its Hessian is the weighted Laplacian restricted to the free nodes. The
 * pattern is built and analysed once (ordering, elimination tree; see
 * `ScalarPattern`); each edge knows the value slots it writes, so a weight
 * update re-assembles in place, and the factor is recomputed once, on first
 * use after the update, then shared by every solve until the next update
 * (Lineax: factor once, solve many).
 *
 * Fixed nonlinear two-terminal elements (diodes) may sit on extra edges:
 * then `E = ½ Σ w_k Δs_k² + Σ_d F_d(Δs_d) − q·s`, the equilibrium is found by
 * damped Newton (`ScalarNewton`, with each element's step limiting), and H
 * at a state is the weighted Laplacian with the linear weights plus each
 * element's conductance i'(Δs) there (`TwoTerminalElements`). Its pattern
 * is the same at every state, so one solver plan serves every Newton
 * iteration (numeric refactorization only); the factor at a state is kept
 * until the state or the weights change, so several solves at one state
 * share it. Without elements H does not depend on the state.
 *
 * The trainable edges may carry a nonlinear law f of their own (`edgeLaw`,
 * the trainable nonlinear edge): edge k's current is then `w_k f(Δs_k)`,
 * its energy `w_k F(Δs_k)` (F the co-content), its conductance in H
 * `w_k f'(Δs_k)`, and the network is nonlinear as with elements.
 */
export class ScalarNetwork {
  /** freeIndex[node] = row of the node in H, or -1 for a Dirichlet node. */
  readonly freeIndex: Int32Array;
  /** freeNodes[row] = node of that row. */
  readonly freeNodes: Int32Array;
  /** dirichletIndex[node] = position in the Dirichlet list, or -1. */
  readonly dirichletIndex: Int32Array;
  readonly plan: SolverPlan;
  /** True when there are fixed nonlinear elements or an edge law (H depends on the state). */
  readonly nonlinear: boolean;
  private readonly pattern: ScalarPattern;
  private readonly matrix: CsrMatrix;
  private readonly laws: TwoTerminalElements;
  /** With an edge law: the trainable edges as elements whose prefactors are the weights. */
  private readonly lawEdges: TwoTerminalElements | undefined;
  private readonly newton: ScalarNewton;
  private readonly weights: Float64Array;
  private factor: Factorization | undefined;
  private factorCount = 0;
  /** Nonlinear networks: H's values with the linear weights only. */
  private readonly baseValues: Float64Array;
  /** Nonlinear networks: the state the current factor was assembled at (a copy), if any. */
  private factorState: Float64Array | undefined;

  constructor(
    readonly graph: Graph,
    readonly dirichlet: Int32Array,
    solver: SolverOptions = {},
    readonly elements: readonly FixedElement[] = [],
    newton: EquilibriumOptions = {},
    /** The law f of every trainable edge, whose current is then w·f(Δs) (default: the linear w·Δs). */
    readonly edgeLaw?: TwoTerminalLaw,
  ) {
    this.nonlinear = elements.length > 0 || edgeLaw !== undefined;
    this.pattern = new ScalarPattern(graph, dirichlet, elements);
    ({ freeIndex: this.freeIndex, freeNodes: this.freeNodes, dirichletIndex: this.dirichletIndex, matrix: this.matrix } = this.pattern);
    this.laws = TwoTerminalElements.fixed(elements, this.pattern.elementSlots);
    this.baseValues = new Float64Array(this.nonlinear ? this.matrix.values.length : 0);
    this.weights = new Float64Array(graph.from.length);
    this.lawEdges = edgeLaw ? TwoTerminalElements.trainable(graph, edgeLaw, this.weights, this.pattern.edgeSlots) : undefined;
    this.plan = planSolver(this.matrix, solver);
    this.newton = new ScalarNewton(
      this.pattern,
      {
        energy: (state, drive) => this.energy(state, drive),
        residual: (state, drive) => this.residual(state, drive),
        solve: (state, g) => this.factorization(state).solve(g),
        limitFactor: (state, step, scale) =>
          Math.min(this.laws.limitFactor(state, step, scale, this.freeIndex), this.lawEdges?.limitFactor(state, step, scale, this.freeIndex) ?? 1),
        flowScale: (drive) => this.flowScale(drive),
      },
      newton,
    );
  }

  /** A nonlinear network's Newton warm start (the free part of its last equilibrium), as numbers; undefined for a linear network and before the first solve. */
  solverState(): number[] | undefined {
    const x = this.nonlinear ? this.newton.warmState : undefined;
    return x && Array.from(x);
  }

  /** Sets the warm start `solverState` gave (undefined: the next solve starts cold); a linear network carries none, and refuses one. */
  restoreSolverState(state: readonly number[] | undefined): void {
    if (!this.nonlinear) {
      if (state !== undefined) throw new MultimechError('a linear network carries no solver state from one solve to the next');
      return;
    }
    this.newton.warmState = state && Float64Array.from(state);
  }

  /** How the last nonlinear equilibrium converged (undefined before the first, and for linear networks). */
  get lastNewton(): NewtonReport | undefined {
    return this.newton.last;
  }

  /** How many numeric factorizations have been made (one per weight update that was used). */
  get factorizations(): number {
    return this.factorCount;
  }

  /** Sets the edge weights and re-assembles H in place; the next solve refactors. */
  setWeights(w: ArrayLike<number>): void {
    const m = this.graph.from.length;
    for (let k = 0; k < m; k++) {
      const x = w[k];
      if (!Number.isFinite(x)) throw new NumericalError(`weight of edge '${this.graph.edgeNames[k]}' is not finite (${x})`);
      this.weights[k] = x;
    }
    const v = this.matrix.values;
    v.fill(0);
    // with an edge law the trainable edges' conductances depend on the state: assembled there
    if (!this.lawEdges) addEdgeLaplacian(this.pattern.edgeSlots, this.weights, v);
    if (this.nonlinear) this.baseValues.set(v);
    this.factor = undefined;
    this.factorState = undefined;
  }

  /**
   * H on the free nodes (values are live: copy if you keep them across
   * updates). A nonlinear network needs the state: H is assembled there.
   */
  hessian(state?: Float64Array): CsrMatrix {
    if (this.nonlinear) this.assembleAt(this.requireState(state, 'hessian'));
    return this.matrix;
  }

  private requireState(state: Float64Array | undefined, what: string): Float64Array {
    if (!state) throw new MultimechError(`${what}: a network with nonlinear elements needs the state H is taken at`);
    if (state.length !== this.graph.nodeNames.length) {
      throw new MultimechError(`${what}: expected a state of ${this.graph.nodeNames.length} node values, got ${state.length}`);
    }
    return state;
  }

  /** Nonlinear networks: H at `state` (linear weights, or the edge law's w·f' there, plus each element's conductance there), unless already there. */
  private assembleAt(state: Float64Array): void {
    const held = this.factorState;
    if (held && held.every((x, i) => x === state[i])) return;
    const v = this.matrix.values;
    v.set(this.baseValues);
    this.lawEdges?.addConductances(state, v);
    this.laws.addConductances(state, v);
    this.factor = undefined;
    this.factorState = Float64Array.from(state);
  }

  private factorization(state?: Float64Array): Factorization {
    if (this.nonlinear) this.assembleAt(this.requireState(state, 'linear response'));
    if (!this.factor) {
      try {
        this.factor = this.plan.factor(this.matrix);
      } catch (e) {
        if (this.nonlinear && state && !(e instanceof MultimechError)) {
          // the edges (then the elements) whose law is flat at the state, when any is
          const cause = e as Error;
          const flat = this.lawEdges?.singularAt(state, cause) ?? cause;
          throw flat !== cause ? flat : this.laws.singularAt(state, cause);
        }
        throw e;
      }
      this.factorCount++;
    }
    return this.factor;
  }

  /** Right-hand side on the free rows: injections minus the pull of the Dirichlet values. */
  private rhs(drive: Drive): Float64Array {
    const b = this.pattern.gather(drive.injection);
    const { from, to } = this.graph;
    for (let k = 0; k < from.length; k++) {
      const a = from[k];
      const c = to[k];
      const da = this.dirichletIndex[a];
      const dc = this.dirichletIndex[c];
      if (da >= 0 && dc < 0) b[this.freeIndex[c]] += this.weights[k] * drive.fixed[da];
      else if (dc >= 0 && da < 0) b[this.freeIndex[a]] += this.weights[k] * drive.fixed[dc];
    }
    return b;
  }

  /** The equilibrium node field under a drive. */
  equilibrium(drive: Drive): Float64Array {
    return this.nonlinear ? this.newton.equilibrium(drive) : this.equilibria([drive])[0];
  }

  /** Equilibria for several drives against one factorization (nonlinear networks: one Newton solve each). */
  equilibria(drives: readonly Drive[]): Float64Array[] {
    if (this.nonlinear) return drives.map((d) => this.newton.equilibrium(d));
    const f = this.factorization();
    const xs = f.solveMany(drives.map((d) => this.rhs(d)));
    return xs.map((x, i) => this.pattern.scatter(x, drives[i].fixed));
  }

  /** The size of the flows a drive makes: its largest injection plus the largest pull of a held node through a trainable edge. */
  private flowScale(drive: Drive): number {
    let q = 0;
    for (const node of this.freeNodes) q = Math.max(q, Math.abs(drive.injection[node]));
    let pull = 0;
    const { from, to } = this.graph;
    for (let k = 0; k < from.length; k++) {
      const da = this.dirichletIndex[from[k]];
      const db = this.dirichletIndex[to[k]];
      const va = da >= 0 ? drive.fixed[da] : 0;
      const vb = db >= 0 ? drive.fixed[db] : 0;
      if (da >= 0 || db >= 0) {
        pull = Math.max(pull, this.lawEdges ? this.lawEdges.pull(k, va, vb) : this.weights[k] * Math.max(Math.abs(va), Math.abs(vb)));
      }
    }
    return q + pull;
  }

  /**
   * x = H⁻¹ f on the free nodes, zero on Dirichlet nodes, for each force
   * field f (one value per node); H at `state` for a nonlinear network.
   */
  response(forces: readonly Float64Array[], state?: Float64Array): Float64Array[] {
    const f = this.factorization(state);
    const bs = forces.map((force) => this.pattern.gather(force));
    return f.solveMany(bs).map((x) => this.pattern.scatter(x, undefined));
  }

  /** E = ½ Σ w Δs² (with an edge law Σ w F(Δs)) + Σ F(Δs) over the elements − Σ q s over the free nodes' injections. */
  energy(state: Float64Array, drive: Drive): number {
    const { from, to } = this.graph;
    let e = 0;
    if (this.lawEdges) e = this.lawEdges.addCoContent(state, e);
    else {
      for (let k = 0; k < from.length; k++) {
        const d = state[from[k]] - state[to[k]];
        e += 0.5 * this.weights[k] * d * d;
      }
    }
    e = this.laws.addCoContent(state, e);
    for (const node of this.freeNodes) e -= drive.injection[node] * state[node];
    return e;
  }

  /**
   * Σ over every edge and element of the flow through it times the drop
   * across it: w Δs² per linear edge (with an edge law w f(Δs) Δs), i(Δs) Δs
   * per fixed element. Where E is a co-content (resistors, tubes) this is
   * the power the network dissipates in the state.
   */
  power(state: Float64Array): number {
    const { from, to } = this.graph;
    let p = 0;
    if (this.lawEdges) p = this.lawEdges.addPower(state, p);
    else {
      for (let k = 0; k < from.length; k++) {
        const d = state[from[k]] - state[to[k]];
        p += this.weights[k] * d * d;
      }
    }
    return this.laws.addPower(state, p);
  }

  /** ∂E/∂s per node: the net flow out of each node minus its injection (KCL residual at free nodes). */
  residual(state: Float64Array, drive: Drive): Float64Array {
    const { from, to } = this.graph;
    const r = new Float64Array(state.length);
    if (this.lawEdges) this.lawEdges.addCurrents(state, r);
    else {
      for (let k = 0; k < from.length; k++) {
        const flow = this.weights[k] * (state[from[k]] - state[to[k]]);
        r[from[k]] += flow;
        r[to[k]] -= flow;
      }
    }
    this.laws.addCurrents(state, r);
    for (let i = 0; i < r.length; i++) r[i] -= drive.injection[i];
    return r;
  }
}
