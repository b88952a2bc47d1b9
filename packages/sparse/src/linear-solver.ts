/**
 * The one entry point callers use to solve with a symmetric positive
 * definite matrix whose pattern is fixed and whose values change:
 *
 *   const plan = planSolver(pattern);       // symbolic work, once
 *   const f = plan.factor(A);               // numeric work, per value update
 *   const x = f.solve(b);                   // per right-hand side
 *
 * `'auto'` runs the symbolic Cholesky analysis (fill-reducing ordering,
 * column counts) and uses Cholesky when the fill nnz(L) / nnz(tril(A)) is at
 * most `fillLimit` and L fits the memory cap; otherwise conjugate gradients.
 * The symbolic analysis is done for CG plans too, so `nnzL` is always exact.
 *
 * A plan recycles numeric storage: only its latest LIVE_FACTORIZATIONS
 * factorizations stay usable (older ones throw a clear error when used).
 */

import { CgOptions, ConjugateGradient } from './conjugate-gradient';
import { CsrMatrix } from './csr-matrix';
import { PreconditionerKind } from './preconditioner';
import { SparseCholesky } from './sparse-cholesky';
import { SymbolicCholesky } from './symbolic-cholesky';

export type SolverMethod = 'auto' | 'cholesky' | 'cg';

export interface SolverOptions {
  method?: SolverMethod;
  /**
   * Fill-reducing ordering. Default 'auto': AMD and nested dissection are
   * both analysed and the one predicting fewer flops is used.
   */
  ordering?: 'amd' | 'natural' | 'nested-dissection' | 'auto';
  /** CG relative residual tolerance (default 1e-12). */
  cgTolerance?: number;
  /** CG iteration cap (default 10 n). */
  cgMaxIterations?: number;
  /** CG preconditioner (default 'two-level': Jacobi plus a correction on the all-ones vector; see PreconditionerKind). */
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
  /** Why this method was picked, e.g. 'fill 3.2x nnz(A) <= limit 20 (amd ordering)'. */
  readonly reason: string;
  factor(A: CsrMatrix): Factorization;
}

/**
 * Default fill limit of 'auto'. Measured: 2-D grid Laplacians fill 3.9x
 * (30x30), 6.6x (100x100), 8.9x (316x316; 11x with AMD alone), growing
 * like log n; random graphs of mean degree 4 fill 33x at 3000 nodes and
 * 105x at 10^4 nodes, where CG is far cheaper than the factorization.
 */
export const DEFAULT_FILL_LIMIT = 20;

/**
 * Default CG preconditioner of plans. Measured on the benchmark random graph
 * (10^4 nodes, mean degree 4, 10 grounds, rtol 1e-10): Jacobi 66 iterations,
 * two-level 50 (each iteration a few percent dearer), IC(0) 29 but three
 * times dearer per iteration.
 */
export const DEFAULT_CG_PRECONDITIONER: PreconditionerKind = 'two-level';

/** Default cap on nnz(L) for 'auto' (8 bytes each: 400 MB). */
export const DEFAULT_MAX_FACTOR_ENTRIES = 5e7;

/** Plans how to solve with matrices of the (symmetric) pattern of `pattern`. */
export function planSolver(pattern: CsrMatrix, options: SolverOptions = {}): SolverPlan {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'cholesky' && method !== 'cg') {
    throw new Error(`planSolver: unknown method '${String(method)}'`);
  }
  const symbolic = SymbolicCholesky.analyze(pattern, { ordering: options.ordering ?? 'auto' });
  const fillLimit = options.fillLimit ?? DEFAULT_FILL_LIMIT;
  const maxEntries = options.maxFactorEntries ?? DEFAULT_MAX_FACTOR_ENTRIES;
  const fill = symbolic.fill;
  const fillText = `fill ${fill.toFixed(1)}x nnz(A)`;
  let chosen: 'cholesky' | 'cg';
  let reason: string;
  if (method === 'cholesky') {
    chosen = 'cholesky';
    reason = `requested cholesky: ${fillText}`;
  } else if (method === 'cg') {
    chosen = 'cg';
    reason = `requested cg: ${fillText}`;
  } else if (fill > fillLimit) {
    chosen = 'cg';
    reason = `${fillText} > limit ${fillLimit}`;
  } else if (symbolic.nnzL > maxEntries) {
    chosen = 'cg';
    reason = `nnz(L) ${symbolic.nnzL} > memory cap ${maxEntries}, ${fillText}`;
  } else {
    chosen = 'cholesky';
    reason = `${fillText} <= limit ${fillLimit}`;
  }
  reason += ` (${symbolic.ordering} ordering)`;
  const base = { n: pattern.rows, nnzA: pattern.rowPtr[pattern.rows], nnzL: symbolic.nnzL, reason };
  if (chosen === 'cholesky') {
    symbolic.supernodes(); // the rest of the symbolic work, now rather than at the first factor
    const pool = new EnginePool('cholesky', (A) => SparseCholesky.factor(A, symbolic));
    return { ...base, method: 'cholesky', factor: (A) => pool.factor(A) };
  }
  const cgOptions: CgOptions = {
    tolerance: options.cgTolerance,
    maxIterations: options.cgMaxIterations,
    preconditioner: options.cgPreconditioner ?? DEFAULT_CG_PRECONDITIONER,
  };
  const pool = new EnginePool('cg', (A) => new CgEngine(A, cgOptions));
  return {
    ...base,
    method: 'cg',
    factor: (A) => {
      symbolic.assertSamePattern(A);
      return pool.factor(A);
    },
  };
}

/**
 * How many factorizations of one plan stay usable. Numeric storage is
 * recycled: the third `plan.factor` call reuses the storage of the first
 * factorization, which from then on throws when used. Fresh large buffers
 * are expensive (the first touch of each memory page faults), and callers
 * typically replace a factor after each parameter update, so reuse pays.
 */
export const LIVE_FACTORIZATIONS = 2;

/** The numeric object behind a factorization: a Cholesky factor or a CG solver. */
interface Engine {
  readonly n: number;
  /** Recomputes for new values of the same pattern, reusing storage. */
  refactor(A: CsrMatrix): void;
  solve(b: Float64Array, out?: Float64Array): Float64Array;
}

/** Engines of one plan; the oldest is recycled once {@link LIVE_FACTORIZATIONS} exist. */
class EnginePool {
  private readonly live: { engine: Engine; holder: PooledFactorization | null }[] = [];

  constructor(
    private readonly method: 'cholesky' | 'cg',
    private readonly create: (A: CsrMatrix) => Engine,
  ) {}

  factor(A: CsrMatrix): Factorization {
    let entry: { engine: Engine; holder: PooledFactorization | null };
    if (this.live.length < LIVE_FACTORIZATIONS) {
      entry = { engine: this.create(A), holder: null };
    } else {
      entry = this.live.shift() as { engine: Engine; holder: PooledFactorization | null };
      entry.holder?.retire();
      entry.holder = null;
      try {
        entry.engine.refactor(A);
      } catch (error) {
        this.live.unshift(entry); // keep the storage for the next attempt
        throw error;
      }
    }
    const factorization = new PooledFactorization(this.method, entry.engine);
    entry.holder = factorization;
    this.live.push(entry);
    return factorization;
  }
}

/** A {@link Factorization} whose engine may be taken back by its pool. */
class PooledFactorization implements Factorization {
  readonly n: number;
  private engine: Engine | null;

  constructor(
    readonly method: 'cholesky' | 'cg',
    engine: Engine,
  ) {
    this.engine = engine;
    this.n = engine.n;
  }

  /** Called by the pool when it reuses this factorization's storage. */
  retire(): void {
    this.engine = null;
  }

  solve(b: Float64Array, out?: Float64Array): Float64Array {
    if (!this.engine) {
      throw new Error(
        `this ${this.method} factorization is no longer valid: its plan has made ${LIVE_FACTORIZATIONS} newer factorizations since and reused its storage`,
      );
    }
    return this.engine.solve(b, out);
  }

  solveMany(bs: readonly Float64Array[]): Float64Array[] {
    return bs.map((b) => this.solve(b));
  }
}

/** Conjugate gradients as an {@link Engine}: "factoring" copies A and builds the preconditioner. */
class CgEngine implements Engine {
  readonly n: number;
  private readonly cg: ConjugateGradient;

  constructor(A: CsrMatrix, options: CgOptions) {
    this.n = A.rows;
    this.cg = new ConjugateGradient(A, options);
  }

  refactor(A: CsrMatrix): void {
    this.cg.refactor(A);
  }

  solve(b: Float64Array, out?: Float64Array): Float64Array {
    return this.cg.solve(b, undefined, out).x;
  }
}
