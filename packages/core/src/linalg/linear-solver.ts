/**
 * The one entry point callers use to solve with a symmetric positive
 * definite matrix whose pattern is fixed and whose values change:
 *
 *   const plan = planSolver(pattern);       // symbolic work, once
 *   const f = plan.factor(A);               // numeric work, per value update
 *   const x = f.solve(b);                   // per right-hand side
 *
 * `'auto'` runs the symbolic Cholesky analysis (AMD ordering, column counts)
 * and uses Cholesky when the fill nnz(L) / nnz(tril(A)) is at most
 * `fillLimit` and L fits the memory cap; otherwise conjugate gradients.
 */

import { ConjugateGradient } from './conjugate-gradient';
import { CsrMatrix } from './csr-matrix';
import { PreconditionerKind } from './preconditioner';
import { SparseCholesky } from './sparse-cholesky';
import { SymbolicCholesky } from './symbolic-cholesky';

export type SolverMethod = 'auto' | 'cholesky' | 'cg';

export interface SolverOptions {
  method?: SolverMethod;
  ordering?: 'amd' | 'natural';
  /** CG relative residual tolerance (default 1e-12). */
  cgTolerance?: number;
  /** CG iteration cap (default 10 n). */
  cgMaxIterations?: number;
  cgPreconditioner?: PreconditionerKind;
  /** Largest fill nnz(L) / nnz(tril(A)) for which 'auto' picks Cholesky (default {@link DEFAULT_FILL_LIMIT}). */
  fillLimit?: number;
  /** Largest nnz(L) for which 'auto' picks Cholesky (default {@link DEFAULT_MAX_FACTOR_ENTRIES}). */
  maxFactorEntries?: number;
}

export interface Factorization {
  readonly n: number;
  readonly method: 'cholesky' | 'cg';
  solve(b: Float64Array, out?: Float64Array): Float64Array;
  solveMany(bs: readonly Float64Array[]): Float64Array[];
}

export interface SolverPlan {
  readonly n: number;
  readonly method: 'cholesky' | 'cg';
  readonly nnzA: number;
  /** nnz(L) of the Cholesky factor under the chosen ordering (computed for CG plans too). */
  readonly nnzL: number;
  /** Why this method was picked, e.g. 'fill 3.2x nnz(A) <= limit 40'. */
  readonly reason: string;
  factor(A: CsrMatrix): Factorization;
}

/**
 * Default fill limit of 'auto'. Measured with AMD: 2-D grid Laplacians fill
 * 3.9x (30x30), 6.9x (100x100), 11x (316x316), growing like log n; random
 * graphs of mean degree 4 fill 33x at 3000 nodes and 107x at 10^4 nodes,
 * where Jacobi CG is far cheaper than the factorization.
 */
export const DEFAULT_FILL_LIMIT = 20;

/** Default cap on nnz(L) for 'auto' (8 bytes each: 400 MB). */
export const DEFAULT_MAX_FACTOR_ENTRIES = 5e7;

/** Plans how to solve with matrices of the (symmetric) pattern of `pattern`. */
export function planSolver(pattern: CsrMatrix, options: SolverOptions = {}): SolverPlan {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'cholesky' && method !== 'cg') {
    throw new Error(`planSolver: unknown method '${String(method)}'`);
  }
  const symbolic = SymbolicCholesky.analyze(pattern, { ordering: options.ordering ?? 'amd' });
  const fillLimit = options.fillLimit ?? DEFAULT_FILL_LIMIT;
  const maxEntries = options.maxFactorEntries ?? DEFAULT_MAX_FACTOR_ENTRIES;
  const fill = symbolic.fill;
  const fillText = `fill ${fill.toFixed(1)}x nnz(A)`;
  let chosen: 'cholesky' | 'cg';
  let reason: string;
  if (method === 'cholesky') {
    chosen = 'cholesky';
    reason = `requested cholesky (${fillText})`;
  } else if (method === 'cg') {
    chosen = 'cg';
    reason = `requested cg (${fillText})`;
  } else if (fill > fillLimit) {
    chosen = 'cg';
    reason = `${fillText} > limit ${fillLimit}`;
  } else if (symbolic.nnzL > maxEntries) {
    chosen = 'cg';
    reason = `nnz(L) ${symbolic.nnzL} > memory cap ${maxEntries} (${fillText})`;
  } else {
    chosen = 'cholesky';
    reason = `${fillText} <= limit ${fillLimit}`;
  }
  const base = { n: pattern.rows, nnzA: pattern.rowPtr[pattern.rows], nnzL: symbolic.nnzL, reason };
  if (chosen === 'cholesky') {
    symbolic.supernodes(); // the rest of the symbolic work, now rather than at the first factor
    return {
      ...base,
      method: 'cholesky',
      factor: (A) => new CholeskyFactorization(SparseCholesky.factor(A, symbolic)),
    };
  }
  return {
    ...base,
    method: 'cg',
    factor: (A) => {
      symbolic.assertSamePattern(A);
      return new CgFactorization(A, options);
    },
  };
}

/** A {@link Factorization} backed by a sparse Cholesky factor. */
class CholeskyFactorization implements Factorization {
  readonly method = 'cholesky' as const;
  readonly n: number;

  constructor(private readonly chol: SparseCholesky) {
    this.n = chol.n;
  }

  solve(b: Float64Array, out?: Float64Array): Float64Array {
    return this.chol.solve(b, out);
  }

  solveMany(bs: readonly Float64Array[]): Float64Array[] {
    return this.chol.solveMany(bs);
  }
}

/**
 * A {@link Factorization} backed by preconditioned CG: "factoring" builds the
 * preconditioner from a snapshot of A's values; each solve iterates.
 */
class CgFactorization implements Factorization {
  readonly method = 'cg' as const;
  readonly n: number;
  private readonly cg: ConjugateGradient;

  constructor(A: CsrMatrix, options: SolverOptions) {
    this.n = A.rows;
    // Snapshot the values: the caller may update A in place for the next factor.
    const snapshot: CsrMatrix = { rows: A.rows, cols: A.cols, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values.slice() };
    this.cg = new ConjugateGradient(snapshot, {
      tolerance: options.cgTolerance,
      maxIterations: options.cgMaxIterations,
      preconditioner: options.cgPreconditioner,
    });
  }

  solve(b: Float64Array, out?: Float64Array): Float64Array {
    return this.cg.solve(b, undefined, out).x;
  }

  solveMany(bs: readonly Float64Array[]): Float64Array[] {
    return bs.map((b) => this.solve(b));
  }
}
