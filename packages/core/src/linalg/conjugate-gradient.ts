/**
 * Preconditioned conjugate gradients for symmetric positive definite A.
 *
 * Convergence is declared on the relative residual ||b - A x|| / ||b||.
 * When the recursively updated residual meets the tolerance, the true
 * residual is recomputed; if it does not meet the tolerance (rounding drift
 * on ill-conditioned systems), the iteration restarts from the true residual
 * a few times before giving up. Every failure throws: nothing returns NaN.
 */

import { CsrMatrix, csrMultiply } from './csr-matrix';
import { Preconditioner, PreconditionerKind, buildPreconditioner } from './preconditioner';

/** Options of conjugate gradients. */
export interface CgOptions {
  /** Relative residual ||b - A x|| / ||b|| to reach. Default 1e-12. */
  readonly tolerance?: number;
  /** Iteration cap. Default 10 n. */
  readonly maxIterations?: number;
  /** Default 'jacobi'. */
  readonly preconditioner?: PreconditionerKind;
}

/** Outcome of a converged solve. */
export interface CgResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** True relative residual ||b - A x|| / ||b|| of the returned x. */
  readonly relativeResidual: number;
}

/** Raised when conjugate gradients stops without meeting the tolerance. */
export class ConvergenceError extends Error {
  constructor(
    message: string,
    readonly iterations: number,
    readonly relativeResidual: number,
  ) {
    super(message);
    this.name = 'ConvergenceError';
  }
}

const MAX_RESTARTS = 3;

/** A CG solver bound to one matrix and its preconditioner (built once). */
export class ConjugateGradient {
  readonly n: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  private readonly preconditioner: Preconditioner;
  // Work vectors, reused across solves.
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  private readonly p: Float64Array;
  private readonly q: Float64Array;

  constructor(
    private readonly A: CsrMatrix,
    options: CgOptions = {},
  ) {
    if (A.rows !== A.cols) throw new Error(`conjugate gradients: matrix must be square, got ${A.rows}x${A.cols}`);
    const n = A.rows;
    this.n = n;
    this.tolerance = options.tolerance ?? 1e-12;
    this.maxIterations = options.maxIterations ?? 10 * n;
    if (!(this.tolerance > 0)) throw new Error(`conjugate gradients: tolerance must be positive, got ${this.tolerance}`);
    this.preconditioner = buildPreconditioner(A, options.preconditioner ?? 'jacobi');
    this.r = new Float64Array(n);
    this.z = new Float64Array(n);
    this.p = new Float64Array(n);
    this.q = new Float64Array(n);
  }

  /**
   * Solves A x = b. `x0` is the starting guess (zero when absent); `out`
   * receives x (it may be `x0` itself, but must not alias `b`).
   */
  solve(b: Float64Array, x0?: Float64Array, out?: Float64Array): CgResult {
    const n = this.n;
    if (b.length < n) throw new Error(`conjugate gradients: right-hand side has ${b.length} entries, expected ${n}`);
    const x = out ?? new Float64Array(n);
    if (x0) {
      if (x0 !== x) x.set(x0.subarray(0, n));
    } else {
      x.fill(0);
    }
    const bNorm = norm(b, n);
    if (!Number.isFinite(bNorm)) throw new Error('conjugate gradients: right-hand side is not finite');
    if (bNorm === 0) {
      x.fill(0);
      return { x, iterations: 0, relativeResidual: 0 };
    }
    let residual = x0 ? this.trueResidual(b, x) / bNorm : this.copyResidual(b, bNorm);
    let iterations = 0;
    for (let restart = 0; ; restart++) {
      if (residual <= this.tolerance) return { x, iterations, relativeResidual: residual };
      iterations = this.iterate(x, bNorm, iterations);
      residual = this.trueResidual(b, x) / bNorm;
      if (residual <= this.tolerance) return { x, iterations, relativeResidual: residual };
      if (iterations >= this.maxIterations) {
        throw new ConvergenceError(
          `conjugate gradients did not converge: ${iterations} iterations, relative residual ${residual.toExponential(3)} > tolerance ${this.tolerance}`,
          iterations,
          residual,
        );
      }
      if (restart >= MAX_RESTARTS) {
        throw new ConvergenceError(
          `conjugate gradients stagnated: ${iterations} iterations, relative residual ${residual.toExponential(3)} > tolerance ${this.tolerance} (rounding limits the attainable accuracy)`,
          iterations,
          residual,
        );
      }
    }
  }

  /** r := b (the residual of x = 0); returns ||r|| / ||b|| = 1. */
  private copyResidual(b: Float64Array, bNorm: number): number {
    this.r.set(b.subarray(0, this.n));
    return norm(this.r, this.n) / bNorm;
  }

  /** r := b - A x; returns ||r||. */
  private trueResidual(b: Float64Array, x: Float64Array): number {
    const r = this.r;
    csrMultiply(this.A, x, r);
    for (let i = 0; i < this.n; i++) r[i] = b[i] - r[i];
    return norm(r, this.n);
  }

  /**
   * CG iterations from the residual in `this.r` until the updated residual
   * meets the tolerance or the iteration cap is hit. Returns the iteration
   * count so far.
   *
   * Each iteration makes two passes over memory: (1) q = A z + beta q and
   * p = z + beta p (so q = A p without a separate product) with p^T q, and
   * (2) the x and r updates with ||r||^2, fused with z = M^{-1} r and r^T z
   * when M is diagonal.
   */
  private iterate(x: Float64Array, bNorm: number, iterations: number): number {
    const { r, z, p, q, n, A } = this;
    const goal = this.tolerance * bNorm;
    const scaling = this.preconditioner.scaling;
    let rz = this.preconditioner.apply(r, z);
    p.fill(0);
    q.fill(0);
    let pq = updateDirection(A, z, 0, p, q);
    while (iterations < this.maxIterations) {
      if (!(pq > 0 && pq < Infinity)) {
        const rel = norm(r, n) / bNorm;
        throw new ConvergenceError(
          `conjugate gradients broke down at iteration ${iterations}: p^T A p = ${pq} (matrix not positive definite?), relative residual ${rel.toExponential(3)}`,
          iterations,
          rel,
        );
      }
      const alpha = rz / pq;
      let rr = 0;
      let rzNext = 0;
      if (scaling) {
        for (let i = 0; i < n; i++) {
          x[i] += alpha * p[i];
          const ri = r[i] - alpha * q[i];
          r[i] = ri;
          rr += ri * ri;
          const zi = ri * scaling[i];
          z[i] = zi;
          rzNext += ri * zi;
        }
      } else {
        for (let i = 0; i < n; i++) {
          x[i] += alpha * p[i];
          const ri = r[i] - alpha * q[i];
          r[i] = ri;
          rr += ri * ri;
        }
      }
      iterations++;
      if (!Number.isFinite(rr)) {
        throw new ConvergenceError(`conjugate gradients produced a non-finite residual at iteration ${iterations}`, iterations, NaN);
      }
      if (Math.sqrt(rr) <= goal) break;
      if (!scaling) rzNext = this.preconditioner.apply(r, z);
      const beta = rzNext / rz;
      rz = rzNext;
      pq = updateDirection(A, z, beta, p, q);
    }
    return iterations;
  }
}

/** One-shot preconditioned CG solve of A x = b. */
export function conjugateGradient(
  A: CsrMatrix,
  b: Float64Array,
  options: CgOptions & { readonly x0?: Float64Array } = {},
): CgResult {
  return new ConjugateGradient(A, options).solve(b, options.x0);
}

/**
 * The direction update of CG in one pass: p := z + beta p and
 * q := A z + beta q (= A p when q held A p), returning p^T q.
 */
function updateDirection(A: CsrMatrix, z: Float64Array, beta: number, p: Float64Array, q: Float64Array): number {
  const { rowPtr, colIdx, values } = A;
  const n = A.rows;
  let pq = 0;
  let k = rowPtr[0];
  for (let i = 0; i < n; i++) {
    let s0 = 0;
    let s1 = 0;
    const end = rowPtr[i + 1];
    for (; k + 1 < end; k += 2) {
      s0 += values[k] * z[colIdx[k]];
      s1 += values[k + 1] * z[colIdx[k + 1]];
    }
    if (k < end) {
      s0 += values[k] * z[colIdx[k]];
      k++;
    }
    const qi = s0 + s1 + beta * q[i];
    q[i] = qi;
    const pi = z[i] + beta * p[i];
    p[i] = pi;
    pq += pi * qi;
  }
  return pq;
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function norm(a: Float64Array, n: number): number {
  return Math.sqrt(dot(a, a, n));
}
