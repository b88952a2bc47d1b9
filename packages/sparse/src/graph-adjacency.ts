/** Graph views of sparse matrix patterns. */

import { CsrMatrix } from './csr-matrix';

/** Adjacency lists: the neighbours of node i are `idx[ptr[i] .. ptr[i + 1] - 1]`. */
export interface Adjacency {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
}

/** Adjacency lists of the graph of `A + A^T` without self loops. */
export function symmetricAdjacency(A: CsrMatrix): Adjacency {
  const n = A.rows;
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j === i) continue;
      count[i + 1]++;
      count[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const idx = new Int32Array(count[n]);
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j === i) continue;
      idx[fill[i]++] = j;
      idx[fill[j]++] = i;
    }
  }
  // Each pair usually appears twice (once from each triangle): deduplicate.
  const ptr = new Int32Array(n + 1);
  const seen = new Int32Array(n).fill(-1);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let p = count[i]; p < count[i + 1]; p++) {
      const j = idx[p];
      if (seen[j] === i) continue;
      seen[j] = i;
      idx[out++] = j;
    }
    ptr[i + 1] = out;
  }
  return { ptr, idx: idx.slice(0, out) };
}

