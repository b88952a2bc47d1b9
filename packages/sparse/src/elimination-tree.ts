/**
 * Graph kernels of the symbolic Cholesky analysis: the permuted adjacency,
 * the elimination tree, its postorder and the column counts of L.
 *
 * Conventions: a matrix B = P A P^T is described by its permuted adjacency
 * (no diagonal). `parent[j]` is the parent of column j in the elimination
 * tree (-1 for a root).
 */

import { CsrMatrix } from './csr-matrix';

/**
 * Adjacency of B = P A P^T (`B[k][l] = A[perm[k]][perm[l]]`) without the
 * diagonal. Row k lists its neighbours below k (`idx[ptr[k] .. mid[k] - 1]`)
 * and then those above k (`idx[mid[k] .. ptr[k + 1] - 1]`), each part in no
 * particular order. `A` must have a symmetric pattern.
 */
export interface PermutedAdjacency {
  readonly n: number;
  readonly ptr: Int32Array;
  readonly mid: Int32Array;
  readonly idx: Int32Array;
}

/** Builds the {@link PermutedAdjacency} of the pattern of `A` under `perm` (inverse `inv`). */
export function permutedAdjacency(A: CsrMatrix, perm: Int32Array, inv: Int32Array): PermutedAdjacency {
  const n = A.rows;
  const ptr = new Int32Array(n + 1);
  const mid = new Int32Array(n);
  const idx = new Int32Array(A.rowPtr[n]);
  let out = 0;
  for (let k = 0; k < n; k++) {
    const i = perm[k];
    const start = A.rowPtr[i];
    const end = A.rowPtr[i + 1];
    ptr[k] = out;
    for (let p = start; p < end; p++) {
      const l = inv[A.colIdx[p]];
      if (l < k) idx[out++] = l;
    }
    mid[k] = out;
    for (let p = start; p < end; p++) {
      const l = inv[A.colIdx[p]];
      if (l > k) idx[out++] = l;
    }
  }
  ptr[n] = out;
  return { n, ptr, mid, idx: out === idx.length ? idx : idx.slice(0, out) };
}

/**
 * Elimination tree of the permuted matrix B = P A P^T, computed from A and
 * the permutation without forming B (Liu's algorithm with path compression).
 */
export function eliminationTree(A: CsrMatrix, perm: Int32Array, inv: Int32Array): Int32Array {
  const n = A.rows;
  const parent = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const row = perm[k];
    for (let p = A.rowPtr[row]; p < A.rowPtr[row + 1]; p++) {
      let i = inv[A.colIdx[p]];
      // Climb from i towards the root, pointing the path at k.
      while (i !== -1 && i < k) {
        const up = ancestor[i];
        ancestor[i] = k;
        if (up === -1) parent[i] = k;
        i = up;
      }
    }
  }
  return parent;
}

/** A postorder of the forest `parent`: `post[k]` is the k-th node visited. */
export function postorder(parent: Int32Array): Int32Array {
  const n = parent.length;
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  // Children lists; inserting in reverse keeps children in ascending order.
  for (let j = n - 1; j >= 0; j--) {
    const p = parent[j];
    if (p === -1) continue;
    next[j] = head[p];
    head[p] = j;
  }
  const post = new Int32Array(n);
  const stack = new Int32Array(n);
  let k = 0;
  for (let root = 0; root < n; root++) {
    if (parent[root] !== -1) continue;
    let top = 0;
    stack[0] = root;
    while (top >= 0) {
      const p = stack[top];
      const child = head[p];
      if (child === -1) {
        top--;
        post[k++] = p;
      } else {
        head[p] = next[child]; // remove child from p's list
        stack[++top] = child;
      }
    }
  }
  if (k !== n) throw new Error('postorder: parent array is not a forest');
  return post;
}

/**
 * Column counts of L (diagonal included) for B = P A P^T whose elimination
 * tree is `parent`, assuming the identity is a postorder of that tree.
 * Gilbert, Ng & Peyton, "An efficient algorithm to compute row and column
 * counts for sparse Cholesky factorization", SIAM J. Matrix Anal. Appl.
 * 15(4), 1994: a column's count is the number of row subtrees containing
 * it, found from the leaves of each row subtree and least common ancestors.
 */
export function columnCounts(adj: PermutedAdjacency, parent: Int32Array): Int32Array {
  const n = adj.n;
  const delta = new Int32Array(n);
  const first = new Int32Array(n).fill(-1);
  const maxFirst = new Int32Array(n).fill(-1);
  const prevLeaf = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    // first[j]: the smallest (postorder) descendant of j.
    delta[k] = first[k] === -1 ? 1 : 0;
    for (let j = k; j !== -1 && first[j] === -1; j = parent[j]) first[j] = k;
    ancestor[k] = k;
  }
  const { ptr, mid, idx } = adj;
  for (let j = 0; j < n; j++) {
    if (parent[j] !== -1) delta[parent[j]]--;
    for (let p = mid[j]; p < ptr[j + 1]; p++) {
      const i = idx[p];
      // Is j a leaf of the row subtree of i?
      if (first[j] <= maxFirst[i]) continue;
      maxFirst[i] = first[j];
      const jprev = prevLeaf[i];
      prevLeaf[i] = j;
      delta[j]++;
      if (jprev === -1) continue; // first leaf of row i
      // Subsequent leaf: subtract at the least common ancestor of jprev and j.
      let q = jprev;
      while (q !== ancestor[q]) q = ancestor[q];
      for (let s = jprev; s !== q; ) {
        const up = ancestor[s];
        ancestor[s] = q;
        s = up;
      }
      delta[q]--;
    }
    if (parent[j] !== -1) ancestor[j] = parent[j];
  }
  for (let j = 0; j < n; j++) if (parent[j] !== -1) delta[parent[j]] += delta[j];
  return delta;
}

/**
 * The exact pattern of L by rows (row k lists the columns j < k with
 * L[k][j] != 0, ascending, then the diagonal), from row subtrees of the
 * elimination tree. O(nnz(L)); meant for checks and small problems.
 */
export function rowPatternOfL(adj: PermutedAdjacency, parent: Int32Array): { ptr: Int32Array; idx: Int32Array } {
  const n = adj.n;
  const mark = new Int32Array(n).fill(-1);
  const rows: number[] = [];
  const ptr = new Int32Array(n + 1);
  const row: number[] = [];
  for (let k = 0; k < n; k++) {
    mark[k] = k;
    row.length = 0;
    for (let p = adj.ptr[k]; p < adj.mid[k]; p++) {
      for (let j = adj.idx[p]; mark[j] !== k; j = parent[j]) {
        mark[j] = k;
        row.push(j);
      }
    }
    row.sort((a, b) => a - b);
    for (const j of row) rows.push(j);
    rows.push(k);
    ptr[k + 1] = rows.length;
  }
  return { ptr, idx: Int32Array.from(rows) };
}
