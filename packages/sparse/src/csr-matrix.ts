/**
 * Compressed sparse row (CSR) matrices: the storage every linalg kernel reads.
 *
 * Invariants of a {@link CsrMatrix} produced here: `rowPtr` has `rows + 1`
 * entries, column indices are sorted strictly ascending within each row (no
 * duplicates), and `values[p]` belongs to `(row, colIdx[p])`.
 */

/** A sparse matrix in compressed sparse row form. */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row `i` occupies slots `rowPtr[i] .. rowPtr[i + 1] - 1`. */
  readonly rowPtr: Int32Array;
  /** Column index of each slot, ascending within a row. */
  readonly colIdx: Int32Array;
  /** Value of each slot. */
  readonly values: Float64Array;
}

/** Number of stored entries of `A`. */
export function csrNnz(A: CsrMatrix): number {
  return A.rowPtr[A.rows];
}

/**
 * Builds a CSR matrix from coordinate triplets `(ri[k], ci[k], v[k])`.
 * Duplicate coordinates are summed; entries are sorted by column within each
 * row. Explicit zeros are kept (they are part of the pattern).
 */
export function csrFromTriplets(
  rows: number,
  cols: number,
  ri: ArrayLike<number>,
  ci: ArrayLike<number>,
  v: ArrayLike<number>,
): CsrMatrix {
  const nz = ri.length;
  if (ci.length !== nz || v.length !== nz) {
    throw new Error(`csrFromTriplets: triplet arrays differ in length (${nz}, ${ci.length}, ${v.length})`);
  }
  for (let k = 0; k < nz; k++) {
    checkIndex(ri[k], rows, 'row');
    checkIndex(ci[k], cols, 'column');
  }
  // Stable counting sort by column, then by row: rows come out with sorted columns.
  const byCol = countingSort(cols, ci, null);
  const byRow = countingSort(rows, ri, byCol.order);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(nz);
  const values = new Float64Array(nz);
  let out = 0;
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const end = byRow.ptr[i + 1];
    let lastCol = -1;
    for (; k < end; k++) {
      const t = byRow.order[k];
      const j = ci[t];
      if (j === lastCol) {
        values[out - 1] += v[t];
      } else {
        colIdx[out] = j;
        values[out] = v[t];
        out++;
        lastCol = j;
      }
    }
    rowPtr[i + 1] = out;
  }
  return { rows, cols, rowPtr, colIdx: colIdx.slice(0, out), values: values.slice(0, out) };
}

interface Buckets {
  /** Bucket `b` holds `order[ptr[b] .. ptr[b + 1] - 1]`. */
  readonly ptr: Int32Array;
  readonly order: Int32Array;
}

/**
 * Stable counting sort of positions `0 .. key.length - 1` by `key[pos]`,
 * visiting positions in the order `input` (identity when null).
 */
function countingSort(size: number, key: ArrayLike<number>, input: Int32Array | null): Buckets {
  const nz = key.length;
  const ptr = new Int32Array(size + 1);
  for (let k = 0; k < nz; k++) ptr[key[k] + 1]++;
  for (let i = 0; i < size; i++) ptr[i + 1] += ptr[i];
  const next = ptr.slice(0, size);
  const order = new Int32Array(nz);
  for (let q = 0; q < nz; q++) {
    const k = input ? input[q] : q;
    order[next[key[k]]++] = k;
  }
  return { ptr, order };
}

function checkIndex(i: number, size: number, what: string): number {
  if (!Number.isInteger(i) || i < 0 || i >= size) {
    throw new Error(`csrFromTriplets: ${what} index ${i} outside 0..${size - 1}`);
  }
  return i;
}

/** y = A x. Allocates `y` when it is not given. Returns `y`. */
export function csrMultiply(A: CsrMatrix, x: Float64Array, y?: Float64Array): Float64Array {
  if (x.length < A.cols) throw new Error(`csrMultiply: x has ${x.length} entries, A has ${A.cols} columns`);
  const out = y ?? new Float64Array(A.rows);
  if (out.length < A.rows) throw new Error(`csrMultiply: y has ${out.length} entries, A has ${A.rows} rows`);
  const { rowPtr, colIdx, values } = A;
  const n = A.rows;
  let p = rowPtr[0];
  for (let i = 0; i < n; i++) {
    // Two accumulators halve the dependency chain of the row sum.
    let s0 = 0;
    let s1 = 0;
    const end = rowPtr[i + 1];
    for (; p + 1 < end; p += 2) {
      s0 += values[p] * x[colIdx[p]];
      s1 += values[p + 1] * x[colIdx[p + 1]];
    }
    if (p < end) {
      s0 += values[p] * x[colIdx[p]];
      p++;
    }
    out[i] = s0 + s1;
  }
  return out;
}

/** Dense copy of `A` as an array of rows (for tests and small problems). */
export function csrToDense(A: CsrMatrix): number[][] {
  const dense: number[][] = [];
  for (let i = 0; i < A.rows; i++) {
    const row = new Array<number>(A.cols).fill(0);
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) row[A.colIdx[p]] = A.values[p];
    dense.push(row);
  }
  return dense;
}

/** A^T in CSR form (equivalently, A in compressed sparse column form). */
export function csrTranspose(A: CsrMatrix): CsrMatrix {
  const nz = csrNnz(A);
  const rowPtr = new Int32Array(A.cols + 1);
  for (let p = 0; p < nz; p++) rowPtr[A.colIdx[p] + 1]++;
  for (let j = 0; j < A.cols; j++) rowPtr[j + 1] += rowPtr[j];
  const next = rowPtr.slice(0, A.cols);
  const colIdx = new Int32Array(nz);
  const values = new Float64Array(nz);
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const q = next[A.colIdx[p]]++;
      colIdx[q] = i;
      values[q] = A.values[p];
    }
  }
  return { rows: A.cols, cols: A.rows, rowPtr, colIdx, values };
}

/**
 * Symmetric permutation B = P A P^T of a square matrix: `B[k][l] =
 * A[perm[k]][perm[l]]` (perm[k] is the original index of row k of B).
 */
export function csrPermute(A: CsrMatrix, perm: Int32Array): CsrMatrix {
  const n = A.rows;
  if (A.cols !== n || perm.length !== n) throw new Error(`csrPermute: need a square matrix and a permutation of its size`);
  const inv = new Int32Array(n);
  for (let k = 0; k < n; k++) inv[perm[k]] = k;
  const nz = csrNnz(A);
  const ri = new Int32Array(nz);
  const ci = new Int32Array(nz);
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      ri[p] = inv[i];
      ci[p] = inv[A.colIdx[p]];
    }
  }
  return csrFromTriplets(n, n, ri, ci, A.values);
}

/** The main diagonal of `A` (zero where no entry is stored). */
export function csrDiagonal(A: CsrMatrix, out?: Float64Array): Float64Array {
  const m = Math.min(A.rows, A.cols);
  const d = out ?? new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const p = csrFindSlot(A, i, i);
    d[i] = p < 0 ? 0 : A.values[p];
  }
  return d;
}

/**
 * Index into `A.values` of entry `(i, j)`, or -1 when it is not stored.
 * Binary search within row `i`. Callers precompute these slots once so that
 * re-assembly after a parameter update writes values in place.
 */
export function csrFindSlot(A: CsrMatrix, i: number, j: number): number {
  if (i < 0 || i >= A.rows) return -1;
  let lo = A.rowPtr[i];
  let hi = A.rowPtr[i + 1] - 1;
  const cols = A.colIdx;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cols[mid];
    if (c === j) return mid;
    if (c < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * True when `A` is square and `|A_ij - A_ji| <= tol * max(|A_ij|, |A_ji|, 1)`
 * for every stored entry (a missing mirror counts as zero).
 */
export function csrIsSymmetric(A: CsrMatrix, tol = 0): boolean {
  if (A.rows !== A.cols) return false;
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j <= i) continue;
      const q = csrFindSlot(A, j, i);
      const a = A.values[p];
      const b = q < 0 ? 0 : A.values[q];
      if (!(Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1))) return false;
    }
    // Entries below the diagonal without a mirror above.
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j >= i) break;
      if (csrFindSlot(A, j, i) < 0 && !(Math.abs(A.values[p]) <= tol)) return false;
    }
  }
  return true;
}

/** True when the sparsity pattern of the square matrix `A` is symmetric. */
export function csrHasSymmetricPattern(A: CsrMatrix): boolean {
  if (A.rows !== A.cols) return false;
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      if (csrFindSlot(A, A.colIdx[p], i) < 0) return false;
    }
  }
  return true;
}
