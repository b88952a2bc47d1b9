import type { Drive } from '../contracts/boundary';
import { MultimechError, NumericalError } from '../support/errors';
import { Graph, connectedComponents } from '../graph/graph';
import { CsrMatrix, Factorization, SolverOptions, SolverPlan, addEdgeLaplacian, edgePattern, planSolver } from '@multimech/sparse';
import { NewtonOptions, NewtonProblem, newtonMinimize } from './newton';
import type { FixedElement } from './two-terminal-law';

/** A number for a message: six significant digits. */
function shown(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Newton settings of a network's nonlinear equilibria (defaults: tolerance 1e-13 relative to 1 + the flow scale, 200 iterations). */
export type EquilibriumOptions = Pick<NewtonOptions, 'tolerance' | 'maxIterations'>;

/** How the last nonlinear equilibrium converged. */
export interface NewtonReport {
  readonly iterations: number;
  /** max |KCL residual| at the free nodes. */
  readonly residual: number;
}

/**
 * The numerical core shared by every substrate whose state is one scalar
 * per node and whose energy is quadratic in it: `E = ½ Σ w_k Δs_k² − q·s`
 * (resistors: w = g, s = V; tubes: w = k, s = p).
 *
 * Its Hessian is the weighted Laplacian restricted to the free nodes. The
 * pattern is built and analysed once (ordering, elimination tree); each edge
 * knows the value slots it writes, so a weight update re-assembles in place,
 * and the factor is recomputed once, on first use after the update, then
 * shared by every solve until the next update (Lineax: factor once, solve
 * many).
 *
 * Fixed nonlinear two-terminal elements (diodes) may sit on extra edges:
 * then `E = ½ Σ w_k Δs_k² + Σ_d F_d(Δs_d) − q·s`, the equilibrium is found by
 * damped Newton (core's `newtonMinimize`, with each element's step limiting),
 * and H at a state is the weighted Laplacian with the linear weights plus
 * each element's conductance i'(Δs) there. Its pattern is the same at every
 * state, so one solver plan serves every Newton iteration (numeric
 * refactorization only); the factor at a state is kept until the state or
 * the weights change, so several solves at one state share it. Without
 * elements everything is as before: H does not depend on the state.
 */
export class ScalarNetwork {
  /** freeIndex[node] = row of the node in H, or -1 for a Dirichlet node. */
  readonly freeIndex: Int32Array;
  /** freeNodes[row] = node of that row. */
  readonly freeNodes: Int32Array;
  /** dirichletIndex[node] = position in the Dirichlet list, or -1. */
  readonly dirichletIndex: Int32Array;
  readonly plan: SolverPlan;
  private readonly matrix: CsrMatrix;
  /** Per edge: slots of (a,a), (b,b), (a,b), (b,a) in matrix.values, -1 when absent. */
  private readonly slots: Int32Array;
  private readonly weights: Float64Array;
  private factor: Factorization | undefined;
  private factorCount = 0;
  /** True when there are fixed nonlinear elements (H depends on the state). */
  readonly nonlinear: boolean;
  /** Per element: slots as for edges. */
  private readonly elementSlots: Int32Array;
  /** Nonlinear networks: H's values with the linear weights only. */
  private readonly baseValues: Float64Array;
  /** Nonlinear networks: the state the current factor was assembled at (a copy), if any. */
  private factorState: Float64Array | undefined;
  /** Nonlinear networks: the free part of the last equilibrium (Newton's warm start). */
  private warmStart: Float64Array | undefined;
  private lastNewtonReport: NewtonReport | undefined;
  private readonly newtonOptions: EquilibriumOptions;

  constructor(
    readonly graph: Graph,
    readonly dirichlet: Int32Array,
    solver: SolverOptions = {},
    readonly elements: readonly FixedElement[] = [],
    newton: EquilibriumOptions = {},
  ) {
    this.nonlinear = elements.length > 0;
    this.newtonOptions = newton;
    const n = graph.nodeNames.length;
    this.dirichletIndex = new Int32Array(n).fill(-1);
    dirichlet.forEach((node, i) => {
      if (this.dirichletIndex[node] >= 0) throw new MultimechError(`node '${graph.nodeNames[node]}' is held twice`);
      this.dirichletIndex[node] = i;
    });
    this.freeIndex = new Int32Array(n).fill(-1);
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (this.dirichletIndex[i] < 0) this.freeIndex[i] = free.push(i) - 1;
    this.freeNodes = Int32Array.from(free);
    this.checkElements();
    this.checkGrounded();

    const m = graph.from.length;
    const pattern = edgePattern(
      free.length,
      this.freeIndex,
      [...graph.from, ...elements.map((e) => e.from)],
      [...graph.to, ...elements.map((e) => e.to)],
    );
    this.matrix = pattern.matrix;
    this.slots = pattern.slots.subarray(0, 4 * m);
    this.elementSlots = pattern.slots.subarray(4 * m);
    this.baseValues = new Float64Array(this.nonlinear ? this.matrix.values.length : 0);
    this.weights = new Float64Array(m);
    this.plan = planSolver(this.matrix, solver);
  }

  private checkElements(): void {
    const n = this.graph.nodeNames.length;
    const names = new Set(this.graph.edgeNames);
    for (const e of this.elements) {
      if (names.has(e.name)) throw new MultimechError(`duplicate element name '${e.name}'`);
      names.add(e.name);
      for (const end of [e.from, e.to]) {
        if (!Number.isInteger(end) || end < 0 || end >= n) {
          throw new MultimechError(`element '${e.name}' refers to node index ${end}, but there are ${n} nodes`);
        }
      }
      if (e.from === e.to) throw new MultimechError(`element '${e.name}' joins node '${this.graph.nodeNames[e.from]}' to itself`);
    }
  }

  /** How the last nonlinear equilibrium converged (undefined before the first, and for linear networks). */
  get lastNewton(): NewtonReport | undefined {
    return this.lastNewtonReport;
  }

  /** How many numeric factorizations have been made (one per weight update that was used). */
  get factorizations(): number {
    return this.factorCount;
  }

  private checkGrounded(): void {
    const g = this.graph;
    const withElements: Graph = this.nonlinear
      ? {
          nodeNames: g.nodeNames,
          edgeNames: [...g.edgeNames, ...this.elements.map((e) => e.name)],
          from: Int32Array.from([...g.from, ...this.elements.map((e) => e.from)]),
          to: Int32Array.from([...g.to, ...this.elements.map((e) => e.to)]),
        }
      : g;
    const comp = connectedComponents(withElements);
    const held = new Set<number>();
    for (const d of this.dirichlet) held.add(comp[d]);
    const floating: string[] = [];
    for (let i = 0; i < comp.length; i++) if (!held.has(comp[i])) floating.push(this.graph.nodeNames[i]);
    if (floating.length > 0) {
      const list = floating.slice(0, 10).join(', ') + (floating.length > 10 ? `, ... (${floating.length} in all)` : '');
      throw new MultimechError(`no path to ground (or to any source that holds a value) from node(s) ${list}`);
    }
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
    addEdgeLaplacian(this.slots, this.weights, v);
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

  /** Nonlinear networks: H at `state` (linear weights plus each element's conductance there), unless already there. */
  private assembleAt(state: Float64Array): void {
    const held = this.factorState;
    if (held && held.every((x, i) => x === state[i])) return;
    const v = this.matrix.values;
    v.set(this.baseValues);
    const s = this.elementSlots;
    this.elements.forEach((e, k) => {
      const drop = state[e.from] - state[e.to];
      const x = e.law.conductance(drop);
      if (!(x >= 0 && x < Infinity)) {
        throw new NumericalError(
          `${e.source ? `${e.source}: ` : ''}conductance of '${e.name}' is ${x} at a drop of ${shown(drop)} V: ` +
            (x < 0 ? 'the law is not monotone there (a two-terminal law must be strictly increasing)' : 'the law is not finite there'),
        );
      }
      if (s[4 * k] >= 0) v[s[4 * k]] += x;
      if (s[4 * k + 1] >= 0) v[s[4 * k + 1]] += x;
      if (s[4 * k + 2] >= 0) v[s[4 * k + 2]] -= x;
      if (s[4 * k + 3] >= 0) v[s[4 * k + 3]] -= x;
    });
    this.factor = undefined;
    this.factorState = Float64Array.from(state);
  }

  private factorization(state?: Float64Array): Factorization {
    if (this.nonlinear) this.assembleAt(this.requireState(state, 'linear response'));
    if (!this.factor) {
      try {
        this.factor = this.plan.factor(this.matrix);
      } catch (e) {
        if (this.nonlinear && state && !(e instanceof MultimechError)) throw this.singularAt(state, e as Error);
        throw e;
      }
      this.factorCount++;
    }
    return this.factor;
  }

  /**
   * The error for a Hessian that does not factor at a state of a nonlinear
   * network: the elements that conduct no small-signal current there (a law
   * whose slope is 0 at that drop, with no conductance in parallel) leave a
   * node floating. Other failures are returned as they are.
   */
  private singularAt(state: Float64Array, cause: Error): Error {
    const flat = this.elements.flatMap((e) => {
      const drop = state[e.from] - state[e.to];
      return e.law.conductance(drop) > 0 ? [] : [`'${e.name}'${e.source ? ` (${e.source})` : ''} at a drop of ${shown(drop)} V`];
    });
    if (flat.length === 0) return cause;
    return new NumericalError(
      `the network's Hessian is singular (${cause.message.split('\n')[0]}): di/dv = 0 for ${flat.join(', ')}, so a node joined to the rest only through ` +
        'such elements has no small-signal path; a two-terminal law must be strictly increasing (put a conductance in parallel, as gmin, or give the law a slope there)',
    );
  }

  /** Right-hand side on the free rows: injections minus the pull of the Dirichlet values. */
  private rhs(drive: Drive): Float64Array {
    const b = new Float64Array(this.freeNodes.length);
    for (let r = 0; r < b.length; r++) b[r] = drive.injection[this.freeNodes[r]];
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

  private scatter(x: Float64Array, fixed: ArrayLike<number> | undefined): Float64Array {
    const s = new Float64Array(this.graph.nodeNames.length);
    for (let r = 0; r < x.length; r++) s[this.freeNodes[r]] = x[r];
    if (fixed) this.dirichlet.forEach((node, i) => (s[node] = fixed[i]));
    return s;
  }

  /** The equilibrium node field under a drive. */
  equilibrium(drive: Drive): Float64Array {
    return this.nonlinear ? this.newtonEquilibrium(drive) : this.equilibria([drive])[0];
  }

  /** Equilibria for several drives against one factorization (nonlinear networks: one Newton solve each). */
  equilibria(drives: readonly Drive[]): Float64Array[] {
    if (this.nonlinear) return drives.map((d) => this.newtonEquilibrium(d));
    const f = this.factorization();
    const xs = f.solveMany(drives.map((d) => this.rhs(d)));
    return xs.map((x, i) => this.scatter(x, drives[i].fixed));
  }

  /** The size of the flows a drive makes: its largest injection plus the largest pull of a held node through a linear edge. */
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
      if (da >= 0 || db >= 0) pull = Math.max(pull, this.weights[k] * Math.max(Math.abs(va), Math.abs(vb)));
    }
    return q + pull;
  }

  /**
   * Damped Newton on E over the free nodes, warm-started from the last
   * equilibrium. A step is shortened (as a whole, keeping its direction) so
   * that no element's drop grows past what its law's `limit` accepts; an
   * unlimited step is doubled while that clearly lowers E (see `limit`).
   */
  private newtonEquilibrium(drive: Drive): Float64Array {
    const nf = this.freeNodes.length;
    const state = this.scatter(new Float64Array(nf), drive.fixed);
    const put = (x: Float64Array) => {
      for (let r = 0; r < nf; r++) state[this.freeNodes[r]] = x[r];
    };
    const problem: NewtonProblem = {
      size: nf,
      energy: (x) => {
        put(x);
        return this.energy(state, drive);
      },
      gradient: (x) => {
        put(x);
        const r = this.residual(state, drive);
        return Float64Array.from(this.freeNodes, (node) => r[node]);
      },
      solve: (x, g) => {
        put(x);
        return this.factorization(state).solve(g);
      },
      limit: (x, step) => {
        put(x);
        const base = Float64Array.from(state);
        const t = this.limitFactor(base, step, 1);
        if (t < 1) {
          for (let i = 0; i < step.length; i++) step[i] *= t;
          return;
        }
        // Expansion: from a junction far in forward bias the Newton step only
        // moves its drop by about N·Vt (the exponential's curvature falls along
        // the step). While doubling the step lowers E clearly and no element
        // would limit it, double it.
        const trial = new Float64Array(nf);
        const energyAt = (c: number) => {
          for (let i = 0; i < nf; i++) trial[i] = x[i] + c * step[i];
          return problem.energy(trial);
        };
        let c = 1;
        let e = energyAt(1);
        while (Number.isFinite(e) && c < 2 ** 30 && this.limitFactor(base, step, 2 * c) === 1) {
          const next = energyAt(2 * c);
          if (!(next < e - 1e-9 * Math.abs(e))) break;
          c *= 2;
          e = next;
        }
        if (c > 1) for (let i = 0; i < step.length; i++) step[i] *= c;
      },
      name: (i) => `node '${this.graph.nodeNames[this.freeNodes[i]]}'`,
    };
    const start = this.warmStart ?? new Float64Array(nf);
    const scale = this.flowScale(drive);
    const result = newtonMinimize(problem, start, {
      tolerance: this.newtonOptions.tolerance ?? 1e-13,
      scale,
      maxIterations: this.newtonOptions.maxIterations ?? 200,
    });
    // Polish: full Newton steps towards rounding level (1e-16 of the flows)
    // while they lower the residual, so that finite differences of
    // equilibria resolve the gradient to ~1e-9.
    let { x, residual, iterations } = result;
    for (let k = 0; k < 3 && residual > 1e-16 * (1 + scale); k++) {
      const g = problem.gradient(x);
      const step = problem.solve(x, g);
      const next = Float64Array.from(x, (xi, i) => xi - step[i]);
      const r = problem.gradient(next).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (!(r < residual)) break;
      x = next;
      residual = r;
      iterations++;
    }
    this.warmStart = x;
    this.lastNewtonReport = { iterations, residual };
    return this.scatter(x, drive.fixed);
  }

  /**
   * The largest factor (≤ 1) of `scale`·step that no element's `limit`
   * shortens: each element whose drop the step raises may cap it, and the
   * whole step is scaled to the tightest cap, keeping its direction.
   */
  private limitFactor(state: Float64Array, step: Float64Array, scale: number): number {
    let t = 1;
    for (const e of this.elements) {
      if (!e.law.limit) continue;
      const ra = this.freeIndex[e.from];
      const rb = this.freeIndex[e.to];
      const vOld = state[e.from] - state[e.to];
      const vNew = vOld + scale * ((ra >= 0 ? step[ra] : 0) - (rb >= 0 ? step[rb] : 0));
      if (!(vNew > vOld)) continue;
      const limited = e.law.limit(vNew, vOld);
      if (limited < vNew && limited > vOld) t = Math.min(t, (limited - vOld) / (vNew - vOld));
    }
    return t;
  }

  /**
   * x = H⁻¹ f on the free nodes, zero on Dirichlet nodes, for each force
   * field f (one value per node); H at `state` for a nonlinear network.
   */
  response(forces: readonly Float64Array[], state?: Float64Array): Float64Array[] {
    const f = this.factorization(state);
    const bs = forces.map((force) => {
      const b = new Float64Array(this.freeNodes.length);
      for (let r = 0; r < b.length; r++) b[r] = force[this.freeNodes[r]];
      return b;
    });
    return f.solveMany(bs).map((x) => this.scatter(x, undefined));
  }

  /** E = ½ Σ w Δs² + Σ F(Δs) over the elements − Σ q s over the free nodes' injections. */
  energy(state: Float64Array, drive: Drive): number {
    const { from, to } = this.graph;
    let e = 0;
    for (let k = 0; k < from.length; k++) {
      const d = state[from[k]] - state[to[k]];
      e += 0.5 * this.weights[k] * d * d;
    }
    for (const el of this.elements) e += el.law.coContent(state[el.from] - state[el.to]);
    for (const node of this.freeNodes) e -= drive.injection[node] * state[node];
    return e;
  }

  /** ∂E/∂s per node: the net flow out of each node minus its injection (KCL residual at free nodes). */
  residual(state: Float64Array, drive: Drive): Float64Array {
    const { from, to } = this.graph;
    const r = new Float64Array(state.length);
    for (let k = 0; k < from.length; k++) {
      const flow = this.weights[k] * (state[from[k]] - state[to[k]]);
      r[from[k]] += flow;
      r[to[k]] -= flow;
    }
    for (const el of this.elements) {
      const flow = el.law.current(state[el.from] - state[el.to]);
      r[el.from] += flow;
      r[el.to] -= flow;
    }
    for (let i = 0; i < r.length; i++) r[i] -= drive.injection[i];
    return r;
  }
}
