import { SparseError } from './errors';

export interface LargestEigenvalueOptions {
  /** Most Lanczos steps (default min(n, 300)). */
  readonly maxSteps?: number;
  /** Converged when the largest Ritz value changes by at most this, relative, over two steps (default 1e-13). */
  readonly tolerance?: number;
  /** What is computed, for messages (default 'largest eigenvalue'). */
  readonly what?: string;
}

/**
 * The largest eigenvalue of a symmetric positive semi-definite operator A
 * (given by its product v ↦ Av) of size n, by Lanczos with full
 * reorthogonalization: the largest Ritz value of the Krylov space grows
 * towards it from below. Ritz values are found by Sturm bisection of the
 * tridiagonal matrix. When the Krylov space closes early (an invariant
 * subspace), it is continued from a new start orthogonal to it, so an
 * unlucky start vector cannot hide the answer. The start vector is fixed,
 * so the result is reproducible.
 */
export function largestEigenvalue(apply: (v: Float64Array) => Float64Array, n: number, options: LargestEigenvalueOptions = {}): number {
  if (n === 0) return 0;
  const maxSteps = Math.min(n, options.maxSteps ?? 300);
  const tolerance = options.tolerance ?? 1e-13;
  const what = options.what ?? 'largest eigenvalue';
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let restarts = 0;
  const fresh = (): Float64Array | undefined => {
    // a deterministic, non-symmetric start, orthogonalised against the basis
    for (let attempt = 0; attempt < 4; attempt++) {
      const v = Float64Array.from({ length: n }, (_, i) => 1 + (((i + 1 + 7 * (restarts + attempt)) * 7919) % 101) / 101);
      orthogonalise(v, basis);
      orthogonalise(v, basis);
      const size = norm2(v);
      if (size > 1e-8 * Math.sqrt(n)) return v.map((x) => x / size);
    }
    return undefined;
  };
  let q = fresh()!;
  let previous = -Infinity;
  let stable = 0;
  let theta = 0;
  for (let j = 0; j < maxSteps; j++) {
    basis.push(q);
    const w = apply(q);
    let a = 0;
    for (let i = 0; i < n; i++) a += q[i] * w[i];
    alpha.push(a);
    orthogonalise(w, basis);
    orthogonalise(w, basis);
    const b = norm2(w);
    theta = largestOfTridiagonal(alpha, beta);
    if (!Number.isFinite(theta)) throw new SparseError(`${what}: the Lanczos iteration produced a non-finite value after ${j + 1} steps`);
    if (Math.abs(theta - previous) <= tolerance * Math.abs(theta)) {
      if (++stable >= 2) return theta;
    } else stable = 0;
    previous = theta;
    if (basis.length === n) return theta;
    if (b <= 1e-12 * Math.max(Math.abs(theta), Number.MIN_VALUE)) {
      // an invariant subspace: continue from a new direction (the tridiagonal matrix splits there)
      restarts++;
      const next = fresh();
      if (!next) return theta;
      beta.push(0);
      q = next;
    } else {
      beta.push(b);
      q = w.map((x) => x / b);
    }
  }
  if (maxSteps === n) return theta;
  throw new SparseError(
    `${what}: the Lanczos iteration did not converge in ${maxSteps} steps (the largest Ritz value still changes by ${Math.abs(theta - previous).toExponential(2)})`,
  );
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function orthogonalise(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const b of basis) {
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += b[i] * v[i];
    for (let i = 0; i < v.length; i++) v[i] -= dot * b[i];
  }
}

/** The largest eigenvalue of the symmetric tridiagonal matrix with diagonal `alpha` and off-diagonal `beta`, by Sturm bisection. */
export function largestOfTridiagonal(alpha: readonly number[], beta: readonly number[]): number {
  const k = alpha.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < k; i++) {
    const r = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < k - 1 ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - r);
    hi = Math.max(hi, alpha[i] + r);
  }
  /** How many eigenvalues lie below x. */
  const below = (x: number) => {
    let count = 0;
    let d = 1;
    for (let i = 0; i < k; i++) {
      const b2 = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
      d = alpha[i] - x - (i > 0 ? b2 / d : 0);
      if (d === 0) d = -Number.EPSILON * (Math.abs(x) + Number.MIN_VALUE);
      if (d < 0) count++;
    }
    return count;
  };
  for (let it = 0; it < 200 && hi - lo > 2 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (below(mid) === k) hi = mid;
    else lo = mid;
  }
  return hi;
}
