/**
 * What the sparse kernels throw when the numbers, not the caller, are at
 * fault: a solve that does not reach its tolerance, an iteration that
 * produces a non-finite value. The caller (a substrate, a mechanism) knows
 * what was being solved and restates it in its own terms. A call that breaks
 * the kernels' contract (sizes that do not match, a non-square matrix)
 * throws a plain `Error`.
 */
export class SparseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SparseError';
  }
}

/** Raised when an iterative solve stops without meeting its tolerance. */
export class ConvergenceError extends SparseError {
  constructor(
    message: string,
    readonly iterations: number,
    readonly relativeResidual: number,
  ) {
    super(message);
    this.name = 'ConvergenceError';
  }
}
