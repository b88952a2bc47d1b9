import { Drive, MultimechError, NewtonProblem, NumericalError, fireMinimize, newtonMinimize } from '@multimech/core';
import type { CsrMatrix, Factorization } from '@multimech/sparse';
import type { ElasticBoundary } from './elastic-boundary';
import type { SpringEnergy } from './spring-energy';
import type { SpringParameters } from './spring-parameters';
import type { SpringStiffness } from './spring-stiffness';

/** How a spring network's equilibrium is found. */
export interface SpringSolverOptions {
  /** Converged when max |∂E/∂x| ≤ tolerance·(1 + force scale) (default 1e-9). */
  readonly tolerance?: number;
  /** Iteration cap (default 200). */
  readonly maxIterations?: number;
  /** Damped Newton with a Levenberg shift (default), or FIRE. */
  readonly minimiser?: 'newton' | 'fire';
}

/**
 * The solves of a spring network on its one stiffness matrix: the
 * equilibrium (core's damped Newton with an energy line search, or FIRE;
 * warm-started from the last equilibrium; finished by polishing Newton
 * steps), H at a state, and linear responses H⁻¹f.
 *
 * Away from the minimum H may be indefinite (compressed springs soften
 * transversally): when H is not positive definite, or its step is not a
 * descent direction, the step uses H + λI with λ raised tenfold from
 * 1e-8·max diag(H) until it is (a Levenberg shift). A trial step that would
 * turn any spring through zero length (its vector reversing) has infinite
 * energy for the line search, so the step is halved until no spring passes
 * through zero. When every dof is held there is nothing to solve: the
 * equilibrium is the imposed state, H is 0x0 and responses are zero.
 */
export class SpringSolver {
  readonly minimiser: 'newton' | 'fire';
  private readonly tolerance: number;
  private readonly maxIterations: number;
  private last: Float64Array | undefined;

  constructor(
    private readonly held: ElasticBoundary,
    private readonly springs: SpringParameters,
    private readonly energy: SpringEnergy,
    private readonly stiffnessMatrix: SpringStiffness,
    options: SpringSolverOptions = {},
  ) {
    this.tolerance = options.tolerance ?? 1e-9;
    this.maxIterations = options.maxIterations ?? 200;
    this.minimiser = options.minimiser ?? 'newton';
  }

  equilibrium(drive: Drive): Float64Array {
    const { reference, heldDofs, freeDofs, graph, dim: d } = this.held;
    const { stiffness, restLength } = this.springs;
    if (drive.injection.length !== reference.length || drive.fixed.length !== heldDofs.length) {
      throw new MultimechError(`drive: expected ${reference.length} injections and ${heldDofs.length} held values, got ${drive.injection.length} and ${drive.fixed.length}`);
    }
    const scatter = (x: Float64Array) => this.held.scatter(x, drive.fixed);
    const start = this.last ?? reference;
    const x0 = Float64Array.from(freeDofs, (dof) => start[dof]);
    if (x0.length === 0) return scatter(x0);
    const { from, to } = graph;
    // the state each trial step starts from: a spring whose vector reverses on the way has passed through zero length
    let current = scatter(x0);
    const fire = this.minimiser === 'fire';
    let forceScale = 0;
    for (let i = 0; i < drive.injection.length; i++) forceScale = Math.max(forceScale, Math.abs(drive.injection[i]));
    for (let k = 0; k < from.length; k++) forceScale = Math.max(forceScale, stiffness[k] * restLength[k]);
    const problem: NewtonProblem = {
      size: x0.length,
      energy: (x) => {
        const s = scatter(x);
        // a spring whose vector reverses within the step has passed through zero length: reject the step
        for (let k = 0; k < from.length; k++) {
          let dot = 0;
          for (let a = 0; a < d; a++) dot += (s[from[k] * d + a] - s[to[k] * d + a]) * (current[from[k] * d + a] - current[to[k] * d + a]);
          if (!(dot > 0)) return Infinity;
        }
        return this.energy.energy(s, drive);
      },
      gradient: (x) => {
        const s = scatter(x);
        // FIRE evaluates the gradient only where it has moved to; Newton also at trial points of its line search
        if (fire) current = s;
        const r = this.energy.residual(s, drive);
        return Float64Array.from(freeDofs, (dof) => r[dof]);
      },
      solve: (x, g) => {
        current = scatter(x);
        return this.descentStep(current, g);
      },
      name: (i) => `dof ${this.held.dofName(freeDofs[i])}`,
    };
    let result;
    try {
      result =
        fire
          ? fireMinimize(problem, x0, { tolerance: this.tolerance, scale: forceScale })
          : newtonMinimize(problem, x0, { tolerance: this.tolerance, scale: forceScale, maxIterations: this.maxIterations });
    } catch (e) {
      if (e instanceof NumericalError) {
        const r = this.energy.lengths(current);
        let k = 0;
        for (let j = 1; j < r.length; j++) if (r[j] / restLength[j] < r[k] / restLength[k]) k = j;
        e.message += `; the shortest spring is '${graph.edgeNames[k]}' at length ${r[k].toExponential(3)} (rest length ${restLength[k]})` +
          (r[k] < 1e-3 * restLength[k] ? ': the load pushes it through zero length' : '');
      }
      throw e;
    }
    // polish with plain Newton steps accepted while max |∂E/∂x| falls: near the minimum the
    // energy changes below its rounding, so the line search cannot judge steps there
    let x = result.x;
    let g = problem.gradient(x);
    const size = (v: Float64Array) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    for (let i = 0; i < 4 && size(g) > 0; i++) {
      const step = this.descentStep(scatter(x), g);
      const trial = x.map((v, j) => v - step[j]);
      const gt = problem.gradient(trial);
      if (!(size(gt) < size(g))) break;
      x = trial;
      g = gt;
    }
    const state = scatter(x);
    this.last = state;
    return state;
  }

  /** A descent direction H⁻¹g, or (H + λI)⁻¹g when H is not positive definite there. */
  private descentStep(state: Float64Array, g: Float64Array): Float64Array {
    const K = this.stiffnessMatrix;
    const { stiffness, restLength } = this.springs;
    const attempt = (lambda: number): Float64Array | undefined => {
      K.assemble(state, stiffness, restLength);
      if (lambda > 0) K.shift(lambda);
      try {
        const step = K.factor().solve(g);
        let dot = 0;
        for (let i = 0; i < g.length; i++) dot += g[i] * step[i];
        return Number.isFinite(dot) && dot > 0 ? step : undefined;
      } catch (e) {
        if (e instanceof NumericalError) throw e;
        return undefined;
      }
    };
    const plain = attempt(0);
    if (plain) return plain;
    K.assemble(state, stiffness, restLength);
    const scale = K.maxDiagonal() || 1;
    for (let lambda = 1e-8 * scale; lambda <= 1e6 * scale; lambda *= 10) {
      const step = attempt(lambda);
      if (step) return step;
    }
    throw new NumericalError('no descent direction: the stiffness matrix stays indefinite under every Levenberg shift up to 1e6 x its largest diagonal entry');
  }

  /** H at the state on the free dofs (a copy of the values). */
  hessian(state: Float64Array): CsrMatrix {
    const A = this.stiffnessMatrix.assemble(state, this.springs.stiffness, this.springs.restLength);
    return { ...A, values: Float64Array.from(A.values) };
  }

  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    if (this.held.freeDofs.length === 0) return forces.map(() => new Float64Array(this.held.reference.length));
    const xs = this.factorAt(state).solveMany(forces.map((f) => this.held.onFreeDofs(f, 'linearResponse')));
    return xs.map((x) => this.held.fromFreeDofs(x));
  }

  /** H at the state, factored; a NumericalError when it is not positive definite. */
  factorAt(state: Float64Array): Factorization {
    const K = this.stiffnessMatrix;
    K.assemble(state, this.springs.stiffness, this.springs.restLength);
    try {
      return K.factor();
    } catch (e) {
      throw new NumericalError(
        `the stiffness matrix at this state is not positive definite (the state is not a stable equilibrium): ${(e as Error).message}`,
      );
    }
  }

  /** The warm start (the last equilibrium, every dof), as numbers; undefined before the first solve. */
  warmState(): number[] | undefined {
    return this.last && Array.from(this.last);
  }

  /** Sets the warm start `warmState` gave (undefined: the next equilibrium starts from the reference positions). */
  restoreWarmState(state: readonly number[] | undefined): void {
    const n = this.held.reference.length;
    if (state !== undefined && state.length !== n) throw new MultimechError(`a warm start of ${n} positions was expected, got ${state.length} values`);
    this.last = state && Float64Array.from(state);
  }

  /** Forgets the warm start: the next equilibrium starts from the reference positions. */
  resetWarmStart(): void {
    this.last = undefined;
  }
}
