import { NumericalError } from './errors';

/**
 * A minimisation problem for damped Newton: an energy on free unknowns x,
 * its gradient, and a solve with its Hessian at x. Substrates with
 * nonlinear equilibria (diodes, springs) describe their equilibrium this way
 * and share one minimiser.
 */
export interface NewtonProblem {
  /** Number of unknowns. */
  readonly size: number;
  /** E(x). */
  energy(x: Float64Array): number;
  /** ∂E/∂x. */
  gradient(x: Float64Array): Float64Array;
  /** H(x)⁻¹ g: the problem factors its Hessian at x (reusing its symbolic analysis). */
  solve(x: Float64Array, g: Float64Array): Float64Array;
  /** Optional step limiting (e.g. junction-voltage limiting); may shorten the step in place. */
  limit?(x: Float64Array, step: Float64Array): void;
  /** Name of unknown i, for messages. */
  name?(i: number): string;
}

export interface NewtonOptions {
  /** Converged when max |∂E/∂x| ≤ tolerance·(1 + scale) (default 1e-10). */
  readonly tolerance?: number;
  /** Scale of the flows (e.g. the largest injected current); the tolerance is relative to 1 + scale (default 0: absolute). */
  readonly scale?: number;
  readonly maxIterations?: number;
  /** Largest number of halvings of a step in the line search (default 40). */
  readonly maxHalvings?: number;
}

export interface NewtonResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** max |∂E/∂x| at x. */
  readonly residual: number;
}

function maxAbs(v: Float64Array): { value: number; index: number } {
  let value = 0;
  let index = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (!(a <= value)) {
      value = a;
      index = i;
    }
  }
  return { value, index };
}

/**
 * Damped Newton on a convex (or locally convex) energy: step −H⁻¹∇E, limited
 * by the problem, halved until the energy does not increase (a backtracking
 * line search on E); where the energy no longer resolves a decrease (at its
 * rounding level, near the minimum) a full step that lowers the gradient is
 * taken. Converges from any start on a strictly convex energy;
 * when it cannot, it throws a NumericalError with the iterations, the
 * residual and the worst unknown named, never a NaN. Starting at the
 * minimum returns at once.
 */
export function newtonMinimize(problem: NewtonProblem, x0: Float64Array, options: NewtonOptions = {}): NewtonResult {
  const tol = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  const maxHalvings = options.maxHalvings ?? 40;
  const x = Float64Array.from(x0);
  let g = problem.gradient(x);
  const threshold = tol * (1 + (options.scale ?? 0));
  let e = problem.energy(x);
  const fail = (iterations: number, why: string): never => {
    const worst = maxAbs(g);
    const name = problem.name ? problem.name(worst.index) : `unknown ${worst.index}`;
    throw new NumericalError(
      `equilibrium did not converge (${why}) after ${iterations} Newton iterations: residual ${worst.value.toExponential(3)}, worst at ${name}`,
    );
  };
  if (!Number.isFinite(e)) fail(0, 'the energy is not finite at the start');
  for (let it = 0; it < maxIterations; it++) {
    const r = maxAbs(g).value;
    if (!Number.isFinite(r)) fail(it, 'the gradient is not finite');
    if (r <= threshold) return { x, iterations: it, residual: r };
    const step = problem.solve(x, g);
    for (let i = 0; i < step.length; i++) step[i] = -step[i];
    problem.limit?.(x, step);
    let t = 1;
    const trial = new Float64Array(x.length);
    let accepted = false;
    for (let h = 0; h <= maxHalvings; h++) {
      for (let i = 0; i < x.length; i++) trial[i] = x[i] + t * step[i];
      const et = problem.energy(trial);
      // accept a decrease, or a tie at rounding level near the minimum
      if (Number.isFinite(et) && et <= e + 1e-14 * Math.abs(e)) {
        x.set(trial);
        e = et;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) {
      // Near the minimum the energy changes by less than its rounding; there
      // the full step is judged by the gradient, which stays well resolved.
      for (let i = 0; i < x.length; i++) trial[i] = x[i] + step[i];
      const gt = problem.gradient(trial);
      if (!(maxAbs(gt).value < r)) fail(it + 1, 'the line search found no decrease of the energy');
      x.set(trial);
      e = problem.energy(x);
      g = gt;
      continue;
    }
    g = problem.gradient(x);
  }
  const r = maxAbs(g).value;
  if (r <= threshold) return { x, iterations: maxIterations, residual: r };
  return fail(maxIterations, 'too many iterations');
}
