import { csrFromTriplets, planSolver } from '@multimech/sparse';

it('the README snippet solves the grounded path: node voltages 1, 2, 3, 4 V', () => {
  const rows = [0, 0, 1, 1, 1, 2, 2, 2, 3, 3];
  const cols = [0, 1, 0, 1, 2, 1, 2, 3, 2, 3];
  const vals = [2, -1, -1, 2, -1, -1, 2, -1, -1, 1];
  const A = csrFromTriplets(4, 4, rows, cols, vals);
  const plan = planSolver(A);
  const factor = plan.factor(A);
  const x = factor.solve(Float64Array.of(0, 0, 0, 1));
  expect(plan.method).toBe('cholesky');
  [1, 2, 3, 4].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
});
