import {
  MultimechError,
  connectedComponents,
  restatingSolverFailures,
  type Graph,
} from '@multimech/core';
import {
  CsrMatrix,
  SolverPlan,
  addEdgeLaplacian,
  edgePattern,
  planSolver,
} from '@multimech/sparse';

/** Solves with one assembled transport operator, for any number of right-hand sides. */
export interface TransportSolver {
  /** x = M⁻¹ b on the free nodes; `guesses` (optional) start an iterative solve. */
  solveMany(bs: readonly Float64Array[], guesses?: readonly Float64Array[]): Float64Array[];
}

/**
 * The transport operator of a chemical on a tube network, on the nodes
 * where the concentration is free (every node but those the flow problem
 * holds, where the chemical sits at its baseline):
 *
 *     (M δ)_i = s_i δ_i + Σ_k D_k (δ_i − δ_j) + advection(Q)
 *
 * with δ = c − c₀, s a diagonal shift (node volume / time step for an
 * implicit Euler step) and, optionally, upwind advection by the tube flows
 * Q: a node loses δ_i at the rate max(outflow_i, inflow_i) and gains
 * Q δ_j from each upstream neighbour j. Fluid entering from outside the
 * network carries the baseline, fluid leaving carries the local
 * concentration, so a uniform c = c₀ stays a steady state and the baseline
 * drops out of the problem for δ. M is an M-matrix: symmetric without
 * advection (solved by core's sparse Cholesky or CG, one factorization for
 * every right-hand side), nonsymmetric with it (BiCGSTAB with ILU(0)).
 *
 * The sparsity pattern (free nodes and the tubes between them) is built
 * once per network; each assembly writes new values into a copy.
 */
export class TransportOperator {
  /** freeIndex[node] = row of the node, or -1 where the concentration is held. */
  readonly freeIndex: Int32Array;
  /** freeNodes[row] = node of that row. */
  readonly freeNodes: Int32Array;
  private readonly pattern: CsrMatrix;
  /** Per tube: slots of (a,a), (b,b), (a,b), (b,a), -1 when absent. */
  private readonly slots: Int32Array;
  private readonly diagonal: Int32Array;
  private plan: SolverPlan | undefined;
  private advectionPlan: SolverPlan | undefined;

  constructor(
    readonly graph: Graph,
    fixedNodes: Int32Array,
  ) {
    const n = graph.nodeNames.length;
    this.freeIndex = new Int32Array(n).fill(0);
    for (const node of fixedNodes) {
      if (!(node >= 0 && node < n)) throw new MultimechError(`transport network: held node ${node} is not a node of the graph (0..${n - 1})`);
      this.freeIndex[node] = -1;
    }
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (this.freeIndex[i] === 0) this.freeIndex[i] = free.push(i) - 1;
    this.freeNodes = Int32Array.from(free);
    checkHeld(graph, fixedNodes);
    const pattern = edgePattern(free.length, this.freeIndex, graph.from, graph.to);
    this.pattern = pattern.matrix;
    this.slots = pattern.slots;
    this.diagonal = pattern.diagonal;
  }

  /** Number of free rows. */
  get size(): number {
    return this.freeNodes.length;
  }

  /**
   * M = diag(shift) + L_D (+ upwind advection by `flows`), a new matrix.
   * `flows[k]` is the volume flow from `graph.from[k]` to `graph.to[k]`.
   */
  assemble(diffusivity: Float64Array, flows?: Float64Array, shift?: Float64Array): CsrMatrix {
    const values = new Float64Array(this.pattern.values.length);
    const s = this.slots;
    const { from, to } = this.graph;
    const n = this.graph.nodeNames.length;
    const outflow = flows ? new Float64Array(n) : undefined;
    const inflow = flows ? new Float64Array(n) : undefined;
    addEdgeLaplacian(s, diffusivity, values);
    if (flows && outflow && inflow) {
      for (let k = 0; k < from.length; k++) {
        const q = flows[k];
        // Upstream node u, downstream node w: w gains |q| δ_u.
        const [u, w, slot] = q >= 0 ? [from[k], to[k], s[4 * k + 3]] : [to[k], from[k], s[4 * k + 2]];
        const aq = Math.abs(q);
        outflow[u] += aq;
        inflow[w] += aq;
        if (slot >= 0) values[slot] -= aq;
      }
    }
    for (let r = 0; r < this.freeNodes.length; r++) {
      const node = this.freeNodes[r];
      if (outflow && inflow) values[this.diagonal[r]] += Math.max(outflow[node], inflow[node]);
      if (shift) values[this.diagonal[r]] += shift[r];
    }
    const { rows, cols, rowPtr, colIdx } = this.pattern;
    return { rows, cols, rowPtr, colIdx, values };
  }

  /** A solver for an assembled operator: a sparse factorization when it is symmetric, BiCGSTAB otherwise. */
  solver(matrix: CsrMatrix, symmetric: boolean): TransportSolver {
    if (this.size === 0) return { solveMany: (bs) => bs.map(() => new Float64Array(0)) };
    if (symmetric) {
      this.plan ??= planSolver(this.pattern);
      const factor = this.plan.factor(matrix);
      return { solveMany: (bs) => factor.solveMany(bs) };
    }
    this.advectionPlan ??= planSolver(this.pattern, { method: 'bicgstab', bicgstabTolerance: 1e-12 });
    const plan = this.advectionPlan;
    const where = `chemical transport with advection`;
    const factor = restatingSolverFailures(() => plan.factor(matrix), where);
    return { solveMany: (bs, guesses) => restatingSolverFailures(() => factor.solveMany(bs, guesses), `${where} (${this.size} free nodes)`) };
  }

  /** The free-node entries of a node field. */
  gather(field: ArrayLike<number>, scale = 1): Float64Array {
    return Float64Array.from(this.freeNodes, (node) => scale * field[node]);
  }

  /** A node field: `x` at the free nodes, `held` at the others. */
  scatter(x: Float64Array, held = 0): Float64Array {
    const c = new Float64Array(this.graph.nodeNames.length).fill(held);
    for (let r = 0; r < x.length; r++) c[this.freeNodes[r]] += x[r];
    return c;
  }
}

/** Every node must reach a node where the concentration is held, or the steady state is not unique. */
function checkHeld(graph: Graph, fixedNodes: Int32Array): void {
  const comp = connectedComponents(graph);
  const held = new Set<number>();
  for (const node of fixedNodes) held.add(comp[node]);
  const floating: string[] = [];
  for (let i = 0; i < comp.length; i++) if (!held.has(comp[i])) floating.push(graph.nodeNames[i]);
  if (floating.length > 0) {
    const list = floating.slice(0, 10).join(', ') + (floating.length > 10 ? `, ... (${floating.length} in all)` : '');
    throw new MultimechError(`chemical transport: no path to a node where the flow problem holds the pressure from node(s) ${list}`);
  }
}
