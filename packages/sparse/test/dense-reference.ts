import { CholeskyDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import { CsrMatrix, csrToDense } from '../src/csr-matrix';

/**
 * The dense cross-check every sparse kernel is held against: x = A⁻¹b by
 * ml-matrix's Cholesky (symmetric positive definite A; refuses one that is
 * not) or LU (any non-singular A). For tests and small problems only.
 */
export function denseSolve(A: CsrMatrix, b: ArrayLike<number>, method: 'cholesky' | 'lu' = 'cholesky'): Float64Array {
  const dense = new Matrix(csrToDense(A));
  const rhs = Matrix.columnVector(Array.from(b));
  if (method === 'lu') return Float64Array.from(new LuDecomposition(dense).solve(rhs).getColumn(0));
  const chol = new CholeskyDecomposition(dense);
  if (!chol.isPositiveDefinite()) throw new Error('denseSolve: the matrix is not positive definite');
  return Float64Array.from(chol.solve(rhs).getColumn(0));
}

/** ‖x − reference‖ / ‖reference‖. */
export function relativeError(x: ArrayLike<number>, reference: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < reference.length; i++) {
    num += (x[i] - reference[i]) ** 2;
    den += reference[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Entries uniform in [−½, ½) from a uniform generator. */
export function randomVector(n: number, random: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => random() - 0.5);
}
