import { denseSolve, randomVector, relativeError } from './dense-reference';
import { ConjugateGradient } from '../src/conjugate-gradient';
import { CsrMatrix, csrMultiply, csrToDense } from '../src/csr-matrix';
import { edgePattern } from '../src/edge-pattern';
import { planSolver } from '../src/linear-solver';
import { DRIFT_LIMIT, SmoothedAggregation } from '../src/smoothed-aggregation';
import {
  assembleLaplacian,
  gridGraph,
  groundedLaplacian,
  latticeGraph,
  layeredGraph,
  mulberry32,
  randomRegularGraph,
  randomSparseSpd,
  randomWeights,
} from './sample-matrices';

/** ||A x - b|| / ||b||. */
const relativeResidual = (A: CsrMatrix, x: Float64Array, b: Float64Array): number => relativeError(csrMultiply(A, x), b);

/** The hierarchy's stored levels (A, P, R), read for the checks below. */
interface LevelView {
  A: CsrMatrix;
  P: CsrMatrix | null;
  R: CsrMatrix | null;
}
const levelsOf = (amg: SmoothedAggregation): LevelView[] => (amg as unknown as { levels: LevelView[] }).levels;

/** Dense R A P. */
function denseGalerkin(level: LevelView): number[][] {
  const A = csrToDense(level.A);
  const P = csrToDense(level.P as CsrMatrix);
  const n = A.length;
  const nc = P[0].length;
  const AP = A.map((row) => Array.from({ length: nc }, (_, J) => row.reduce((s, a, k) => s + a * P[k][J], 0)));
  return Array.from({ length: nc }, (_, I) => Array.from({ length: nc }, (_, J) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += P[k][I] * AP[k][J];
    return s;
  }));
}

function maxDifference(a: number[][], b: number[][]): number {
  let m = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a.length; j++) {
      m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
      scale = Math.max(scale, Math.abs(b[i][j]));
    }
  }
  return m / scale;
}

describe('smoothed aggregation multigrid', () => {
  it('coarsens a grid Laplacian and cuts CG iterations from hundreds to about fifteen, agreeing with the dense solve', () => {
    const rng = mulberry32(11);
    const graph = gridGraph(32);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const A = lap.matrix;
    const amg = new SmoothedAggregation(A);
    expect(amg.depth).toBeGreaterThanOrEqual(2);
    const sizes = amg.levelSizes;
    expect(sizes[0]).toBe(1024);
    expect(sizes[1]).toBeLessThan(1024 / 3);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(300);
    expect(amg.operatorComplexity).toBeGreaterThan(1);
    expect(amg.operatorComplexity).toBeLessThan(2);
    const b = randomVector(1024, rng);
    const withAmg = new ConjugateGradient(A, { preconditioner: 'amg', tolerance: 1e-10 }).solve(b);
    const twoLevel = new ConjugateGradient(A, { preconditioner: 'two-level', tolerance: 1e-10 }).solve(b);
    expect(withAmg.iterations).toBeLessThan(25);
    expect(twoLevel.iterations).toBeGreaterThan(100);
    expect(withAmg.relativeResidual).toBeLessThanOrEqual(1e-10);
    expect(relativeResidual(A, withAmg.x, b)).toBeLessThanOrEqual(1e-10);
    expect(relativeError(withAmg.x, denseSolve(A, b))).toBeLessThan(1e-7);
  });

  it('is a symmetric positive definite preconditioner (u^T M^-1 v = v^T M^-1 u, v^T M^-1 v > 0)', () => {
    const rng = mulberry32(12);
    const graph = latticeGraph(10);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const amg = new SmoothedAggregation(lap.matrix);
    const n = lap.matrix.rows;
    expect(amg.depth).toBeGreaterThanOrEqual(2);
    for (let t = 0; t < 3; t++) {
      const u = randomVector(n, rng);
      const v = randomVector(n, rng);
      const mu = new Float64Array(n);
      const mv = new Float64Array(n);
      const vmv = amg.apply(v, mv);
      amg.apply(u, mu);
      let uMv = 0;
      let vMu = 0;
      for (let i = 0; i < n; i++) {
        uMv += u[i] * mv[i];
        vMu += v[i] * mu[i];
      }
      expect(Math.abs(uMv - vMu)).toBeLessThan(1e-10 * Math.abs(vmv));
      expect(vmv).toBeGreaterThan(0);
    }
  });

  it('refresh recomputes the Galerkin products P^T A P for new values and keeps the aggregates and prolongators', () => {
    const rng = mulberry32(13);
    const graph = gridGraph(25);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0, 300]);
    const amg = new SmoothedAggregation(lap.matrix);
    const levels = levelsOf(amg);
    expect(maxDifference(csrToDense(levels[1].A), denseGalerkin(levels[0]))).toBeLessThan(1e-12);
    const P = levels[0].P as CsrMatrix;
    const pValues = Float64Array.from(P.values);
    const before = Float64Array.from(levels[1].A.values);
    // New conductances, a factor up to 5 either way: the values move, the pattern stays.
    assembleLaplacian(lap, randomWeights(graph.tail.length, rng, 0.2, 5));
    amg.refresh(lap.matrix);
    expect(levelsOf(amg)[0].P).toBe(P);
    expect(Float64Array.from(P.values)).toEqual(pValues);
    expect(relativeError(levels[1].A.values, before)).toBeGreaterThan(0.05);
    expect(maxDifference(csrToDense(levels[1].A), denseGalerkin(levels[0]))).toBeLessThan(1e-12);
    // And CG with the refreshed hierarchy solves the new system.
    const b = randomVector(625, rng);
    const cg = new ConjugateGradient(lap.matrix, { preconditioner: 'amg', tolerance: 1e-10 });
    const x = cg.solve(b).x;
    expect(relativeError(x, denseSolve(lap.matrix, b))).toBeLessThan(1e-7);
  });

  it('update keeps the coarse operators while the diagonal moves by at most DRIFT_LIMIT, and recomputes them beyond it or when asked', () => {
    const rng = mulberry32(16);
    const graph = gridGraph(30);
    const weights = randomWeights(graph.tail.length, rng);
    const lap = groundedLaplacian(graph, weights, [0]);
    const amg = new SmoothedAggregation(lap.matrix);
    const levels = levelsOf(amg);
    const coarse = Float64Array.from(levels[1].A.values);
    const b = randomVector(900, rng);
    const cg = new ConjugateGradient(lap.matrix, { preconditioner: 'amg', tolerance: 1e-10 });
    const first = cg.solve(b).iterations;
    // A training step's change: conductances by 1% at most.
    const nudged = weights.map((w) => w * (1 + 0.01 * (2 * rng() - 1)));
    assembleLaplacian(lap, nudged);
    expect(amg.update(lap.matrix, false)).toBe(false);
    expect(Float64Array.from(levels[1].A.values)).toEqual(coarse);
    // The finest level has the new values, and CG with the kept coarse levels converges as fast (within an iteration).
    expect(Array.from(levels[0].A.values)).toEqual(Array.from(lap.matrix.values));
    cg.refactor(lap.matrix);
    const kept = cg.solve(b);
    expect(relativeResidual(lap.matrix, kept.x, b)).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(kept.iterations - first)).toBeLessThanOrEqual(1);
    // Asked: recomputed, the exact Galerkin product of the new values.
    expect(amg.update(lap.matrix, true)).toBe(true);
    expect(maxDifference(csrToDense(levels[1].A), denseGalerkin(levels[0]))).toBeLessThan(1e-12);
    expect(relativeError(levels[1].A.values, coarse)).toBeGreaterThan(1e-4);
    // Beyond the drift limit: one node's conductances doubled.
    const moved = nudged.slice();
    for (let e = 0; e < graph.tail.length; e++) if (graph.tail[e] === 455 || graph.head[e] === 455) moved[e] *= 2;
    assembleLaplacian(lap, moved);
    const before = Float64Array.from(levels[1].A.values);
    expect(DRIFT_LIMIT).toBeLessThan(0.5);
    expect(amg.update(lap.matrix, false)).toBe(true);
    expect(relativeError(levels[1].A.values, before)).toBeGreaterThan(0);
    expect(maxDifference(csrToDense(levels[1].A), denseGalerkin(levels[0]))).toBeLessThan(1e-12);
  });

  it('keeps CG converging across refactors whose values drift far from the hierarchy', () => {
    const rng = mulberry32(14);
    const graph = gridGraph(40);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const cg = new ConjugateGradient(lap.matrix, { preconditioner: 'amg', tolerance: 1e-10 });
    const b = randomVector(1600, rng);
    const first = cg.solve(b).iterations;
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      // Conductances spread over four decades: far from the ones the aggregates were built for.
      assembleLaplacian(lap, randomWeights(graph.tail.length, rng, 0.01, 100));
      cg.refactor(lap.matrix);
      const result = cg.solve(b);
      expect(relativeResidual(lap.matrix, result.x, b)).toBeLessThanOrEqual(1e-10);
      counts.push(result.iterations);
    }
    expect(first).toBeLessThan(25);
    expect(Math.max(...counts)).toBeLessThan(80);
  });

  it('does not aggregate a small dense level into a handful: it is factored (3-D lattice 48^3)', () => {
    const rng = mulberry32(48);
    const graph = latticeGraph(48);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]);
    const b = randomVector(lap.matrix.rows, rng);
    // Asked to coarsen down to 5 rows: the third level (about 300 rows, dense rows) would aggregate into about 8,
    // a poor coarse space (21 iterations); it stays the coarsest, factored densely.
    const cg = new ConjugateGradient(lap.matrix, { preconditioner: 'amg', tolerance: 1e-10, amg: { coarsestSize: 5 } });
    const sizes = (cg as unknown as { amg: SmoothedAggregation }).amg.levelSizes;
    expect(sizes.length).toBe(3);
    expect(sizes[2]).toBeGreaterThan(100);
    const result = cg.solve(b);
    expect(relativeResidual(lap.matrix, result.x, b)).toBeLessThanOrEqual(1e-10);
    expect(result.iterations).toBeLessThanOrEqual(18);
  });

  it('serves CG on a sparse SPD matrix that is not a Laplacian', () => {
    const rng = mulberry32(15);
    const A = randomSparseSpd(1000, 6, rng);
    const b = randomVector(1000, rng);
    const result = new ConjugateGradient(A, { preconditioner: 'amg', tolerance: 1e-10 }).solve(b);
    expect(relativeResidual(A, result.x, b)).toBeLessThanOrEqual(1e-10);
    expect(relativeError(result.x, denseSolve(A, b))).toBeLessThan(1e-8);
  });

  it('stays bounded when coarsening stalls (few strong couplings): the big coarsest level is smoothed, not factored densely', () => {
    const rng = mulberry32(18);
    const A = randomSparseSpd(3000, 4, rng);
    // Every coupling is weak at this threshold: no aggregate forms.
    const amg = new SmoothedAggregation(A, { strengthThreshold: 0.9 });
    expect(amg.levelSizes).toEqual([3000]);
    const b = randomVector(3000, rng);
    const result = new ConjugateGradient(A, { preconditioner: 'amg', amg: { strengthThreshold: 0.9 }, tolerance: 1e-10 }).solve(b);
    expect(relativeResidual(A, result.x, b)).toBeLessThanOrEqual(1e-10);
    expect(result.iterations).toBeLessThan(30);
  });

  it('vector dofs (block 2): a triangulated spring network pinned on one side', () => {
    const rng = mulberry32(16);
    const side = 24;
    const node = (x: number, y: number) => y * side + x;
    const from: number[] = [];
    const to: number[] = [];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        if (x + 1 < side) from.push(node(x, y)), to.push(node(x + 1, y));
        if (y + 1 < side) from.push(node(x, y)), to.push(node(x, y + 1));
        if (x + 1 < side && y + 1 < side) from.push(node(x, y)), to.push(node(x + 1, y + 1));
      }
    }
    // The left column is pinned (both coordinates held); the other dofs get rows node-major.
    const rowOf = new Int32Array(2 * side * side).fill(-1);
    let rows = 0;
    for (let k = 0; k < side * side; k++) {
      if (k % side === 0) continue;
      rowOf[2 * k] = rows++;
      rowOf[2 * k + 1] = rows++;
    }
    const pattern = edgePattern(rows, rowOf, from, to, 2);
    const values = pattern.matrix.values as Float64Array;
    for (let e = 0; e < from.length; e++) {
      const ax = from[e] % side;
      const ay = Math.floor(from[e] / side);
      const bx = to[e] % side;
      const by = Math.floor(to[e] / side);
      const len = Math.hypot(bx - ax, by - ay);
      const u = [(bx - ax) / len, (by - ay) / len];
      const k = 0.5 + 1.5 * rng();
      for (let B = 0; B < 4; B++) {
        const sign = B < 2 ? 1 : -1;
        for (let i = 0; i < 2; i++) {
          for (let j = 0; j < 2; j++) {
            const slot = pattern.slots[((4 * e + B) * 2 + i) * 2 + j];
            if (slot >= 0) values[slot] += sign * k * u[i] * u[j];
          }
        }
      }
    }
    const A = pattern.matrix;
    const amg = new SmoothedAggregation(A, { block: 2 });
    expect(amg.depth).toBeGreaterThanOrEqual(2);
    expect(amg.levelSizes[1] % 2).toBe(0);
    const b = randomVector(rows, rng);
    const blocked = new ConjugateGradient(A, { preconditioner: 'amg', amg: { block: 2 }, tolerance: 1e-10 }).solve(b);
    const jacobi = new ConjugateGradient(A, { preconditioner: 'jacobi', tolerance: 1e-10 }).solve(b);
    expect(relativeResidual(A, blocked.x, b)).toBeLessThanOrEqual(1e-10);
    expect(blocked.iterations).toBeLessThan(jacobi.iterations / 4);
    expect(relativeError(blocked.x, denseSolve(A, b))).toBeLessThan(1e-7);
    // A plan for vector dofs takes the block through its options.
    const plan = planSolver(A, { method: 'cg', cgPreconditioner: 'amg', amg: { block: 2 }, cgTolerance: 1e-10 });
    expect(relativeError(plan.factor(A).solve(b), blocked.x)).toBeLessThan(1e-7);
    // Two load cases at once (solveMany pairs them through the two-vector V-cycle), each to the tolerance.
    const other = randomVector(rows, rng);
    const [x0, x1] = plan.factor(A).solveMany([b, other]);
    expect(relativeError(x0, blocked.x)).toBeLessThan(1e-7);
    expect(relativeResidual(A, x1, other)).toBeLessThanOrEqual(1e-10);
    expect(relativeError(x1, denseSolve(A, other))).toBeLessThan(1e-7);
  });

  it('refuses a block that does not divide the rows, and a matrix with a non-positive diagonal', () => {
    const graph = gridGraph(5);
    const lap = groundedLaplacian(graph, randomWeights(graph.tail.length, mulberry32(17)), [0]);
    expect(() => new SmoothedAggregation(lap.matrix, { block: 2 })).toThrow(/block 2 does not divide 25 rows/);
    (lap.matrix.values as Float64Array).fill(0);
    expect(() => new SmoothedAggregation(lap.matrix)).toThrow(/not positive definite/);
  });
});

describe('planSolver: the automatic choice by predicted cost on each graph class', () => {
  const rng = mulberry32(21);
  const cases: { name: string; build: () => { matrix: CsrMatrix }; method: string; preconditioner?: string }[] = [
    { name: '2-D grid 60x60', build: () => groundedLaplacian(gridGraph(60), randomWeights(7080, rng), [0]), method: 'cholesky', preconditioner: undefined },
    { name: '3-D lattice 20^3', build: () => groundedLaplacian(latticeGraph(20), randomWeights(22800, rng), [0]), method: 'cg', preconditioner: 'amg' },
    {
      name: 'random 4-regular graph of 3000 nodes',
      build: () => groundedLaplacian(randomRegularGraph(3000, rng), randomWeights(6000, rng), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      method: 'cg',
      preconditioner: 'two-level',
    },
    {
      name: 'layered network 10-100-100-100-100-10',
      build: () => groundedLaplacian(layeredGraph([10, 100, 100, 100, 100, 10]), randomWeights(32000, rng), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      method: 'cg',
      preconditioner: 'two-level',
    },
  ];
  it.each(cases)('$name: picks $method, preconditioner $preconditioner, and solves to the tolerance', ({ build, method, preconditioner }) => {
    const { matrix } = build();
    const plan = planSolver(matrix, { cgTolerance: 1e-10 });
    expect(plan.method).toBe(method);
    expect(plan.preconditioner).toBe(preconditioner);
    const predicted = plan.predicted!;
    const costs = { cholesky: predicted.cholesky, 'two-level': predicted.cgTwoLevel, amg: predicted.cgAmg };
    // The pick is the cheapest prediction (Cholesky only within the fill limit).
    const picked = method === 'cholesky' ? costs.cholesky : costs[preconditioner as 'two-level' | 'amg'];
    for (const [name, cost] of Object.entries(costs)) {
      if (name === 'cholesky' && method === 'cg' && plan.reason.includes('> limit')) continue;
      expect(picked).toBeLessThanOrEqual(cost);
    }
    const b = randomVector(matrix.rows, rng);
    const x = plan.factor(matrix).solve(b);
    expect(relativeResidual(matrix, x, b)).toBeLessThanOrEqual(method === 'cg' ? 1e-10 : 1e-12);
  });
});
