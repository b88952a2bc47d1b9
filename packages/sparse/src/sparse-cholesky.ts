/**
 * Numeric sparse Cholesky factorization L L^T = P A P^T of a symmetric
 * positive definite matrix, reusing a {@link SymbolicCholesky} analysis.
 *
 * Supernodal multifrontal algorithm: supernodes are visited children first;
 * each one receives its entries of A (scattered once through a precomputed
 * slot map) and the packed update blocks its children left on a stack
 * (extend-add), factors its dense m x k panel, and pushes its own update
 * block -L21 L21^T for its parent. All dense work runs on column-major
 * Float64Array blocks; the kernels update two target columns at a time from
 * four source columns (each loaded value feeds four multiply-adds).
 *
 * Hot loops live in small functions that only return locals after their
 * loops: V8 compiles long-running loops on the fly (on-stack replacement),
 * and property accesses after such a loop, compiled before they ever ran,
 * would deoptimize on every later call.
 */

import { CsrMatrix } from './csr-matrix';
import { SupernodalStructure } from './supernodal-structure';
import { SymbolicCholesky, SymbolicOptions } from './symbolic-cholesky';

/** Update stacks are shared by all factorizations of one layout (factorization is synchronous). */
const stacks = new WeakMap<SupernodalStructure, Float64Array>();

function stackFor(st: SupernodalStructure): Float64Array {
  let stack = stacks.get(st);
  if (!stack) {
    stack = new Float64Array(Math.max(1, st.stackSize));
    stacks.set(st, stack);
  }
  return stack;
}

/** A numeric Cholesky factor; `refactor` replaces the values in place. */
export class SparseCholesky {
  readonly n: number;
  private readonly st: SupernodalStructure;
  private readonly values: Float64Array;
  private readonly work: Float64Array;

  private constructor(readonly symbolic: SymbolicCholesky) {
    this.n = symbolic.n;
    this.st = symbolic.supernodes();
    this.values = new Float64Array(this.st.valuePtr[this.st.count]);
    this.work = new Float64Array(this.n);
  }

  /**
   * Factors `A` (symmetric positive definite; only its lower triangle is
   * read). Analyses the pattern first unless `symbolic` is given.
   */
  static factor(A: CsrMatrix, symbolic?: SymbolicCholesky | SymbolicOptions): SparseCholesky {
    const analysis = symbolic instanceof SymbolicCholesky ? symbolic : SymbolicCholesky.analyze(A, symbolic);
    const chol = new SparseCholesky(analysis);
    chol.refactor(A);
    return chol;
  }

  /** Stored entries of L, explicit zeros of relaxed supernodes included. */
  get storedNnz(): number {
    return this.st.storedNnz;
  }

  /**
   * Recomputes the factor for new values of the same pattern. Throws when the
   * pattern differs or when A is not positive definite (naming the pivot).
   */
  refactor(A: CsrMatrix): void {
    this.symbolic.assertSamePattern(A);
    this.assemble(A.values);
    const st = this.st;
    const stack = stackFor(st);
    for (let s = 0; s < st.count; s++) this.factorSupernode(s, stack);
  }

  /** Scatters the lower triangle of A into the factor storage. */
  private assemble(ax: Float64Array): void {
    const L = this.values;
    const map = this.st.slotToValue;
    L.fill(0);
    for (let p = 0; p < map.length; p++) {
      const d = map[p];
      if (d >= 0) L[d] = ax[p];
    }
  }

  /** Assembles the children's updates into supernode s, factors it and pushes its update. */
  private factorSupernode(s: number, stack: Float64Array): void {
    const st = this.st;
    const L = this.values;
    const f = st.superStart[s];
    const k = st.superStart[s + 1] - f;
    const m = st.rowPtr[s + 1] - st.rowPtr[s];
    const q = m - k;
    const lofs = st.valuePtr[s];
    const c0 = st.childPtr[s];
    const c1 = st.childPtr[s + 1];
    // The update block is built above the children's blocks, then moved down.
    let uofs = st.stackPtr[s];
    if (c1 > c0) {
      const last = st.children[c1 - 1];
      const ql = st.rowPtr[last + 1] - st.rowPtr[last] - (st.superStart[last + 1] - st.superStart[last]);
      uofs = st.stackPtr[last] + (ql * (ql + 1)) / 2;
    }
    const usize = (q * (q + 1)) / 2;
    if (q > 0) stack.fill(0, uofs, uofs + usize);
    for (let c = c0; c < c1; c++) this.extendAdd(st.children[c], k, m, lofs, uofs, stack);
    factorPanel(L, lofs, m, k, this.symbolic.perm, f);
    if (q === 0) return;
    schurUpdate(stack, uofs, L, lofs, m, k);
    if (uofs !== st.stackPtr[s]) stack.copyWithin(st.stackPtr[s], uofs, uofs + usize);
  }

  /** Adds child's packed update block into the panel (k columns, height m) and update block of its parent. */
  private extendAdd(child: number, k: number, m: number, lofs: number, uofs: number, stack: Float64Array): void {
    const st = this.st;
    const L = this.values;
    const rel = st.relIdx;
    const kc = st.superStart[child + 1] - st.superStart[child];
    const relBase = st.rowPtr[child] + kc;
    const qc = st.rowPtr[child + 1] - relBase;
    const q = m - k;
    let src = st.stackPtr[child];
    for (let j = 0; j < qc; j++) {
      const tj = rel[relBase + j];
      if (tj < k) {
        const base = lofs + tj * m;
        for (let i = j; i < qc; i++) L[base + rel[relBase + i]] += stack[src++];
      } else {
        const c = tj - k;
        const base = uofs + c * q - (c * (c - 1)) / 2 - c - k;
        for (let i = j; i < qc; i++) stack[base + rel[relBase + i]] += stack[src++];
      }
    }
  }

  /** Solves A x = b. `out` may be given to avoid an allocation (it may not alias `b`). */
  solve(b: Float64Array, out?: Float64Array): Float64Array {
    const n = this.n;
    if (b.length < n) throw new Error(`solve: right-hand side has ${b.length} entries, expected ${n}`);
    const x = out ?? new Float64Array(n);
    const y = this.work;
    const perm = this.symbolic.perm;
    gather(b, perm, y, n);
    this.forward(y);
    this.backward(y);
    scatter(y, perm, x, n);
    return x;
  }

  /** Solves A x = b for each right-hand side. */
  solveMany(bs: readonly Float64Array[]): Float64Array[] {
    return bs.map((b) => this.solve(b));
  }

  /** y := L^{-1} y (pivot order). */
  private forward(y: Float64Array): void {
    const st = this.st;
    for (let s = 0; s < st.count; s++) {
      const f = st.superStart[s];
      const r0 = st.rowPtr[s];
      forwardSupernode(this.values, st.valuePtr[s], st.rowPtr[s + 1] - r0, st.superStart[s + 1] - f, st.rows, r0, f, y);
    }
  }

  /** y := L^{-T} y (pivot order). */
  private backward(y: Float64Array): void {
    const st = this.st;
    for (let s = st.count - 1; s >= 0; s--) {
      const f = st.superStart[s];
      const r0 = st.rowPtr[s];
      backwardSupernode(this.values, st.valuePtr[s], st.rowPtr[s + 1] - r0, st.superStart[s + 1] - f, st.rows, r0, f, y);
    }
  }
}

/**
 * Forward substitution through one supernode (m x k block at `L[lofs ..]`,
 * leading dimension m, rows `rows[r0 ..]`, first column f): columns one at a
 * time up to a multiple of four from the end, then four at a time, each
 * step updating the supernode's own rows and the rows below (scattered)
 * with one pass.
 */
function forwardSupernode(L: Float64Array, lofs: number, m: number, k: number, rows: Int32Array, r0: number, f: number, y: Float64Array): void {
  let c = 0;
  for (; c < k % 4; c++) {
    const col = lofs + c * m;
    const yc = y[f + c] / L[col + c];
    y[f + c] = yc;
    for (let r = c + 1; r < k; r++) y[f + r] -= L[col + r] * yc;
    for (let r = k; r < m; r++) y[rows[r0 + r]] -= L[col + r] * yc;
  }
  for (; c < k; c += 4) {
    const c0 = lofs + c * m;
    const c1 = c0 + m;
    const c2 = c1 + m;
    const c3 = c2 + m;
    // The 4 x 4 triangle of these columns.
    const y0 = y[f + c] / L[c0 + c];
    const y1 = (y[f + c + 1] - L[c0 + c + 1] * y0) / L[c1 + c + 1];
    const y2 = (y[f + c + 2] - L[c0 + c + 2] * y0 - L[c1 + c + 2] * y1) / L[c2 + c + 2];
    const y3 = (y[f + c + 3] - L[c0 + c + 3] * y0 - L[c1 + c + 3] * y1 - L[c2 + c + 3] * y2) / L[c3 + c + 3];
    y[f + c] = y0;
    y[f + c + 1] = y1;
    y[f + c + 2] = y2;
    y[f + c + 3] = y3;
    for (let r = c + 4; r < k; r++) y[f + r] -= L[c0 + r] * y0 + L[c1 + r] * y1 + L[c2 + r] * y2 + L[c3 + r] * y3;
    for (let r = k; r < m; r++) y[rows[r0 + r]] -= L[c0 + r] * y0 + L[c1 + r] * y1 + L[c2 + r] * y2 + L[c3 + r] * y3;
  }
}

/**
 * Back substitution through one supernode (see {@link forwardSupernode}):
 * four columns at a time from the end, each step gathering the rows below
 * and the later rows of the supernode in one pass, then the leading columns
 * one at a time.
 */
function backwardSupernode(L: Float64Array, lofs: number, m: number, k: number, rows: Int32Array, r0: number, f: number, y: Float64Array): void {
  const head = k % 4;
  for (let c = k - 4; c >= head; c -= 4) {
    const c0 = lofs + c * m;
    const c1 = c0 + m;
    const c2 = c1 + m;
    const c3 = c2 + m;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let r = c + 4; r < k; r++) {
      const g = y[f + r];
      s0 += L[c0 + r] * g;
      s1 += L[c1 + r] * g;
      s2 += L[c2 + r] * g;
      s3 += L[c3 + r] * g;
    }
    for (let r = k; r < m; r++) {
      const g = y[rows[r0 + r]];
      s0 += L[c0 + r] * g;
      s1 += L[c1 + r] * g;
      s2 += L[c2 + r] * g;
      s3 += L[c3 + r] * g;
    }
    // The transposed 4 x 4 triangle of these columns.
    const y3 = (y[f + c + 3] - s3) / L[c3 + c + 3];
    const y2 = (y[f + c + 2] - s2 - L[c2 + c + 3] * y3) / L[c2 + c + 2];
    const y1 = (y[f + c + 1] - s1 - L[c1 + c + 2] * y2 - L[c1 + c + 3] * y3) / L[c1 + c + 1];
    const y0 = (y[f + c] - s0 - L[c0 + c + 1] * y1 - L[c0 + c + 2] * y2 - L[c0 + c + 3] * y3) / L[c0 + c];
    y[f + c] = y0;
    y[f + c + 1] = y1;
    y[f + c + 2] = y2;
    y[f + c + 3] = y3;
  }
  for (let c = head - 1; c >= 0; c--) {
    const col = lofs + c * m;
    let sum = y[f + c];
    for (let r = c + 1; r < k; r++) sum -= L[col + r] * y[f + r];
    for (let r = k; r < m; r++) sum -= L[col + r] * y[rows[r0 + r]];
    y[f + c] = sum / L[col + c];
  }
}

/** y[k] = b[perm[k]]. */
function gather(b: Float64Array, perm: Int32Array, y: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) y[k] = b[perm[k]];
}

/** x[perm[k]] = y[k]. */
function scatter(y: Float64Array, perm: Int32Array, x: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) x[perm[k]] = y[k];
}

/**
 * Dense Cholesky of the m x k panel at `L[lofs ..]` (column-major, leading
 * dimension m): the top k x k block becomes lower triangular L11 and the
 * rows below become L21 = A21 L11^{-T}. Left-looking, two columns at a time.
 */
function factorPanel(L: Float64Array, lofs: number, m: number, k: number, perm: Int32Array, f: number): void {
  let j = 0;
  for (; j + 1 < k; j += 2) {
    const colA = lofs + j * m;
    const colB = colA + m;
    subtractOuterPair(L, colA, colB, L, lofs, m, j, j, m);
    scaleColumn(L, colA, j, m, perm, f);
    // Column j + 1 also depends on the column j just finished.
    const b = L[colA + j + 1];
    if (b !== 0) for (let r = j + 1; r < m; r++) L[colB + r] -= b * L[colA + r];
    scaleColumn(L, colB, j + 1, m, perm, f);
  }
  if (j < k) {
    const col = lofs + j * m;
    subtractOuter(L, col, L, lofs, m, j, j, j, m);
    scaleColumn(L, col, j, m, perm, f);
  }
}

/** Takes the square root of pivot (j, j) of the column at `col` and divides the rows below by it. */
function scaleColumn(L: Float64Array, col: number, j: number, m: number, perm: Int32Array, f: number): void {
  const d = L[col + j];
  if (!(d > 0 && d < Infinity)) {
    throw new Error(`matrix is not positive definite: pivot ${d} at row ${perm[f + j]} (elimination step ${f + j})`);
  }
  const diag = Math.sqrt(d);
  L[col + j] = diag;
  const inv = 1 / diag;
  for (let r = j + 1; r < m; r++) L[col + r] *= inv;
}

/**
 * Update block of a supernode: U -= L21 L21^T, with U the packed lower
 * triangle (q = m - k rows; column c holds local rows c .. q - 1) at
 * `U[uofs ..]` and L21 the rows k .. m - 1 of the panel at `L[lofs ..]`.
 * Two packed columns at a time.
 */
function schurUpdate(U: Float64Array, uofs: number, L: Float64Array, lofs: number, m: number, k: number): void {
  const q = m - k;
  let c = 0;
  // Offsets such that U[t + r] is row r (a panel row, k <= r < m) of packed column c.
  for (; c + 1 < q; c += 2) {
    const ta = uofs + c * q - (c * (c - 1)) / 2 - c - k;
    const tb = ta + q - c - 1;
    subtractOuterPair(U, ta, tb, L, lofs, m, k, k + c, m);
  }
  if (c < q) subtractOuter(U, uofs + c * q - (c * (c - 1)) / 2 - c - k, L, lofs, m, k, k + c, k + c, m);
}

/**
 * Column update T[tb + r] -= sum_{p < count} S[sb + p ld + row] S[sb + p ld + r]
 * for r in [r0, r1): subtracts `count` source columns of leading dimension
 * `ld`, weighted by their entries in row `row`. Unrolled by four columns.
 */
function subtractOuter(
  T: Float64Array,
  tb: number,
  S: Float64Array,
  sb: number,
  ld: number,
  count: number,
  row: number,
  r0: number,
  r1: number,
): void {
  let p = 0;
  for (; p + 4 <= count; p += 4) {
    const s0 = sb + p * ld;
    const s1 = s0 + ld;
    const s2 = s1 + ld;
    const s3 = s2 + ld;
    const a0 = S[s0 + row];
    const a1 = S[s1 + row];
    const a2 = S[s2 + row];
    const a3 = S[s3 + row];
    if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
    for (let r = r0; r < r1; r++) {
      T[tb + r] -= a0 * S[s0 + r] + a1 * S[s1 + r] + a2 * S[s2 + r] + a3 * S[s3 + r];
    }
  }
  for (; p < count; p++) {
    const s0 = sb + p * ld;
    const a0 = S[s0 + row];
    if (a0 === 0) continue;
    for (let r = r0; r < r1; r++) T[tb + r] -= a0 * S[s0 + r];
  }
}

/**
 * Two column updates sharing their source loads: column A (at `ta`, weights
 * from row `row`) over rows row .. r1 - 1 and column B (at `tb`, weights from
 * row `row + 1`) over rows row + 1 .. r1 - 1, as in {@link subtractOuter}.
 * Each source value loaded feeds four multiply-adds.
 */
function subtractOuterPair(
  T: Float64Array,
  ta: number,
  tb: number,
  S: Float64Array,
  sb: number,
  ld: number,
  count: number,
  row: number,
  r1: number,
): void {
  const rowB = row + 1;
  let p = 0;
  for (; p + 4 <= count; p += 4) {
    const s0 = sb + p * ld;
    const s1 = s0 + ld;
    const s2 = s1 + ld;
    const s3 = s2 + ld;
    const a0 = S[s0 + row];
    const a1 = S[s1 + row];
    const a2 = S[s2 + row];
    const a3 = S[s3 + row];
    const b0 = S[s0 + rowB];
    const b1 = S[s1 + rowB];
    const b2 = S[s2 + rowB];
    const b3 = S[s3 + rowB];
    if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0 && b0 === 0 && b1 === 0 && b2 === 0 && b3 === 0) continue;
    T[ta + row] -= a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3;
    for (let r = rowB; r < r1; r++) {
      const x0 = S[s0 + r];
      const x1 = S[s1 + r];
      const x2 = S[s2 + r];
      const x3 = S[s3 + r];
      T[ta + r] -= a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
      T[tb + r] -= b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
    }
  }
  for (; p < count; p++) {
    const s0 = sb + p * ld;
    const a0 = S[s0 + row];
    const b0 = S[s0 + rowB];
    if (a0 === 0 && b0 === 0) continue;
    T[ta + row] -= a0 * a0;
    for (let r = rowB; r < r1; r++) {
      const x0 = S[s0 + r];
      T[ta + r] -= a0 * x0;
      T[tb + r] -= b0 * x0;
    }
  }
}
