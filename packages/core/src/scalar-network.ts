import type { Drive } from './boundary';
import { MultimechError, NumericalError } from './errors';
import { Graph, connectedComponents } from './graph/graph';
import { CsrMatrix, Factorization, SolverOptions, SolverPlan, csrFromTriplets, csrFindSlot, planSolver } from './linalg';

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

  constructor(
    readonly graph: Graph,
    readonly dirichlet: Int32Array,
    solver: SolverOptions = {},
  ) {
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
    this.checkGrounded();

    const m = graph.from.length;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let r = 0; r < free.length; r++) {
      rows.push(r);
      cols.push(r);
    }
    for (let k = 0; k < m; k++) {
      const a = this.freeIndex[graph.from[k]];
      const b = this.freeIndex[graph.to[k]];
      if (a >= 0 && b >= 0) {
        rows.push(a, b);
        cols.push(b, a);
      }
    }
    this.matrix = csrFromTriplets(free.length, free.length, rows, cols, new Float64Array(rows.length));
    this.slots = new Int32Array(4 * m);
    for (let k = 0; k < m; k++) {
      const a = this.freeIndex[graph.from[k]];
      const b = this.freeIndex[graph.to[k]];
      this.slots[4 * k] = a >= 0 ? csrFindSlot(this.matrix, a, a) : -1;
      this.slots[4 * k + 1] = b >= 0 ? csrFindSlot(this.matrix, b, b) : -1;
      this.slots[4 * k + 2] = a >= 0 && b >= 0 ? csrFindSlot(this.matrix, a, b) : -1;
      this.slots[4 * k + 3] = a >= 0 && b >= 0 ? csrFindSlot(this.matrix, b, a) : -1;
    }
    this.weights = new Float64Array(m);
    this.plan = planSolver(this.matrix, solver);
  }

  /** How many numeric factorizations have been made (one per weight update that was used). */
  get factorizations(): number {
    return this.factorCount;
  }

  private checkGrounded(): void {
    const comp = connectedComponents(this.graph);
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
    const s = this.slots;
    for (let k = 0; k < m; k++) {
      const x = this.weights[k];
      if (s[4 * k] >= 0) v[s[4 * k]] += x;
      if (s[4 * k + 1] >= 0) v[s[4 * k + 1]] += x;
      if (s[4 * k + 2] >= 0) v[s[4 * k + 2]] -= x;
      if (s[4 * k + 3] >= 0) v[s[4 * k + 3]] -= x;
    }
    this.factor = undefined;
  }

  /** H on the free nodes (values are live: copy if you keep them across updates). */
  hessian(): CsrMatrix {
    return this.matrix;
  }

  private factorization(): Factorization {
    if (!this.factor) {
      this.factor = this.plan.factor(this.matrix);
      this.factorCount++;
    }
    return this.factor;
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
    return this.equilibria([drive])[0];
  }

  /** Equilibria for several drives against one factorization. */
  equilibria(drives: readonly Drive[]): Float64Array[] {
    const f = this.factorization();
    const xs = f.solveMany(drives.map((d) => this.rhs(d)));
    return xs.map((x, i) => this.scatter(x, drives[i].fixed));
  }

  /** x = H⁻¹ f on the free nodes, zero on Dirichlet nodes, for each force field f (one value per node). */
  response(forces: readonly Float64Array[]): Float64Array[] {
    const f = this.factorization();
    const bs = forces.map((force) => {
      const b = new Float64Array(this.freeNodes.length);
      for (let r = 0; r < b.length; r++) b[r] = force[this.freeNodes[r]];
      return b;
    });
    return f.solveMany(bs).map((x) => this.scatter(x, undefined));
  }

  /** E = ½ Σ w Δs² − Σ q s over the free nodes' injections. */
  energy(state: Float64Array, drive: Drive): number {
    const { from, to } = this.graph;
    let e = 0;
    for (let k = 0; k < from.length; k++) {
      const d = state[from[k]] - state[to[k]];
      e += 0.5 * this.weights[k] * d * d;
    }
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
    for (let i = 0; i < r.length; i++) r[i] -= drive.injection[i];
    return r;
  }
}
