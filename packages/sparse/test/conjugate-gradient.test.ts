import { denseSolve, randomVector, relativeError } from './dense-reference';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { ConjugateGradient, conjugateGradient } from '../src/conjugate-gradient';
import { ConvergenceError } from '../src/errors';
import { CsrMatrix, csrFromTriplets, csrMultiply, csrToDense } from '../src/csr-matrix';
import { IncompleteCholesky, buildPreconditioner } from '../src/preconditioner';
import { gridGraph, groundedLaplacian, layeredGraph, mulberry32, randomGraph, randomGramSpd, randomSparseSpd, randomWeights } from './sample-matrices';

function laplacian(n: number, rng: () => number): CsrMatrix {
  const graph = randomGraph(n, 3 + 3 * rng(), rng);
  const grounds = [0, Math.floor(n / 2), n - 1];
  return groundedLaplacian(graph, randomWeights(graph.tail.length, rng), grounds).matrix;
}

describe('conjugate gradients against a dense solve', () => {
  const rng = mulberry32(31);
  const preconditioners = ['jacobi', 'two-level', 'ic0', 'none'] as const;

  it.each([5, 12, 30, 64, 120, 200])('grounded random Laplacian of %i nodes', (n) => {
    const A = laplacian(n, rng);
    const b = randomVector(n, rng);
    const reference = denseSolve(A, b);
    for (const preconditioner of preconditioners) {
      const result = conjugateGradient(A, b, { preconditioner, tolerance: 1e-14 });
      expect(relativeError(result.x, reference)).toBeLessThanOrEqual(1e-10);
      expect(result.relativeResidual).toBeLessThanOrEqual(1e-14);
      expect(result.iterations).toBeGreaterThan(0);
    }
  });

  it.each([40, 150])('general sparse SPD matrices of order %i', (n) => {
    for (const A of [randomSparseSpd(n, 5, rng), randomGramSpd(n, 3, rng)]) {
      const b = randomVector(n, rng);
      const reference = denseSolve(A, b);
      for (const preconditioner of preconditioners) {
        const { x } = conjugateGradient(A, b, { preconditioner, tolerance: 1e-14 });
        expect(relativeError(x, reference)).toBeLessThanOrEqual(1e-10);
      }
    }
  });

  it('reports the true residual, and IC(0) needs fewer iterations than Jacobi on a grid', () => {
    const graph = gridGraph(20);
    const A = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0, 399]).matrix;
    const b = randomVector(400, rng);
    const jacobi = conjugateGradient(A, b, { preconditioner: 'jacobi', tolerance: 1e-10 });
    const ic0 = conjugateGradient(A, b, { preconditioner: 'ic0', tolerance: 1e-10 });
    expect(ic0.iterations).toBeLessThan(jacobi.iterations);
    for (const result of [jacobi, ic0]) {
      const r = csrMultiply(A, result.x);
      for (let i = 0; i < 400; i++) r[i] -= b[i];
      const bNorm = Math.hypot(...b);
      expect(Math.abs(Math.hypot(...r) / bNorm - result.relativeResidual)).toBeLessThan(1e-14);
      expect(result.relativeResidual).toBeLessThanOrEqual(1e-10);
    }
  });
});

describe('conjugate gradients: starts, reuse and failures', () => {
  const rng = mulberry32(77);
  const A = laplacian(150, rng);
  const b = randomVector(150, rng);

  it('converges at once from the solution and faster from a nearby start', () => {
    const cg = new ConjugateGradient(A, { tolerance: 1e-10 });
    const cold = cg.solve(b);
    expect(cg.solve(b, cold.x).iterations).toBe(0);
    const near = Float64Array.from(cold.x, (v) => v * (1 + 1e-6));
    const warm = cg.solve(b, near);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(relativeError(warm.x, cold.x)).toBeLessThan(1e-8);
  });

  it('refactors new values of the same pattern, and rejects another pattern', () => {
    const graph = randomGraph(90, 4, rng);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0, 45]);
    const rhs = randomVector(90, rng);
    for (const preconditioner of ['jacobi', 'two-level', 'ic0', 'none'] as const) {
      const cg = new ConjugateGradient(lap.matrix, { preconditioner, tolerance: 1e-13 });
      const weights = randomWeights(graph.tail.length, rng, 0.1, 10);
      const updated = groundedLaplacian(graph, weights, [0, 45]).matrix;
      cg.refactor(updated);
      expect(relativeError(cg.solve(rhs).x, denseSolve(updated, rhs))).toBeLessThanOrEqual(1e-10);
    }
    const cg = new ConjugateGradient(lap.matrix);
    expect(() => cg.refactor(laplacian(91, rng))).toThrow(/pattern differs/);
  });

  it('returns zero for a zero right-hand side', () => {
    const result = conjugateGradient(A, new Float64Array(150));
    expect(result.iterations).toBe(0);
    expect(Array.from(result.x).every((v) => v === 0)).toBe(true);
  });

  it('raises with the iteration count when it does not converge', () => {
    let error: unknown;
    try {
      conjugateGradient(A, b, { maxIterations: 3 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvergenceError);
    const failure = error as ConvergenceError;
    expect(failure.message).toMatch(/did not converge: 3 iterations, relative residual \d\.\d+e-\d+ > tolerance 1e-12/);
    expect(failure.iterations).toBe(3);
    expect(failure.relativeResidual).toBeGreaterThan(1e-12);
  });

  it('never returns NaN: non-finite input and indefinite matrices raise', () => {
    const bad = b.slice();
    bad[4] = NaN;
    expect(() => conjugateGradient(A, bad)).toThrow(/not finite/);
    const indefinite = csrFromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1, 2, 2, 1]);
    expect(() => conjugateGradient(indefinite, Float64Array.from([1, -1]), { preconditioner: 'none' })).toThrow(
      /broke down at iteration 0: p\^T A p = -2/,
    );
    const negativeDiagonal = csrFromTriplets(2, 2, [0, 1], [0, 1], [1, -1]);
    expect(() => conjugateGradient(negativeDiagonal, Float64Array.from([1, 1]))).toThrow(/diagonal entry -1 at row 1/);
    expect(() => conjugateGradient(A, b, { tolerance: 0 })).toThrow(/tolerance must be positive/);
  });
});

describe('preconditioners', () => {
  it('IC(0) is exact on a tridiagonal matrix (no fill to drop)', () => {
    const n = 30;
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < n; i++) {
      r.push(i);
      c.push(i);
      v.push(3);
      if (i + 1 < n) r.push(i, i + 1), c.push(i + 1, i), v.push(-1, -1);
    }
    const A = csrFromTriplets(n, n, r, c, v);
    const x = randomVector(n, mulberry32(3));
    const z = new Float64Array(n);
    IncompleteCholesky.factor(A).apply(csrMultiply(A, x), z);
    expect(relativeError(z, x)).toBeLessThan(1e-13);
  });

  it('IC(0) shifts the diagonal when the plain factorization breaks down', () => {
    // Kershaw's matrix: SPD, but the zero-fill factor meets a negative pivot.
    const K = [
      [3, -2, 0, 2],
      [-2, 3, -2, 0],
      [0, -2, 3, -2],
      [2, 0, -2, 3],
    ];
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    K.forEach((row, i) => row.forEach((a, j) => a !== 0 && (r.push(i), c.push(j), v.push(a))));
    const A = csrFromTriplets(4, 4, r, c, v);
    expect(new CholeskyDecomposition(new Matrix(csrToDense(A))).isPositiveDefinite()).toBe(true);
    const ic = IncompleteCholesky.factor(A);
    expect(ic.shift).toBeGreaterThan(0);
    const b = Float64Array.from([1, 2, 3, 4]);
    const { x } = conjugateGradient(A, b, { preconditioner: 'ic0', tolerance: 1e-14 });
    expect(relativeError(x, denseSolve(A, b))).toBeLessThan(1e-12);
  });

  it('two-level adds the exact correction on the all-ones vector, and needs fewer iterations than Jacobi', () => {
    const rng = mulberry32(12);
    const A = laplacian(400, rng);
    const r = randomVector(400, rng);
    const z = new Float64Array(400);
    const rz = buildPreconditioner(A, 'two-level').apply(r, z);
    const dense = csrToDense(A);
    const total = dense.flat().reduce((a, b) => a + b, 0);
    const sum = r.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 400; i++) expect(z[i]).toBeCloseTo(r[i] / dense[i][i] + sum / total, 12);
    expect(rz).toBeCloseTo(r.reduce((a, v, i) => a + v * z[i], 0), 10);
    const b = randomVector(400, rng);
    const jacobi = conjugateGradient(A, b, { preconditioner: 'jacobi', tolerance: 1e-10 });
    const twoLevel = conjugateGradient(A, b, { preconditioner: 'two-level', tolerance: 1e-10 });
    expect(twoLevel.iterations).toBeLessThan(jacobi.iterations);
    expect(relativeError(twoLevel.x, jacobi.x)).toBeLessThan(1e-8);
  });

  it('rejects unknown kinds', () => {
    expect(() => buildPreconditioner(csrFromTriplets(1, 1, [0], [0], [1]), 'ilu' as never)).toThrow(/unknown preconditioner/);
  });
});

describe('conjugate gradients on two right-hand sides at once (solvePair)', () => {
  const rng = mulberry32(404);

  it.each(['jacobi', 'two-level', 'amg', 'none', 'ic0'] as const)('agrees with the dense solve and meets the tolerance on both (%s)', (preconditioner) => {
    const graph = gridGraph(40, 30);
    const A = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0, 1199]).matrix;
    const b0 = randomVector(1200, rng);
    // A smooth right-hand side: its solve takes another number of iterations than the random one.
    const b1 = Float64Array.from({ length: 1200 }, (_, i) => Math.sin(i / 97) + 0.01 * rng());
    const cg = new ConjugateGradient(A, { preconditioner, tolerance: 1e-11 });
    const [r0, r1] = cg.solvePair(b0, b1);
    for (const [result, b] of [[r0, b0], [r1, b1]] as const) {
      expect(relativeError(result.x, denseSolve(A, b))).toBeLessThanOrEqual(1e-8);
      expect(result.relativeResidual).toBeLessThanOrEqual(1e-11);
      const r = csrMultiply(A, result.x);
      for (let i = 0; i < 1200; i++) r[i] -= b[i];
      expect(Math.hypot(...r) / Math.hypot(...b)).toBeLessThanOrEqual(1e-11);
      // The same number of iterations as a single solve from zero, give or take the restart of the slower vector.
      const single = cg.solve(b);
      expect(result.iterations).toBeGreaterThanOrEqual(single.iterations - 1);
      expect(result.iterations).toBeLessThanOrEqual(single.iterations + 6);
    }
  });

  it('pairs where that pays: with multigrid, and with a diagonal preconditioner only on dense rows', () => {
    const grid = gridGraph(10);
    const sparse = groundedLaplacian(grid, randomWeights(grid.tail.length, rng), [0]).matrix;
    const layered = layeredGraph([4, 30, 30, 4]);
    const dense = groundedLaplacian(layered, randomWeights(layered.tail.length, rng), [0, 1, 2, 3]).matrix;
    expect(new ConjugateGradient(sparse, { preconditioner: 'amg' }).pairsPay).toBe(true);
    expect(new ConjugateGradient(sparse, { preconditioner: 'two-level' }).pairsPay).toBe(false);
    expect(new ConjugateGradient(dense, { preconditioner: 'two-level' }).pairsPay).toBe(true);
    expect(new ConjugateGradient(dense, { preconditioner: 'ic0' }).pairsPay).toBe(false);
  });

  it('solves a zero right-hand side and the other one, and rejects a non-finite one', () => {
    const graph = gridGraph(12);
    const A = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]).matrix;
    const b = randomVector(144, rng);
    const cg = new ConjugateGradient(A, { preconditioner: 'amg', tolerance: 1e-12 });
    const [zero, x] = cg.solvePair(new Float64Array(144), b);
    expect(zero.x.every((v) => v === 0)).toBe(true);
    expect(relativeError(x.x, denseSolve(A, b))).toBeLessThanOrEqual(1e-9);
    const bad = b.slice();
    bad[3] = NaN;
    expect(() => cg.solvePair(b, bad)).toThrow('not finite');
  });
});
