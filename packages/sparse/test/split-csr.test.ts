import { csrFromTriplets, csrMultiply, csrPermute, csrToDense } from '../src/csr-matrix';
import { gridGraph, groundedLaplacian, mulberry32, randomGraph, randomSparseSpd, randomWeights } from './sample-matrices';
import { SPLIT_WIDTHS, splitCsr, splitMultiply, splitOrder } from '../src/split-csr';

describe('csrPermute', () => {
  it('computes P A P^T', () => {
    const A = randomSparseSpd(12, 4, mulberry32(1));
    const perm = Int32Array.from([3, 0, 11, 5, 1, 2, 4, 10, 6, 9, 7, 8]);
    const B = csrToDense(csrPermute(A, perm));
    const D = csrToDense(A);
    for (let k = 0; k < 12; k++) for (let l = 0; l < 12; l++) expect(B[k][l]).toBe(D[perm[k]][perm[l]]);
    expect(() => csrPermute(A, new Int32Array(3))).toThrow(/permutation of its size/);
  });
});

describe('split layout', () => {
  const rng = mulberry32(4);
  const matrices = [
    groundedLaplacian(gridGraph(9, 7), randomWeights(110, rng), [0]).matrix,
    groundedLaplacian(randomGraph(300, 6, rng), randomWeights(900, rng), [3]).matrix,
    randomSparseSpd(80, 12, rng),
    csrFromTriplets(3, 3, [0, 1, 2], [0, 1, 2], [1, 2, 3]), // no off-diagonal entries
  ];

  it.each(matrices.map((A, i) => [i, A] as const))('groups rows by width and multiplies exactly (case %i)', (_i, A) => {
    const order = splitOrder(A);
    const B = csrPermute(A, order);
    const S = splitCsr(B);
    // Group g holds rows of width SPLIT_WIDTHS[g]; later rows are wider.
    let row = 0;
    for (let g = 0; g < SPLIT_WIDTHS.length; g++) {
      for (; row < S.groupEnd[g]; row++) expect(S.rowPtr[row + 1] - S.rowPtr[row]).toBe(SPLIT_WIDTHS[g]);
    }
    for (; row < S.n; row++) expect(S.rowPtr[row + 1] - S.rowPtr[row]).toBeGreaterThan(SPLIT_WIDTHS[SPLIT_WIDTHS.length - 1]);
    const x = Float64Array.from({ length: S.n }, () => rng() - 0.5);
    const y = new Float64Array(S.n);
    splitMultiply(S, x, y);
    const expected = csrMultiply(B, x);
    for (let i = 0; i < S.n; i++) expect(y[i]).toBeCloseTo(expected[i], 12);
  });

  it('refuses rows that are not grouped', () => {
    // Row 0 has 3 off-diagonal entries (width 4), row 1 one (width 2).
    const A = csrFromTriplets(4, 4, [0, 0, 0, 1, 2, 3, 1, 2, 3], [1, 2, 3, 0, 0, 0, 1, 2, 3], [1, 1, 1, 1, 1, 1, 5, 5, 5]);
    expect(() => splitCsr(A)).toThrow(/not grouped/);
    expect(() => splitCsr(csrPermute(A, splitOrder(A)))).not.toThrow();
  });
});
