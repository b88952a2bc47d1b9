import { Graph, NumericalError } from '@multimech/core';
import { CsrMatrix, Factorization, SolverOptions, SolverPlan, edgePattern, planSolver } from '@multimech/sparse';

/**
 * The stiffness matrix H = ∂²E/∂x² of central-force springs on the free
 * dofs (dof = node·dim + axis), in CSR with a pattern built and analysed
 * once. Each spring adds the block K = k[(1 − ℓ/r)(I − êêᵀ) + êêᵀ] at
 * (a,a) and (b,b) and −K at (a,b) and (b,a); `assemble` rewrites the
 * values in place for a state, and `factor` factors them with the one plan
 * of the network.
 */
export class SpringStiffness {
  readonly matrix: CsrMatrix;
  readonly plan: SolverPlan | undefined;
  /** Per spring: 4 blocks (aa, bb, ab, ba) of dim² value slots, -1 where a dof is held. */
  private readonly slots: Int32Array;
  /** Value slot of each free row's diagonal. */
  private readonly diagonal: Int32Array;

  constructor(
    readonly graph: Graph,
    readonly dim: number,
    /** freeIndex[dof] = row in H, or -1 for a held dof. */
    readonly freeIndex: Int32Array,
    readonly freeCount: number,
    solver: SolverOptions,
  ) {
    const pattern = edgePattern(freeCount, freeIndex, graph.from, graph.to, dim);
    this.matrix = pattern.matrix;
    this.slots = pattern.slots;
    this.diagonal = pattern.diagonal;
    // Multigrid aggregates whole nodes (its near-null space: the dim
    // translations) when every node's dofs are all free or all held.
    const options = solver.amg || !wholeNodeRows(freeIndex, dim) ? solver : { ...solver, amg: { block: dim } };
    this.plan = freeCount > 0 ? planSolver(this.matrix, options) : undefined;
  }

  /**
   * Writes H(state) into `matrix.values`. Throws a NumericalError naming the
   * spring when one has zero length (its direction is undefined).
   */
  assemble(state: Float64Array, stiffness: Float64Array, rest: Float64Array): CsrMatrix {
    const { from, to, edgeNames, nodeNames } = this.graph;
    const d = this.dim;
    const v = this.matrix.values;
    v.fill(0);
    const e = new Float64Array(d);
    for (let k = 0; k < from.length; k++) {
      let r2 = 0;
      for (let i = 0; i < d; i++) {
        e[i] = state[from[k] * d + i] - state[to[k] * d + i];
        r2 += e[i] * e[i];
      }
      const r = Math.sqrt(r2);
      if (!(r > 0)) {
        throw new NumericalError(
          `spring '${edgeNames[k]}' has zero length: nodes '${nodeNames[from[k]]}' and '${nodeNames[to[k]]}' coincide, so its direction is undefined`,
        );
      }
      for (let i = 0; i < d; i++) e[i] /= r;
      const kk = stiffness[k];
      const t = 1 - rest[k] / r;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          const value = kk * ((i === j ? t : 0) + (1 - t) * e[i] * e[j]);
          for (let blk = 0; blk < 4; blk++) {
            const slot = this.slots[((4 * k + blk) * d + i) * d + j];
            if (slot >= 0) v[slot] += blk < 2 ? value : -value;
          }
        }
      }
    }
    return this.matrix;
  }

  /** Adds λ to every diagonal entry of the assembled values (a Levenberg shift). */
  shift(lambda: number): void {
    for (const slot of this.diagonal) this.matrix.values[slot] += lambda;
  }

  /** Largest diagonal entry of the assembled values. */
  maxDiagonal(): number {
    let m = 0;
    for (const slot of this.diagonal) m = Math.max(m, Math.abs(this.matrix.values[slot]));
    return m;
  }

  /** Factors the assembled values (throws when they are not positive definite). */
  factor(): Factorization {
    if (!this.plan) throw new NumericalError('no free dof: there is nothing to factor');
    return this.plan.factor(this.matrix);
  }
}

/** Whether the free rows come in whole nodes, node-major: a node's dofs are all held or rows r..r+dim-1 with r a multiple of dim. */
function wholeNodeRows(freeIndex: Int32Array, dim: number): boolean {
  for (let node = 0; node * dim < freeIndex.length; node++) {
    const first = freeIndex[node * dim];
    for (let i = 0; i < dim; i++) {
      const row = freeIndex[node * dim + i];
      if (first < 0 ? row >= 0 : row !== first + i || first % dim !== 0) return false;
    }
  }
  return true;
}
