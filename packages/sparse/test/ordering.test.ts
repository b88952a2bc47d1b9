import { CsrMatrix, csrFromTriplets } from '../src/csr-matrix';
import { symmetricAdjacency } from '../src/graph-adjacency';
import { amdOrdering, computeOrdering, invertPermutation, isPermutation, naturalOrdering, nestedDissectionOrdering } from '../src/ordering';
import { EdgeList, gridGraph, groundedLaplacian, mulberry32, randomGraph, randomWeights } from './sample-matrices';
import { SymbolicCholesky } from '../src/symbolic-cholesky';

function laplacianOf(graph: EdgeList, seed = 1): CsrMatrix {
  const rng = mulberry32(seed);
  return groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]).matrix;
}

/** nnz(L) by explicit elimination on the graph (reference, O(n^3) worst case). */
function eliminationFill(A: CsrMatrix, perm: Int32Array): number {
  const n = A.rows;
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] !== i) adj[i].add(A.colIdx[p]);
  }
  const done = new Uint8Array(n);
  let nnz = 0;
  for (let k = 0; k < n; k++) {
    const v = perm[k];
    const nb = [...adj[v]].filter((u) => !done[u]);
    nnz += 1 + nb.length;
    for (const a of nb) for (const b of nb) if (a !== b) adj[a].add(b);
    done[v] = 1;
  }
  return nnz;
}

describe('permutation helpers', () => {
  it('natural ordering is the identity and inverts to itself', () => {
    const p = naturalOrdering(5);
    expect(Array.from(p)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(invertPermutation(Int32Array.from([2, 0, 1])))).toEqual([1, 2, 0]);
  });

  it('recognises permutations', () => {
    expect(isPermutation([1, 0, 2], 3)).toBe(true);
    expect(isPermutation([1, 1, 2], 3)).toBe(false);
    expect(isPermutation([0, 1, 3], 3)).toBe(false);
    expect(isPermutation([0, 1], 3)).toBe(false);
  });

  it('symmetrises the adjacency and drops the diagonal', () => {
    const A = csrFromTriplets(3, 3, [0, 0, 2, 1], [0, 1, 0, 1], [1, 1, 1, 1]);
    const adj = symmetricAdjacency(A);
    const lists = [0, 1, 2].map((i) => Array.from(adj.idx.subarray(adj.ptr[i], adj.ptr[i + 1])).sort());
    expect(lists).toEqual([[1, 2], [0], [0]]);
  });
});

describe('amdOrdering', () => {
  const cases: [string, CsrMatrix][] = [
    ['30x30 grid', laplacianOf(gridGraph(30))],
    ['12x7 grid', laplacianOf(gridGraph(12, 7))],
    ['random graph 500', laplacianOf(randomGraph(500, 4, mulberry32(3)))],
    ['random graph 300, degree 12', laplacianOf(randomGraph(300, 12, mulberry32(4)))],
    ['single node', csrFromTriplets(1, 1, [0], [0], [1])],
    ['empty', csrFromTriplets(0, 0, [], [], [])],
    ['diagonal only', csrFromTriplets(4, 4, [0, 1, 2, 3], [0, 1, 2, 3], [1, 1, 1, 1])],
  ];

  it.each(cases)('returns a valid permutation for %s', (_name, A) => {
    const perm = amdOrdering(A);
    expect(isPermutation(perm, A.rows)).toBe(true);
  });

  it('handles a dense 40x40 block and disconnected pieces', () => {
    const r: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) r.push(i), c.push(j);
    // A separate path 40..59 and isolated nodes 60..64.
    for (let i = 40; i < 59; i++) r.push(i, i + 1), c.push(i + 1, i);
    for (let i = 40; i < 65; i++) r.push(i), c.push(i);
    const A = csrFromTriplets(65, 65, r, c, r.map(() => 1));
    const perm = amdOrdering(A);
    expect(isPermutation(perm, 65)).toBe(true);
    // A path is ordered without fill, so nnz(L) is that of the dense block plus the path.
    expect(eliminationFill(A, perm)).toBe((40 * 41) / 2 + 20 + 19 + 5);
  });

  it('orders a dense row (star centre) last', () => {
    const n = 400;
    const r: number[] = [];
    const c: number[] = [];
    for (let i = 1; i < n; i++) r.push(0, i, i), c.push(i, 0, i);
    r.push(0);
    c.push(0);
    const A = csrFromTriplets(n, n, r, c, r.map(() => 1));
    const perm = amdOrdering(A);
    expect(isPermutation(perm, n)).toBe(true);
    expect(perm[n - 1]).toBe(0);
    expect(eliminationFill(A, perm)).toBe(2 * n - 1);
  });

  it('reduces fill against the natural ordering on a 2-D grid', () => {
    const A = laplacianOf(gridGraph(40));
    const amd = SymbolicCholesky.analyze(A, { ordering: 'amd' });
    const natural = SymbolicCholesky.analyze(A, { ordering: 'natural' });
    expect(amd.nnzL).toBeLessThan(natural.nnzL);
    // A minimum degree ordering of a 40x40 grid fills far less than the band.
    expect(amd.nnzL).toBeLessThan(0.5 * natural.nnzL);
  });

  it('reduces fill on random graphs too', () => {
    for (const seed of [5, 6, 7]) {
      const A = laplacianOf(randomGraph(150, 3, mulberry32(seed)));
      expect(eliminationFill(A, amdOrdering(A))).toBeLessThan(eliminationFill(A, naturalOrdering(A.rows)));
    }
  });

  it('computeOrdering dispatches and validates', () => {
    expect(isPermutation(computeOrdering(laplacianOf(gridGraph(5)), 'nested-dissection'), 25)).toBe(true);
    const A = laplacianOf(gridGraph(5));
    expect(Array.from(computeOrdering(A, 'natural'))).toEqual(Array.from(naturalOrdering(25)));
    expect(isPermutation(computeOrdering(A), 25)).toBe(true);
    expect(() => computeOrdering(csrFromTriplets(2, 3, [], [], []))).toThrow(/square/);
    expect(() => computeOrdering(A, 'metis' as never)).toThrow(/unknown method/);
  });
});

/** `isolated` nodes without edges followed by a side x side grid. */
function isolatedPlusGrid(isolated: number, side: number): CsrMatrix {
  const g = gridGraph(side);
  return laplacianOf({ nodes: isolated + side * side, tail: g.tail.map((v) => v + isolated), head: g.head.map((v) => v + isolated) });
}

describe('nestedDissectionOrdering', () => {
  const cases: [string, CsrMatrix][] = [
    ['60x60 grid', laplacianOf(gridGraph(60))],
    ['25x90 grid', laplacianOf(gridGraph(25, 90))],
    ['random graph 2000', laplacianOf(randomGraph(2000, 4, mulberry32(8)))],
    ['single node', csrFromTriplets(1, 1, [0], [0], [1])],
    ['empty', csrFromTriplets(0, 0, [], [], [])],
    ['diagonal only (all isolated)', csrFromTriplets(500, 500, [...Array(500).keys()], [...Array(500).keys()], new Array(500).fill(1))],
    ['50000 isolated nodes and a 30x30 grid', isolatedPlusGrid(50000, 30)],
  ];

  it.each(cases)('returns a valid permutation for %s', (_name, A) => {
    expect(isPermutation(nestedDissectionOrdering(A), A.rows)).toBe(true);
    expect(isPermutation(nestedDissectionOrdering(A, { leafSize: 8, balance: 0 }), A.rows)).toBe(true);
  });

  it('handles several components and a path', () => {
    // Two 20x20 grids side by side (no edges between them) and a path of 300 nodes.
    const g = gridGraph(20);
    const tail = [...g.tail, ...Array.from(g.tail, (v) => v + 400)];
    const head = [...g.head, ...Array.from(g.head, (v) => v + 400)];
    for (let i = 800; i < 1099; i++) tail.push(i), head.push(i + 1);
    const A = laplacianOf({ nodes: 1100, tail: Int32Array.from(tail), head: Int32Array.from(head) });
    const perm = nestedDissectionOrdering(A, { leafSize: 30 });
    expect(isPermutation(perm, 1100)).toBe(true);
    expect(eliminationFill(A, perm)).toBeLessThan(eliminationFill(A, naturalOrdering(1100)));
  });

  it('needs fewer flops than AMD on a 2-D grid, and auto keeps the cheaper ordering', () => {
    const A = laplacianOf(gridGraph(100));
    const amd = SymbolicCholesky.analyze(A, { ordering: 'amd' });
    const nd = SymbolicCholesky.analyze(A, { ordering: 'nested-dissection' });
    expect(nd.ordering).toBe('nested-dissection');
    expect(nd.flops).toBeLessThan(amd.flops);
    const auto = SymbolicCholesky.analyze(A);
    expect(auto.flops).toBe(Math.min(amd.flops, nd.flops));
    // On a random graph (no small separators) auto keeps AMD.
    const R = laplacianOf(randomGraph(2000, 4, mulberry32(9)));
    const autoRandom = SymbolicCholesky.analyze(R);
    expect(autoRandom.ordering).toBe('amd');
    expect(autoRandom.flops).toBeLessThanOrEqual(SymbolicCholesky.analyze(R, { ordering: 'nested-dissection' }).flops);
  });
});
