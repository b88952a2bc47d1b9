import { CsrMatrix, Factorization, Graph, NumericalError, SolverOptions, SolverPlan, csrFindSlot, csrFromTriplets, planSolver } from '@multimech/core';

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
    const rows: number[] = [];
    const cols: number[] = [];
    for (let r = 0; r < freeCount; r++) {
      rows.push(r);
      cols.push(r);
    }
    const m = graph.from.length;
    const d = dim;
    const blocks = (k: number) => {
      const a = graph.from[k];
      const b = graph.to[k];
      return [
        [a, a],
        [b, b],
        [a, b],
        [b, a],
      ];
    };
    for (let k = 0; k < m; k++) {
      for (const [p, q] of blocks(k)) {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const r = freeIndex[p * d + i];
            const c = freeIndex[q * d + j];
            if (r >= 0 && c >= 0) {
              rows.push(r);
              cols.push(c);
            }
          }
        }
      }
    }
    this.matrix = csrFromTriplets(freeCount, freeCount, rows, cols, new Float64Array(rows.length));
    this.slots = new Int32Array(4 * m * d * d).fill(-1);
    for (let k = 0; k < m; k++) {
      blocks(k).forEach(([p, q], blk) => {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const r = freeIndex[p * d + i];
            const c = freeIndex[q * d + j];
            if (r >= 0 && c >= 0) this.slots[((4 * k + blk) * d + i) * d + j] = csrFindSlot(this.matrix, r, c);
          }
        }
      });
    }
    this.diagonal = Int32Array.from({ length: freeCount }, (_, r) => csrFindSlot(this.matrix, r, r));
    this.plan = freeCount > 0 ? planSolver(this.matrix, solver) : undefined;
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
