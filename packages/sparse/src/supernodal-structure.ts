/**
 * The supernodal layout of a Cholesky factor, computed once per pattern.
 *
 * A supernode is a run of consecutive columns f .. f + k - 1 of L (in the
 * postordered pivot order) that share one row structure: rows
 * `rows[rowPtr[s] .. rowPtr[s + 1] - 1]` (m of them, ascending), the first k
 * being the supernode's own columns. Its values are a dense column-major
 * m x k block at `valuePtr[s]` (the strict upper triangle of the top k x k
 * block is unused). Small supernodes are merged with their parent when that
 * adds few explicit zeros (relaxed amalgamation), so dense kernels pay off.
 *
 * The numeric factorization is multifrontal: each supernode assembles its
 * entries of A and the update blocks of its children, factors its columns,
 * and leaves a packed lower-triangular update block (q = m - k rows) on a
 * stack for its parent. The stack positions are fixed here.
 */

import { CsrMatrix, csrFindSlot } from './csr-matrix';
import { PermutedAdjacency } from './elimination-tree';

/** Relaxed amalgamation thresholds (as in CHOLMOD): merge a child into its parent when the
 * merged supernode has at most `columns[0]` columns, or at most `columns[t]` columns
 * and a fraction of explicit zeros below `zeros[t - 1]`, or any size below `zeros[2]`. */
export interface SupernodeRelaxation {
  readonly columns: readonly [number, number, number];
  readonly zeros: readonly [number, number, number];
}

/** Default relaxation. */
export const DEFAULT_RELAXATION: SupernodeRelaxation = { columns: [4, 16, 48], zeros: [0.8, 0.1, 0.05] };

/** Inputs of {@link buildSupernodalStructure}, all in the postordered pivot order. */
export interface SupernodeInput {
  readonly A: CsrMatrix;
  readonly perm: Int32Array;
  readonly invPerm: Int32Array;
  readonly parent: Int32Array;
  readonly colCounts: Int32Array;
  readonly adjacency: PermutedAdjacency;
}

/** The supernodal layout. All arrays are read-only by convention. */
export interface SupernodalStructure {
  readonly n: number;
  /** Number of supernodes. */
  readonly count: number;
  /** Supernode s owns columns `superStart[s] .. superStart[s + 1] - 1`. */
  readonly superStart: Int32Array;
  /** Supernode owning each column. */
  readonly colToSuper: Int32Array;
  /** Parent supernode, -1 for a root. Parents come after their children. */
  readonly superParent: Int32Array;
  /** Children of s: `children[childPtr[s] .. childPtr[s + 1] - 1]`, ascending. */
  readonly childPtr: Int32Array;
  readonly children: Int32Array;
  /** Row structure of each supernode (see the module comment). */
  readonly rowPtr: Int32Array;
  readonly rows: Int32Array;
  /** For row position t >= k of supernode s: position of that row in the parent's rows. */
  readonly relIdx: Int32Array;
  /** Offset of each supernode's dense block in the value array; `valuePtr[count]` is its length. */
  readonly valuePtr: Float64Array;
  /** Where each supernode's packed update block finally sits on the update stack. */
  readonly stackPtr: Float64Array;
  /** Update stack length needed by the factorization. */
  readonly stackSize: number;
  /** For each slot of A: index of its value in the factor storage, or -1 (upper triangle). */
  readonly slotToValue: Int32Array;
  /** Stored entries, explicit zeros included (= `valuePtr[count]` minus unused upper parts). */
  readonly storedNnz: number;
  /** Largest supernode height m and width k. */
  readonly maxRows: number;
  readonly maxCols: number;
}

/** Builds the supernodal layout of L for the analysed pattern. */
export function buildSupernodalStructure(
  input: SupernodeInput,
  relax: SupernodeRelaxation = DEFAULT_RELAXATION,
): SupernodalStructure {
  const n = input.parent.length;
  const fundamental = fundamentalSupernodes(input.parent, input.colCounts);
  const superStart = relaxSupernodes(fundamental, input.parent, input.colCounts, relax);
  const count = superStart.length - 1;
  const colToSuper = new Int32Array(n);
  for (let s = 0; s < count; s++) colToSuper.fill(s, superStart[s], superStart[s + 1]);
  const superParent = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    const p = input.parent[superStart[s + 1] - 1];
    superParent[s] = p === -1 ? -1 : colToSuper[p];
  }
  const { childPtr, children } = childLists(superParent);
  const { rowPtr, rows } = rowStructures(superStart, childPtr, children, input.adjacency);
  const relIdx = relativeIndices(superStart, superParent, rowPtr, rows, n);
  const valuePtr = new Float64Array(count + 1);
  let storedNnz = 0;
  let maxRows = 0;
  let maxCols = 0;
  for (let s = 0; s < count; s++) {
    const k = superStart[s + 1] - superStart[s];
    const m = rowPtr[s + 1] - rowPtr[s];
    valuePtr[s + 1] = valuePtr[s] + m * k;
    storedNnz += m * k - (k * (k - 1)) / 2;
    maxRows = Math.max(maxRows, m);
    maxCols = Math.max(maxCols, k);
  }
  if (valuePtr[count] > 0x7fffffff) {
    throw new Error(`Cholesky factor too large: ${valuePtr[count]} stored values`);
  }
  const { stackPtr, stackSize } = stackLayout(superStart, rowPtr, childPtr, children);
  const structure = {
    n, count, superStart, colToSuper, superParent, childPtr, children, rowPtr, rows, relIdx,
    valuePtr, stackPtr, stackSize, storedNnz, maxRows, maxCols,
  };
  const slotToValue = slotMap(input, structure);
  return { ...structure, slotToValue };
}

/**
 * Fundamental supernodes: column j joins column j - 1 when j is the parent
 * of j - 1, j - 1 is its only child, and their column counts differ by one
 * (so both columns share the structure below j).
 */
function fundamentalSupernodes(parent: Int32Array, colCounts: Int32Array): Int32Array {
  const n = parent.length;
  const childCount = new Int32Array(n);
  for (let j = 0; j < n; j++) if (parent[j] !== -1) childCount[parent[j]]++;
  const starts: number[] = [];
  for (let j = 0; j < n; j++) {
    const continues =
      j > 0 && parent[j - 1] === j && colCounts[j - 1] === colCounts[j] + 1 && childCount[j] === 1;
    if (!continues) starts.push(j);
  }
  starts.push(n);
  return Int32Array.from(starts);
}

/**
 * Relaxed amalgamation. Walking from the last supernode down, a supernode is
 * merged into the group that starts right after it when that group holds its
 * parent, and the merge passes the {@link SupernodeRelaxation} test.
 */
function relaxSupernodes(
  start: Int32Array,
  parent: Int32Array,
  colCounts: Int32Array,
  relax: SupernodeRelaxation,
): Int32Array {
  const count = start.length - 1;
  const n = parent.length;
  // Per group (indexed by its first fundamental supernode): width, height, explicit zeros.
  const cols = new Float64Array(count);
  const height = new Float64Array(count);
  const zeros = new Float64Array(count);
  const groupStart = new Uint8Array(count).fill(1);
  for (let s = 0; s < count; s++) {
    cols[s] = start[s + 1] - start[s];
    height[s] = colCounts[start[s]];
  }
  let next = count; // first fundamental supernode of the group after s
  for (let s = count - 1; s >= 0; s--) {
    const p = parent[start[s + 1] - 1];
    if (next < count && p !== -1 && p === start[next]) {
      const k = cols[s] + cols[next];
      const m = cols[s] + height[next];
      const z = zeros[s] + zeros[next] + cols[s] * (m - height[s]);
      const total = k * m - (k * (k - 1)) / 2;
      if (shouldMerge(k, z / total, relax)) {
        cols[s] = k;
        height[s] = m;
        zeros[s] = z;
        groupStart[next] = 0;
      }
    }
    next = s;
  }
  const merged: number[] = [];
  for (let s = 0; s < count; s++) if (groupStart[s]) merged.push(start[s]);
  merged.push(n);
  return Int32Array.from(merged);
}

function shouldMerge(cols: number, zeroFraction: number, relax: SupernodeRelaxation): boolean {
  if (cols <= relax.columns[0]) return true;
  if (cols <= relax.columns[1]) return zeroFraction < relax.zeros[0];
  if (cols <= relax.columns[2]) return zeroFraction < relax.zeros[1];
  return zeroFraction < relax.zeros[2];
}

/** Children of each supernode in ascending order, as compressed lists. */
function childLists(superParent: Int32Array): { childPtr: Int32Array; children: Int32Array } {
  const count = superParent.length;
  const childPtr = new Int32Array(count + 1);
  for (let s = 0; s < count; s++) if (superParent[s] !== -1) childPtr[superParent[s] + 1]++;
  for (let s = 0; s < count; s++) childPtr[s + 1] += childPtr[s];
  const fill = childPtr.slice(0, count);
  const children = new Int32Array(childPtr[count]);
  for (let s = 0; s < count; s++) if (superParent[s] !== -1) children[fill[superParent[s]]++] = s;
  return { childPtr, children };
}

/**
 * Row structure of each supernode: its own columns, then (ascending) every
 * row below them that appears in A's columns of the supernode or in a
 * child's structure.
 */
function rowStructures(
  superStart: Int32Array,
  childPtr: Int32Array,
  children: Int32Array,
  adj: PermutedAdjacency,
): { rowPtr: Int32Array; rows: Int32Array } {
  const count = superStart.length - 1;
  const n = adj.n;
  const mark = new Int32Array(n).fill(-1);
  const rowPtr = new Int32Array(count + 1);
  let rows = new Int32Array(Math.max(16, 2 * adj.idx.length + n));
  let size = 0;
  for (let s = 0; s < count; s++) {
    const f = superStart[s];
    const l = superStart[s + 1];
    const begin = size;
    // Worst case: every child's rows plus every A entry of these columns.
    let bound = l - f;
    for (let j = f; j < l; j++) bound += adj.ptr[j + 1] - adj.mid[j];
    for (let c = childPtr[s]; c < childPtr[s + 1]; c++) bound += rowPtr[children[c] + 1] - rowPtr[children[c]];
    if (size + bound > rows.length) {
      const bigger = new Int32Array(Math.max(2 * rows.length, size + bound));
      bigger.set(rows.subarray(0, size));
      rows = bigger;
    }
    for (let j = f; j < l; j++) {
      mark[j] = s;
      rows[size++] = j;
    }
    const extraBegin = size;
    for (let j = f; j < l; j++) {
      for (let p = adj.mid[j]; p < adj.ptr[j + 1]; p++) {
        const i = adj.idx[p];
        if (mark[i] !== s) {
          mark[i] = s;
          rows[size++] = i;
        }
      }
    }
    for (let c = childPtr[s]; c < childPtr[s + 1]; c++) {
      const child = children[c];
      for (let p = rowPtr[child]; p < rowPtr[child + 1]; p++) {
        const i = rows[p];
        if (i >= l && mark[i] !== s) {
          mark[i] = s;
          rows[size++] = i;
        }
      }
    }
    rows.subarray(extraBegin, size).sort();
    rowPtr[s] = begin;
    rowPtr[s + 1] = size;
  }
  return { rowPtr, rows: rows.slice(0, size) };
}

/** Positions of each supernode's off-diagonal rows within its parent's rows. */
function relativeIndices(
  superStart: Int32Array,
  superParent: Int32Array,
  rowPtr: Int32Array,
  rows: Int32Array,
  n: number,
): Int32Array {
  const count = superParent.length;
  const relIdx = new Int32Array(rows.length).fill(-1);
  const position = new Int32Array(n);
  // Children of p come before p, so set the parent's positions lazily: group by parent.
  const byParent = childLists(superParent);
  for (let p = 0; p < count; p++) {
    const c0 = byParent.childPtr[p];
    const c1 = byParent.childPtr[p + 1];
    if (c0 === c1) continue;
    for (let t = rowPtr[p]; t < rowPtr[p + 1]; t++) position[rows[t]] = t - rowPtr[p];
    for (let c = c0; c < c1; c++) {
      const s = byParent.children[c];
      const k = superStart[s + 1] - superStart[s];
      for (let t = rowPtr[s] + k; t < rowPtr[s + 1]; t++) relIdx[t] = position[rows[t]];
    }
  }
  return relIdx;
}

/**
 * Positions of the packed update blocks on the stack. Supernode s's block
 * (q(q+1)/2 values, q = m - k) is first written above its children's blocks,
 * then moved down to where its first child's block began.
 */
function stackLayout(
  superStart: Int32Array,
  rowPtr: Int32Array,
  childPtr: Int32Array,
  children: Int32Array,
): { stackPtr: Float64Array; stackSize: number } {
  const count = superStart.length - 1;
  const stackPtr = new Float64Array(count);
  let top = 0;
  let stackSize = 0;
  for (let s = 0; s < count; s++) {
    const q = rowPtr[s + 1] - rowPtr[s] - (superStart[s + 1] - superStart[s]);
    const size = (q * (q + 1)) / 2;
    stackSize = Math.max(stackSize, top + size);
    if (childPtr[s] < childPtr[s + 1]) top = stackPtr[children[childPtr[s]]];
    stackPtr[s] = top;
    top += size;
  }
  return { stackPtr, stackSize };
}

/**
 * For each slot of A, where its value goes in the factor storage. Only one
 * slot of each symmetric pair is used: the one in A's lower triangle
 * (row >= column); slots of the strict upper triangle map to -1.
 */
function slotMap(input: SupernodeInput, st: Omit<SupernodalStructure, 'slotToValue'>): Int32Array {
  const { A, perm, invPerm } = input;
  const slotToValue = new Int32Array(A.rowPtr[A.rows]).fill(-1);
  const position = new Int32Array(st.n);
  for (let s = 0; s < st.count; s++) {
    const m = st.rowPtr[s + 1] - st.rowPtr[s];
    for (let t = st.rowPtr[s]; t < st.rowPtr[s + 1]; t++) position[st.rows[t]] = t - st.rowPtr[s];
    for (let j = st.superStart[s]; j < st.superStart[s + 1]; j++) {
      const base = st.valuePtr[s] + (j - st.superStart[s]) * m;
      const i = perm[j];
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
        const col = A.colIdx[p];
        const r = invPerm[col];
        if (r < j) continue; // entry belongs to column r
        // (i, col) and (col, i) both describe B[r][j]; use the lower-triangle slot.
        const slot = i >= col ? p : csrFindSlot(A, col, i);
        if (slot < 0) throw new Error(`matrix pattern is not symmetric: (${i}, ${col}) has no mirror`);
        slotToValue[slot] = base + position[r];
      }
    }
  }
  return slotToValue;
}
