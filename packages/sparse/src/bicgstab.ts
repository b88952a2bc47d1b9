/**
 * Preconditioned BiCGSTAB (van der Vorst, 1992) for square nonsymmetric A,
 * such as the upwind advection-diffusion operator of a chemical carried by a
 * flow (PHYSICS.md §4), where conjugate gradients does not apply.
 *
 * The preconditioner is applied on the right (A M⁻¹ y = b, x = M⁻¹ y), so the
 * residual the iteration updates is the residual of A x = b itself.
 * Convergence is declared on the true relative residual ||b − A x|| / ||b||,
 * recomputed whenever the updated one meets the tolerance. A breakdown
 * (ρ = r̂·r or ω vanishing) or rounding drift restarts the iteration from the
 * true residual a few times; every failure throws a ConvergenceError naming
 * the iterations and the residual reached. Nothing returns NaN.
 *
 * Preconditioners: `ilu0` (default), the incomplete LU factorization that
 * keeps the pattern of A (zero fill; it exists for every M-matrix, which
 * upwind advection-diffusion operators are); `jacobi`, M = diag(A); `none`.
 */

import { ConvergenceError, SparseError } from './errors';
import { CsrMatrix, csrMultiply } from './csr-matrix';

/** Which preconditioner BiCGSTAB uses. */
export type BicgstabPreconditioner = 'ilu0' | 'jacobi' | 'none';

/** Options of BiCGSTAB. */
export interface BicgstabOptions {
  /** Relative residual ||b − A x|| / ||b|| to reach. Default 1e-12. */
  readonly tolerance?: number;
  /** Iteration cap (each iteration makes two products with A). Default max(100, 2 n). */
  readonly maxIterations?: number;
  /** Default 'ilu0'. */
  readonly preconditioner?: BicgstabPreconditioner;
}

/** Outcome of a converged solve. */
export interface BicgstabResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** True relative residual ||b − A x|| / ||b|| of the returned x. */
  readonly relativeResidual: number;
}

const MAX_RESTARTS = 5;

/** A BiCGSTAB solver bound to one matrix and its preconditioner (built once, reused by every solve). */
export class Bicgstab {
  readonly n: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly preconditioner: BicgstabPreconditioner;
  private readonly applyM: (r: Float64Array, z: Float64Array) => void;
  private readonly r: Float64Array;
  private readonly rHat: Float64Array;
  private readonly p: Float64Array;
  private readonly pHat: Float64Array;
  private readonly v: Float64Array;
  private readonly sHat: Float64Array;
  private readonly t: Float64Array;

  constructor(
    private readonly A: CsrMatrix,
    options: BicgstabOptions = {},
  ) {
    if (A.rows !== A.cols) throw new Error(`BiCGSTAB: matrix must be square, got ${A.rows}x${A.cols}`);
    const n = A.rows;
    this.n = n;
    this.tolerance = options.tolerance ?? 1e-12;
    this.maxIterations = options.maxIterations ?? Math.max(100, 2 * n);
    if (!(this.tolerance > 0)) throw new Error(`BiCGSTAB: tolerance must be positive, got ${this.tolerance}`);
    if (!(Number.isInteger(this.maxIterations) && this.maxIterations > 0)) {
      throw new Error(`BiCGSTAB: maxIterations must be a positive integer, got ${this.maxIterations}`);
    }
    for (let p = 0; p < A.rowPtr[n]; p++) {
      if (!Number.isFinite(A.values[p])) throw new SparseError(`BiCGSTAB: matrix entry (${rowOf(A, p)}, ${A.colIdx[p]}) is not finite (${A.values[p]})`);
    }
    this.preconditioner = options.preconditioner ?? 'ilu0';
    this.applyM = buildApply(A, this.preconditioner);
    this.r = new Float64Array(n);
    this.rHat = new Float64Array(n);
    this.p = new Float64Array(n);
    this.pHat = new Float64Array(n);
    this.v = new Float64Array(n);
    this.sHat = new Float64Array(n);
    this.t = new Float64Array(n);
  }

  /** Solves A x = b from `x0` (zero when absent); `out` receives x and must not alias `b`. */
  solve(b: Float64Array, x0?: Float64Array, out?: Float64Array): BicgstabResult {
    const n = this.n;
    if (b.length !== n) throw new Error(`BiCGSTAB: right-hand side has ${b.length} entries, expected ${n}`);
    const x = out ?? new Float64Array(n);
    if (x0) {
      if (x0.length !== n) throw new Error(`BiCGSTAB: starting guess has ${x0.length} entries, expected ${n}`);
      if (x0 !== x) x.set(x0);
    } else {
      x.fill(0);
    }
    const bNorm = norm(b);
    if (!Number.isFinite(bNorm)) throw new Error('BiCGSTAB: right-hand side is not finite');
    if (!x.every(Number.isFinite)) throw new Error('BiCGSTAB: starting guess is not finite');
    if (bNorm === 0) {
      x.fill(0);
      return { x, iterations: 0, relativeResidual: 0 };
    }
    let residual = this.trueResidual(b, x) / bNorm;
    let iterations = 0;
    for (let restart = 0; ; restart++) {
      if (residual <= this.tolerance) return { x, iterations, relativeResidual: residual };
      const run = this.iterate(x, bNorm, iterations);
      iterations = run.iterations;
      residual = this.trueResidual(b, x) / bNorm;
      if (!Number.isFinite(residual)) {
        throw new ConvergenceError(`BiCGSTAB produced a non-finite iterate after ${iterations} iterations`, iterations, residual);
      }
      if (residual <= this.tolerance) return { x, iterations, relativeResidual: residual };
      if (iterations >= this.maxIterations) {
        throw new ConvergenceError(
          `BiCGSTAB did not converge: ${iterations} iterations (the cap), relative residual ${residual.toExponential(3)} > tolerance ${this.tolerance}`,
          iterations,
          residual,
        );
      }
      if (restart >= MAX_RESTARTS) {
        throw new ConvergenceError(
          `BiCGSTAB stagnated: ${iterations} iterations and ${restart} restarts (last stop: ${run.stop}), relative residual ${residual.toExponential(3)} > tolerance ${this.tolerance}`,
          iterations,
          residual,
        );
      }
    }
  }

  /** r := b − A x; returns ||r||. */
  private trueResidual(b: Float64Array, x: Float64Array): number {
    const r = this.r;
    csrMultiply(this.A, x, r);
    for (let i = 0; i < this.n; i++) r[i] = b[i] - r[i];
    return norm(r);
  }

  /**
   * Iterations from the residual in `this.r` (with r̂ = r) until the updated
   * residual meets the tolerance, the cap is hit or the recurrence breaks
   * down. Returns the iteration count so far and why it stopped.
   */
  private iterate(x: Float64Array, bNorm: number, iterations: number): { iterations: number; stop: string } {
    const { A, r, rHat, p, pHat, v, sHat, t, n } = this;
    const goal = this.tolerance * bNorm;
    rHat.set(r);
    p.fill(0);
    v.fill(0);
    let rho = 1;
    let alpha = 1;
    let omega = 1;
    // A breakdown: r̂·r or r̂·A p negligible against the sizes of the vectors.
    const tiny = 1e-28;
    while (iterations < this.maxIterations) {
      const rhoNext = dot(rHat, r);
      if (!(Math.abs(rhoNext) > tiny * Math.max(1, norm(rHat) * norm(r)))) return { iterations, stop: 'ρ = r̂·r vanished' };
      const beta = (rhoNext / rho) * (alpha / omega);
      rho = rhoNext;
      for (let i = 0; i < n; i++) p[i] = r[i] + beta * (p[i] - omega * v[i]);
      this.applyM(p, pHat);
      csrMultiply(A, pHat, v);
      const rv = dot(rHat, v);
      if (!(Math.abs(rv) > tiny * norm(rHat) * norm(v)) || !Number.isFinite(rv)) return { iterations, stop: 'r̂·A p vanished' };
      alpha = rho / rv;
      // s = r − α v, kept in r.
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const si = r[i] - alpha * v[i];
        r[i] = si;
        ss += si * si;
      }
      iterations++;
      if (Math.sqrt(ss) <= goal) {
        for (let i = 0; i < n; i++) x[i] += alpha * pHat[i];
        return { iterations, stop: 'converged' };
      }
      this.applyM(r, sHat);
      csrMultiply(A, sHat, t);
      const tt = dot(t, t);
      const ts = dot(t, r);
      if (!(tt > 0) || !Number.isFinite(tt)) {
        for (let i = 0; i < n; i++) x[i] += alpha * pHat[i];
        return { iterations, stop: 'A M⁻¹ s vanished' };
      }
      omega = ts / tt;
      let rr = 0;
      for (let i = 0; i < n; i++) {
        x[i] += alpha * pHat[i] + omega * sHat[i];
        const ri = r[i] - omega * t[i];
        r[i] = ri;
        rr += ri * ri;
      }
      if (!Number.isFinite(rr)) return { iterations, stop: 'non-finite residual' };
      if (Math.sqrt(rr) <= goal) return { iterations, stop: 'converged' };
      if (omega === 0) return { iterations, stop: 'ω vanished' };
    }
    return { iterations, stop: 'iteration cap' };
  }
}

/** One-shot BiCGSTAB solve of A x = b. */
export function bicgstab(A: CsrMatrix, b: Float64Array, options: BicgstabOptions & { readonly x0?: Float64Array } = {}): BicgstabResult {
  return new Bicgstab(A, options).solve(b, options.x0);
}

function buildApply(A: CsrMatrix, kind: BicgstabPreconditioner): (r: Float64Array, z: Float64Array) => void {
  switch (kind) {
    case 'none':
      return (r, z) => z.set(r);
    case 'jacobi': {
      const inv = new Float64Array(A.rows);
      for (let i = 0; i < A.rows; i++) {
        const d = diagonalValue(A, i);
        if (!(d !== 0 && Number.isFinite(d))) throw new SparseError(`BiCGSTAB Jacobi preconditioner: diagonal entry at row ${i} is ${d}`);
        inv[i] = 1 / d;
      }
      return (r, z) => {
        for (let i = 0; i < inv.length; i++) z[i] = r[i] * inv[i];
      };
    }
    case 'ilu0':
      return incompleteLu(A);
    default:
      throw new Error(`BiCGSTAB: unknown preconditioner '${String(kind)}' (expected 'ilu0', 'jacobi' or 'none')`);
  }
}

function diagonalValue(A: CsrMatrix, i: number): number {
  for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] === i) return A.values[p];
  return 0;
}

function rowOf(A: CsrMatrix, p: number): number {
  let i = 0;
  while (A.rowPtr[i + 1] <= p) i++;
  return i;
}

/**
 * ILU(0): L U ≈ A on the pattern of A (L unit lower, U upper, stored
 * together), by the IKJ variant. Columns must be sorted within rows (the CSR
 * invariant). Returns z = U⁻¹ L⁻¹ r.
 */
function incompleteLu(A: CsrMatrix): (r: Float64Array, z: Float64Array) => void {
  const n = A.rows;
  const { rowPtr, colIdx } = A;
  const lu = Float64Array.from(A.values.subarray(0, rowPtr[n]));
  const diag = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (colIdx[p] === i) diag[i] = p;
    if (diag[i] < 0) throw new SparseError(`BiCGSTAB ILU(0) preconditioner: row ${i} has no diagonal entry (use 'jacobi' or 'none')`);
  }
  const slot = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    for (let p = start; p < end; p++) slot[colIdx[p]] = p;
    for (let p = start; p < end; p++) {
      const k = colIdx[p];
      if (k >= i) break;
      const pivot = lu[diag[k]];
      const factor = lu[p] / pivot;
      lu[p] = factor;
      if (factor === 0) continue;
      for (let q = diag[k] + 1; q < rowPtr[k + 1]; q++) {
        const s = slot[colIdx[q]];
        if (s >= 0) lu[s] -= factor * lu[q];
      }
    }
    for (let p = start; p < end; p++) slot[colIdx[p]] = -1;
    const d = lu[diag[i]];
    if (!(d !== 0 && Number.isFinite(d))) {
      throw new SparseError(`BiCGSTAB ILU(0) preconditioner: pivot ${d} at row ${i} (the matrix is not an M-matrix; use 'jacobi' or 'none')`);
    }
  }
  return (r, z) => {
    for (let i = 0; i < n; i++) {
      let s = r[i];
      for (let p = rowPtr[i]; p < diag[i]; p++) s -= lu[p] * z[colIdx[p]];
      z[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let p = diag[i] + 1; p < rowPtr[i + 1]; p++) s -= lu[p] * z[colIdx[p]];
      z[i] = s / lu[diag[i]];
    }
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
