import { CsrMatrix, csrFromTriplets } from '../src/csr-matrix';
import { eliminationTree, postorder } from '../src/elimination-tree';
import { invertPermutation, isPermutation } from '../src/ordering';
import { EdgeList, gridGraph, groundedLaplacian, mulberry32, randomGraph, randomGramSpd, randomWeights } from './sample-matrices';
import { SymbolicCholesky } from '../src/symbolic-cholesky';

function laplacianOf(graph: EdgeList, seed = 1): CsrMatrix {
  return groundedLaplacian(graph, randomWeights(graph.tail.length, mulberry32(seed)), [0]).matrix;
}

/** Column counts of L by explicit elimination (reference). */
function referenceColumnCounts(A: CsrMatrix, perm: Int32Array): number[] {
  const n = A.rows;
  const inv = invertPermutation(perm);
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (j !== i) adj[inv[i]].add(inv[j]);
    }
  }
  const counts: number[] = [];
  for (let k = 0; k < n; k++) {
    const later = [...adj[k]].filter((u) => u > k);
    counts.push(1 + later.length);
    for (const a of later) for (const b of later) if (a !== b) adj[a].add(b);
  }
  return counts;
}

const problems: [string, CsrMatrix][] = [
  ['15x15 grid', laplacianOf(gridGraph(15))],
  ['random graph 200', laplacianOf(randomGraph(200, 4, mulberry32(11)))],
  ['random graph 120, degree 8', laplacianOf(randomGraph(120, 8, mulberry32(12)))],
  ['Gram matrix 150', randomGramSpd(150, 3, mulberry32(13))],
  ['two components', csrFromTriplets(4, 4, [0, 1, 0, 1, 2, 3], [0, 1, 1, 0, 2, 3], [2, 2, -1, -1, 1, 1])],
];

describe('SymbolicCholesky.analyze', () => {
  it.each(problems)('counts the columns of L exactly for %s', (_name, A) => {
    for (const ordering of ['amd', 'natural'] as const) {
      const s = SymbolicCholesky.analyze(A, { ordering });
      expect(isPermutation(s.perm, A.rows)).toBe(true);
      expect(Array.from(invertPermutation(s.perm))).toEqual(Array.from(s.invPerm));
      const reference = referenceColumnCounts(A, s.perm);
      expect(Array.from(s.colCounts)).toEqual(reference);
      expect(s.nnzL).toBe(reference.reduce((a, b) => a + b, 0));
      expect(s.flops).toBe(reference.reduce((a, b) => a + b * b, 0));
      // The row pattern of L agrees with the counts.
      const rowsOfL = s.rowPatternOfL();
      expect(rowsOfL.ptr[A.rows]).toBe(s.nnzL);
    }
  });

  it.each(problems)('postorders the elimination tree for %s', (_name, A) => {
    const s = SymbolicCholesky.analyze(A);
    const n = A.rows;
    const size = new Int32Array(n).fill(1);
    for (let j = 0; j < n; j++) {
      const p = s.parent[j];
      if (p !== -1) {
        expect(p).toBeGreaterThan(j);
        size[p] += size[j];
      }
    }
    // In a postorder the subtree of a is the range a - size[a] + 1 .. a.
    for (let i = 0; i < n; i++) {
      for (let a = s.parent[i]; a !== -1; a = s.parent[a]) {
        expect(i).toBeGreaterThanOrEqual(a - size[a] + 1);
      }
    }
    // And it is the elimination tree of P A P^T.
    const direct = eliminationTree(A, s.perm, s.invPerm);
    expect(Array.from(direct)).toEqual(Array.from(s.parent));
  });

  it.each(problems)('builds a consistent supernodal layout for %s', (_name, A) => {
    const s = SymbolicCholesky.analyze(A);
    const st = s.supernodes();
    const rowsOfL = s.rowPatternOfL();
    // Column j of L as a set of rows, from the row pattern.
    const colSets: Set<number>[] = Array.from({ length: A.rows }, () => new Set<number>());
    for (let i = 0; i < A.rows; i++) {
      for (let p = rowsOfL.ptr[i]; p < rowsOfL.ptr[i + 1]; p++) colSets[rowsOfL.idx[p]].add(i);
    }
    expect(st.superStart[0]).toBe(0);
    expect(st.superStart[st.count]).toBe(A.rows);
    let stored = 0;
    for (let sn = 0; sn < st.count; sn++) {
      const f = st.superStart[sn];
      const k = st.superStart[sn + 1] - f;
      const rows = Array.from(st.rows.subarray(st.rowPtr[sn], st.rowPtr[sn + 1]));
      const m = rows.length;
      stored += m * k - (k * (k - 1)) / 2;
      for (let t = 0; t < k; t++) expect(rows[t]).toBe(f + t);
      for (let t = 1; t < m; t++) expect(rows[t]).toBeGreaterThan(rows[t - 1]);
      // Every nonzero of L in these columns is covered.
      for (let j = f; j < f + k; j++) for (const i of colSets[j]) expect(rows).toContain(i);
      const parent = st.superParent[sn];
      if (parent === -1) {
        expect(m).toBe(k);
        continue;
      }
      expect(parent).toBeGreaterThan(sn);
      const parentRows = st.rows.subarray(st.rowPtr[parent], st.rowPtr[parent + 1]);
      for (let t = k; t < m; t++) expect(parentRows[st.relIdx[st.rowPtr[sn] + t]]).toBe(rows[t]);
    }
    expect(st.storedNnz).toBe(stored);
    expect(st.storedNnz).toBeGreaterThanOrEqual(s.nnzL);
  });

  it('maps every lower-triangle slot of A to a distinct place in L', () => {
    const A = laplacianOf(gridGraph(9));
    const st = SymbolicCholesky.analyze(A).supernodes();
    const seen = new Set<number>();
    for (let i = 0; i < A.rows; i++) {
      for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
        const d = st.slotToValue[p];
        if (A.colIdx[p] > i) {
          expect(d).toBe(-1);
        } else {
          expect(d).toBeGreaterThanOrEqual(0);
          expect(seen.has(d)).toBe(false);
          seen.add(d);
        }
      }
    }
  });

  it('accepts an explicit permutation and rejects invalid input', () => {
    const A = laplacianOf(gridGraph(4));
    const perm = Int32Array.from({ length: 16 }, (_, i) => 15 - i);
    expect(SymbolicCholesky.analyze(A, { ordering: perm }).nnzL).toBe(referenceColumnCounts(A, perm).reduce((a, b) => a + b, 0));
    expect(() => SymbolicCholesky.analyze(A, { ordering: new Int32Array(16) })).toThrow(/not a permutation/);
    expect(() => SymbolicCholesky.analyze(csrFromTriplets(2, 3, [], [], []))).toThrow(/square/);
    expect(() => SymbolicCholesky.analyze(csrFromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [1, 1, 1]))).toThrow(/not symmetric/);
  });

  it('detects a different pattern', () => {
    const A = laplacianOf(gridGraph(4));
    const s = SymbolicCholesky.analyze(A);
    expect(() => s.assertSamePattern({ ...A, values: A.values.slice() })).not.toThrow();
    const B = laplacianOf(gridGraph(4, 5));
    expect(() => s.assertSamePattern(B)).toThrow(/pattern differs.*size/);
    const colIdx = A.colIdx.slice();
    colIdx[3] = colIdx[3] === 0 ? 1 : 0;
    expect(() => s.assertSamePattern({ ...A, colIdx })).toThrow(/pattern differs.*slot 3/);
  });
});

describe('postorder', () => {
  it('visits children before parents, subtrees contiguously', () => {
    // 4 has children 1 and 3; 1 has children 0 and 2; 5 is a separate root.
    const parent = Int32Array.from([1, 4, 1, 4, -1, -1]);
    expect(Array.from(postorder(parent))).toEqual([0, 2, 1, 3, 4, 5]);
    expect(() => postorder(Int32Array.from([1, 0]))).toThrow(/not a forest/);
  });
});
