/**
 * Symbolic analysis of a sparse Cholesky factorization L L^T = P A P^T,
 * done once per sparsity pattern: fill-reducing ordering, elimination tree
 * (postordered, so that subtrees are contiguous column ranges), column
 * counts of L, nnz(L), a flop estimate, and, on demand, the supernodal
 * layout the numeric factorization uses.
 */

import { CsrMatrix, csrHasSymmetricPattern } from './csr-matrix';
import {
  PermutedAdjacency,
  columnCounts,
  eliminationTree,
  permutedAdjacency,
  postorder,
  rowPatternOfL,
} from './elimination-tree';
import { OrderingMethod, computeOrdering, invertPermutation, isPermutation } from './ordering';
import {
  DEFAULT_RELAXATION,
  SupernodalStructure,
  SupernodeRelaxation,
  buildSupernodalStructure,
} from './supernodal-structure';

/**
 * How to order: a fill-reducing method, 'auto' (AMD and nested dissection
 * both analysed, the one with fewer predicted flops kept), or an explicit
 * permutation (perm[k] = original index of the k-th pivot).
 */
export type OrderingChoice = OrderingMethod | 'auto' | Int32Array;

/** Options of {@link SymbolicCholesky.analyze}. */
export interface SymbolicOptions {
  /** Default 'auto'. */
  readonly ordering?: OrderingChoice;
  /** Relaxed amalgamation of supernodes. */
  readonly relaxation?: SupernodeRelaxation;
}

/** The result of the symbolic analysis of a symmetric pattern. */
export class SymbolicCholesky {
  /** Pattern arrays of the analysed matrix (to check later matrices against). */
  private readonly patternRowPtr: Int32Array;
  private readonly patternColIdx: Int32Array;
  private layout: SupernodalStructure | null = null;

  private constructor(
    private readonly pattern: CsrMatrix,
    /** Order of unknowns. */
    readonly n: number,
    /** perm[k] = original index of the k-th pivot (already postordered). */
    readonly perm: Int32Array,
    /** invPerm[perm[k]] = k. */
    readonly invPerm: Int32Array,
    /** Elimination tree of P A P^T; the identity is a postorder of it. */
    readonly parent: Int32Array,
    /** Entries of each column of L, diagonal included. */
    readonly colCounts: Int32Array,
    /** Permuted adjacency of A (no diagonal). */
    readonly adjacency: PermutedAdjacency,
    private readonly relaxation: SupernodeRelaxation,
    /** The fill-reducing method used ('explicit' for a given permutation). */
    readonly ordering: OrderingMethod | 'explicit',
  ) {
    this.patternRowPtr = pattern.rowPtr;
    this.patternColIdx = pattern.colIdx;
    let nnz = 0;
    let flops = 0;
    for (let j = 0; j < n; j++) {
      const c = colCounts[j];
      nnz += c;
      flops += c * c;
    }
    this.nnzL = nnz;
    this.flops = flops;
    this.nnzLowerA = (adjacency.idx.length >> 1) + n;
  }

  /** Nonzeros of L (diagonal included, no relaxation zeros). */
  readonly nnzL: number;
  /** Estimated floating point operations of the numeric factorization (sum of squared column counts). */
  readonly flops: number;
  /** Entries of the lower triangle of A, diagonal included (counted as present). */
  readonly nnzLowerA: number;

  /** Fill ratio nnz(L) / nnz(tril(A)). */
  get fill(): number {
    return this.nnzL / Math.max(1, this.nnzLowerA);
  }

  /** Analyses the symmetric pattern of `A` (values are ignored). */
  static analyze(A: CsrMatrix, options: SymbolicOptions = {}): SymbolicCholesky {
    if (A.rows !== A.cols) throw new Error(`Cholesky: matrix must be square, got ${A.rows}x${A.cols}`);
    if (!csrHasSymmetricPattern(A)) throw new Error('Cholesky: matrix pattern is not symmetric');
    const ordering = options.ordering ?? 'auto';
    const relaxation = options.relaxation ?? DEFAULT_RELAXATION;
    if (ordering === 'auto') {
      const amd = SymbolicCholesky.withOrdering(A, computeOrdering(A, 'amd'), 'amd', relaxation);
      const nd = SymbolicCholesky.withOrdering(A, computeOrdering(A, 'nested-dissection'), 'nested-dissection', relaxation);
      return nd.flops < amd.flops ? nd : amd;
    }
    if (typeof ordering === 'string') return SymbolicCholesky.withOrdering(A, computeOrdering(A, ordering), ordering, relaxation);
    return SymbolicCholesky.withOrdering(A, ordering, 'explicit', relaxation);
  }

  /** The analysis under a given fill-reducing permutation (postordered here). */
  private static withOrdering(
    A: CsrMatrix,
    fillReducing: Int32Array,
    method: OrderingMethod | 'explicit',
    relaxation: SupernodeRelaxation,
  ): SymbolicCholesky {
    const n = A.rows;
    if (!isPermutation(fillReducing, n)) throw new Error(`Cholesky: ordering is not a permutation of 0..${n - 1}`);
    // Postorder the elimination tree so that supernodes are contiguous.
    const tree = eliminationTree(A, fillReducing, invertPermutation(fillReducing));
    const post = postorder(tree);
    const perm = new Int32Array(n);
    for (let k = 0; k < n; k++) perm[k] = fillReducing[post[k]];
    const invPost = invertPermutation(post);
    const parent = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const p = tree[post[k]];
      parent[k] = p === -1 ? -1 : invPost[p];
    }
    const invPerm = invertPermutation(perm);
    const adjacency = permutedAdjacency(A, perm, invPerm);
    const counts = columnCounts(adjacency, parent);
    return new SymbolicCholesky(A, n, perm, invPerm, parent, counts, adjacency, relaxation, method);
  }

  /** The supernodal layout of L (built on first use, then cached). */
  supernodes(): SupernodalStructure {
    if (!this.layout) {
      this.layout = buildSupernodalStructure(
        {
          A: this.pattern,
          perm: this.perm,
          invPerm: this.invPerm,
          parent: this.parent,
          colCounts: this.colCounts,
          adjacency: this.adjacency,
        },
        this.relaxation,
      );
    }
    return this.layout;
  }

  /** Exact pattern of L by rows, in pivot order (see {@link rowPatternOfL}). */
  rowPatternOfL(): { ptr: Int32Array; idx: Int32Array } {
    return rowPatternOfL(this.adjacency, this.parent);
  }

  /** Throws a clear error unless `A` has exactly the analysed pattern. */
  assertSamePattern(A: CsrMatrix): void {
    const problem = this.patternMismatch(A);
    if (problem) throw new Error(`matrix pattern differs from the analysed pattern: ${problem}`);
  }

  private patternMismatch(A: CsrMatrix): string | null {
    if (A.rows !== this.n || A.cols !== this.n) return `size ${A.rows}x${A.cols}, expected ${this.n}x${this.n}`;
    if (A.rowPtr.length !== this.patternRowPtr.length) return `rowPtr length ${A.rowPtr.length}, expected ${this.patternRowPtr.length}`;
    if (A.colIdx.length !== this.patternColIdx.length) return `${A.colIdx.length} column indices, expected ${this.patternColIdx.length}`;
    if (A.values.length < this.patternColIdx.length) return `${A.values.length} values, expected ${this.patternColIdx.length}`;
    if (A.rowPtr !== this.patternRowPtr) {
      for (let i = 0; i <= this.n; i++) {
        if (A.rowPtr[i] !== this.patternRowPtr[i]) return `row ${i} starts at ${A.rowPtr[i]}, expected ${this.patternRowPtr[i]}`;
      }
    }
    if (A.colIdx !== this.patternColIdx) {
      for (let p = 0; p < A.colIdx.length; p++) {
        if (A.colIdx[p] !== this.patternColIdx[p]) return `slot ${p} has column ${A.colIdx[p]}, expected ${this.patternColIdx[p]}`;
      }
    }
    return null;
  }
}
