/**
 * A CSR layout tuned for repeated products y = A x (conjugate gradients):
 * the diagonal is a dense vector, each row's off-diagonal entries are padded
 * with explicit zeros (pointing at the row itself) to an even count of at
 * least two, and rows come grouped by that count (2, 4, 6, 8, then longer).
 *
 * Why: in V8 every pass of a typed-array loop re-validates each array it
 * touches. With rows grouped by width, a product needs no inner loop for
 * rows of up to eight off-diagonal entries: one pass per row, straight-line
 * code. Use {@link splitOrder} to find a grouping permutation, permute the
 * matrix with it (`csrPermute`), then build the layout with {@link splitCsr}.
 */

import { CsrMatrix } from './csr-matrix';

/** Widths (padded off-diagonal counts) that get a loop of their own. */
export const SPLIT_WIDTHS: readonly number[] = [2, 4, 6, 8];

/** Square matrix as diagonal + padded, width-grouped off-diagonal rows. */
export interface SplitCsr {
  readonly n: number;
  readonly diagonal: Float64Array;
  /** Off-diagonal row i: slots `rowPtr[i] .. rowPtr[i + 1] - 1` (an even count, at least 2). */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
  /**
   * Rows `groupEnd[g - 1] .. groupEnd[g] - 1` (with groupEnd[-1] = 0) have
   * width `SPLIT_WIDTHS[g]`; rows from `groupEnd[3]` on are wider.
   */
  readonly groupEnd: Int32Array;
}

/** Padded width of row i: off-diagonal count rounded up to even, at least 2. */
function paddedWidth(A: CsrMatrix, i: number): number {
  let count = 0;
  for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] !== i) count++;
  return Math.max(2, count + (count & 1));
}

/** Group of a padded width: its index in SPLIT_WIDTHS, or SPLIT_WIDTHS.length when wider. */
function groupOf(width: number): number {
  const g = width / 2 - 1;
  return g < SPLIT_WIDTHS.length ? g : SPLIT_WIDTHS.length;
}

/** A permutation that groups the rows of A by padded width (stable within a group). */
export function splitOrder(A: CsrMatrix): Int32Array {
  const n = A.rows;
  const groups = SPLIT_WIDTHS.length + 1;
  const group = new Int32Array(n);
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    group[i] = groupOf(paddedWidth(A, i));
    start[group[i] + 1]++;
  }
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[group[i]]++] = i;
  return order;
}

/** Copies a square CSR matrix, whose rows are grouped by width (see {@link splitOrder}), into the split layout. */
export function splitCsr(A: CsrMatrix): SplitCsr {
  if (A.rows !== A.cols) throw new Error(`splitCsr: matrix must be square, got ${A.rows}x${A.cols}`);
  const n = A.rows;
  const rowPtr = new Int32Array(n + 1);
  const groupEnd = new Int32Array(SPLIT_WIDTHS.length);
  let lastGroup = 0;
  for (let i = 0; i < n; i++) {
    const width = paddedWidth(A, i);
    const g = groupOf(width);
    if (g < lastGroup) throw new Error('splitCsr: rows are not grouped by width; permute with splitOrder first');
    lastGroup = g;
    for (let t = g; t < SPLIT_WIDTHS.length; t++) groupEnd[t]++; // rows in groups 0..t
    rowPtr[i + 1] = rowPtr[i] + width;
  }
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  const diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let q = rowPtr[i];
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j === i) {
        diagonal[i] = A.values[p];
      } else {
        colIdx[q] = j;
        values[q++] = A.values[p];
      }
    }
    for (; q < rowPtr[i + 1]; q++) colIdx[q] = i; // padding: zeros on the row's own index
  }
  return { n, diagonal, rowPtr, colIdx, values, groupEnd };
}

/** y = A x (a plain loop; the grouped loops live in conjugate gradients). */
export function splitMultiply(A: SplitCsr, x: Float64Array, y: Float64Array): void {
  const { rowPtr, colIdx, values, diagonal, n } = A;
  let k = 0;
  for (let i = 0; i < n; i++) {
    let s0 = diagonal[i] * x[i];
    let s1 = 0;
    const end = rowPtr[i + 1];
    for (; k < end; k += 2) {
      s0 += values[k] * x[colIdx[k]];
      s1 += values[k + 1] * x[colIdx[k + 1]];
    }
    y[i] = s0 + s1;
  }
}
