import {
  csrDiagonal,
  csrFindSlot,
  csrFromTriplets,
  csrHasSymmetricPattern,
  csrIsSymmetric,
  csrMultiply,
  csrToDense,
  csrTranspose,
} from '../src/csr-matrix';
import { mulberry32 } from './sample-matrices';

describe('csrFromTriplets', () => {
  it('sums duplicates and sorts columns within rows', () => {
    const A = csrFromTriplets(3, 4, [2, 0, 0, 2, 1, 0], [1, 3, 0, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    expect(Array.from(A.rowPtr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(A.colIdx)).toEqual([0, 3, 2, 1]);
    expect(Array.from(A.values)).toEqual([3, 8, 5, 5]);
    expect(csrToDense(A)).toEqual([
      [3, 0, 0, 8],
      [0, 0, 5, 0],
      [0, 5, 0, 0],
    ]);
  });

  it('keeps explicit zeros and empty rows', () => {
    const A = csrFromTriplets(3, 3, [0, 2], [0, 2], [0, 1]);
    expect(Array.from(A.rowPtr)).toEqual([0, 1, 1, 2]);
    expect(csrFindSlot(A, 0, 0)).toBe(0);
    expect(csrFindSlot(A, 1, 1)).toBe(-1);
  });

  it('rejects out-of-range indices and mismatched lengths', () => {
    expect(() => csrFromTriplets(2, 2, [0, 2], [0, 0], [1, 1])).toThrow(/row index 2/);
    expect(() => csrFromTriplets(2, 2, [0], [-1], [1])).toThrow(/column index -1/);
    expect(() => csrFromTriplets(2, 2, [0, 1], [0], [1, 1])).toThrow(/differ in length/);
  });
});

describe('CSR operations', () => {
  const rng = mulberry32(7);
  const rows = 23;
  const cols = 17;
  const ri: number[] = [];
  const ci: number[] = [];
  const v: number[] = [];
  for (let t = 0; t < 120; t++) {
    ri.push(Math.floor(rng() * rows));
    ci.push(Math.floor(rng() * cols));
    v.push(rng() - 0.5);
  }
  const A = csrFromTriplets(rows, cols, ri, ci, v);
  const dense = csrToDense(A);

  it('matches the triplets it was built from', () => {
    const expected = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
    for (let t = 0; t < ri.length; t++) expected[ri[t]][ci[t]] += v[t];
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(dense[i][j]).toBeCloseTo(expected[i][j], 14);
  });

  it('multiplies like the dense matrix, into a given or new vector', () => {
    const x = Float64Array.from({ length: cols }, () => rng() - 0.5);
    const y = csrMultiply(A, x);
    const out = new Float64Array(rows);
    expect(csrMultiply(A, x, out)).toBe(out);
    for (let i = 0; i < rows; i++) {
      const s = dense[i].reduce((acc, a, j) => acc + a * x[j], 0);
      expect(y[i]).toBeCloseTo(s, 13);
      expect(out[i]).toBe(y[i]);
    }
    expect(() => csrMultiply(A, new Float64Array(cols - 1))).toThrow(/x has/);
  });

  it('transposes', () => {
    const T = csrTranspose(A);
    expect(T.rows).toBe(cols);
    const dt = csrToDense(T);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(dt[j][i]).toBe(dense[i][j]);
    for (let j = 0; j < cols; j++) {
      for (let p = T.rowPtr[j] + 1; p < T.rowPtr[j + 1]; p++) expect(T.colIdx[p]).toBeGreaterThan(T.colIdx[p - 1]);
    }
  });

  it('finds every stored slot and nothing else', () => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const p = csrFindSlot(A, i, j);
        const stored = ri.some((r, t) => r === i && ci[t] === j);
        expect(p >= 0).toBe(stored);
        if (p >= 0) expect(A.values[p]).toBe(dense[i][j]);
      }
    }
    expect(csrFindSlot(A, -1, 0)).toBe(-1);
    expect(csrFindSlot(A, rows, 0)).toBe(-1);
  });

  it('extracts the diagonal', () => {
    const S = csrFromTriplets(3, 3, [0, 1, 2, 0], [0, 1, 0, 2], [4, 5, 6, 7]);
    expect(Array.from(csrDiagonal(S))).toEqual([4, 5, 0]);
  });
});

describe('symmetry checks', () => {
  it('accepts symmetric matrices and rejects asymmetric values or patterns', () => {
    const S = csrFromTriplets(3, 3, [0, 1, 1, 2, 0, 2], [1, 0, 2, 1, 0, 2], [2, 2, -1, -1, 3, 4]);
    expect(csrIsSymmetric(S)).toBe(true);
    expect(csrHasSymmetricPattern(S)).toBe(true);
    const V = csrFromTriplets(2, 2, [0, 1], [1, 0], [1, 1 + 1e-9]);
    expect(csrIsSymmetric(V)).toBe(false);
    expect(csrIsSymmetric(V, 1e-6)).toBe(true);
    const P = csrFromTriplets(2, 2, [0, 1], [1, 1], [1, 1]);
    expect(csrIsSymmetric(P)).toBe(false);
    expect(csrHasSymmetricPattern(P)).toBe(false);
    const lowerOnly = csrFromTriplets(2, 2, [1], [0], [1]);
    expect(csrIsSymmetric(lowerOnly)).toBe(false);
    expect(csrIsSymmetric(csrFromTriplets(2, 3, [0], [0], [1]))).toBe(false);
  });
});
