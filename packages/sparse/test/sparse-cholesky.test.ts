import { denseSolve, randomVector, relativeError } from './dense-reference';
import { csrFromTriplets, csrMultiply } from '../src/csr-matrix';
import {
  EdgeList,
  assembleLaplacian,
  gridGraph,
  groundedLaplacian,
  mulberry32,
  randomGraph,
  randomGramSpd,
  randomSparseSpd,
  randomWeights,
} from './sample-matrices';
import { SparseCholesky } from '../src/sparse-cholesky';
import { SymbolicCholesky } from '../src/symbolic-cholesky';

/** A random grounded Laplacian: random graph of n nodes, 1..3 grounds. */
function randomLaplacian(n: number, rng: () => number) {
  const graph = randomGraph(n, 2 + 4 * rng(), rng);
  const grounds = new Set<number>();
  const count = 1 + Math.floor(3 * rng());
  while (grounds.size < Math.min(count, n)) grounds.add(Math.floor(rng() * n));
  return groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [...grounds], 0.5 + rng());
}

describe('SparseCholesky against a dense Cholesky solve', () => {
  const rng = mulberry32(2024);
  const sizes = [5, 6, 9, 13, 20, 31, 47, 64, 90, 128, 160, 200];

  it.each(sizes)('grounded random Laplacian of %i nodes, both orderings', (n) => {
    const lap = randomLaplacian(n, rng);
    const b = randomVector(n, rng);
    const reference = denseSolve(lap.matrix, b);
    for (const ordering of ['amd', 'natural'] as const) {
      const chol = SparseCholesky.factor(lap.matrix, { ordering });
      expect(relativeError(chol.solve(b), reference)).toBeLessThanOrEqual(1e-10);
    }
  });

  it.each([10, 40, 100, 200])('random diagonally dominant SPD matrix of order %i', (n) => {
    const A = randomSparseSpd(n, 4, rng);
    const b = randomVector(n, rng);
    expect(relativeError(SparseCholesky.factor(A).solve(b), denseSolve(A, b))).toBeLessThanOrEqual(1e-10);
  });

  it.each([10, 40, 100, 200])('random Gram matrix R^T R of order %i', (n) => {
    const A = randomGramSpd(n, 3, rng);
    const b = randomVector(n, rng);
    expect(relativeError(SparseCholesky.factor(A).solve(b), denseSolve(A, b))).toBeLessThanOrEqual(1e-10);
  });

  it('solves a 30x30 grid (large supernodes) to a small residual', () => {
    const graph = gridGraph(30);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const b = randomVector(900, rng);
    const x = SparseCholesky.factor(lap.matrix).solve(b);
    expect(relativeError(x, denseSolve(lap.matrix, b))).toBeLessThanOrEqual(1e-10);
    const r = csrMultiply(lap.matrix, x);
    expect(relativeError(r, b)).toBeLessThanOrEqual(1e-12);
  });

  it('solves a diagonal matrix and a 1x1 matrix', () => {
    const D = csrFromTriplets(3, 3, [0, 1, 2], [0, 1, 2], [2, 4, 8]);
    const x = SparseCholesky.factor(D).solve(Float64Array.from([2, 2, 2]));
    [1, 0.5, 0.25].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 15));
    const one = csrFromTriplets(1, 1, [0], [0], [9]);
    expect(SparseCholesky.factor(one).solve(Float64Array.from([3]))[0]).toBeCloseTo(1 / 3, 15);
  });
});

describe('SparseCholesky reuse', () => {
  const rng = mulberry32(99);

  it('refactors new values on the same analysis and gives the new solution', () => {
    const graph: EdgeList = randomGraph(150, 4, rng);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [3, 70]);
    const symbolic = SymbolicCholesky.analyze(lap.matrix);
    const chol = SparseCholesky.factor(lap.matrix, symbolic);
    const b = randomVector(150, rng);
    const before = chol.solve(b);
    assembleLaplacian(lap, randomWeights(graph.tail.length, rng, 0.1, 10));
    chol.refactor(lap.matrix);
    const after = chol.solve(b);
    const reference = denseSolve(lap.matrix, b);
    expect(relativeError(after, reference)).toBeLessThanOrEqual(1e-10);
    expect(relativeError(before, reference)).toBeGreaterThan(1e-3);
    // A second factor object from the same analysis agrees.
    expect(relativeError(SparseCholesky.factor(lap.matrix, symbolic).solve(b), reference)).toBeLessThanOrEqual(1e-10);
  });

  it('solveMany equals repeated solve, and solve writes into out', () => {
    const lap = randomLaplacian(80, rng);
    const chol = SparseCholesky.factor(lap.matrix);
    const bs = [randomVector(80, rng), randomVector(80, rng), randomVector(80, rng)];
    const many = chol.solveMany(bs);
    expect(many).toHaveLength(3);
    bs.forEach((b, i) => {
      const out = new Float64Array(80);
      expect(chol.solve(b, out)).toBe(out);
      expect(Array.from(many[i])).toEqual(Array.from(out));
    });
  });

  it('rejects a matrix with another pattern', () => {
    const chol = SparseCholesky.factor(randomLaplacian(30, rng).matrix);
    expect(() => chol.refactor(randomLaplacian(30, rng).matrix)).toThrow(/pattern differs/);
    expect(() => chol.solve(new Float64Array(29))).toThrow(/right-hand side/);
  });
});

describe('SparseCholesky on matrices that are not positive definite', () => {
  it('names the original row of the failing pivot', () => {
    const graph = gridGraph(8);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, mulberry32(5)), [0]);
    const values = lap.matrix.values as Float64Array;
    // Node 37's diagonal made very negative: every earlier pivot is unaffected, its own fails.
    for (let p = lap.matrix.rowPtr[37]; p < lap.matrix.rowPtr[38]; p++) if (lap.matrix.colIdx[p] === 37) values[p] = -100;
    for (const ordering of ['amd', 'natural'] as const) {
      expect(() => SparseCholesky.factor(lap.matrix, { ordering })).toThrow(/not positive definite: pivot -\d.* at row 37 /);
    }
  });

  it('rejects an indefinite 2x2 matrix, a zero pivot and NaN values', () => {
    const indefinite = csrFromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1, 2, 2, 1]);
    expect(() => SparseCholesky.factor(indefinite, { ordering: 'natural' })).toThrow(/not positive definite.*row 1/);
    const zero = csrFromTriplets(2, 2, [0, 1], [0, 1], [1, 0]);
    expect(() => SparseCholesky.factor(zero)).toThrow(/not positive definite: pivot 0 at row 1/);
    const nan = csrFromTriplets(2, 2, [0, 1], [0, 1], [1, NaN]);
    expect(() => SparseCholesky.factor(nan)).toThrow(/pivot NaN at row 1/);
  });
});
