import { denseSolve, randomVector, relativeError } from './dense-reference';
import { csrFromTriplets, csrMultiply } from '../src/csr-matrix';
import { DEFAULT_FILL_LIMIT, LIVE_FACTORIZATIONS, planSolver } from '../src/linear-solver';
import { assembleLaplacian, gridGraph, groundedLaplacian, mulberry32, randomGraph, randomWeights } from './sample-matrices';

describe('planSolver: automatic choice', () => {
  it('picks Cholesky on a 30x30 grid', () => {
    const graph = gridGraph(30);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, mulberry32(1)), [0]);
    const plan = planSolver(lap.matrix);
    expect(plan.method).toBe('cholesky');
    expect(plan.n).toBe(900);
    expect(plan.nnzA).toBe(lap.matrix.rowPtr[900]);
    expect(plan.nnzL).toBeGreaterThan(900);
    expect(plan.reason).toMatch(new RegExp(`^fill \\d+\\.\\dx nnz\\(A\\) <= limit ${DEFAULT_FILL_LIMIT} \\((amd|nested-dissection) ordering\\)$`));
  });

  it('picks CG on a random 3000-node graph of mean degree 4 (its fill explodes)', () => {
    const rng = mulberry32(2);
    const graph = randomGraph(3000, 4, rng);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0, 1000, 2000]);
    const plan = planSolver(lap.matrix);
    expect(plan.method).toBe('cg');
    expect(plan.reason).toMatch(/^fill \d+\.\dx nnz\(A\) > limit/);
    expect(plan.nnzL).toBeGreaterThan(DEFAULT_FILL_LIMIT * 3000);
    // And the CG factorization solves it.
    const b = randomVector(3000, rng);
    const x = plan.factor(lap.matrix).solve(b);
    const cholesky = planSolver(lap.matrix, { method: 'cholesky' }).factor(lap.matrix).solve(b);
    expect(relativeError(x, cholesky)).toBeLessThan(1e-9);
  });

  it('follows fillLimit, the memory cap and explicit requests', () => {
    const graph = gridGraph(12);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, mulberry32(3)), [0]);
    expect(planSolver(lap.matrix, { fillLimit: 1 }).method).toBe('cg');
    const capped = planSolver(lap.matrix, { maxFactorEntries: 100 });
    expect(capped.method).toBe('cg');
    expect(capped.reason).toMatch(/memory cap 100/);
    expect(planSolver(lap.matrix, { method: 'cg' }).reason).toMatch(/^requested cg/);
    expect(planSolver(lap.matrix, { method: 'cholesky', fillLimit: 1 }).method).toBe('cholesky');
    expect(planSolver(lap.matrix, { ordering: 'natural' }).nnzL).toBeGreaterThan(planSolver(lap.matrix).nnzL);
    expect(() => planSolver(lap.matrix, { method: 'lu' as never })).toThrow(/unknown method/);
  });
});

describe('plan.factor: factor once, solve many', () => {
  const rng = mulberry32(8);

  it.each(['cholesky', 'cg'] as const)('%s: solves, refactors new values, solves many', (method) => {
    const graph = randomGraph(120, 4, rng);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [5, 60]);
    const plan = planSolver(lap.matrix, { method, cgTolerance: 1e-13 });
    expect(plan.method).toBe(method);
    const b = randomVector(120, rng);
    const first = plan.factor(lap.matrix);
    expect(first.method).toBe(method);
    expect(first.n).toBe(120);
    const x1 = first.solve(b);
    expect(relativeError(x1, denseSolve(lap.matrix, b))).toBeLessThanOrEqual(1e-10);
    // New values, same pattern: the new factor gives the new solution; the old one is unchanged.
    assembleLaplacian(lap, randomWeights(graph.tail.length, rng, 0.1, 5));
    const second = plan.factor(lap.matrix);
    const reference = denseSolve(lap.matrix, b);
    expect(relativeError(second.solve(b), reference)).toBeLessThanOrEqual(1e-10);
    expect(Array.from(first.solve(b))).toEqual(Array.from(x1));
    // solveMany equals repeated solve (exactly for Cholesky; CG takes the first two together, to its tolerance).
    const bs = [b, randomVector(120, rng), randomVector(120, rng)];
    const xs = second.solveMany(bs);
    if (method === 'cholesky') bs.forEach((bi, i) => expect(Array.from(xs[i])).toEqual(Array.from(second.solve(bi))));
    else bs.forEach((bi, i) => expect(relativeError(xs[i], denseSolve(lap.matrix, bi))).toBeLessThanOrEqual(1e-10));
    const out = new Float64Array(120);
    expect(second.solve(b, out)).toBe(out);
  });

  it.each(['two-level', 'amg'] as const)('cg (%s): solveMany solves two right-hand sides together, starts a third from the previous solution when that is closer, and each meets the tolerance', (preconditioner) => {
    const graph = gridGraph(40);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const plan = planSolver(lap.matrix, { method: 'cg', cgPreconditioner: preconditioner, cgTolerance: 1e-10 });
    expect(plan.preconditioner).toBe(preconditioner);
    const free = randomVector(1600, rng);
    const clamped = free.slice();
    for (let k = 0; k < 5; k++) clamped[k * 300] += 0.1;
    const f = plan.factor(lap.matrix);
    // A state and the free one together, then the nudged one (closer to the free solution than to zero, started from it).
    const [xo, xf, xc] = f.solveMany([Float64Array.from(free, (v) => -v), free, clamped]);
    for (const [x, b] of [[xf, free], [xc, clamped]] as const) expect(relativeError(x, denseSolve(lap.matrix, b))).toBeLessThan(1e-7);
    expect(relativeError(xo, Float64Array.from(xf, (v) => -v))).toBeLessThan(1e-7);
    const residual = (x: Float64Array, b: Float64Array) => relativeError(csrMultiply(lap.matrix, x), b);
    for (const [x, b] of [[xf, free], [xc, clamped], [xo, Float64Array.from(free, (v) => -v)]] as const) expect(residual(x, b)).toBeLessThanOrEqual(1e-10);
  });

  it.each(['cholesky', 'cg'] as const)('%s: a different pattern raises a clear error', (method) => {
    const graph = gridGraph(6);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const plan = planSolver(lap.matrix, { method });
    // The same grid with one extra edge (a diagonal of the first cell).
    const withDiagonal = {
      nodes: 36,
      tail: Int32Array.from([...graph.tail, 0]),
      head: Int32Array.from([...graph.head, 7]),
    };
    const other = groundedLaplacian(withDiagonal, randomWeights(graph.tail.length + 1, rng), [0]).matrix;
    expect(() => plan.factor(other)).toThrow(/matrix pattern differs from the analysed pattern/);
    const bigger = groundedLaplacian(gridGraph(7), randomWeights(84, rng), [0]).matrix;
    expect(() => plan.factor(bigger)).toThrow(/pattern differs.*size 49x49, expected 36x36/);
  });

  it.each(['cholesky', 'cg'] as const)('%s: recycles the storage of old factorizations, clearly', (method) => {
    const graph = randomGraph(60, 4, rng);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const plan = planSolver(lap.matrix, { method, cgTolerance: 1e-13 });
    const b = randomVector(60, rng);
    const factors = [];
    const references = [];
    for (let t = 0; t <= LIVE_FACTORIZATIONS; t++) {
      assembleLaplacian(lap, randomWeights(graph.tail.length, rng));
      factors.push(plan.factor(lap.matrix));
      references.push(denseSolve(lap.matrix, b));
    }
    // The newest LIVE_FACTORIZATIONS still solve their own systems...
    for (let t = 1; t <= LIVE_FACTORIZATIONS; t++) {
      expect(relativeError(factors[t].solve(b), references[t])).toBeLessThanOrEqual(1e-10);
    }
    // ...and the oldest says why it cannot.
    expect(() => factors[0].solve(b)).toThrow(/no longer valid: its plan has made 2 newer factorizations since/);
  });

  it('keeps its storage usable after a failed factorization', () => {
    const graph = gridGraph(5);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const plan = planSolver(lap.matrix, { method: 'cholesky' });
    const good = plan.factor(lap.matrix);
    plan.factor(lap.matrix);
    const values = lap.matrix.values as Float64Array;
    const saved = values.slice();
    values[lap.groundSlots[0]] = -1000;
    expect(() => plan.factor(lap.matrix)).toThrow(/not positive definite/);
    values.set(saved);
    const b = randomVector(25, rng);
    expect(relativeError(plan.factor(lap.matrix).solve(b), denseSolve(lap.matrix, b))).toBeLessThanOrEqual(1e-10);
    expect(() => good.solve(b)).toThrow(/no longer valid/);
  });

  it('rejects non-square and non-symmetric patterns', () => {
    expect(() => planSolver(csrFromTriplets(2, 3, [0], [0], [1]))).toThrow(/square/);
    expect(() => planSolver(csrFromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [1, 1, 1]))).toThrow(/not symmetric/);
  });

  it('CG plans raise when CG cannot converge', () => {
    const graph = gridGraph(15);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const plan = planSolver(lap.matrix, { method: 'cg', cgMaxIterations: 5 });
    expect(() => plan.factor(lap.matrix).solve(randomVector(225, rng))).toThrow(/did not converge: 5 iterations/);
  });
});
