/**
 * Preconditioned conjugate gradients for symmetric positive definite A.
 *
 * Convergence is declared on the relative residual ||b - A x|| / ||b||.
 * When the recursively updated residual meets the tolerance, the true
 * residual is recomputed; if it does not meet the tolerance (rounding drift
 * on ill-conditioned systems), the iteration restarts from the true residual
 * a few times before giving up. Every failure throws: nothing returns NaN.
 */

import { CsrMatrix, csrFindSlot, csrPermute } from './csr-matrix';
import { Preconditioner, PreconditionerKind, buildPreconditioner } from './preconditioner';
import { SmoothedAggregation, SmoothedAggregationOptions } from './smoothed-aggregation';
import { splitCsr, splitOrder } from './split-csr';

/** Options of conjugate gradients. */
export interface CgOptions {
  /** Relative residual ||b - A x|| / ||b|| to reach. Default 1e-12. */
  readonly tolerance?: number;
  /** Iteration cap. Default 10 n. */
  readonly maxIterations?: number;
  /** Default 'jacobi'; see {@link PreconditionerKind}. */
  readonly preconditioner?: PreconditionerKind;
  /** Options of the 'amg' preconditioner (e.g. `block` for d dofs per node). */
  readonly amg?: SmoothedAggregationOptions;
}
import { ConvergenceError } from './errors';


/** Outcome of a converged solve. */
export interface CgResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** True relative residual ||b - A x|| / ||b|| of the returned x. */
  readonly relativeResidual: number;
}

const MAX_RESTARTS = 3;

/**
 * Second result of {@link ConjugateGradient} residual passes (r^T z). A
 * module variable rather than a field: V8 compiles long loops on the fly
 * (on-stack replacement), and a field store after such a loop, compiled
 * before it ever ran, deoptimizes on every call. Hot functions here keep all
 * property accesses before their loops and only return locals after them.
 */
let lastRz = 0;
/** Coarse shift of z from the same passes: z_full = z + lastShift * 1 (two-level preconditioner). */
let lastShift = 0;

/**
 * A CG solver bound to one matrix and its preconditioner, both copied and
 * built once at construction (later changes to the matrix do not affect it).
 *
 * Internally the unknowns are renumbered so that rows come grouped by their
 * (padded) number of off-diagonal entries ({@link splitOrder}): the product
 * then runs one straight-line pass per row. Storage: the matrix values, its
 * diagonal, the diagonal preconditioner and the vectors x, r, z, p, q all
 * live in one Float64Array `w`, and the row pointers and column indices in
 * one Int32Array `ix`. V8 re-validates each typed array a loop touches on
 * every pass of the loop; two arrays instead of ten make the loops markedly
 * faster.
 */
export class ConjugateGradient {
  readonly n: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  private readonly preconditionerKind: PreconditionerKind;
  /** The preconditioner when it is not diagonal (IC(0)); null for Jacobi and none, which live in `w`. */
  private preconditioner: Preconditioner | null = null;
  /** Whether M^{-1} is diagonal (then it is fused into the vector loops). */
  private readonly diagonalPreconditioner: boolean;
  /** order[k]: original index of internal unknown k. */
  private readonly order: Int32Array;
  /** P A P^T in CSR form (the preconditioner is built from it). */
  private readonly B: CsrMatrix;
  /** Slot of B, and place in `w`, of each slot of A. */
  private readonly aToB: Int32Array;
  private readonly aToW: Int32Array;
  private readonly w: Float64Array;
  private readonly ix: Int32Array;
  /** Ends of the row groups of width 2, 4, 6 and 8 (wider rows follow). */
  private readonly G2: number;
  private readonly G4: number;
  private readonly G6: number;
  private readonly G8: number;
  // Offsets into `w` (values start at 0) and `ix` (row pointers start at 0).
  private readonly D: number;
  private readonly S: number;
  /** A times the all-ones vector (two-level preconditioner), and 1 / (1^T A 1) (0 when unused). */
  private readonly O: number;
  private inverseCoarse = 0;
  private readonly X: number;
  private readonly R: number;
  private readonly Z: number;
  private readonly P: number;
  private readonly Q: number;
  private readonly C: number;
  /** The multigrid hierarchy ('amg'), kept across refactors. */
  private amg: SmoothedAggregation | null = null;
  private readonly amgOptions: SmoothedAggregationOptions;
  /** Whether the next refactor rebuilds the hierarchy, and the iterations of the first solve after a build. */
  private amgStale = false;
  private amgBaseline = 0;
  /** Views of r and z for preconditioners that are not diagonal. */
  private readonly rView: Float64Array;
  private readonly zView: Float64Array;

  constructor(A: CsrMatrix, options: CgOptions = {}) {
    if (A.rows !== A.cols) throw new Error(`conjugate gradients: matrix must be square, got ${A.rows}x${A.cols}`);
    const n = A.rows;
    this.n = n;
    this.tolerance = options.tolerance ?? 1e-12;
    this.maxIterations = options.maxIterations ?? 10 * n;
    if (!(this.tolerance > 0)) throw new Error(`conjugate gradients: tolerance must be positive, got ${this.tolerance}`);
    this.preconditionerKind = options.preconditioner ?? 'jacobi';
    this.amgOptions = options.amg ?? {};
    this.order = splitOrder(A);
    this.B = csrPermute(A, this.order);
    const split = splitCsr(this.B);
    [this.G2, this.G4, this.G6, this.G8] = split.groupEnd;
    const nnz = split.values.length;
    this.D = nnz;
    this.S = this.D + n;
    this.O = this.S + n;
    this.X = this.O + n;
    this.R = this.X + n;
    this.Z = this.R + n;
    this.P = this.Z + n;
    this.Q = this.P + n;
    this.C = n + 1;
    this.w = new Float64Array(this.Q + n);
    this.ix = new Int32Array(n + 1 + nnz);
    this.ix.set(split.rowPtr, 0);
    this.ix.set(split.colIdx, this.C);
    this.rView = this.w.subarray(this.R, this.R + n);
    this.zView = this.w.subarray(this.Z, this.Z + n);
    this.aToB = permutedSlots(A, this.B, this.order);
    const bToW = splitSlots(this.B, split.rowPtr, this.D);
    this.aToW = this.aToB.map((q) => bToW[q]);
    this.diagonalPreconditioner = this.preconditionerKind !== 'ic0' && this.preconditionerKind !== 'amg';
    const kind = this.preconditionerKind;
    if (kind === 'none') this.w.fill(1, this.S, this.S + n);
    else if (kind !== 'jacobi' && kind !== 'ic0' && kind !== 'amg' && kind !== 'two-level') throw new Error(`unknown preconditioner '${String(kind)}'`);
    this.load(A);
  }

  /** Takes new values of the same pattern: copies them and rebuilds the preconditioner. */
  refactor(A: CsrMatrix): void {
    if (A.rows !== this.n || A.rowPtr[A.rows] !== this.aToB.length) {
      throw new Error(`conjugate gradients: matrix pattern differs from the one this solver was built for`);
    }
    this.load(A);
  }

  /** Copies the values of A into the workspace and rebuilds the preconditioner from them. */
  private load(A: CsrMatrix): void {
    copySlots(A.values, this.aToW, this.w);
    const kind = this.preconditionerKind;
    if (kind === 'jacobi' || kind === 'two-level') invertDiagonal(this.w, this.D, this.S, this.n, this.order);
    if (kind === 'two-level') {
      const ones = multiplyOnes(this.w, this.ix, this.n, this.D, this.O, this.C);
      this.inverseCoarse = ones > 0 ? 1 / ones : 0;
    } else if (kind === 'ic0') {
      copySlots(A.values, this.aToB, this.B.values as Float64Array);
      this.preconditioner = buildPreconditioner(this.B, 'ic0');
    } else if (kind === 'amg') {
      copySlots(A.values, this.aToB, this.B.values as Float64Array);
      // The hierarchy (aggregates, prolongators) is built once and kept while
      // the values change; only its Galerkin products are recomputed. It is
      // rebuilt when the iterations have grown well beyond those right after
      // a build (the values have drifted far from the ones it was built for).
      if (this.amg && !this.amgStale) {
        this.amg.refresh(this.B);
      } else {
        this.amg = new SmoothedAggregation(this.B, this.amgOptions);
        this.amgStale = false;
        this.amgBaseline = 0;
      }
      this.preconditioner = this.amg;
    }
  }

  /**
   * Solves A x = b. `x0` is the starting guess (zero when absent); `out`
   * receives x (it may be `x0` itself, but must not alias `b`).
   */
  solve(b: Float64Array, x0?: Float64Array, out?: Float64Array): CgResult {
    const n = this.n;
    if (b.length < n) throw new Error(`conjugate gradients: right-hand side has ${b.length} entries, expected ${n}`);
    const { w, X, order } = this;
    if (x0) gather(x0, order, w, X, n);
    else w.fill(0, X, X + n);
    const x = out ?? new Float64Array(n);
    const bNorm = norm(b, n);
    if (!Number.isFinite(bNorm)) throw new Error('conjugate gradients: right-hand side is not finite');
    if (bNorm === 0) {
      x.fill(0);
      return { x, iterations: 0, relativeResidual: 0 };
    }
    let residual = Math.sqrt(x0 ? this.computeResidual(b) : this.residualOfZero(b)) / bNorm;
    let iterations = 0;
    for (let restart = 0; ; restart++) {
      if (residual > this.tolerance) {
        iterations = this.iterate(bNorm, iterations);
        residual = Math.sqrt(this.computeResidual(b)) / bNorm;
      }
      if (residual <= this.tolerance) {
        scatter(w, X, order, x, n);
        if (this.amg) this.noteAmgIterations(iterations);
        return { x, iterations, relativeResidual: residual };
      }
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

  /** ||b - A x|| for x and b in the original numbering (the workspace is left alone). */
  residualNorm(b: Float64Array, x: Float64Array): number {
    const { w, ix, n, D, C, order } = this;
    let rr = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      let s = w[D + i] * x[order[i]];
      const end = ix[i + 1];
      for (; k < end; k++) s += w[k] * x[order[ix[C + k]]];
      const r = b[order[i]] - s;
      rr += r * r;
    }
    return Math.sqrt(rr);
  }

  /** Marks the hierarchy stale when a solve took well over the iterations of the first solve after its build. */
  private noteAmgIterations(iterations: number): void {
    if (this.amgBaseline === 0) this.amgBaseline = Math.max(iterations, 1);
    else if (iterations > 1.5 * this.amgBaseline + 3) this.amgStale = true;
  }

  /** r := b, the residual of x = 0; returns ||r||^2. */
  private residualOfZero(b: Float64Array): number {
    gather(b, this.order, this.w, this.R, this.n);
    return dot(this.rView, this.rView, this.n);
  }

  /** r := b - A x (x in the workspace, b in the original numbering); returns ||r||^2. */
  private computeResidual(b: Float64Array): number {
    const { w, ix, n, D, X, R, C, order } = this;
    let rr = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      let s0 = w[D + i] * w[X + i];
      let s1 = 0;
      const end = ix[i + 1];
      for (; k < end; k += 2) {
        s0 += w[k] * w[X + ix[C + k]];
        s1 += w[k + 1] * w[X + ix[C + k + 1]];
      }
      const ri = b[order[i]] - (s0 + s1);
      w[R + i] = ri;
      rr += ri * ri;
    }
    return rr;
  }

  /**
   * CG iterations from the residual in r until the updated residual meets
   * the tolerance or the iteration cap is hit. Returns the iteration count
   * so far. Each iteration is two passes over memory: the direction pass
   * and the residual pass.
   */
  private iterate(bNorm: number, iterations: number): number {
    const goal = this.tolerance * bNorm;
    const { w, P, Q, n } = this;
    let rz = this.precondition();
    w.fill(0, P, P + n);
    w.fill(0, Q, Q + n);
    let pq = this.directionPass(0, lastShift);
    while (iterations < this.maxIterations) {
      if (!(pq > 0 && pq < Infinity)) {
        const rel = norm(this.rView, n) / bNorm;
        throw new ConvergenceError(
          `conjugate gradients broke down at iteration ${iterations}: p^T A p = ${pq} (matrix not positive definite?), relative residual ${rel.toExponential(3)}`,
          iterations,
          rel,
        );
      }
      const rr = this.residualPass(rz / pq);
      iterations++;
      if (!Number.isFinite(rr)) {
        throw new ConvergenceError(`conjugate gradients produced a non-finite residual at iteration ${iterations}`, iterations, NaN);
      }
      if (Math.sqrt(rr) <= goal) break;
      const rzNext = this.diagonalPreconditioner ? lastRz : this.precondition();
      const beta = rzNext / rz;
      rz = rzNext;
      pq = this.directionPass(beta, lastShift);
    }
    return iterations;
  }

  /**
   * z := M^{-1} r; returns r^T z. For the diagonal kinds z is stored
   * without its coarse shift, which is left in `lastShift`.
   */
  private precondition(): number {
    if (this.preconditioner) {
      lastShift = 0;
      return this.preconditioner.apply(this.rView, this.zView);
    }
    const { w, n, S, R, Z } = this;
    let rz = 0;
    let rSum = 0;
    for (let i = 0; i < n; i++) {
      const ri = w[R + i];
      const zi = ri * w[S + i];
      w[Z + i] = zi;
      rz += ri * zi;
      rSum += ri;
    }
    const shift = rSum * this.inverseCoarse;
    lastShift = shift;
    return rz + shift * rSum;
  }

  /**
   * p := z + beta p and q := A z + beta q (= A p, as q held the previous
   * A p) in one pass, with z shifted by `shift` times the all-ones vector
   * (A 1 is stored at O); returns p^T q.
   */
  private directionPass(beta: number, shift: number): number {
    const { w, ix, n, D, O, Z, P, Q, C } = this;
    let pq = 0;
    let i = 0;
    let k = 0; // values at w[k], columns at ix[C + k]
    for (const end = this.G2; i < end; i++, k += 2) {
      const zi = w[Z + i];
      const c = C + k;
      const qi = w[D + i] * zi + w[k] * w[Z + ix[c]] + w[k + 1] * w[Z + ix[c + 1]] + shift * w[O + i] + beta * w[Q + i];
      w[Q + i] = qi;
      const pi = zi + shift + beta * w[P + i];
      w[P + i] = pi;
      pq += pi * qi;
    }
    for (const end = this.G4; i < end; i++, k += 4) {
      const zi = w[Z + i];
      const c = C + k;
      const s0 = w[k] * w[Z + ix[c]] + w[k + 1] * w[Z + ix[c + 1]];
      const s1 = w[k + 2] * w[Z + ix[c + 2]] + w[k + 3] * w[Z + ix[c + 3]];
      const qi = w[D + i] * zi + s0 + s1 + shift * w[O + i] + beta * w[Q + i];
      w[Q + i] = qi;
      const pi = zi + shift + beta * w[P + i];
      w[P + i] = pi;
      pq += pi * qi;
    }
    for (const end = this.G6; i < end; i++, k += 6) {
      const zi = w[Z + i];
      const c = C + k;
      const s0 = w[k] * w[Z + ix[c]] + w[k + 1] * w[Z + ix[c + 1]] + w[k + 2] * w[Z + ix[c + 2]];
      const s1 = w[k + 3] * w[Z + ix[c + 3]] + w[k + 4] * w[Z + ix[c + 4]] + w[k + 5] * w[Z + ix[c + 5]];
      const qi = w[D + i] * zi + s0 + s1 + shift * w[O + i] + beta * w[Q + i];
      w[Q + i] = qi;
      const pi = zi + shift + beta * w[P + i];
      w[P + i] = pi;
      pq += pi * qi;
    }
    for (const end = this.G8; i < end; i++, k += 8) {
      const zi = w[Z + i];
      const c = C + k;
      const s0 = w[k] * w[Z + ix[c]] + w[k + 1] * w[Z + ix[c + 1]] + w[k + 2] * w[Z + ix[c + 2]] + w[k + 3] * w[Z + ix[c + 3]];
      const s1 = w[k + 4] * w[Z + ix[c + 4]] + w[k + 5] * w[Z + ix[c + 5]] + w[k + 6] * w[Z + ix[c + 6]] + w[k + 7] * w[Z + ix[c + 7]];
      const qi = w[D + i] * zi + s0 + s1 + shift * w[O + i] + beta * w[Q + i];
      w[Q + i] = qi;
      const pi = zi + shift + beta * w[P + i];
      w[P + i] = pi;
      pq += pi * qi;
    }
    for (; i < n; i++) {
      const zi = w[Z + i];
      let s0 = w[D + i] * zi;
      let s1 = 0;
      const end = ix[i + 1];
      for (; k < end; k += 2) {
        s0 += w[k] * w[Z + ix[C + k]];
        s1 += w[k + 1] * w[Z + ix[C + k + 1]];
      }
      const qi = s0 + s1 + shift * w[O + i] + beta * w[Q + i];
      w[Q + i] = qi;
      const pi = zi + shift + beta * w[P + i];
      w[P + i] = pi;
      pq += pi * qi;
    }
    return pq;
  }

  /**
   * x += alpha p, r -= alpha q; returns ||r||^2. With a diagonal
   * preconditioner also z := M^{-1} r, leaving r^T z in `lastRz` and the
   * coarse shift of z in `lastShift`.
   */
  private residualPass(alpha: number): number {
    const { w, n, S, X, R, Z, P, Q } = this;
    let rr = 0;
    if (this.diagonalPreconditioner) {
      let rz = 0;
      let rSum = 0;
      for (let i = 0; i < n; i++) {
        w[X + i] += alpha * w[P + i];
        const ri = w[R + i] - alpha * w[Q + i];
        w[R + i] = ri;
        rr += ri * ri;
        const zi = ri * w[S + i];
        w[Z + i] = zi;
        rz += ri * zi;
        rSum += ri;
      }
      const shift = rSum * this.inverseCoarse;
      lastShift = shift;
      lastRz = rz + shift * rSum;
    } else {
      for (let i = 0; i < n; i++) {
        w[X + i] += alpha * w[P + i];
        const ri = w[R + i] - alpha * w[Q + i];
        w[R + i] = ri;
        rr += ri * ri;
      }
    }
    return rr;
  }
}

/** w[O + i] = (A 1)_i from the split layout in `w`/`ix`; returns 1^T A 1. */
function multiplyOnes(w: Float64Array, ix: Int32Array, n: number, D: number, O: number, C: number): number {
  let total = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    let s = w[D + i];
    const end = ix[i + 1];
    for (; k < end; k++) s += w[k];
    w[O + i] = s;
    total += s;
  }
  return total;
}

/** target[map[p]] = source[p] for every p. */
function copySlots(source: Float64Array, map: Int32Array, target: Float64Array): void {
  for (let p = 0; p < map.length; p++) target[map[p]] = source[p];
}

/** w[S + k] = 1 / w[D + k], rejecting diagonals that are not positive (naming the original row). */
function invertDiagonal(w: Float64Array, D: number, S: number, n: number, order: Int32Array): void {
  for (let k = 0; k < n; k++) {
    const d = w[D + k];
    if (!(d > 0 && d < Infinity)) {
      throw new Error(`Jacobi preconditioner: diagonal entry ${d} at row ${order[k]} is not positive, matrix is not positive definite`);
    }
    w[S + k] = 1 / d;
  }
}

/** For each slot of A, the slot of B = P A P^T (`order` = P's permutation) holding the same entry. */
function permutedSlots(A: CsrMatrix, B: CsrMatrix, order: Int32Array): Int32Array {
  const inv = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) inv[order[k]] = k;
  const map = new Int32Array(A.rowPtr[A.rows]);
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) map[p] = csrFindSlot(B, inv[i], inv[A.colIdx[p]]);
  }
  return map;
}

/**
 * For each slot of B, its place in the CG workspace: `diagonalOffset + k`
 * for a diagonal entry, else its slot in the split layout (off-diagonal
 * entries keep their order within the row; see splitCsr).
 */
function splitSlots(B: CsrMatrix, splitRowPtr: Int32Array, diagonalOffset: number): Int32Array {
  const map = new Int32Array(B.rowPtr[B.rows]);
  for (let k = 0; k < B.rows; k++) {
    let q = splitRowPtr[k];
    for (let p = B.rowPtr[k]; p < B.rowPtr[k + 1]; p++) map[p] = B.colIdx[p] === k ? diagonalOffset + k : q++;
  }
  return map;
}

/** w[offset + k] = v[order[k]]. */
function gather(v: Float64Array, order: Int32Array, w: Float64Array, offset: number, n: number): void {
  for (let k = 0; k < n; k++) w[offset + k] = v[order[k]];
}

/** v[order[k]] = w[offset + k]. */
function scatter(w: Float64Array, offset: number, order: Int32Array, v: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) v[order[k]] = w[offset + k];
}

/** One-shot preconditioned CG solve of A x = b. */
export function conjugateGradient(
  A: CsrMatrix,
  b: Float64Array,
  options: CgOptions & { readonly x0?: Float64Array } = {},
): CgResult {
  return new ConjugateGradient(A, options).solve(b, options.x0);
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function norm(a: Float64Array, n: number): number {
  return Math.sqrt(dot(a, a, n));
}
