import { NumericalError } from '../support/errors';
import type { NewtonProblem, NewtonResult } from './newton';

export interface FireOptions {
  /** Converged when max |∂E/∂x| ≤ tolerance·(1 + scale) (default 1e-9). */
  readonly tolerance?: number;
  /** Scale of the forces; the tolerance is relative to 1 + scale (default 0). */
  readonly scale?: number;
  readonly maxIterations?: number;
  /** Initial and largest time step (defaults 0.05 and 0.5, for unit masses and stiffnesses of order 1). */
  readonly dt?: number;
  readonly dtMax?: number;
}

/**
 * FIRE (the fast inertial relaxation engine): damped molecular dynamics
 * with unit masses that steers the velocity towards the force while the
 * power F·v stays positive, speeding up the time step, and stops dead when
 * it turns negative. It needs only the energy and its gradient, so it is the
 * robust alternative to Newton where the Hessian is indefinite far from the
 * minimum. A step to a state of infinite energy (a spring through zero
 * length) is undone and the time step halved. Fails with a NumericalError
 * naming the iterations, the residual and the worst unknown, never NaN.
 */
export function fireMinimize(
  problem: Pick<NewtonProblem, 'size' | 'energy' | 'gradient' | 'name'>,
  x0: Float64Array,
  options: FireOptions = {},
): NewtonResult {
  const threshold = (options.tolerance ?? 1e-9) * (1 + (options.scale ?? 0));
  const maxIterations = options.maxIterations ?? 100000;
  const dtMax = options.dtMax ?? 0.5;
  let dt = options.dt ?? 0.05;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const v = new Float64Array(n);
  let alpha = 0.1;
  let positive = 0;
  let g = problem.gradient(x);
  const worst = () => {
    let value = 0;
    let index = 0;
    for (let i = 0; i < n; i++) if (!(Math.abs(g[i]) <= value)) ((value = Math.abs(g[i])), (index = i));
    return { value, index };
  };
  const fail = (iterations: number, why: string): never => {
    const w = worst();
    const name = problem.name ? problem.name(w.index) : `unknown ${w.index}`;
    throw new NumericalError(`FIRE did not converge (${why}) after ${iterations} steps: residual ${w.value.toExponential(3)}, worst at ${name}`);
  };
  const previous = new Float64Array(n);
  for (let it = 0; it < maxIterations; it++) {
    const r = worst().value;
    if (!Number.isFinite(r)) fail(it, 'the gradient is not finite');
    if (r <= threshold) return { x, iterations: it, residual: r };
    // power of the force F = −g along the velocity
    let power = 0;
    let vNorm = 0;
    let fNorm = 0;
    for (let i = 0; i < n; i++) {
      power -= g[i] * v[i];
      vNorm += v[i] * v[i];
      fNorm += g[i] * g[i];
    }
    if (power > 0) {
      const mix = alpha * Math.sqrt(vNorm / fNorm);
      for (let i = 0; i < n; i++) v[i] = (1 - alpha) * v[i] - mix * g[i];
      if (++positive > 5) {
        dt = Math.min(dt * 1.1, dtMax);
        alpha *= 0.99;
      }
    } else {
      v.fill(0);
      dt *= 0.5;
      alpha = 0.1;
      positive = 0;
    }
    // semi-implicit Euler with unit masses
    previous.set(x);
    for (let i = 0; i < n; i++) {
      v[i] -= dt * g[i];
      x[i] += dt * v[i];
    }
    if (!Number.isFinite(problem.energy(x))) {
      x.set(previous);
      v.fill(0);
      dt *= 0.5;
      positive = 0;
      if (dt < 1e-14) fail(it + 1, 'every step leads to an infinite energy');
      continue;
    }
    g = problem.gradient(x);
  }
  return fail(maxIterations, 'too many steps');
}
