/**
 * Numeric sparse Cholesky factorization L L^T = P A P^T of a symmetric
 * positive definite matrix, reusing a {@link SymbolicCholesky} analysis.
 *
 * Supernodal multifrontal algorithm: supernodes are visited children first;
 * each one receives its entries of A (scattered once through a precomputed
 * slot map) and the packed update blocks its children left on a stack
 * (extend-add), factors its dense m x k panel, and pushes its own update
 * block -L21 L21^T for its parent. All dense work runs on column-major
 * Float64Array blocks with 4-way unrolled column updates.
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
    for (let c = 0; c < q; c++) {
      // Packed column c of the update holds local rows c .. q - 1; index by panel row k + c ...
      const tb = uofs + c * q - (c * (c - 1)) / 2 - c - k;
      subtractOuter(stack, tb, L, lofs, m, k, k + c, k + c, m);
    }
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
    for (let k = 0; k < n; k++) y[k] = b[perm[k]];
    this.forward(y);
    this.backward(y);
    for (let k = 0; k < n; k++) x[perm[k]] = y[k];
    return x;
  }

  /** Solves A x = b for each right-hand side. */
  solveMany(bs: readonly Float64Array[]): Float64Array[] {
    return bs.map((b) => this.solve(b));
  }

  /** y := L^{-1} y (pivot order). */
  private forward(y: Float64Array): void {
    const st = this.st;
    const L = this.values;
    const rows = st.rows;
    for (let s = 0; s < st.count; s++) {
      const f = st.superStart[s];
      const k = st.superStart[s + 1] - f;
      const r0 = st.rowPtr[s];
      const m = st.rowPtr[s + 1] - r0;
      const lofs = st.valuePtr[s];
      for (let c = 0; c < k; c++) {
        const col = lofs + c * m;
        const xc = y[f + c] / L[col + c];
        y[f + c] = xc;
        for (let r = c + 1; r < k; r++) y[f + r] -= L[col + r] * xc;
        for (let r = k; r < m; r++) y[rows[r0 + r]] -= L[col + r] * xc;
      }
    }
  }

  /** y := L^{-T} y (pivot order). */
  private backward(y: Float64Array): void {
    const st = this.st;
    const L = this.values;
    const rows = st.rows;
    for (let s = st.count - 1; s >= 0; s--) {
      const f = st.superStart[s];
      const k = st.superStart[s + 1] - f;
      const r0 = st.rowPtr[s];
      const m = st.rowPtr[s + 1] - r0;
      const lofs = st.valuePtr[s];
      for (let c = k - 1; c >= 0; c--) {
        const col = lofs + c * m;
        let sum = y[f + c];
        for (let r = c + 1; r < k; r++) sum -= L[col + r] * y[f + r];
        for (let r = k; r < m; r++) sum -= L[col + r] * y[rows[r0 + r]];
        y[f + c] = sum / L[col + c];
      }
    }
  }
}

/**
 * Dense Cholesky of the m x k panel at `L[lofs ..]` (column-major, leading
 * dimension m): the top k x k block becomes lower triangular L11 and the
 * rows below become L21 = A21 L11^{-T}. Left-looking by columns.
 */
function factorPanel(L: Float64Array, lofs: number, m: number, k: number, perm: Int32Array, f: number): void {
  for (let j = 0; j < k; j++) {
    const col = lofs + j * m;
    subtractOuter(L, col, L, lofs, m, j, j, j, m);
    const d = L[col + j];
    if (!(d > 0 && d < Infinity)) {
      throw new Error(
        `matrix is not positive definite: pivot ${d} at row ${perm[f + j]} (elimination step ${f + j})`,
      );
    }
    const diag = Math.sqrt(d);
    L[col + j] = diag;
    const inv = 1 / diag;
    for (let r = j + 1; r < m; r++) L[col + r] *= inv;
  }
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
