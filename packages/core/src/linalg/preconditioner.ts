/**
 * Preconditioners for conjugate gradients: z = M^{-1} r with M close to A.
 *
 * `jacobi`: M = diag(A). `ic0`: M = L L^T with L the incomplete Cholesky
 * factor of A that keeps the pattern of tril(A) (zero fill); when the plain
 * factorization breaks down (possible for SPD matrices that are not
 * M-matrices) it is retried on A + alpha diag(A) with growing alpha.
 * `none`: M = I.
 */

import { CsrMatrix } from './csr-matrix';

/** Which preconditioner conjugate gradients uses. */
export type PreconditionerKind = 'jacobi' | 'ic0' | 'none';

/** z = M^{-1} r. */
export interface Preconditioner {
  readonly kind: PreconditionerKind;
  /** Sets z = M^{-1} r and returns r^T z (which CG needs next). */
  apply(r: Float64Array, z: Float64Array): number;
  /** When M^{-1} is diagonal: its diagonal (CG then fuses it into its own loops). */
  readonly scaling?: Float64Array;
}

/** Builds the preconditioner `kind` from the values of `A`. */
export function buildPreconditioner(A: CsrMatrix, kind: PreconditionerKind): Preconditioner {
  switch (kind) {
    case 'jacobi':
      return new JacobiPreconditioner(A);
    case 'ic0':
      return IncompleteCholesky.factor(A);
    case 'none':
      return new IdentityPreconditioner(A.rows);
    default:
      throw new Error(`unknown preconditioner '${String(kind)}'`);
  }
}

/** M = I. */
export class IdentityPreconditioner implements Preconditioner {
  readonly kind = 'none' as const;
  readonly scaling: Float64Array;

  constructor(n: number) {
    this.scaling = new Float64Array(n).fill(1);
  }

  apply(r: Float64Array, z: Float64Array): number {
    let rz = 0;
    for (let i = 0; i < z.length; i++) {
      z[i] = r[i];
      rz += r[i] * r[i];
    }
    return rz;
  }
}

/** M = diag(A). */
export class JacobiPreconditioner implements Preconditioner {
  readonly kind = 'jacobi' as const;
  private readonly inverseDiagonal: Float64Array;

  get scaling(): Float64Array {
    return this.inverseDiagonal;
  }

  constructor(A: CsrMatrix) {
    const n = A.rows;
    const inv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] === i) d = A.values[p];
      if (!(d > 0 && d < Infinity)) {
        throw new Error(`Jacobi preconditioner: diagonal entry ${d} at row ${i} is not positive, matrix is not positive definite`);
      }
      inv[i] = 1 / d;
    }
    this.inverseDiagonal = inv;
  }

  apply(r: Float64Array, z: Float64Array): number {
    const inv = this.inverseDiagonal;
    let rz = 0;
    for (let i = 0; i < inv.length; i++) {
      const ri = r[i];
      const zi = ri * inv[i];
      z[i] = zi;
      rz += ri * zi;
    }
    return rz;
  }
}

/** Zero-fill incomplete Cholesky M = L L^T (natural order, pattern of tril(A)). */
export class IncompleteCholesky implements Preconditioner {
  readonly kind = 'ic0' as const;

  private constructor(
    /** Strictly lower part of L by rows. */
    private readonly rowPtr: Int32Array,
    private readonly colIdx: Int32Array,
    private readonly lower: Float64Array,
    private readonly diagonal: Float64Array,
    /** The diagonal shift alpha that made the factorization succeed (0 when none was needed). */
    readonly shift: number,
  ) {}

  /** Factors `A`, shifting the diagonal when the plain factorization breaks down. */
  static factor(A: CsrMatrix): IncompleteCholesky {
    const { rowPtr, colIdx, slots } = strictLowerPattern(A);
    const diagSlot = diagonalSlots(A);
    let shift = 0;
    for (let attempt = 0; attempt < 12; attempt++) {
      const lower = new Float64Array(colIdx.length);
      const diagonal = new Float64Array(A.rows);
      if (incompleteFactor(A, rowPtr, colIdx, slots, diagSlot, shift, lower, diagonal)) {
        return new IncompleteCholesky(rowPtr, colIdx, lower, diagonal, shift);
      }
      shift = shift === 0 ? 1e-3 : shift * 4;
    }
    throw new Error('IC(0) preconditioner: factorization breaks down even with a diagonal shift; matrix is probably not positive definite');
  }

  apply(r: Float64Array, z: Float64Array): number {
    const { rowPtr, colIdx, lower, diagonal } = this;
    const n = diagonal.length;
    // Forward: L y = r (rows of L).
    for (let i = 0; i < n; i++) {
      let s = r[i];
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) s -= lower[p] * z[colIdx[p]];
      z[i] = s / diagonal[i];
    }
    // Backward: L^T z = y, column-oriented on the rows of L.
    for (let i = n - 1; i >= 0; i--) {
      const zi = z[i] / diagonal[i];
      z[i] = zi;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) z[colIdx[p]] -= lower[p] * zi;
    }
    let rz = 0;
    for (let i = 0; i < n; i++) rz += r[i] * z[i];
    return rz;
  }
}

/** Strict lower triangle pattern of A by rows, with the slot of each entry in A. */
function strictLowerPattern(A: CsrMatrix): { rowPtr: Int32Array; colIdx: Int32Array; slots: Int32Array } {
  const n = A.rows;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] < i) c++;
    rowPtr[i + 1] = rowPtr[i] + c;
  }
  const colIdx = new Int32Array(rowPtr[n]);
  const slots = new Int32Array(rowPtr[n]);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      if (A.colIdx[p] >= i) continue;
      colIdx[out] = A.colIdx[p];
      slots[out++] = p;
    }
  }
  return { rowPtr, colIdx, slots };
}

function diagonalSlots(A: CsrMatrix): Int32Array {
  const slots = new Int32Array(A.rows).fill(-1);
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] === i) slots[i] = p;
  }
  return slots;
}

/**
 * Row-by-row IC(0) of A + shift diag(A). Returns false on breakdown (a
 * non-positive or non-finite pivot).
 */
function incompleteFactor(
  A: CsrMatrix,
  rowPtr: Int32Array,
  colIdx: Int32Array,
  slots: Int32Array,
  diagSlot: Int32Array,
  shift: number,
  lower: Float64Array,
  diagonal: Float64Array,
): boolean {
  const n = A.rows;
  const where = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    for (let p = start; p < end; p++) where[colIdx[p]] = p;
    let d = diagSlot[i] < 0 ? 0 : A.values[diagSlot[i]] * (1 + shift);
    for (let p = start; p < end; p++) {
      const j = colIdx[p];
      // L[i][j] = (A[i][j] - sum_{t < j} L[i][t] L[j][t]) / L[j][j], over the common pattern.
      let s = A.values[slots[p]];
      for (let t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
        const w = where[colIdx[t]];
        if (w >= 0) s -= lower[w] * lower[t];
      }
      const lij = s / diagonal[j];
      lower[p] = lij;
      d -= lij * lij;
    }
    for (let p = start; p < end; p++) where[colIdx[p]] = -1;
    if (!(d > 0 && d < Infinity)) return false;
    diagonal[i] = Math.sqrt(d);
  }
  return true;
}
