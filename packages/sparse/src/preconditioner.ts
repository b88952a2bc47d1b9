/**
 * Preconditioners for conjugate gradients: z = M^{-1} r with M close to A.
 *
 * `jacobi`: M = diag(A). `two-level`: M^{-1} = diag(A)^{-1} + 1 1^T / (1^T A 1),
 * Jacobi plus an exact correction on the all-ones vector, which is the slow
 * mode of grounded Laplacians (a few grounds hold the whole network down;
 * Jacobi alone leaves one tiny isolated eigenvalue); it is SPD for every SPD
 * A. `ic0`: M = L L^T with L the incomplete Cholesky factor of A that keeps
 * the pattern of tril(A) (zero fill); when the plain factorization breaks
 * down (possible for SPD matrices that are not M-matrices) it is retried on
 * A + alpha diag(A) with growing alpha. `amg`: one V-cycle of smoothed
 * aggregation multigrid (see smoothed-aggregation.ts). `none`: M = I.
 *
 * ConjugateGradient fuses the diagonal kinds into its own loops; these
 * classes serve the other kinds and standalone use.
 */

import { CsrMatrix } from './csr-matrix';
import { SmoothedAggregation } from './smoothed-aggregation';

/** Which preconditioner conjugate gradients uses. */
export type PreconditionerKind = 'jacobi' | 'two-level' | 'ic0' | 'amg' | 'none';

/** z = M^{-1} r. */
export interface Preconditioner {
  readonly kind: PreconditionerKind;
  /** Sets z = M^{-1} r and returns r^T z (which CG needs next). */
  apply(r: Float64Array, z: Float64Array): number;
}

/** Builds the preconditioner `kind` from the values of `A`. */
export function buildPreconditioner(A: CsrMatrix, kind: PreconditionerKind): Preconditioner {
  switch (kind) {
    case 'jacobi':
      return new JacobiPreconditioner(A);
    case 'two-level':
      return new TwoLevelPreconditioner(A);
    case 'ic0':
      return IncompleteCholesky.factor(A);
    case 'amg':
      return new SmoothedAggregation(A);
    case 'none':
      return new IdentityPreconditioner();
    default:
      throw new Error(`unknown preconditioner '${String(kind)}'`);
  }
}

/** M = I. */
export class IdentityPreconditioner implements Preconditioner {
  readonly kind = 'none' as const;

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

/** M^{-1} = diag(A)^{-1} + 1 1^T / (1^T A 1): Jacobi plus a coarse correction on the all-ones vector. */
export class TwoLevelPreconditioner implements Preconditioner {
  readonly kind = 'two-level' as const;
  private readonly jacobi: JacobiPreconditioner;
  /** 1 / (1^T A 1). */
  private readonly inverseCoarse: number;

  constructor(A: CsrMatrix) {
    this.jacobi = new JacobiPreconditioner(A);
    let total = 0;
    for (let p = 0; p < A.rowPtr[A.rows]; p++) total += A.values[p];
    if (!(total > 0)) throw new Error(`two-level preconditioner: 1^T A 1 = ${total} is not positive, matrix is not positive definite`);
    this.inverseCoarse = 1 / total;
  }

  apply(r: Float64Array, z: Float64Array): number {
    let rz = this.jacobi.apply(r, z);
    let rSum = 0;
    for (let i = 0; i < z.length; i++) rSum += r[i];
    const shift = rSum * this.inverseCoarse;
    for (let i = 0; i < z.length; i++) z[i] += shift;
    rz += shift * rSum;
    return rz;
  }
}

/**
 * Zero-fill incomplete Cholesky M = L L^T (natural order, pattern of
 * tril(A)). For speed in V8 the factor lives in two typed arrays: `f` holds
 * the strictly lower values by rows, the same values by columns (rows of
 * L^T) and the inverse diagonal; `g` holds the matching row pointers and
 * column indices. Both triangular solves then gather (no scattered stores).
 */
export class IncompleteCholesky implements Preconditioner {
  readonly kind = 'ic0' as const;
  private readonly n: number;
  private readonly f: Float64Array;
  private readonly g: Int32Array;
  // Offsets: in f, L values at 0, L^T values at UV, inverse diagonal at INV;
  // in g, L row pointers at 0, L columns at LC, L^T row pointers at UP, L^T columns at UC.
  private readonly UV: number;
  private readonly INV: number;
  private readonly LC: number;
  private readonly UP: number;
  private readonly UC: number;

  private constructor(
    rowPtr: Int32Array,
    colIdx: Int32Array,
    lower: Float64Array,
    diagonal: Float64Array,
    /** The diagonal shift alpha that made the factorization succeed (0 when none was needed). */
    readonly shift: number,
  ) {
    const n = diagonal.length;
    const nnz = colIdx.length;
    this.n = n;
    this.UV = nnz;
    this.INV = 2 * nnz;
    this.LC = n + 1;
    this.UP = n + 1 + nnz;
    this.UC = 2 * (n + 1) + nnz;
    this.f = new Float64Array(2 * nnz + n);
    this.g = new Int32Array(2 * (n + 1) + 2 * nnz);
    const { f, g } = this;
    f.set(lower, 0);
    g.set(rowPtr, 0);
    g.set(colIdx, this.LC);
    for (let i = 0; i < n; i++) f[this.INV + i] = 1 / diagonal[i];
    // L^T by rows: a counting transpose of the strictly lower part.
    const up = this.UP;
    for (let p = 0; p < nnz; p++) g[up + colIdx[p] + 1]++;
    for (let i = 0; i < n; i++) g[up + i + 1] += g[up + i];
    const next = g.slice(up, up + n);
    for (let i = 0; i < n; i++) {
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const q = next[colIdx[p]]++;
        g[this.UC + q] = i;
        f[this.UV + q] = lower[p];
      }
    }
  }

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
    const { f, g, n, UV, INV, LC, UP, UC } = this;
    lowerSolve(f, g, n, LC, INV, r, z);
    return upperSolve(f, g, n, UV, UP, UC, INV, r, z);
  }
}

/** Forward substitution L y = r by rows of L; y is stored in z. */
function lowerSolve(f: Float64Array, g: Int32Array, n: number, LC: number, INV: number, r: Float64Array, z: Float64Array): void {
  let p = 0;
  for (let i = 0; i < n; i++) {
    let s = r[i];
    const end = g[i + 1];
    for (; p < end; p++) s -= f[p] * z[g[LC + p]];
    z[i] = s * f[INV + i];
  }
}

/** Back substitution L^T z = y (y in z) by rows of L^T, last row first; returns r^T z. */
function upperSolve(
  f: Float64Array,
  g: Int32Array,
  n: number,
  UV: number,
  UP: number,
  UC: number,
  INV: number,
  r: Float64Array,
  z: Float64Array,
): number {
  let rz = 0;
  let p = g[UP + n] - 1;
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    const start = g[UP + i];
    for (; p >= start; p--) s -= f[UV + p] * z[g[UC + p]];
    const zi = s * f[INV + i];
    z[i] = zi;
    rz += r[i] * zi;
  }
  return rz;
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
