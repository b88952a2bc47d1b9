/**
 * The one entry point callers use to solve with a matrix whose pattern is
 * fixed and whose values change (symmetric positive definite, or any square
 * matrix with `method: 'bicgstab'`):
 *
 *   const plan = planSolver(pattern);       // symbolic work, once
 *   const f = plan.factor(A);               // numeric work, per value update
 *   const x = f.solve(b);                   // per right-hand side
 *
 * `'auto'` runs the symbolic Cholesky analysis (fill-reducing ordering,
 * column counts) and uses Cholesky when the fill nnz(L) / nnz(tril(A)) is at
 * most `fillLimit` and L fits the memory cap; otherwise conjugate gradients.
 * The symbolic analysis is done for CG plans too, so `nnzL` is always exact.
 * `'bicgstab'` (never chosen by `'auto'`, which assumes symmetry) serves
 * non-symmetric systems: "factoring" builds the ILU(0) preconditioner.
 *
 * A plan recycles numeric storage: only its latest LIVE_FACTORIZATIONS
 * factorizations stay usable (older ones throw a clear error when used).
 */

import { Bicgstab, BicgstabOptions, BicgstabPreconditioner } from './bicgstab';
import { CgOptions, ConjugateGradient } from './conjugate-gradient';
import { CsrMatrix } from './csr-matrix';
import { PreconditionerKind } from './preconditioner';
import { SparseCholesky } from './sparse-cholesky';
import { SymbolicCholesky } from './symbolic-cholesky';

export type SolverMethod = 'auto' | 'cholesky' | 'cg' | 'bicgstab';

/** The method a plan uses. */
export type PlannedMethod = Exclude<SolverMethod, 'auto'>;

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
  /** BiCGSTAB relative residual tolerance (default 1e-12). */
  bicgstabTolerance?: number;
  /** BiCGSTAB iteration cap (default max(100, 2 n)). */
  bicgstabMaxIterations?: number;
  /** BiCGSTAB preconditioner (default 'ilu0'). */
  bicgstabPreconditioner?: BicgstabPreconditioner;
  /** Largest fill nnz(L) / nnz(tril(A)) for which 'auto' picks Cholesky (default {@link DEFAULT_FILL_LIMIT}). */
  fillLimit?: number;
  /** Largest nnz(L) for which 'auto' picks Cholesky (default {@link DEFAULT_MAX_FACTOR_ENTRIES}). */
  maxFactorEntries?: number;
}

export interface Factorization {
  readonly n: number;
  readonly method: PlannedMethod;
  /** x = A⁻¹ b into `out`; an iterative method starts from `guess` (zero when absent), a direct one ignores it. */
  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array;
  solveMany(bs: readonly Float64Array[], guesses?: readonly (Float64Array | undefined)[]): Float64Array[];
}

export interface SolverPlan {
  readonly n: number;
  readonly method: PlannedMethod;
  readonly nnzA: number;
  /** nnz(L) of the Cholesky factor under the chosen ordering (computed for CG plans too; 0 for BiCGSTAB, which has none). */
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
  if (method !== 'auto' && method !== 'cholesky' && method !== 'cg' && method !== 'bicgstab') {
    throw new Error(`planSolver: unknown method '${String(method)}'`);
  }
  if (method === 'bicgstab') return planBicgstab(pattern, options);
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

/** A BiCGSTAB plan: no symbolic work; each "factorization" builds the preconditioner for new values. */
function planBicgstab(pattern: CsrMatrix, options: SolverOptions): SolverPlan {
  if (pattern.rows !== pattern.cols) throw new Error(`planSolver: BiCGSTAB needs a square matrix, got ${pattern.rows}x${pattern.cols}`);
  const bicgstabOptions: BicgstabOptions = {
    tolerance: options.bicgstabTolerance,
    maxIterations: options.bicgstabMaxIterations,
    preconditioner: options.bicgstabPreconditioner ?? 'ilu0',
  };
  const pool = new EnginePool('bicgstab', (A) => new BicgstabEngine(A, bicgstabOptions));
  return {
    n: pattern.rows,
    method: 'bicgstab',
    nnzA: pattern.rowPtr[pattern.rows],
    nnzL: 0,
    reason: `requested bicgstab (${bicgstabOptions.preconditioner} preconditioner)`,
    factor: (A) => {
      assertSamePattern(pattern, A);
      return pool.factor(A);
    },
  };
}

/** Throws unless A has exactly the pattern a plan was made for. */
function assertSamePattern(pattern: CsrMatrix, A: CsrMatrix): void {
  const same =
    A.rows === pattern.rows &&
    A.cols === pattern.cols &&
    (A.rowPtr === pattern.rowPtr || A.rowPtr.every((x, i) => x === pattern.rowPtr[i])) &&
    (A.colIdx === pattern.colIdx || A.colIdx.every((x, i) => x === pattern.colIdx[i]));
  if (!same) throw new Error('factor: the matrix pattern differs from the one this plan was made for');
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
  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array;
}

/** Engines of one plan; the oldest is recycled once {@link LIVE_FACTORIZATIONS} exist. */
class EnginePool {
  private readonly live: { engine: Engine; holder: PooledFactorization | null }[] = [];

  constructor(
    private readonly method: PlannedMethod,
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
    readonly method: PlannedMethod,
    engine: Engine,
  ) {
    this.engine = engine;
    this.n = engine.n;
  }

  /** Called by the pool when it reuses this factorization's storage. */
  retire(): void {
    this.engine = null;
  }

  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array {
    if (!this.engine) {
      throw new Error(
        `this ${this.method} factorization is no longer valid: its plan has made ${LIVE_FACTORIZATIONS} newer factorizations since and reused its storage`,
      );
    }
    return this.engine.solve(b, out, guess);
  }

  solveMany(bs: readonly Float64Array[], guesses?: readonly (Float64Array | undefined)[]): Float64Array[] {
    return bs.map((b, i) => this.solve(b, undefined, guesses?.[i]));
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

  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array {
    return this.cg.solve(b, guess, out).x;
  }
}

/** BiCGSTAB as an {@link Engine}: "factoring" builds the preconditioner for the new values. */
class BicgstabEngine implements Engine {
  readonly n: number;
  private solver: Bicgstab;

  constructor(
    A: CsrMatrix,
    private readonly options: BicgstabOptions,
  ) {
    this.n = A.rows;
    this.solver = new Bicgstab(A, options);
  }

  refactor(A: CsrMatrix): void {
    this.solver = new Bicgstab(A, this.options);
  }

  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array {
    return this.solver.solve(b, guess, out).x;
  }
}
