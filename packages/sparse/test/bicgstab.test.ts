import { denseSolve, randomVector, relativeError } from './dense-reference';
import { Bicgstab, bicgstab } from '../src/bicgstab';
import { ConvergenceError, SparseError } from '../src/errors';
import { planSolver } from '../src/linear-solver';
import { CsrMatrix, csrFromTriplets, csrIsSymmetric, csrMultiply } from '../src/csr-matrix';
import { EdgeList, gridGraph, mulberry32, randomGraph } from './sample-matrices';

/**
 * The upwind advection-diffusion operator of a species on a graph: diffusion
 * D_e across each edge, advection by the flow Q_e = w_e (φ_tail − φ_head) of a
 * random potential φ (scaled by `peclet`), taken from the upstream node, and
 * an exchange with a reservoir at `grounds`. A nonsingular M-matrix, not
 * symmetric once peclet > 0.
 */
function advectionDiffusion(graph: EdgeList, random: () => number, peclet: number, grounds: readonly number[]): CsrMatrix {
  const n = graph.nodes;
  const phi = Array.from({ length: n }, () => random());
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const add = (i: number, j: number, v: number) => {
    rows.push(i);
    cols.push(j);
    vals.push(v);
  };
  for (let e = 0; e < graph.tail.length; e++) {
    const a = graph.tail[e];
    const b = graph.head[e];
    const d = 0.5 + 1.5 * random();
    add(a, a, d);
    add(b, b, d);
    add(a, b, -d);
    add(b, a, -d);
    const q = peclet * d * (phi[a] - phi[b]);
    const [up, down] = q > 0 ? [a, b] : [b, a];
    add(up, up, Math.abs(q));
    add(down, up, -Math.abs(q));
  }
  for (const g of grounds) add(g, g, 1);
  return csrFromTriplets(n, n, rows, cols, vals);
}

describe('BiCGSTAB against a dense LU solve', () => {
  const random = mulberry32(17);
  const preconditioners = ['ilu0', 'jacobi', 'none'] as const;

  it.each([
    [6, 0.5],
    [15, 2],
    [40, 5],
    [90, 10],
    [150, 30],
    [250, 3],
  ])('random upwind advection-diffusion operator, %i nodes, Péclet scale %d', (n, peclet) => {
    const graph = randomGraph(n, 3 + 2 * random(), random);
    const A = advectionDiffusion(graph, random, peclet, [0, Math.floor(n / 3)]);
    expect(csrIsSymmetric(A, 1e-12)).toBe(false);
    const b = randomVector(n, random);
    const reference = denseSolve(A, b, 'lu');
    for (const preconditioner of preconditioners) {
      const result = bicgstab(A, b, { preconditioner, tolerance: 1e-13 });
      expect(relativeError(result.x, reference)).toBeLessThanOrEqual(1e-10);
      expect(result.relativeResidual).toBeLessThanOrEqual(1e-13);
      expect(result.iterations).toBeGreaterThan(0);
    }
  });

  it('reports the true residual of what it returns, and reuses one preconditioner for many right-hand sides', () => {
    const graph = gridGraph(12);
    const A = advectionDiffusion(graph, random, 8, [0]);
    const solver = new Bicgstab(A, { tolerance: 1e-12 });
    for (let k = 0; k < 3; k++) {
      const b = randomVector(A.rows, random);
      const { x, relativeResidual } = solver.solve(b);
      const Ax = csrMultiply(A, x);
      const r = Math.hypot(...Ax.map((v, i) => b[i] - v)) / Math.hypot(...b);
      expect(relativeResidual).toBeCloseTo(r, 15);
      expect(r).toBeLessThanOrEqual(1e-12);
      expect(relativeError(x, denseSolve(A, b, 'lu'))).toBeLessThanOrEqual(1e-9);
    }
  });

  it('converges in fewer iterations with ILU(0) than with Jacobi, and with Jacobi than with none, on an advected grid', () => {
    const graph = gridGraph(20);
    const A = advectionDiffusion(graph, mulberry32(5), 10, [0, 399]);
    const b = randomVector(A.rows, random);
    const its = Object.fromEntries(preconditioners.map((p) => [p, bicgstab(A, b, { preconditioner: p, tolerance: 1e-12 }).iterations]));
    expect(its.ilu0).toBeLessThan(its.jacobi);
    expect(its.jacobi).toBeLessThanOrEqual(its.none);
  });

  it('is exact for a symmetric M-matrix too, and starts from a given guess', () => {
    const graph = randomGraph(60, 4, random);
    const A = advectionDiffusion(graph, random, 0, [3]);
    expect(csrIsSymmetric(A, 1e-14)).toBe(true);
    const b = randomVector(60, random);
    const reference = denseSolve(A, b, 'lu');
    const cold = bicgstab(A, b, { tolerance: 1e-13 });
    expect(relativeError(cold.x, reference)).toBeLessThanOrEqual(1e-10);
    const warm = bicgstab(A, b, { tolerance: 1e-13, x0: cold.x });
    expect(warm.iterations).toBe(0);
    expect(bicgstab(A, new Float64Array(60)).x.every((v) => v === 0)).toBe(true);
  });

  it('throws a ConvergenceError naming the iterations and the residual when the cap is too low, never NaN', () => {
    const graph = gridGraph(15);
    const A = advectionDiffusion(graph, random, 20, [0]);
    const b = randomVector(A.rows, random);
    let error: unknown;
    try {
      bicgstab(A, b, { preconditioner: 'none', maxIterations: 3, tolerance: 1e-14 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvergenceError);
    const c = error as ConvergenceError;
    expect(c.iterations).toBe(3);
    expect(c.relativeResidual).toBeGreaterThan(1e-14);
    expect(Number.isFinite(c.relativeResidual)).toBe(true);
    expect(c.message).toMatch(/^BiCGSTAB did not converge: 3 iterations \(the cap\), relative residual \d\.\d{3}e[-+]\d+ > tolerance 1e-14$/);
  });

  it('refuses a singular operator, a non-finite right-hand side and a missing diagonal with clear messages', () => {
    // A floating component (no exchange with a reservoir): singular; the right-hand side is not in its range.
    const A = advectionDiffusion(randomGraph(30, 3, random), random, 2, []);
    const b = Float64Array.from({ length: 30 }, (_, i) => (i === 0 ? 1 : 0));
    expect(() => bicgstab(A, b, { preconditioner: 'jacobi', maxIterations: 200 })).toThrow(ConvergenceError);
    expect(() => bicgstab(A, Float64Array.from(b, (v, i) => (i === 2 ? NaN : v)))).toThrow(/right-hand side is not finite/);
    const noDiagonal = csrFromTriplets(2, 2, [0, 1], [1, 0], [1, 1]);
    expect(() => new Bicgstab(noDiagonal)).toThrow(/ILU\(0\) preconditioner: row 0 has no diagonal entry/);
    const swapped = bicgstab(noDiagonal, Float64Array.of(2, 3), { preconditioner: 'none' }).x;
    expect(relativeError(swapped, Float64Array.of(3, 2))).toBeLessThanOrEqual(1e-15);
  });
});

describe("BiCGSTAB behind planSolver's plan → factor → solve contract", () => {
  const random = mulberry32(29);
  const graph = randomGraph(120, 4, random);
  const A = advectionDiffusion(graph, random, 8, [0, 40]);

  it('a plan of method bicgstab solves a non-symmetric system to the dense LU answer, for every right-hand side of one factor', () => {
    const plan = planSolver(A, { method: 'bicgstab', bicgstabTolerance: 1e-13 });
    expect(plan.method).toBe('bicgstab');
    expect(plan.reason).toBe('requested bicgstab (ilu0 preconditioner)');
    const factor = plan.factor(A);
    const bs = [randomVector(120, random), randomVector(120, random)];
    const xs = factor.solveMany(bs);
    xs.forEach((x, i) => expect(relativeError(x, denseSolve(A, bs[i], 'lu'))).toBeLessThan(1e-10));
  });

  it('refactors for new values of the same pattern, starts from a guess, and refuses another pattern', () => {
    const plan = planSolver(A, { method: 'bicgstab' });
    const scaled = { ...A, values: A.values.map((v) => 2 * v) };
    const b = randomVector(120, random);
    const x = plan.factor(scaled).solve(b);
    expect(relativeError(x, denseSolve(A, b, 'lu').map((v) => v / 2))).toBeLessThan(1e-9);
    // from the answer itself, the solve returns it unchanged up to the tolerance
    const again = plan.factor(scaled).solve(b, undefined, x);
    expect(relativeError(again, x)).toBeLessThan(1e-11);
    const other = advectionDiffusion(randomGraph(120, 4, random), random, 8, [0]);
    expect(() => plan.factor(other)).toThrow('the matrix pattern differs from the one this plan was made for');
  });

  it('an ILU(0) breakdown is a SparseError, for the caller to restate', () => {
    // a zero pivot: no diagonal at row 1
    const B = csrFromTriplets(2, 2, [0, 0, 1], [0, 1, 0], [1, 2, 3]);
    expect(() => planSolver(B, { method: 'bicgstab' }).factor(B)).toThrow(SparseError);
  });
});
