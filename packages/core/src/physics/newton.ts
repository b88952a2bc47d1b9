import { NumericalError } from '../support/errors';

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

/** Sufficient-decrease constant of the Armijo test. */
const ARMIJO = 1e-4;
/** Below this fraction of |E| the energy's changes are judged by the slope (Hager and Zhang's ε). */
const ROUNDING_BAND = 1e-6;
/** δ of the approximate Armijo test. */
const APPROXIMATE_DELTA = 0.1;

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
 * Damped Newton on a convex (or locally convex) energy: step p = −H⁻¹∇E,
 * limited by the problem, halved until it passes a line-search test, from
 * the full step down:
 *
 * - sufficient decrease (Armijo): `E(x + tp) ≤ E(x) + c·t·∇E·p`, c = 1e-4;
 * - near the minimum the decrease the full step promises, `|∇E·p|`, falls
 *   below what E resolves (E is a sum of terms far larger than their
 *   changes, so its rounding, not the step, decides a comparison): when it
 *   is under `1e-6·|E|`, each trial (if E did not rise by more than that)
 *   is judged by the slope at its end instead, which the gradient resolves
 *   to its own rounding: the approximate Armijo test of Hager and Zhang,
 *   `∇E(x + tp)·p ≤ (2δ − 1) ∇E·p` with δ = 0.1 (the trapezoid rule's
 *   decrease `½ t (∇E·p + ∇E(x + tp)·p) ≤ δ t ∇E·p`);
 * - a trial that rounds to x itself is never accepted (a null step would
 *   repeat forever); when no trial passes, the full step is taken if it
 *   lowers max |∇E|, else the solve fails.
 *
 * Converges from any start on a strictly convex energy; when it cannot, it
 * throws a NumericalError with the iterations, the residual and the worst
 * unknown named, never a NaN. Starting at the minimum returns at once.
 * The gradient may be evaluated at trial points that are then rejected.
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
    let slope = 0;
    for (let i = 0; i < x.length; i++) slope += g[i] * step[i];
    const descent = Math.min(slope, 0);
    // near the minimum the full step promises a decrease below what E resolves: judge every trial by its slope
    const band = ROUNDING_BAND * Math.abs(e);
    const unresolved = slope < 0 && -slope <= band;
    let t = 1;
    const trial = new Float64Array(x.length);
    let accepted = false;
    for (let h = 0; h <= maxHalvings; h++) {
      let moved = false;
      for (let i = 0; i < x.length; i++) {
        trial[i] = x[i] + t * step[i];
        if (trial[i] !== x[i]) moved = true;
      }
      // a step too short to change x is no progress: leave it to the fallback below
      if (!moved) break;
      const et = problem.energy(trial);
      if (Number.isFinite(et)) {
        if (unresolved) {
          // E cannot resolve the step: judge it by the slope at its end
          if (et <= e + band) {
            const gt = problem.gradient(trial);
            let end = 0;
            for (let i = 0; i < x.length; i++) end += gt[i] * step[i];
            // the trapezoid rule's decrease: ½ t (∇E·p + ∇E(x + tp)·p) ≤ δ t ∇E·p
            if (end <= (2 * APPROXIMATE_DELTA - 1) * slope) {
              x.set(trial);
              e = et;
              g = gt;
              accepted = true;
              break;
            }
          }
        } else if (et <= e + ARMIJO * t * descent) {
          x.set(trial);
          e = et;
          g = problem.gradient(x);
          accepted = true;
          break;
        }
      }
      t /= 2;
    }
    if (!accepted) {
      // Near the minimum the energy changes by less than its rounding; there
      // the full step is judged by the gradient, which stays well resolved.
      for (let i = 0; i < x.length; i++) trial[i] = x[i] + step[i];
      const gt = problem.gradient(trial);
      if (!(maxAbs(gt).value < r)) fail(it + 1, 'the line search found no decrease of the energy');
      const et = problem.energy(trial);
      if (!Number.isFinite(et)) fail(it + 1, 'the line search found no decrease of the energy, and the full step leads to an infinite energy');
      x.set(trial);
      e = et;
      g = gt;
    }
  }
  const r = maxAbs(g).value;
  if (r <= threshold) return { x, iterations: maxIterations, residual: r };
  return fail(maxIterations, 'too many iterations');
}
