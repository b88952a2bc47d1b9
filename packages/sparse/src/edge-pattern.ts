import { CsrMatrix, csrFindSlot, csrFromTriplets } from './csr-matrix';

/**
 * The sparsity pattern of a matrix assembled edge by edge, as the Hessian of
 * a network is: each edge k between nodes a and b writes a d×d block at
 * (a,a), (b,b), (a,b) and (b,a). The pattern never changes while the
 * network learns, so it is built once; the slots say where each edge's
 * entries live in `matrix.values`, so new values are assembled in place in
 * O(edges).
 */
export interface EdgePattern {
  /** The pattern, its values zero; every row holds its diagonal. */
  readonly matrix: CsrMatrix;
  /** d: the dofs per node. */
  readonly block: number;
  /**
   * Slot of entry (i, j) of block B of edge k, B = 0..3 for (a,a), (b,b),
   * (a,b), (b,a): `slots[((4k + B)·d + i)·d + j]`; -1 where the row or the
   * column is a held dof. For d = 1, `slots[4k + B]`.
   */
  readonly slots: Int32Array;
  /** Slot of (r, r) for every row. */
  readonly diagonal: Int32Array;
}

/**
 * The pattern of `rows` free dofs coupled by the edges `from[k]`–`to[k]`.
 * `rowOf[node·d + i]` is the row of dof i of a node, or -1 for a held dof
 * (a grounded node, a pinned coordinate), which has no row.
 */
export function edgePattern(rows: number, rowOf: ArrayLike<number>, from: ArrayLike<number>, to: ArrayLike<number>, block = 1): EdgePattern {
  const d = block;
  const m = from.length;
  const ri: number[] = [];
  const ci: number[] = [];
  for (let r = 0; r < rows; r++) {
    ri.push(r);
    ci.push(r);
  }
  /** Calls `visit(r, c, slotIndex)` for every entry an edge writes whose row and column are free. */
  const eachEntry = (visit: (r: number, c: number, slotIndex: number) => void) => {
    for (let k = 0; k < m; k++) {
      const a = from[k];
      const b = to[k];
      for (let B = 0; B < 4; B++) {
        const p = B === 0 || B === 2 ? a : b;
        const q = B === 0 || B === 3 ? a : b;
        for (let i = 0; i < d; i++) {
          const r = rowOf[p * d + i];
          if (r < 0) continue;
          for (let j = 0; j < d; j++) {
            const c = rowOf[q * d + j];
            if (c >= 0) visit(r, c, ((4 * k + B) * d + i) * d + j);
          }
        }
      }
    }
  };
  eachEntry((r, c) => {
    ri.push(r);
    ci.push(c);
  });
  const matrix = csrFromTriplets(rows, rows, ri, ci, new Float64Array(ri.length));
  const slots = new Int32Array(4 * m * d * d).fill(-1);
  eachEntry((r, c, index) => {
    slots[index] = csrFindSlot(matrix, r, c);
  });
  const diagonal = Int32Array.from({ length: rows }, (_, r) => csrFindSlot(matrix, r, r));
  return { matrix, block: d, slots, diagonal };
}

/**
 * Adds the weighted Laplacian of scalar edges to `values` (a matrix of a
 * block-1 pattern): w_k at (a,a) and (b,b), −w_k at (a,b) and (b,a).
 * O(edges); `values` is not cleared first.
 */
export function addEdgeLaplacian(slots: Int32Array, weights: ArrayLike<number>, values: Float64Array): void {
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    const s0 = slots[4 * k];
    const s1 = slots[4 * k + 1];
    const s2 = slots[4 * k + 2];
    const s3 = slots[4 * k + 3];
    if (s0 >= 0) values[s0] += w;
    if (s1 >= 0) values[s1] += w;
    if (s2 >= 0) values[s2] -= w;
    if (s3 >= 0) values[s3] -= w;
  }
}
