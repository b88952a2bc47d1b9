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

/** Mean entries a row from which two right-hand sides are solved together with a diagonal preconditioner ({@link ConjugateGradient.pairsPay}). */
const PAIR_MIN_ROW_LENGTH = 16;

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
 * Results of the two-vector passes ({@link ConjugateGradient.solvePair}):
 * r^T z of each vector at 0, 1; their coarse shifts at 2, 3; p^T q or
 * r^T r at 4, 5.
 */
const pairOut = new Float64Array(6);

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
  /** Whether the next refactor recomputes the hierarchy's coarse operators (a solve took more iterations than right after they were computed). */
  private amgRefreshDue = false;
  /** Views of r and z for preconditioners that are not diagonal. */
  private readonly rView: Float64Array;
  private readonly zView: Float64Array;
  /**
   * Workspace of {@link solvePair}: x, r, z, p, q of two vectors, each
   * interleaved (entry i of vector k at 2 i + k), at 0, 2n, 4n, 6n, 8n;
   * allocated at the first pair solve.
   */
  private pairWork: Float64Array | null = null;

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
        // The coarse operators are recomputed when the values have moved
        // (SmoothedAggregation.update) or the iterations have grown.
        this.amg.update(this.B, this.amgRefreshDue);
        this.amgRefreshDue = false;
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
    return this.solveFrom(b, x0, out, true);
  }

  /**
   * Whether {@link solvePair} beats solving the second right-hand side from
   * the first one's solution: with 'amg' (the V-cycle reads each level once
   * for both vectors), and with a diagonal preconditioner on dense rows
   * (at least {@link PAIR_MIN_ROW_LENGTH} entries a row on average, where the
   * matrix read dominates). Measured, one step of two solves: 10^6-edge grid
   * (amg) 1348 -> 1035 ms, layered network (two-level, 153 entries a row)
   * 2.6 -> 2.1 ms; random 4-regular graphs (two-level, 5 a row) 4.5 -> 4.7
   * ms and 51 -> 63 ms at 10^4 and 10^5 edges.
   */
  get pairsPay(): boolean {
    if (this.preconditionerKind === 'amg') return true;
    if (!this.diagonalPreconditioner) return false;
    return this.aToB.length >= PAIR_MIN_ROW_LENGTH * this.n;
  }

  /**
   * Solves A x_k = b_k for two right-hand sides at once, both started from
   * zero: two independent CG recurrences whose products and preconditioner
   * applications run in the same passes (each matrix entry read once for
   * both vectors), which costs far less than two solves. When one vector has
   * converged the other goes on alone from where it stands. Serves the
   * diagonal preconditioners and 'amg'; others solve one after the other.
   * The results are those of {@link solve}: every returned x meets the
   * tolerance on its true residual, and every failure throws.
   */
  solvePair(b0: Float64Array, b1: Float64Array, out0?: Float64Array, out1?: Float64Array): [CgResult, CgResult] {
    const n = this.n;
    if (b0.length < n || b1.length < n) throw new Error(`conjugate gradients: right-hand side has ${Math.min(b0.length, b1.length)} entries, expected ${n}`);
    const norm0 = norm(b0, n);
    const norm1 = norm(b1, n);
    if (!(Number.isFinite(norm0) && Number.isFinite(norm1))) throw new Error('conjugate gradients: right-hand side is not finite');
    if (norm0 === 0 || norm1 === 0 || (this.preconditioner !== null && this.amg === null)) {
      return [this.solve(b0, undefined, out0), this.solve(b1, undefined, out1)];
    }
    if (!this.pairWork) {
      warmUpPairKernels();
      this.pairWork = new Float64Array(10 * n);
    }
    const pw = this.pairWork;
    gatherPair(b0, b1, this.order, pw, n);
    const iterations = this.iteratePair(this.tolerance * norm0, this.tolerance * norm1);
    const x0 = out0 ?? new Float64Array(n);
    const x1 = out1 ?? new Float64Array(n);
    const finite = scatterPair(pw, this.order, x0, x1, n);
    if (finite) trueResidualPair(this.w, this.ix, pw, b0, b1, this.order, n, this.D, this.C);
    const residuals = [Math.sqrt(pairOut[4]) / norm0, Math.sqrt(pairOut[5]) / norm1];
    let which = 0;
    const finish = (b: Float64Array, bNorm: number, x: Float64Array): CgResult => {
      const residual = finite ? residuals[which++] : Infinity;
      if (residual <= this.tolerance) return { x, iterations, relativeResidual: residual };
      const more = this.solveFrom(b, finite ? x : undefined, x, false);
      return { x, iterations: iterations + more.iterations, relativeResidual: more.relativeResidual };
    };
    const results: [CgResult, CgResult] = [finish(b0, norm0, x0), finish(b1, norm1, x1)];
    if (this.amg) this.noteAmgIterations(Math.max(results[0].iterations, results[1].iterations));
    return results;
  }

  /**
   * Pair iterations from x = 0 and r = b in the pair workspace until either
   * vector's updated residual meets its goal, the iteration cap is hit, or
   * a recurrence breaks down (then {@link solvePair} goes on with single
   * solves, which report it). Returns the iteration count.
   */
  private iteratePair(goal0: number, goal1: number): number {
    const n = this.n;
    const pw = this.pairWork as Float64Array;
    const P2 = 6 * n;
    const Q2 = 8 * n;
    const amg = this.amg;
    const r2 = pw.subarray(2 * n, 4 * n);
    const z2 = pw.subarray(4 * n, 6 * n);
    const maxIterations = this.maxIterations;
    const inverseCoarse = this.inverseCoarse;
    if (amg) {
      amg.applyPair(r2, z2, pairOut);
      pairOut[2] = 0;
      pairOut[3] = 0;
    } else {
      preconditionPair(this.w, pw, n, this.S, inverseCoarse);
    }
    let rz0 = pairOut[0];
    let rz1 = pairOut[1];
    pw.fill(0, P2, Q2 + 2 * n);
    directionPair(this.w, this.ix, pw, n, this.D, this.O, this.C, this.G2, this.G4, this.G6, 0, 0, pairOut[2], pairOut[3]);
    let iterations = 0;
    while (iterations < maxIterations) {
      const pq0 = pairOut[4];
      const pq1 = pairOut[5];
      if (!(pq0 > 0 && pq0 < Infinity && pq1 > 0 && pq1 < Infinity)) break;
      if (amg) residualPair(pw, n, rz0 / pq0, rz1 / pq1);
      else residualPairDiagonal(this.w, pw, n, this.S, inverseCoarse, rz0 / pq0, rz1 / pq1);
      iterations++;
      const rr0 = pairOut[4];
      const rr1 = pairOut[5];
      if (!(Number.isFinite(rr0) && Number.isFinite(rr1))) break;
      if (Math.sqrt(rr0) <= goal0 || Math.sqrt(rr1) <= goal1) break;
      if (amg) {
        amg.applyPair(r2, z2, pairOut);
        pairOut[2] = 0;
        pairOut[3] = 0;
      }
      const beta0 = pairOut[0] / rz0;
      const beta1 = pairOut[1] / rz1;
      rz0 = pairOut[0];
      rz1 = pairOut[1];
      directionPair(this.w, this.ix, pw, n, this.D, this.O, this.C, this.G2, this.G4, this.G6, beta0, beta1, pairOut[2], pairOut[3]);
    }
    return iterations;
  }

  private solveFrom(b: Float64Array, x0: Float64Array | undefined, out: Float64Array | undefined, note: boolean): CgResult {
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
        if (this.amg && note) this.noteAmgIterations(iterations);
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

  /**
   * Marks the hierarchy stale (rebuilt at the next refactor) when a solve
   * took well over the iterations of the first solve after its build, and
   * its coarse operators due (recomputed at the next refactor) when it took
   * more than one iteration over.
   */
  private noteAmgIterations(iterations: number): void {
    if (this.amgBaseline === 0) this.amgBaseline = Math.max(iterations, 1);
    else if (iterations > 1.5 * this.amgBaseline + 3) this.amgStale = true;
    else if (iterations > this.amgBaseline + 1) this.amgRefreshDue = true;
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

/**
 * r := b - A x for the two vectors of the pair workspace (b in the original
 * numbering); leaves ||r||^2 of each in pairOut[4..5].
 */
function trueResidualPair(w: Float64Array, ix: Int32Array, pw: Float64Array, b0: Float64Array, b1: Float64Array, order: Int32Array, n: number, D: number, C: number): void {
  const R2 = 2 * n;
  let rr0 = 0;
  let rr1 = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    const d = w[D + i];
    let s0 = d * pw[j];
    let s1 = d * pw[j + 1];
    const end = ix[i + 1];
    for (; k < end; k += 2) {
      const v0 = w[k];
      const v1 = w[k + 1];
      const c0 = 2 * ix[C + k];
      const c1 = 2 * ix[C + k + 1];
      s0 += v0 * pw[c0] + v1 * pw[c1];
      s1 += v0 * pw[c0 + 1] + v1 * pw[c1 + 1];
    }
    const o = order[i];
    const r0 = b0[o] - s0;
    const r1 = b1[o] - s1;
    pw[R2 + j] = r0;
    pw[R2 + j + 1] = r1;
    rr0 += r0 * r0;
    rr1 += r1 * r1;
  }
  pairOut[4] = rr0;
  pairOut[5] = rr1;
}

/** x := 0 and r := b for two vectors in the pair workspace (internal numbering). */
function gatherPair(b0: Float64Array, b1: Float64Array, order: Int32Array, pw: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    pw[2 * k] = 0;
    pw[2 * k + 1] = 0;
    pw[2 * n + 2 * k] = b0[order[k]];
    pw[2 * n + 2 * k + 1] = b1[order[k]];
  }
}

/** The two x of the pair workspace into x0 and x1 (original numbering); whether all are finite. */
function scatterPair(pw: Float64Array, order: Int32Array, x0: Float64Array, x1: Float64Array, n: number): boolean {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const a = pw[2 * k];
    const c = pw[2 * k + 1];
    x0[order[k]] = a;
    x1[order[k]] = c;
    sum += a * 0 + c * 0;
  }
  return sum === 0;
}

let pairKernelsWarm = false;

/**
 * Runs the pair kernels on a one-row problem. V8 compiles a long loop
 * on the fly at its first call, before the code after it has ever run; that
 * code (the stores of the results) then has no type feedback and
 * deoptimizes the function on every later call. Tiny runs first give it
 * the feedback.
 */
function warmUpPairKernels(): void {
  if (pairKernelsWarm) return;
  pairKernelsWarm = true;
  // One row: six off-diagonal slots of padding (zeros on the row itself) at 0..5, diagonal 2 at D = 6, its inverse at S = 7, A 1 at O = 8.
  const w = Float64Array.from([0, 0, 0, 0, 0, 0, 2, 0.5, 2]);
  const ix = Int32Array.from([0, 6, 0, 0, 0, 0, 0, 0]);
  const pw = new Float64Array(10);
  const x0 = new Float64Array(1);
  const x1 = new Float64Array(1);
  const order = Int32Array.from([0]);
  // V8 collects type feedback only from a function's first few calls on (it allocates the feedback late): forty runs.
  for (let run = 0; run < 40; run++) {
    gatherPair(Float64Array.from([1]), Float64Array.from([-1]), order, pw, 1);
    preconditionPair(w, pw, 1, 7, 0.5);
    // The row as width 2, 4, 6 and wider in turn (group ends G2 <= G4 <= G6).
    const g = run % 4;
    directionPair(w, ix, pw, 1, 6, 8, 2, g === 0 ? 1 : 0, g <= 1 ? 1 : 0, g <= 2 ? 1 : 0, 0.25, 0.5, pairOut[2], pairOut[3]);
    residualPairDiagonal(w, pw, 1, 7, 0.5, 0.1, 0.2);
    residualPair(pw, 1, 0.1, 0.2);
    scatterPair(pw, order, x0, x1, 1);
    trueResidualPair(w, ix, pw, x0, x1, order, 1, 6, 2);
  }
}

/**
 * z := M^{-1} r for the diagonal preconditioners, two interleaved vectors
 * in the pair workspace `pw` (r at 2n, z at 4n), z without its coarse
 * shift; leaves r^T z in pairOut[0..1] and the shifts in pairOut[2..3].
 */
function preconditionPair(w: Float64Array, pw: Float64Array, n: number, S: number, inverseCoarse: number): void {
  const R2 = 2 * n;
  const Z2 = 4 * n;
  let rz0 = 0;
  let rz1 = 0;
  let sum0 = 0;
  let sum1 = 0;
  for (let i = 0; i < n; i++) {
    const s = w[S + i];
    const r0 = pw[R2 + 2 * i];
    const r1 = pw[R2 + 2 * i + 1];
    const z0 = r0 * s;
    const z1 = r1 * s;
    pw[Z2 + 2 * i] = z0;
    pw[Z2 + 2 * i + 1] = z1;
    rz0 += r0 * z0;
    rz1 += r1 * z1;
    sum0 += r0;
    sum1 += r1;
  }
  const shift0 = sum0 * inverseCoarse;
  const shift1 = sum1 * inverseCoarse;
  pairOut[0] = rz0 + shift0 * sum0;
  pairOut[1] = rz1 + shift1 * sum1;
  pairOut[2] = shift0;
  pairOut[3] = shift1;
}

/**
 * {@link ConjugateGradient} direction pass for two interleaved vectors:
 * p := z + shift + beta p and q := A (z + shift) + beta q for each; leaves
 * p^T q in pairOut[4..5]. Rows of width 2, 4 and 6 (ends G2, G4, G6) run
 * straight-line, wider ones a loop.
 */
function directionPair(w: Float64Array, ix: Int32Array, pw: Float64Array, n: number, D: number, O: number, C: number, G2: number, G4: number, G6: number, beta0: number, beta1: number, shift0: number, shift1: number): void {
  const Z2 = 4 * n;
  const P2 = 6 * n;
  const Q2 = 8 * n;
  let pq0 = 0;
  let pq1 = 0;
  let k = 0;
  let i = 0;
  for (; i < G2; i++, k += 2) {
    const j = 2 * i;
    const z0 = pw[Z2 + j];
    const z1 = pw[Z2 + j + 1];
    const d = w[D + i];
    const v0 = w[k];
    const v1 = w[k + 1];
    const c0 = Z2 + 2 * ix[C + k];
    const c1 = Z2 + 2 * ix[C + k + 1];
    const o = w[O + i];
    const q0 = d * z0 + v0 * pw[c0] + v1 * pw[c1] + shift0 * o + beta0 * pw[Q2 + j];
    const q1 = d * z1 + v0 * pw[c0 + 1] + v1 * pw[c1 + 1] + shift1 * o + beta1 * pw[Q2 + j + 1];
    pw[Q2 + j] = q0;
    pw[Q2 + j + 1] = q1;
    const p0 = z0 + shift0 + beta0 * pw[P2 + j];
    const p1 = z1 + shift1 + beta1 * pw[P2 + j + 1];
    pw[P2 + j] = p0;
    pw[P2 + j + 1] = p1;
    pq0 += p0 * q0;
    pq1 += p1 * q1;
  }
  for (; i < G4; i++, k += 4) {
    const j = 2 * i;
    const z0 = pw[Z2 + j];
    const z1 = pw[Z2 + j + 1];
    const d = w[D + i];
    const v0 = w[k];
    const v1 = w[k + 1];
    const v2 = w[k + 2];
    const v3 = w[k + 3];
    const c0 = Z2 + 2 * ix[C + k];
    const c1 = Z2 + 2 * ix[C + k + 1];
    const c2 = Z2 + 2 * ix[C + k + 2];
    const c3 = Z2 + 2 * ix[C + k + 3];
    const o = w[O + i];
    const q0 = d * z0 + (v0 * pw[c0] + v1 * pw[c1]) + (v2 * pw[c2] + v3 * pw[c3]) + shift0 * o + beta0 * pw[Q2 + j];
    const q1 = d * z1 + (v0 * pw[c0 + 1] + v1 * pw[c1 + 1]) + (v2 * pw[c2 + 1] + v3 * pw[c3 + 1]) + shift1 * o + beta1 * pw[Q2 + j + 1];
    pw[Q2 + j] = q0;
    pw[Q2 + j + 1] = q1;
    const p0 = z0 + shift0 + beta0 * pw[P2 + j];
    const p1 = z1 + shift1 + beta1 * pw[P2 + j + 1];
    pw[P2 + j] = p0;
    pw[P2 + j + 1] = p1;
    pq0 += p0 * q0;
    pq1 += p1 * q1;
  }
  for (; i < G6; i++, k += 6) {
    const j = 2 * i;
    const z0 = pw[Z2 + j];
    const z1 = pw[Z2 + j + 1];
    const d = w[D + i];
    const v0 = w[k];
    const v1 = w[k + 1];
    const v2 = w[k + 2];
    const v3 = w[k + 3];
    const v4 = w[k + 4];
    const v5 = w[k + 5];
    const c0 = Z2 + 2 * ix[C + k];
    const c1 = Z2 + 2 * ix[C + k + 1];
    const c2 = Z2 + 2 * ix[C + k + 2];
    const c3 = Z2 + 2 * ix[C + k + 3];
    const c4 = Z2 + 2 * ix[C + k + 4];
    const c5 = Z2 + 2 * ix[C + k + 5];
    const o = w[O + i];
    const q0 = d * z0 + (v0 * pw[c0] + v1 * pw[c1] + v2 * pw[c2]) + (v3 * pw[c3] + v4 * pw[c4] + v5 * pw[c5]) + shift0 * o + beta0 * pw[Q2 + j];
    const q1 = d * z1 + (v0 * pw[c0 + 1] + v1 * pw[c1 + 1] + v2 * pw[c2 + 1]) + (v3 * pw[c3 + 1] + v4 * pw[c4 + 1] + v5 * pw[c5 + 1]) + shift1 * o + beta1 * pw[Q2 + j + 1];
    pw[Q2 + j] = q0;
    pw[Q2 + j + 1] = q1;
    const p0 = z0 + shift0 + beta0 * pw[P2 + j];
    const p1 = z1 + shift1 + beta1 * pw[P2 + j + 1];
    pw[P2 + j] = p0;
    pw[P2 + j + 1] = p1;
    pq0 += p0 * q0;
    pq1 += p1 * q1;
  }
  for (; i < n; i++) {
    const j = 2 * i;
    const z0 = pw[Z2 + j];
    const z1 = pw[Z2 + j + 1];
    const d = w[D + i];
    let s0 = d * z0;
    let s1 = d * z1;
    let t0 = 0;
    let t1 = 0;
    const end = ix[i + 1];
    for (; k + 4 <= end; k += 4) {
      const c0 = Z2 + 2 * ix[C + k];
      const c1 = Z2 + 2 * ix[C + k + 1];
      const c2 = Z2 + 2 * ix[C + k + 2];
      const c3 = Z2 + 2 * ix[C + k + 3];
      const v0 = w[k];
      const v1 = w[k + 1];
      const v2 = w[k + 2];
      const v3 = w[k + 3];
      s0 += v0 * pw[c0] + v1 * pw[c1];
      s1 += v0 * pw[c0 + 1] + v1 * pw[c1 + 1];
      t0 += v2 * pw[c2] + v3 * pw[c3];
      t1 += v2 * pw[c2 + 1] + v3 * pw[c3 + 1];
    }
    if (k < end) {
      const c0 = Z2 + 2 * ix[C + k];
      const c1 = Z2 + 2 * ix[C + k + 1];
      const v0 = w[k];
      const v1 = w[k + 1];
      s0 += v0 * pw[c0] + v1 * pw[c1];
      s1 += v0 * pw[c0 + 1] + v1 * pw[c1 + 1];
      k += 2;
    }
    const o = w[O + i];
    const q0 = s0 + t0 + shift0 * o + beta0 * pw[Q2 + j];
    const q1 = s1 + t1 + shift1 * o + beta1 * pw[Q2 + j + 1];
    pw[Q2 + j] = q0;
    pw[Q2 + j + 1] = q1;
    const p0 = z0 + shift0 + beta0 * pw[P2 + j];
    const p1 = z1 + shift1 + beta1 * pw[P2 + j + 1];
    pw[P2 + j] = p0;
    pw[P2 + j + 1] = p1;
    pq0 += p0 * q0;
    pq1 += p1 * q1;
  }
  pairOut[4] = pq0;
  pairOut[5] = pq1;
}

/**
 * x += alpha p, r -= alpha q for two interleaved vectors, then z := M^{-1} r
 * for a diagonal preconditioner as {@link preconditionPair} does; leaves
 * r^T r in pairOut[4..5].
 */
function residualPairDiagonal(w: Float64Array, pw: Float64Array, n: number, S: number, inverseCoarse: number, alpha0: number, alpha1: number): void {
  const R2 = 2 * n;
  const Z2 = 4 * n;
  const P2 = 6 * n;
  const Q2 = 8 * n;
  let rr0 = 0;
  let rr1 = 0;
  let rz0 = 0;
  let rz1 = 0;
  let sum0 = 0;
  let sum1 = 0;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    pw[j] += alpha0 * pw[P2 + j];
    pw[j + 1] += alpha1 * pw[P2 + j + 1];
    const r0 = pw[R2 + j] - alpha0 * pw[Q2 + j];
    const r1 = pw[R2 + j + 1] - alpha1 * pw[Q2 + j + 1];
    pw[R2 + j] = r0;
    pw[R2 + j + 1] = r1;
    rr0 += r0 * r0;
    rr1 += r1 * r1;
    const s = w[S + i];
    const z0 = r0 * s;
    const z1 = r1 * s;
    pw[Z2 + j] = z0;
    pw[Z2 + j + 1] = z1;
    rz0 += r0 * z0;
    rz1 += r1 * z1;
    sum0 += r0;
    sum1 += r1;
  }
  const shift0 = sum0 * inverseCoarse;
  const shift1 = sum1 * inverseCoarse;
  pairOut[0] = rz0 + shift0 * sum0;
  pairOut[1] = rz1 + shift1 * sum1;
  pairOut[2] = shift0;
  pairOut[3] = shift1;
  pairOut[4] = rr0;
  pairOut[5] = rr1;
}

/** x += alpha p, r -= alpha q for two interleaved vectors; leaves r^T r in pairOut[4..5]. */
function residualPair(pw: Float64Array, n: number, alpha0: number, alpha1: number): void {
  const R2 = 2 * n;
  const P2 = 6 * n;
  const Q2 = 8 * n;
  let rr0 = 0;
  let rr1 = 0;
  for (let j = 0; j < 2 * n; j += 2) {
    pw[j] += alpha0 * pw[P2 + j];
    pw[j + 1] += alpha1 * pw[P2 + j + 1];
    const r0 = pw[R2 + j] - alpha0 * pw[Q2 + j];
    const r1 = pw[R2 + j + 1] - alpha1 * pw[Q2 + j + 1];
    pw[R2 + j] = r0;
    pw[R2 + j + 1] = r1;
    rr0 += r0 * r0;
    rr1 += r1 * r1;
  }
  pairOut[4] = rr0;
  pairOut[5] = rr1;
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
