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
 * most `fillLimit`, L fits the memory cap and its predicted cost per step
 * (refactorization + two solves, {@link StepCostPrediction}) is below that
 * of conjugate gradients; otherwise conjugate gradients, preconditioned by
 * whichever of 'two-level' and 'amg' is predicted cheaper.
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
import { DEFAULT_COARSEST_SIZE, SmoothedAggregationOptions } from './smoothed-aggregation';
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
  /**
   * CG preconditioner (default 'auto': 'two-level', Jacobi plus a correction
   * on the all-ones vector, or 'amg', smoothed aggregation multigrid, by
   * predicted cost; see PreconditionerKind).
   */
  cgPreconditioner?: PreconditionerKind | 'auto';
  /** Options of the 'amg' preconditioner (`block`: dofs per node of a vector problem, for its near-null space). */
  amg?: SmoothedAggregationOptions;
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
  /** The CG preconditioner of a CG plan. */
  readonly preconditioner?: PreconditionerKind;
  /** Predicted cost of one step (new values + two solves) by each method; absent for BiCGSTAB. */
  readonly predicted?: StepCostPrediction;
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
 * The diagonal CG preconditioner plans pick when multigrid is not predicted
 * cheaper. Measured on a random graph (10^4 nodes, mean degree 4, 10
 * grounds, rtol 1e-10): Jacobi 66 iterations, two-level 50 (each iteration a
 * few percent dearer), IC(0) 29 but three times dearer per iteration.
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
  const predicted = predictStepCost(pattern, symbolic);
  const requestedPreconditioner = options.cgPreconditioner ?? 'auto';
  const cgKind: PreconditionerKind =
    requestedPreconditioner !== 'auto' ? requestedPreconditioner : predicted.cgAmg < predicted.cgTwoLevel ? 'amg' : 'two-level';
  const cgCost = cgKind === 'amg' ? predicted.cgAmg : cgKind === 'two-level' ? predicted.cgTwoLevel : NaN;
  const costText = (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;
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
  } else if (cgCost < predicted.cholesky) {
    chosen = 'cg';
    reason = `predicted step ${costText(cgCost)} with cg < ${costText(predicted.cholesky)} with cholesky, ${fillText} <= limit ${fillLimit}`;
  } else {
    chosen = 'cholesky';
    reason = `${fillText} <= limit ${fillLimit}`;
  }
  reason += ` (${symbolic.ordering} ordering)`;
  if (chosen === 'cg') reason += `; ${cgKind} preconditioner`;
  const base = { n: pattern.rows, nnzA: pattern.rowPtr[pattern.rows], nnzL: symbolic.nnzL, reason, predicted };
  if (chosen === 'cholesky') {
    symbolic.supernodes(); // the rest of the symbolic work, now rather than at the first factor
    const pool = new EnginePool('cholesky', (A) => SparseCholesky.factor(A, symbolic));
    return { ...base, method: 'cholesky', factor: (A) => pool.factor(A) };
  }
  const cgOptions: CgOptions = {
    tolerance: options.cgTolerance,
    maxIterations: options.cgMaxIterations,
    preconditioner: cgKind,
    amg: options.amg,
  };
  const pool = new EnginePool('cg', (A) => new CgEngine(A, cgOptions));
  return {
    ...base,
    method: 'cg',
    preconditioner: cgKind,
    factor: (A) => {
      symbolic.assertSamePattern(A);
      return pool.factor(A);
    },
  };
}

/**
 * Predicted wall time (ms, on a machine like the one the constants were
 * measured on) of one training step: the numeric work for new values plus
 * two solves, for each method. What matters is their ratio.
 *
 *   cholesky   flops of the factorization (sum of squared column counts,
 *              about STEP_NS_PER_FLOP each: dense supernodal kernels) +
 *              4 nnz(L) for the two pairs of triangular solves;
 *   cg         iterations x (nnz(A) + 8 n) per solve, each entry
 *              STEP_NS_PER_ENTRY, slower once the vectors leave the caches.
 *              Jacobi plus the constant mode ('two-level') needs about
 *              3 D + 15 iterations at rtol 1e-10 on a grounded Laplacian of
 *              graph diameter D (measured on grids, lattices and random
 *              regular graphs), the 15 shrinking as 8 / mean degree on
 *              denser graphs (a layered network: 10); smoothed aggregation about
 *              4 log10(n) + 2, with a V-cycle of about 4.5 nnz(A) + 2 n and a
 *              refresh (Galerkin products) of about 10 nnz(A); not a
 *              candidate (Infinity) below 4 coarsest levels of rows.
 */
export interface StepCostPrediction {
  readonly cholesky: number;
  readonly cgTwoLevel: number;
  readonly cgAmg: number;
  /** The graph diameter estimate (double-sweep breadth-first search) the CG predictions use. */
  readonly diameter: number;
}

/** Measured cost of one unit of factorization flops (sum of squared column counts), ns. */
const STEP_NS_PER_FLOP = 0.65;
/** Measured cost of one matrix entry or vector entry visited by a sparse pass with data in cache, ns. */
const STEP_NS_PER_ENTRY = 1.5;

/** Slowdown of sparse passes whose working set (bytes) exceeds the caches (2 MiB level 2, 32 MiB level 3). */
function memoryFactor(bytes: number): number {
  return bytes <= 2 * 2 ** 20 ? 1 : bytes <= 32 * 2 ** 20 ? 1.3 : 1.6;
}

function predictStepCost(pattern: CsrMatrix, symbolic: SymbolicCholesky): StepCostPrediction {
  const n = pattern.rows;
  const nnzA = pattern.rowPtr[n];
  const diameter = graphDiameter(pattern);
  const ms = 1e-6;
  const cholesky =
    (STEP_NS_PER_FLOP * symbolic.flops + STEP_NS_PER_ENTRY * memoryFactor(12 * symbolic.nnzL) * 4 * symbolic.nnzL) * ms;
  const cgBytes = 12 * nnzA + 48 * n;
  const perIteration = nnzA + 8 * n;
  // Dense graphs (a layered network: mean degree in the hundreds) mix faster: the constant term shrinks with the degree.
  const meanDegree = nnzA / Math.max(n, 1);
  const twoLevelIterations = 3 * diameter + 15 * Math.min(1, 8 / meanDegree);
  const cgTwoLevel = STEP_NS_PER_ENTRY * memoryFactor(cgBytes) * 2 * twoLevelIterations * perIteration * ms;
  const amgIterations = 4 * Math.log10(Math.max(n, 10)) + 2;
  const cycle = 4.5 * nnzA + 2 * n;
  // Below a few coarsest levels' worth of rows the hierarchy would be a dense factorization: not a candidate.
  const cgAmg =
    n <= 4 * DEFAULT_COARSEST_SIZE
      ? Infinity
      : STEP_NS_PER_ENTRY * memoryFactor(3 * cgBytes) * (10 * nnzA + 2 * amgIterations * (perIteration + cycle)) * ms;
  return { cholesky, cgTwoLevel, cgAmg, diameter };
}

/** Diameter estimate of the graph of a symmetric pattern: the eccentricity found by two breadth-first sweeps. */
function graphDiameter(A: CsrMatrix): number {
  const n = A.rows;
  if (n === 0) return 0;
  const dist = new Int32Array(n);
  const queue = new Int32Array(n);
  const sweep = (source: number): number => {
    dist.fill(-1);
    let head = 0;
    let tail = 0;
    queue[tail++] = source;
    dist[source] = 0;
    let last = source;
    while (head < tail) {
      const i = queue[head++];
      last = i;
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
        const j = A.colIdx[p];
        if (dist[j] < 0) {
          dist[j] = dist[i] + 1;
          queue[tail++] = j;
        }
      }
    }
    return last;
  };
  const far = sweep(0);
  return dist[sweep(far)];
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
  /** Whether solves start from a guess (iterative engines). */
  readonly startsFromGuess?: boolean;
  /** Whether ||b - A x|| < ||b|| (iterative engines). */
  closerThanZero?(b: Float64Array, x: Float64Array): boolean;
  /** Solves two right-hand sides at once, both from zero (iterative engines that can). */
  solvePair?(b0: Float64Array, b1: Float64Array): [Float64Array, Float64Array];
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
    if (!this.engine?.startsFromGuess) return bs.map((b, i) => this.solve(b, undefined, guesses?.[i]));
    const engine = this.engine;
    const out: Float64Array[] = [];
    // Without guesses, an engine that solves two right-hand sides in one
    // pass over the matrix (CG, where that pays) takes them two at a time:
    // cheaper than solving the second from the first's solution.
    let i = 0;
    if (engine.solvePair && !guesses?.some((g) => g !== undefined)) {
      for (; i + 1 < bs.length; i += 2) out.push(...engine.solvePair(bs[i], bs[i + 1]));
    }
    // Otherwise an iterative engine starts each right-hand side without a
    // guess of its own from the previous solution when that is closer than
    // zero (the states of a training step differ by a nudge).
    for (; i < bs.length; i++) {
      let guess = guesses?.[i];
      if (!guess && i > 0 && engine.closerThanZero?.(bs[i], out[i - 1])) guess = out[i - 1];
      out.push(this.solve(bs[i], undefined, guess));
    }
    return out;
  }
}

/** Conjugate gradients as an {@link Engine}: "factoring" copies A and builds the preconditioner. */
class CgEngine implements Engine {
  readonly n: number;
  readonly startsFromGuess = true;
  private readonly cg: ConjugateGradient;

  constructor(A: CsrMatrix, options: CgOptions) {
    this.n = A.rows;
    this.cg = new ConjugateGradient(A, options);
    if (this.cg.pairsPay) {
      this.solvePair = (b0, b1) => {
        const [r0, r1] = this.cg.solvePair(b0, b1);
        return [r0.x, r1.x];
      };
    }
  }

  refactor(A: CsrMatrix): void {
    this.cg.refactor(A);
  }

  closerThanZero(b: Float64Array, x: Float64Array): boolean {
    return this.cg.residualNorm(b, x) < normOf(b);
  }

  solve(b: Float64Array, out?: Float64Array, guess?: Float64Array): Float64Array {
    return this.cg.solve(b, guess, out).x;
  }

  /** Present when solving two right-hand sides together is the cheaper way (see ConjugateGradient.pairsPay). */
  readonly solvePair?: (b0: Float64Array, b1: Float64Array) => [Float64Array, Float64Array];
}

/** BiCGSTAB as an {@link Engine}: "factoring" builds the preconditioner for the new values. */
class BicgstabEngine implements Engine {
  readonly n: number;
  readonly startsFromGuess = false;
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

function normOf(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
