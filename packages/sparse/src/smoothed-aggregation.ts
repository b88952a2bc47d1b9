/**
 * Smoothed-aggregation algebraic multigrid (Vaněk, Mandel, Brezina) as a
 * preconditioner for conjugate gradients on symmetric positive definite
 * matrices of the kind networks produce: weighted graph Laplacians (scalar
 * dofs, near-null space the constant vector) and their elastic analogue
 * (d dofs per node, `block: d`, near-null space the d translations).
 *
 * Setup, once per network ("the hierarchy"):
 *   strength  j is a strong neighbour of i when |a_ij| >= theta sqrt(a_ii a_jj)
 *             (for blocks: the Frobenius norms of the d x d blocks);
 *   aggregates greedy: a node whose strong neighbours are all free takes them
 *             as an aggregate; nodes left join a neighbouring aggregate; the
 *             rest form aggregates of their own;
 *   P         the tentative prolongator (the near-null space restricted to
 *             each aggregate) smoothed by one damped Jacobi step:
 *             P = (I - omega D^{-1} A) P_tent, omega = 4 / (3 rho(D^{-1} A));
 *   A_c       = P^T A P (Galerkin), recursively until a level has at most
 *             `coarsestSize` rows, which a dense Cholesky factor solves.
 * `refresh(A)` takes new values of the same pattern and recomputes only the
 * Galerkin products and the coarsest factor: the aggregates and prolongators
 * are kept (a parameter update moves the values, not the graph).
 *
 * The preconditioner is one V-cycle: forward Gauss-Seidel before the coarse
 * correction, backward Gauss-Seidel after it, so that it is symmetric and
 * positive definite, as CG needs.
 */

import { CsrMatrix, csrTranspose } from './csr-matrix';
import { SparseError } from './errors';

/** Options of {@link SmoothedAggregation}. */
export interface SmoothedAggregationOptions {
  /** Strength threshold theta (default 0: every coupling is strong, right for Laplacians with bounded conductance ratios). */
  readonly strengthThreshold?: number;
  /** Largest level solved directly (dense Cholesky); default {@link DEFAULT_COARSEST_SIZE}. */
  readonly coarsestSize?: number;
  /** Cap on the number of levels (default 20). */
  readonly maxLevels?: number;
  /** Dofs per node, numbered node-major (default 1); the near-null space is the d translations. */
  readonly block?: number;
  /** Gauss-Seidel sweeps before and after each coarse correction (default 1). */
  readonly sweeps?: number;
}

/** Default size of the level solved directly. */
export const DEFAULT_COARSEST_SIZE = 300;

/**
 * Largest coarsest level factored densely. When coarsening stalls above it
 * (a matrix with few strong couplings), the coarsest level is smoothed
 * instead: COARSEST_SWEEPS forward then as many backward Gauss-Seidel sweeps.
 */
const MAX_DENSE_COARSEST = 1000;
/**
 * Largest shrink of a level of at most MAX_DENSE_COARSEST rows; beyond it
 * that level is the coarsest. Measured on the 10^6-edge 3-D lattice, whose
 * third level (870 rows, 57 entries a row) aggregated into 14: CG took 27
 * iterations with the 14-row level, 17 with the 870-row one factored
 * (one step 1262 -> 856 ms). On small problems the dense solves would cost
 * more than they save (3-D lattice of 10^4 edges: 15 -> 12 iterations but
 * 6.2 -> 10.3 ms a step), hence the bound on their cost.
 */
const MAX_COARSENING_RATIO = 20;
const COARSEST_SWEEPS = 4;

/**
 * Largest relative change of a diagonal entry for which {@link
 * SmoothedAggregation.update} keeps the coarse operators.
 */
export const DRIFT_LIMIT = 0.05;

/** max_i |b_i / a_i - 1| for positive a, b (inverse diagonals: the relative change of the diagonal). */
function largestRelativeChange(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const change = Math.abs(b[i] / a[i] - 1);
    if (change > worst) worst = change;
  }
  return worst;
}

/** A CSR matrix with mutable values (the shapes the hierarchy stores). */
interface Sparse {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
}

interface Level {
  readonly A: Sparse;
  readonly invDiag: Float64Array;
  /** Slot of each row's diagonal when every row's columns are sorted (then the pre-smoothing and residual split at it); null otherwise. */
  readonly diagPos: Int32Array | null;
  /** Prolongator to this level from the next (rows of this level); null on the coarsest. */
  readonly P: Sparse | null;
  /** P^T. */
  readonly R: Sparse | null;
  /** A P (fixed pattern), kept for the numeric Galerkin product. */
  readonly AP: Sparse | null;
  /** Right-hand side, solution and residual of the level's cycle. */
  readonly b: Float64Array;
  readonly x: Float64Array;
  readonly r: Float64Array;
  /** The same for two vectors at once, interleaved (entry i of vector k at 2 i + k); allocated at the first {@link SmoothedAggregation.applyPair}. */
  b2: Float64Array | null;
  x2: Float64Array | null;
  r2: Float64Array | null;
}

/** The hierarchy and its V-cycle; see the module comment. A Preconditioner (preconditioner.ts) by its shape. */
export class SmoothedAggregation {
  readonly kind = 'amg' as const;
  readonly n: number;
  private readonly levels: Level[] = [];
  /** Dense Cholesky factor (lower, row-major) of the coarsest level. */
  private coarseFactor: Float64Array = new Float64Array(0);
  private coarseN = 0;
  private readonly block: number;
  private readonly sweeps: number;
  /** The finest level's inverse diagonal when the coarse operators were last computed (see {@link update}). */
  private galerkinInvDiag: Float64Array;

  /** Builds the hierarchy for the values of `A` (which the finest level keeps a reference to). */
  constructor(A: CsrMatrix, options: SmoothedAggregationOptions = {}) {
    if (A.rows !== A.cols) throw new Error(`smoothed aggregation: matrix must be square, got ${A.rows}x${A.cols}`);
    const block = options.block ?? 1;
    if (!(Number.isInteger(block) && block >= 1 && A.rows % block === 0)) {
      throw new Error(`smoothed aggregation: block ${block} does not divide ${A.rows} rows`);
    }
    this.block = block;
    this.sweeps = options.sweeps ?? 1;
    if (!(Number.isInteger(this.sweeps) && this.sweeps >= 1)) throw new Error(`smoothed aggregation: sweeps must be a positive integer, got ${this.sweeps}`);
    this.n = A.rows;
    const theta = options.strengthThreshold ?? 0;
    const coarsest = Math.max(options.coarsestSize ?? DEFAULT_COARSEST_SIZE, block);
    const maxLevels = options.maxLevels ?? 20;
    let current: Sparse = { rows: A.rows, cols: A.cols, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values as Float64Array };
    let d = block; // dofs per node of the current level
    const fineEntries = A.rowPtr[A.rows];
    for (let depth = 0; ; depth++) {
      const invDiag = inverseDiagonal(current);
      const n = current.rows;
      if (n <= coarsest || depth + 1 >= maxLevels) {
        this.levels.push(level(current, invDiag, null, null, null));
        break;
      }
      const nodes = n / d;
      const strong = strengthGraph(current, d, theta);
      const { aggregate, count } = aggregateNodes(nodes, strong.rowPtr, strong.colIdx);
      // d translations per aggregate: coarse dofs = count * d (the coarse level keeps d dofs per node).
      // Stop when aggregation stalls, or when a level small enough to factor
      // densely would shrink more than MAX_COARSENING_RATIO times (dense
      // coarse levels, as 3-D lattices give: their few huge aggregates make
      // a poor coarse space) and its two dense triangular solves cost at
      // most a product with the finest matrix.
      const tooCoarse = n <= MAX_DENSE_COARSEST && count * MAX_COARSENING_RATIO < nodes && 2 * n * n <= fineEntries;
      if (count === 0 || count * d >= 0.85 * n || tooCoarse) {
        this.levels.push(level(current, invDiag, null, null, null));
        break;
      }
      const P = smoothedProlongator(current, invDiag, aggregate, count, d);
      const R = csrTranspose(P);
      const AP = multiplySymbolic(current, P);
      multiplyNumeric(current, P, AP);
      const Ac = multiplySymbolic(R, AP);
      multiplyNumeric(R, AP, Ac);
      this.levels.push(level(current, invDiag, P, R, AP));
      current = Ac;
    }
    this.factorCoarsest();
    this.galerkinInvDiag = this.levels[0].invDiag.slice();
  }

  /** Number of levels, finest first. */
  get depth(): number {
    return this.levels.length;
  }

  /** Rows of each level, finest first. */
  get levelSizes(): number[] {
    return this.levels.map((l) => l.A.rows);
  }

  /** Σ nnz(A_l) / nnz(A_0). */
  get operatorComplexity(): number {
    const nnz = this.levels.map((l) => l.A.rowPtr[l.A.rows]);
    return nnz.reduce((a, b) => a + b, 0) / nnz[0];
  }

  /**
   * Multiply-adds of one V-cycle (smoothing, residuals, transfers, the
   * coarsest solve), for cost predictions.
   */
  get cycleWork(): number {
    let work = 0;
    for (const l of this.levels) {
      if (!l.P) {
        work += this.coarseN > 0 ? this.coarseN * this.coarseN : 2 * COARSEST_SWEEPS * l.A.rowPtr[l.A.rows];
        continue;
      }
      work += (l.diagPos ? 2 : 3) * l.A.rowPtr[l.A.rows] + 2 * l.P.rowPtr[l.P.rows] + 2 * l.A.rows;
    }
    return work;
  }

  /** Multiply-adds of {@link refresh}: the Galerkin products and the coarsest factorization. */
  get refreshWork(): number {
    let work = (this.coarseN * this.coarseN * this.coarseN) / 3;
    for (const l of this.levels) {
      if (!l.P || !l.AP || !l.R) continue;
      work += productWork(l.A, l.P) + productWork(l.R, l.AP) + 2 * l.A.rows;
    }
    return work;
  }

  /**
   * Takes new values of the finest matrix (the same pattern; `A` may be the
   * matrix given at construction with its values changed in place) and
   * recomputes the Galerkin products and the coarsest factor, keeping the
   * aggregates and prolongators.
   */
  refresh(A: CsrMatrix): void {
    const fine = this.levels[0].A;
    if (A.rows !== fine.rows || A.rowPtr[A.rows] !== fine.rowPtr[fine.rows]) {
      throw new Error('smoothed aggregation: the matrix pattern differs from the one the hierarchy was built for');
    }
    if (A.values !== fine.values) (fine.values as Float64Array).set(A.values);
    for (let l = 0; l < this.levels.length; l++) {
      const level = this.levels[l];
      refreshInverseDiagonal(level.A, level.invDiag);
      if (!level.P || !level.R || !level.AP) break;
      multiplyNumeric(level.A, level.P, level.AP);
      multiplyNumeric(level.R, level.AP, this.levels[l + 1].A);
    }
    this.factorCoarsest();
    this.galerkinInvDiag.set(this.levels[0].invDiag);
  }

  /**
   * Takes new values of the finest matrix as {@link refresh} does, but
   * recomputes the coarse operators only when `full` is set or some
   * diagonal entry has moved by more than {@link DRIFT_LIMIT} (relative)
   * since they were last computed; otherwise only the finest level's
   * smoother takes the new values and the coarse levels stay as they were,
   * which is what hypre's BoomerAMG does with its setup reused. The cycle
   * stays a symmetric positive definite preconditioner either way (the
   * coarse operators are Galerkin products of earlier values); only its
   * quality can drift, which the caller watches through the iterations.
   * Returns whether the coarse operators were recomputed.
   */
  update(A: CsrMatrix, full: boolean): boolean {
    const fine = this.levels[0];
    if (A.rows !== fine.A.rows || A.rowPtr[A.rows] !== fine.A.rowPtr[fine.A.rows]) {
      throw new Error('smoothed aggregation: the matrix pattern differs from the one the hierarchy was built for');
    }
    if (!full) {
      if (A.values !== fine.A.values) (fine.A.values as Float64Array).set(A.values);
      refreshInverseDiagonal(fine.A, fine.invDiag);
      if (largestRelativeChange(fine.invDiag, this.galerkinInvDiag) <= DRIFT_LIMIT) return false;
    }
    this.refresh(A);
    return true;
  }

  /** z = M^{-1} r by one V-cycle; returns r^T z. */
  apply(r: Float64Array, z: Float64Array): number {
    this.cycle(0, r, z);
    let rz = 0;
    for (let i = 0; i < this.n; i++) rz += r[i] * z[i];
    return rz;
  }

  /**
   * The V-cycle applied to two vectors at once: r2 and z2 hold them
   * interleaved (entry i of vector k at 2 i + k); z2 = M^{-1} r2 (the same
   * operator as {@link apply}, each matrix entry read once for both).
   * Returns r_k^T z_k in dots[k].
   */
  applyPair(r2: Float64Array, z2: Float64Array, dots: Float64Array): void {
    if (!this.levels[0].b2) {
      for (const l of this.levels) {
        l.b2 = new Float64Array(2 * l.A.rows);
        l.x2 = new Float64Array(2 * l.A.rows);
        l.r2 = new Float64Array(2 * l.A.rows);
      }
    }
    this.cyclePair(0, r2, z2);
    dots[0] = strideDot(r2, z2, 0, this.n);
    dots[1] = strideDot(r2, z2, 1, this.n);
  }

  private cyclePair(l: number, b: Float64Array, x: Float64Array): void {
    const level = this.levels[l];
    const { A, invDiag, diagPos, P, R } = level;
    const r = level.r2 as Float64Array;
    if (!P || !R) {
      if (this.coarseN > 0) {
        denseSolvePair(this.coarseFactor, this.coarseN, b, x);
      } else {
        x.fill(0, 0, 2 * A.rows);
        for (let k = 0; k < COARSEST_SWEEPS; k++) forwardGaussSeidelPair(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
        for (let k = 0; k < COARSEST_SWEEPS; k++) backwardGaussSeidelPair(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
      }
      return;
    }
    const sweeps = this.sweeps;
    if (diagPos && sweeps === 1) {
      lowerSweepWithResidualPair(A.rowPtr, A.colIdx, A.values, diagPos, invDiag, b, x, r);
    } else {
      x.fill(0, 0, 2 * A.rows);
      for (let k = 0; k < sweeps; k++) forwardGaussSeidelPair(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
      multiplyPair(A.rowPtr, A.colIdx, A.values, x, r, -1, b);
    }
    const next = this.levels[l + 1];
    const nb = next.b2 as Float64Array;
    const nx = next.x2 as Float64Array;
    multiplyPair(R.rowPtr, R.colIdx, R.values, r, nb, 1, null);
    this.cyclePair(l + 1, nb, nx);
    multiplyPair(P.rowPtr, P.colIdx, P.values, nx, x, 1, x);
    for (let k = 0; k < sweeps; k++) backwardGaussSeidelPair(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
  }

  /** x = V-cycle applied to b on level l (x is overwritten). */
  private cycle(l: number, b: Float64Array, x: Float64Array): void {
    const level = this.levels[l];
    const { A, invDiag, diagPos, P, R, r } = level;
    if (!P || !R) {
      if (this.coarseN > 0) {
        denseSolve(this.coarseFactor, this.coarseN, b, x);
      } else {
        x.fill(0, 0, A.rows);
        for (let k = 0; k < COARSEST_SWEEPS; k++) forwardGaussSeidel(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
        for (let k = 0; k < COARSEST_SWEEPS; k++) backwardGaussSeidel(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
      }
      return;
    }
    const sweeps = this.sweeps;
    if (diagPos && sweeps === 1) {
      // From x = 0 the forward sweep is a lower solve, and its residual is -U x (one pass: A is symmetric).
      lowerSweepWithResidual(A.rowPtr, A.colIdx, A.values, diagPos, invDiag, b, x, r);
    } else {
      x.fill(0, 0, A.rows);
      for (let k = 0; k < sweeps; k++) forwardGaussSeidel(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
      multiply(A.rowPtr, A.colIdx, A.values, x, r, -1, b); // r = b - A x
    }
    const next = this.levels[l + 1];
    multiply(R.rowPtr, R.colIdx, R.values, r, next.b, 1, null);
    this.cycle(l + 1, next.b, next.x);
    multiply(P.rowPtr, P.colIdx, P.values, next.x, x, 1, x);
    for (let k = 0; k < sweeps; k++) backwardGaussSeidel(A.rowPtr, A.colIdx, A.values, invDiag, b, x);
  }

  /** Dense Cholesky of the coarsest level; pivots that vanish (a singular coarse operator) are dropped, leaving a semi-definite but symmetric preconditioner. */
  private factorCoarsest(): void {
    const A = this.levels[this.levels.length - 1].A;
    const n = A.rows;
    if (n > MAX_DENSE_COARSEST) {
      this.coarseN = 0; // smoothed, not factored (see MAX_DENSE_COARSEST)
      return;
    }
    if (this.coarseN !== n) {
      this.coarseN = n;
      this.coarseFactor = new Float64Array(n * n);
    }
    const L = this.coarseFactor;
    L.fill(0);
    let maxDiag = 0;
    for (let i = 0; i < n; i++) {
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
        const j = A.colIdx[p];
        if (j <= i) L[i * n + j] += A.values[p];
        if (j === i) maxDiag = Math.max(maxDiag, A.values[p]);
      }
    }
    if (!(maxDiag > 0 && maxDiag < Infinity)) throw new SparseError('smoothed aggregation: the coarsest matrix has no positive diagonal (matrix not positive definite?)');
    const tiny = 1e-13 * maxDiag;
    for (let j = 0; j < n; j++) {
      let d = L[j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
      if (!(d > tiny)) {
        if (!(d > -1e-8 * maxDiag)) throw new SparseError(`smoothed aggregation: coarsest matrix is not positive definite (pivot ${d})`);
        for (let i = j; i < n; i++) L[i * n + j] = 0;
        continue;
      }
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      const inv = 1 / ljj;
      for (let i = j + 1; i < n; i++) {
        let s = L[i * n + j];
        const ri = i * n;
        const rj = j * n;
        for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
        L[ri + j] = s * inv;
      }
    }
  }
}

function level(A: Sparse, invDiag: Float64Array, P: Sparse | null, R: Sparse | null, AP: Sparse | null): Level {
  const n = A.rows;
  return { A, invDiag, diagPos: sortedDiagonalSlots(A), P, R, AP, b: new Float64Array(n), x: new Float64Array(n), r: new Float64Array(n), b2: null, x2: null, r2: null };
}

/** The slot of each row's diagonal if every row has sorted columns and a diagonal; else null. */
function sortedDiagonalSlots(A: Sparse): Int32Array | null {
  const pos = new Int32Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    pos[i] = -1;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      if (p > A.rowPtr[i] && A.colIdx[p] <= A.colIdx[p - 1]) return null;
      if (A.colIdx[p] === i) pos[i] = p;
    }
    if (pos[i] < 0) return null;
  }
  return pos;
}

/**
 * The forward Gauss-Seidel sweep from x = 0, x_i = (b_i - sum_{j<i} a_ij x_j) / a_ii, and
 * its residual r_i = -sum_{j>i} a_ij x_j in the same pass over the lower
 * triangle: A is symmetric, so once x_j is known, each lower entry a_jc of
 * row j adds -a_jc x_j to r_c (c < j). The upper triangle is never read.
 */
function lowerSweepWithResidual(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, diagPos: Int32Array, invDiag: Float64Array, b: Float64Array, x: Float64Array, r: Float64Array): void {
  const n = invDiag.length;
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = diagPos[i];
    let s = b[i];
    for (let p = start; p < end; p++) s -= values[p] * x[colIdx[p]];
    const xi = s * invDiag[i];
    x[i] = xi;
    r[i] = 0;
    for (let p = start; p < end; p++) r[colIdx[p]] -= values[p] * xi;
  }
}

/** sum_i a[2 i + k] b[2 i + k]. */
function strideDot(a: Float64Array, b: Float64Array, k: number, n: number): number {
  let s = 0;
  for (let i = k; i < 2 * n; i += 2) s += a[i] * b[i];
  return s;
}

/**
 * {@link lowerSweepWithResidual} for two interleaved vectors. Rows with two
 * or three entries below the diagonal (2-D grids, 3-D lattices) run
 * straight-line: about a third faster than the loops, which pay per row.
 */
function lowerSweepWithResidualPair(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, diagPos: Int32Array, invDiag: Float64Array, b: Float64Array, x: Float64Array, r: Float64Array): void {
  const n = invDiag.length;
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = diagPos[i];
    const d = invDiag[i];
    const count = end - start;
    if (count === 2) {
      const va = values[start];
      const vb = values[start + 1];
      const ca = 2 * colIdx[start];
      const cb = 2 * colIdx[start + 1];
      const x0 = (b[2 * i] - va * x[ca] - vb * x[cb]) * d;
      const x1 = (b[2 * i + 1] - va * x[ca + 1] - vb * x[cb + 1]) * d;
      x[2 * i] = x0;
      x[2 * i + 1] = x1;
      r[2 * i] = 0;
      r[2 * i + 1] = 0;
      r[ca] -= va * x0;
      r[ca + 1] -= va * x1;
      r[cb] -= vb * x0;
      r[cb + 1] -= vb * x1;
    } else if (count === 3) {
      const va = values[start];
      const vb = values[start + 1];
      const vc = values[start + 2];
      const ca = 2 * colIdx[start];
      const cb = 2 * colIdx[start + 1];
      const cc = 2 * colIdx[start + 2];
      const x0 = (b[2 * i] - va * x[ca] - vb * x[cb] - vc * x[cc]) * d;
      const x1 = (b[2 * i + 1] - va * x[ca + 1] - vb * x[cb + 1] - vc * x[cc + 1]) * d;
      x[2 * i] = x0;
      x[2 * i + 1] = x1;
      r[2 * i] = 0;
      r[2 * i + 1] = 0;
      r[ca] -= va * x0;
      r[ca + 1] -= va * x1;
      r[cb] -= vb * x0;
      r[cb + 1] -= vb * x1;
      r[cc] -= vc * x0;
      r[cc + 1] -= vc * x1;
    } else {
      let s0 = b[2 * i];
      let s1 = b[2 * i + 1];
      for (let p = start; p < end; p++) {
        const v = values[p];
        const c = 2 * colIdx[p];
        s0 -= v * x[c];
        s1 -= v * x[c + 1];
      }
      const x0 = s0 * d;
      const x1 = s1 * d;
      x[2 * i] = x0;
      x[2 * i + 1] = x1;
      r[2 * i] = 0;
      r[2 * i + 1] = 0;
      for (let p = start; p < end; p++) {
        const v = values[p];
        const c = 2 * colIdx[p];
        r[c] -= v * x0;
        r[c + 1] -= v * x1;
      }
    }
  }
}

/** {@link forwardGaussSeidel} for two interleaved vectors. */
function forwardGaussSeidelPair(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, invDiag: Float64Array, b: Float64Array, x: Float64Array): void {
  const n = invDiag.length;
  let p = rowPtr[0];
  for (let i = 0; i < n; i++) {
    let s0 = b[2 * i];
    let s1 = b[2 * i + 1];
    const end = rowPtr[i + 1];
    for (; p < end; p++) {
      const v = values[p];
      const c = 2 * colIdx[p];
      s0 -= v * x[c];
      s1 -= v * x[c + 1];
    }
    const d = invDiag[i];
    x[2 * i] += s0 * d;
    x[2 * i + 1] += s1 * d;
  }
}

/** {@link backwardGaussSeidel} for two interleaved vectors; rows of 5 and 7 entries (2-D grids, 3-D lattices) straight-line. */
function backwardGaussSeidelPair(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, invDiag: Float64Array, b: Float64Array, x: Float64Array): void {
  const n = invDiag.length;
  for (let i = n - 1; i >= 0; i--) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    let s0 = b[2 * i];
    let s1 = b[2 * i + 1];
    const length = end - start;
    if (length === 5 || length === 7) {
      const v0 = values[start];
      const v1 = values[start + 1];
      const v2 = values[start + 2];
      const v3 = values[start + 3];
      const v4 = values[start + 4];
      const c0 = 2 * colIdx[start];
      const c1 = 2 * colIdx[start + 1];
      const c2 = 2 * colIdx[start + 2];
      const c3 = 2 * colIdx[start + 3];
      const c4 = 2 * colIdx[start + 4];
      s0 -= v0 * x[c0] + v1 * x[c1] + (v2 * x[c2] + v3 * x[c3]) + v4 * x[c4];
      s1 -= v0 * x[c0 + 1] + v1 * x[c1 + 1] + (v2 * x[c2 + 1] + v3 * x[c3 + 1]) + v4 * x[c4 + 1];
      if (length === 7) {
        const v5 = values[start + 5];
        const v6 = values[start + 6];
        const c5 = 2 * colIdx[start + 5];
        const c6 = 2 * colIdx[start + 6];
        s0 -= v5 * x[c5] + v6 * x[c6];
        s1 -= v5 * x[c5 + 1] + v6 * x[c6 + 1];
      }
    } else {
      for (let p = start; p < end; p++) {
        const v = values[p];
        const c = 2 * colIdx[p];
        s0 -= v * x[c];
        s1 -= v * x[c + 1];
      }
    }
    const d = invDiag[i];
    x[2 * i] += s0 * d;
    x[2 * i + 1] += s1 * d;
  }
}

/** {@link multiply} for two interleaved vectors (y, v and base of 2 rows / 2 cols entries), two entries at a time. */
function multiplyPair(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, v: Float64Array, y: Float64Array, scale: number, base: Float64Array | null): void {
  const n = y.length >> 1;
  for (let i = 0; i < n; i++) {
    const end = rowPtr[i + 1];
    let p = rowPtr[i];
    let s0 = 0;
    let s1 = 0;
    for (; p + 2 <= end; p += 2) {
      const a = values[p];
      const e = values[p + 1];
      const c = 2 * colIdx[p];
      const f = 2 * colIdx[p + 1];
      s0 += a * v[c] + e * v[f];
      s1 += a * v[c + 1] + e * v[f + 1];
    }
    if (p < end) {
      const a = values[p];
      const c = 2 * colIdx[p];
      s0 += a * v[c];
      s1 += a * v[c + 1];
    }
    if (base === null) {
      y[2 * i] = scale * s0;
      y[2 * i + 1] = scale * s1;
    } else {
      y[2 * i] = base[2 * i] + scale * s0;
      y[2 * i + 1] = base[2 * i + 1] + scale * s1;
    }
  }
}

/** {@link denseSolve} for two interleaved vectors. */
function denseSolvePair(L: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s0 = b[2 * i];
    let s1 = b[2 * i + 1];
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      s0 -= l * x[2 * k];
      s1 -= l * x[2 * k + 1];
    }
    const d = L[ri + i];
    x[2 * i] = d > 0 ? s0 / d : 0;
    x[2 * i + 1] = d > 0 ? s1 / d : 0;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s0 = x[2 * i];
    let s1 = x[2 * i + 1];
    for (let k = i + 1; k < n; k++) {
      const l = L[k * n + i];
      s0 -= l * x[2 * k];
      s1 -= l * x[2 * k + 1];
    }
    const d = L[i * n + i];
    x[2 * i] = d > 0 ? s0 / d : 0;
    x[2 * i + 1] = d > 0 ? s1 / d : 0;
  }
}

/** x = L^{-T} L^{-1} b with dense lower L (zero pivots give zero components). */
function denseSolve(L: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
    const d = L[ri + i];
    x[i] = d > 0 ? s / d : 0;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    const d = L[i * n + i];
    x[i] = d > 0 ? s / d : 0;
  }
}

function inverseDiagonal(A: Sparse): Float64Array {
  const inv = new Float64Array(A.rows);
  refreshInverseDiagonal(A, inv);
  return inv;
}

function refreshInverseDiagonal(A: Sparse, inv: Float64Array): void {
  const { rowPtr, colIdx, values } = A;
  for (let i = 0; i < A.rows; i++) {
    let d = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (colIdx[p] === i) d = values[p];
    if (!(d > 0 && d < Infinity)) {
      throw new SparseError(`smoothed aggregation: diagonal entry ${d} at row ${i} is not positive, matrix is not positive definite`);
    }
    inv[i] = 1 / d;
  }
}

/** x_i += (b_i - (A x)_i) / a_ii for i = 0..n-1. */
function forwardGaussSeidel(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, invDiag: Float64Array, b: Float64Array, x: Float64Array): void {
  const n = invDiag.length;
  let p = rowPtr[0];
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const end = rowPtr[i + 1];
    for (; p < end; p++) s -= values[p] * x[colIdx[p]];
    x[i] += s * invDiag[i];
  }
}

/** The same, for i = n-1..0. */
function backwardGaussSeidel(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, invDiag: Float64Array, b: Float64Array, x: Float64Array): void {
  const n = invDiag.length;
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    const end = rowPtr[i + 1];
    for (let p = rowPtr[i]; p < end; p++) s -= values[p] * x[colIdx[p]];
    x[i] += s * invDiag[i];
  }
}

/** y = base + scale M v (base null: 0; base may be y itself). */
function multiply(rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, v: Float64Array, y: Float64Array, scale: number, base: Float64Array | null): void {
  const n = y.length;
  let p = rowPtr[0];
  for (let i = 0; i < n; i++) {
    let s = 0;
    const end = rowPtr[i + 1];
    for (; p < end; p++) s += values[p] * v[colIdx[p]];
    y[i] = (base === null ? 0 : base[i]) + scale * s;
  }
}

/**
 * The strong-coupling graph between nodes (blocks of d dofs), without self
 * loops: j is strong for i when ||A_ij|| >= theta sqrt(||A_ii|| ||A_jj||).
 */
function strengthGraph(A: Sparse, d: number, theta: number): { rowPtr: Int32Array; colIdx: Int32Array } {
  const nodes = A.rows / d;
  // Block norms squared, accumulated per node pair with a marker.
  const diagNorm = new Float64Array(nodes);
  const rowPtr = new Int32Array(nodes + 1);
  const cols: number[] = [];
  const mark = new Int32Array(nodes).fill(-1);
  const acc = new Float64Array(nodes);
  const touched: number[] = [];
  const blockRow = (I: number) => {
    touched.length = 0;
    for (let i = I * d; i < (I + 1) * d; i++) {
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
        const J = (A.colIdx[p] / d) | 0;
        if (mark[J] !== I) {
          mark[J] = I;
          acc[J] = 0;
          touched.push(J);
        }
        acc[J] += A.values[p] * A.values[p];
      }
    }
  };
  for (let I = 0; I < nodes; I++) {
    blockRow(I);
    diagNorm[I] = mark[I] === I ? Math.sqrt(acc[I]) : 0;
  }
  mark.fill(-1);
  for (let I = 0; I < nodes; I++) {
    blockRow(I);
    for (const J of touched) {
      if (J === I) continue;
      const norm = Math.sqrt(acc[J]);
      if (norm > 0 && norm >= theta * Math.sqrt(diagNorm[I] * diagNorm[J])) cols.push(J);
    }
    rowPtr[I + 1] = cols.length;
  }
  return { rowPtr, colIdx: Int32Array.from(cols) };
}

/** Greedy aggregation of the strong graph; returns each node's aggregate (-1 for none) and the count. */
function aggregateNodes(nodes: number, rowPtr: Int32Array, colIdx: Int32Array): { aggregate: Int32Array; count: number } {
  const aggregate = new Int32Array(nodes).fill(-1);
  let count = 0;
  // Phase 1: a node with all strong neighbours free roots an aggregate of itself and them.
  for (let i = 0; i < nodes; i++) {
    if (aggregate[i] >= 0 || rowPtr[i] === rowPtr[i + 1]) continue;
    let free = true;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      if (aggregate[colIdx[p]] >= 0) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    aggregate[i] = count;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) aggregate[colIdx[p]] = count;
    count++;
  }
  // Phase 2: a free node joins the aggregate of a phase-1 neighbour.
  const phase1 = aggregate.slice();
  for (let i = 0; i < nodes; i++) {
    if (aggregate[i] >= 0) continue;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const a = phase1[colIdx[p]];
      if (a >= 0) {
        aggregate[i] = a;
        break;
      }
    }
  }
  // Phase 3: what is left forms aggregates with its free neighbours. A node
  // without strong neighbours stays out of every aggregate (-1): the
  // smoother alone serves it, as it is dominated by its diagonal.
  for (let i = 0; i < nodes; i++) {
    if (aggregate[i] >= 0 || rowPtr[i] === rowPtr[i + 1]) continue;
    aggregate[i] = count;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (aggregate[colIdx[p]] < 0) aggregate[colIdx[p]] = count;
    count++;
  }
  return { aggregate, count };
}

/**
 * P = (I - omega D^{-1} A) P_tent, where P_tent maps coarse dof (a, c) to
 * the dofs c of the nodes of aggregate a (translations), omega = 4/(3 rho)
 * with rho bounded by Gershgorin's max_i sum_j |a_ij| / a_ii.
 */
function smoothedProlongator(A: Sparse, invDiag: Float64Array, aggregate: Int32Array, count: number, d: number): Sparse {
  const n = A.rows;
  const nc = count * d;
  let rho = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) s += Math.abs(A.values[p]);
    rho = Math.max(rho, s * invDiag[i]);
  }
  const omega = 4 / (3 * rho);
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const mark = new Int32Array(nc).fill(-1);
  const acc = new Float64Array(nc);
  const touched: number[] = [];
  for (let i = 0; i < n; i++) {
    touched.length = 0;
    const add = (col: number, v: number) => {
      if (mark[col] !== i) {
        mark[col] = i;
        acc[col] = 0;
        touched.push(col);
      }
      acc[col] += v;
    };
    const ai = aggregate[(i / d) | 0];
    if (ai >= 0) add(ai * d + (i % d), 1);
    const scale = omega * invDiag[i];
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      const aj = aggregate[(j / d) | 0];
      if (aj >= 0) add(aj * d + (j % d), -scale * A.values[p]);
    }
    touched.sort((a, b) => a - b);
    for (const c of touched) {
      if (acc[c] !== 0) {
        cols.push(c);
        vals.push(acc[c]);
      }
    }
    rowPtr[i + 1] = cols.length;
  }
  return { rows: n, cols: nc, rowPtr, colIdx: Int32Array.from(cols), values: Float64Array.from(vals) };
}

/** The pattern of X Y (columns sorted per row), values zero. */
function multiplySymbolic(X: Sparse, Y: Sparse): Sparse {
  const rowPtr = new Int32Array(X.rows + 1);
  const mark = new Int32Array(Y.cols).fill(-1);
  let cols = new Int32Array(Math.max(16, X.rowPtr[X.rows] * 2));
  let nnz = 0;
  for (let i = 0; i < X.rows; i++) {
    const start = nnz;
    for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) {
      const k = X.colIdx[p];
      for (let q = Y.rowPtr[k]; q < Y.rowPtr[k + 1]; q++) {
        const j = Y.colIdx[q];
        if (mark[j] === i) continue;
        mark[j] = i;
        if (nnz === cols.length) {
          const grown = new Int32Array(cols.length * 2);
          grown.set(cols);
          cols = grown;
        }
        cols[nnz++] = j;
      }
    }
    cols.subarray(start, nnz).sort();
    rowPtr[i + 1] = nnz;
  }
  return { rows: X.rows, cols: Y.cols, rowPtr, colIdx: cols.slice(0, nnz), values: new Float64Array(nnz) };
}

/** Z = X Y into the values of Z, whose pattern is that of multiplySymbolic(X, Y). */
function multiplyNumeric(X: Sparse, Y: Sparse, Z: Sparse): void {
  const acc = new Float64Array(Y.cols);
  const xr = X.rowPtr;
  const xc = X.colIdx;
  const xv = X.values;
  const yr = Y.rowPtr;
  const yc = Y.colIdx;
  const yv = Y.values;
  const zr = Z.rowPtr;
  const zc = Z.colIdx;
  const zv = Z.values;
  for (let i = 0; i < X.rows; i++) {
    for (let p = xr[i]; p < xr[i + 1]; p++) {
      const a = xv[p];
      const k = xc[p];
      for (let q = yr[k]; q < yr[k + 1]; q++) acc[yc[q]] += a * yv[q];
    }
    for (let p = zr[i]; p < zr[i + 1]; p++) {
      const j = zc[p];
      zv[p] = acc[j];
      acc[j] = 0;
    }
  }
}

/** Multiply-adds of X Y. */
function productWork(X: Sparse, Y: Sparse): number {
  let work = 0;
  for (let p = 0; p < X.rowPtr[X.rows]; p++) work += Y.rowPtr[X.colIdx[p] + 1] - Y.rowPtr[X.colIdx[p]];
  return work;
}
