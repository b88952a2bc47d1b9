import type { Drive } from '../contracts/boundary';
import { MultimechError } from '../support/errors';
import { NewtonOptions, NewtonProblem, newtonMinimize } from './newton';
import type { ScalarPattern } from './scalar-pattern';

/** Newton settings of a network's nonlinear equilibria (defaults: tolerance 1e-13 relative to 1 + the flow scale, 200 iterations). */
export type EquilibriumOptions = Pick<NewtonOptions, 'tolerance' | 'maxIterations'>;

/** How the last nonlinear equilibrium converged. */
export interface NewtonReport {
  readonly iterations: number;
  /** max |KCL residual| at the free nodes. */
  readonly residual: number;
}

/** What the Newton solve needs of a nonlinear scalar network, at a full node state. */
export interface ScalarNewtonTarget {
  energy(state: Float64Array, drive: Drive): number;
  /** ∂E/∂s per node. */
  residual(state: Float64Array, drive: Drive): Float64Array;
  /** H(state)⁻¹ g on the free rows. */
  solve(state: Float64Array, g: Float64Array): Float64Array;
  /** The largest factor (≤ 1) of `scale`·step that no element's step limit shortens. */
  limitFactor(state: Float64Array, step: Float64Array, scale: number): number;
  /** The size of the flows a drive makes (the tolerance is relative to 1 + it). */
  flowScale(drive: Drive): number;
}

/**
 * The equilibria of a nonlinear scalar network: damped Newton on E over the
 * free nodes (core's `newtonMinimize`), warm-started from the last
 * equilibrium, with each element's step limiting, then polished towards
 * rounding level.
 */
export class ScalarNewton {
  /** The free part of the last equilibrium (the warm start). */
  private warmStart: Float64Array | undefined;
  private report: NewtonReport | undefined;

  constructor(
    private readonly pattern: ScalarPattern,
    private readonly target: ScalarNewtonTarget,
    private readonly options: EquilibriumOptions = {},
  ) {}

  /** The warm start (the free part of the last equilibrium), a copy; undefined before the first solve. */
  get warmState(): Float64Array | undefined {
    return this.warmStart && Float64Array.from(this.warmStart);
  }

  /** Sets the warm start (a copy; undefined: the next solve starts from zero); refuses one of another length. */
  set warmState(x: Float64Array | undefined) {
    const nf = this.pattern.freeNodes.length;
    if (x !== undefined && x.length !== nf) throw new MultimechError(`a warm start of ${nf} free nodes was expected, got ${x.length} values`);
    this.warmStart = x && Float64Array.from(x);
  }

  /** How the last equilibrium converged (undefined before the first). */
  get last(): NewtonReport | undefined {
    return this.report;
  }

  /**
   * A step is shortened (as a whole, keeping its direction) so that no
   * element's drop grows past what its law's `limit` accepts; an unlimited
   * step is doubled while that clearly lowers E (see `limit`).
   */
  equilibrium(drive: Drive): Float64Array {
    const { freeNodes } = this.pattern;
    const target = this.target;
    const nf = freeNodes.length;
    const state = this.pattern.scatter(new Float64Array(nf), drive.fixed);
    const put = (x: Float64Array) => {
      for (let r = 0; r < nf; r++) state[freeNodes[r]] = x[r];
    };
    const problem: NewtonProblem = {
      size: nf,
      energy: (x) => {
        put(x);
        return target.energy(state, drive);
      },
      gradient: (x) => {
        put(x);
        const r = target.residual(state, drive);
        return Float64Array.from(freeNodes, (node) => r[node]);
      },
      solve: (x, g) => {
        put(x);
        return target.solve(state, g);
      },
      limit: (x, step) => {
        put(x);
        const base = Float64Array.from(state);
        const t = target.limitFactor(base, step, 1);
        if (t < 1) {
          for (let i = 0; i < step.length; i++) step[i] *= t;
          return;
        }
        // Expansion: from a junction far in forward bias the Newton step only
        // moves its drop by about N·Vt (the exponential's curvature falls along
        // the step). While doubling the step lowers E clearly and no element
        // would limit it, double it.
        const trial = new Float64Array(nf);
        const energyAt = (c: number) => {
          for (let i = 0; i < nf; i++) trial[i] = x[i] + c * step[i];
          return problem.energy(trial);
        };
        let c = 1;
        let e = energyAt(1);
        while (Number.isFinite(e) && c < 2 ** 30 && target.limitFactor(base, step, 2 * c) === 1) {
          const next = energyAt(2 * c);
          if (!(next < e - 1e-9 * Math.abs(e))) break;
          c *= 2;
          e = next;
        }
        if (c > 1) for (let i = 0; i < step.length; i++) step[i] *= c;
      },
      name: (i) => `node '${this.pattern.graph.nodeNames[freeNodes[i]]}'`,
    };
    const start = this.warmStart ?? new Float64Array(nf);
    const scale = target.flowScale(drive);
    const result = newtonMinimize(problem, start, {
      tolerance: this.options.tolerance ?? 1e-13,
      scale,
      maxIterations: this.options.maxIterations ?? 200,
    });
    // Polish: full Newton steps towards rounding level (1e-16 of the flows)
    // while they lower the residual, so that finite differences of
    // equilibria resolve the gradient to ~1e-9.
    let { x, residual, iterations } = result;
    for (let k = 0; k < 3 && residual > 1e-16 * (1 + scale); k++) {
      const g = problem.gradient(x);
      const step = problem.solve(x, g);
      const next = Float64Array.from(x, (xi, i) => xi - step[i]);
      const r = problem.gradient(next).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (!(r < residual)) break;
      x = next;
      residual = r;
      iterations++;
    }
    this.warmStart = x;
    this.report = { iterations, residual };
    return this.pattern.scatter(x, drive.fixed);
  }
}
