import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { MultimechError, NumericalError, type StateLoss, type Substrate } from '@multimech/core';
import type { NudgedSolver, NudgedState } from './nudged-solver';

const MAX_ITERATIONS = 50;

/**
 * Nudged and clamped states of a linear substrate without a new
 * factorization. With O the readout, f_j = −Oᵀe_j the force of output j and
 * V_j = H⁻¹f_j (o solves against the free state's factor), every state that
 * differs from the free one only by forces at the outputs is s* + Vμ, and
 * G = O H⁻¹ Oᵀ (G_ij = V_i·f_j, o×o, positive definite) is its output
 * response: O(s* + Vμ) = y* − Gμ.
 *
 * - Nudged: s^β = s* + Vμ with μ = β ∂C/∂y(y^β), exactly (H s^β = b + β e(s^β)).
 *   μ minimises Φ(μ) = ½μᵀGμ + βC(s* + Vμ), whose gradient is
 *   r(μ) = Gμ − β Vᵀe(s* + Vμ); a damped Newton in the o unknowns (Jacobian
 *   by central differences of Vᵀe) finds it. For MSE r is affine in μ and
 *   the first step lands on the solution (this is the Woodbury identity
 *   for (H + βOᵀO)⁻¹); cross-entropy takes a few steps.
 * - Clamped at y^C: s^C = s* + Vλ with Gλ = y* − y^C (one o×o solve); the
 *   outputs hold y^C and every other free dof keeps its balance.
 */
export class OutputSubspaceSolver implements NudgedSolver {
  readonly outputs: Float64Array;
  readonly outputGradient: Float64Array;
  private readonly responses: Float64Array[];
  private readonly gram: Matrix;
  private readonly gramFactor: CholeskyDecomposition;

  constructor(
    private readonly substrate: Substrate,
    readonly free: Float64Array,
    private readonly loss: StateLoss,
  ) {
    const ports = substrate.boundary.outputs;
    const o = ports.length;
    if (o === 0) throw new MultimechError(`substrate '${substrate.kind}' has no outputs to nudge or clamp`);
    const forces = ports.map((_, j) => substrate.outputForce(free, unit(o, j)));
    this.responses = substrate.linearResponse(free, forces);
    const gram = new Matrix(o, o);
    for (let i = 0; i < o; i++) for (let j = 0; j <= i; j++) gram.set(i, j, dot(this.responses[i], forces[j]));
    for (let i = 0; i < o; i++) for (let j = i + 1; j < o; j++) gram.set(i, j, gram.get(j, i));
    for (let j = 0; j < o; j++) {
      if (!(gram.get(j, j) > 0)) {
        throw new MultimechError(
          `output '${ports[j].name}' does not respond to a force (it is held by the boundary): equilibrium propagation and coupled learning cannot nudge or clamp it`,
        );
      }
    }
    this.gram = gram;
    this.gramFactor = new CholeskyDecomposition(gram);
    if (!this.gramFactor.isPositiveDefinite()) {
      throw new MultimechError(`outputs ${ports.map((p) => `'${p.name}'`).join(', ')} are not independent: two of them read the same combination of states`);
    }
    this.outputs = substrate.readout(free);
    const force = loss.evaluate(free).force;
    this.outputGradient = this.solveGram(this.project(force));
    this.checkThroughOutputs(force, forces);
  }

  nudged(beta: number): NudgedState {
    if (!Number.isFinite(beta)) throw new MultimechError(`nudging strength β must be finite, got ${beta}`);
    const o = this.outputs.length;
    let mu = new Float64Array(o);
    let at = this.evaluate(mu, beta);
    let iterations = 0;
    const scale = () => norm(this.gramTimes(mu)) + Math.abs(beta) * norm(at.q) + 1e-300;
    while (norm(at.r) > 1e-14 * scale() && iterations < MAX_ITERATIONS) {
      iterations++;
      const step = this.newtonStep(mu, at.r, beta);
      const slope = dot(at.r, step);
      let t = 1;
      let accepted = false;
      for (let halvings = 0; halvings < 40; halvings++) {
        const trial = mu.map((m, i) => m + t * step[i]);
        const next = this.evaluate(trial, beta);
        if (next.phi <= at.phi + 1e-4 * t * slope || norm(next.r) < (1 - 1e-4 * t) * norm(at.r)) {
          mu = trial;
          at = next;
          accepted = true;
          break;
        }
        t /= 2;
      }
      // Stop when nothing improves any more, or the step no longer moves μ (rounding level).
      if (!accepted || t * norm(step) <= 1e-15 * norm(mu)) break;
    }
    const residual = norm(at.r) / scale();
    if (!(residual <= 1e-9)) {
      throw new NumericalError(
        `the nudged state at β = ${beta} did not converge: relative stationarity residual ${residual.toExponential(2)} after ${iterations} Newton steps in the output subspace`,
      );
    }
    return { state: at.state, iterations };
  }

  clamped(outputs: ArrayLike<number>): Float64Array {
    const o = this.outputs.length;
    if (outputs.length !== o) throw new MultimechError(`expected ${o} clamped output values, got ${outputs.length}`);
    const shift = new Float64Array(o);
    for (let j = 0; j < o; j++) {
      if (!Number.isFinite(outputs[j])) throw new MultimechError(`clamped value of output '${this.substrate.boundary.outputs[j].name}' is not finite (${outputs[j]})`);
      shift[j] = this.outputs[j] - outputs[j];
    }
    return this.state(this.solveGram(shift));
  }

  /** s* + Vμ. */
  private state(mu: ArrayLike<number>): Float64Array {
    const s = Float64Array.from(this.free);
    this.responses.forEach((v, j) => {
      const c = mu[j];
      if (c !== 0) for (let i = 0; i < s.length; i++) s[i] += c * v[i];
    });
    return s;
  }

  /** Vᵀf. */
  private project(force: Float64Array): Float64Array {
    return Float64Array.from(this.responses, (v) => dot(v, force));
  }

  private gramTimes(x: ArrayLike<number>): Float64Array {
    const o = x.length;
    const y = new Float64Array(o);
    for (let i = 0; i < o; i++) for (let j = 0; j < o; j++) y[i] += this.gram.get(i, j) * x[j];
    return y;
  }

  private solveGram(b: Float64Array): Float64Array {
    return Float64Array.from(this.gramFactor.solve(Matrix.columnVector(Array.from(b))).getColumn(0));
  }

  /** State, Φ, q = Vᵀe and r = Gμ − βq at μ. */
  private evaluate(mu: Float64Array, beta: number) {
    const state = this.state(mu);
    const { value, force } = this.loss.evaluate(state);
    if (!Number.isFinite(value)) throw new NumericalError(`loss is not finite (${value}) at the nudged state for β = ${beta}`);
    const q = this.project(force);
    const gmu = this.gramTimes(mu);
    const r = gmu.map((g, i) => g - beta * q[i]);
    return { state, q, r, phi: 0.5 * dot(mu, gmu) + beta * value };
  }

  /** −J⁻¹r with J = G − β ∂q/∂μ, ∂q/∂μ by central differences. */
  private newtonStep(mu: Float64Array, r: Float64Array, beta: number): Float64Array {
    const o = mu.length;
    const gmu = this.gramTimes(mu);
    const ys = Math.max(norm(this.outputs, Infinity), norm(gmu, Infinity), 1e-12);
    const jac = this.gram.clone();
    for (let j = 0; j < o; j++) {
      const h = (1e-6 * ys) / this.gram.get(j, j);
      const up = Float64Array.from(mu);
      const down = Float64Array.from(mu);
      up[j] += h;
      down[j] -= h;
      const dq = this.project(this.loss.evaluate(this.state(up)).force);
      const dqDown = this.project(this.loss.evaluate(this.state(down)).force);
      for (let i = 0; i < o; i++) jac.set(i, j, jac.get(i, j) - (beta * (dq[i] - dqDown[i])) / (2 * h));
    }
    const sym = jac.add(jac.transpose()).mul(0.5);
    const factor = new CholeskyDecomposition(sym);
    if (!factor.isPositiveDefinite()) {
      // J = G + βA with A = −∂q/∂μ (the loss's curvature seen from the outputs): PD while 1 + βλ > 0 for every eigenvalue λ of G⁻¹A.
      const curvature = sym.sub(this.gram).mul(1 / beta);
      const eigenvalues = new EigenvalueDecomposition(this.gramFactor.solve(curvature)).realEigenvalues;
      const limit = 1 / Math.max(...eigenvalues.map((l) => (beta < 0 ? l : -l)));
      const needs = Number.isFinite(limit) && limit > 0 ? `; here that needs |β| < ${limit.toPrecision(3)}` : '';
      throw new NumericalError(
        `the nudged energy E + βC at β = ${beta} has no minimum near the free state (its Hessian along the outputs is not positive definite${needs}): ` +
          (beta < 0 ? "use a smaller β, or the 'positive' variant" : 'use a smaller β'),
      );
    }
    return Float64Array.from(factor.solve(Matrix.columnVector(Array.from(r))).getColumn(0), (x) => -x);
  }

  /** The loss must act through the outputs: e(s*) = −Oᵀ ∂C/∂y. */
  private checkThroughOutputs(force: Float64Array, outputForces: Float64Array[]): void {
    const rebuilt = new Float64Array(force.length);
    outputForces.forEach((f, j) => {
      for (let i = 0; i < f.length; i++) rebuilt[i] += this.outputGradient[j] * f[i];
    });
    let diff = 0;
    for (let i = 0; i < force.length; i++) diff = Math.max(diff, Math.abs(force[i] - rebuilt[i]));
    if (diff > 1e-8 * Math.max(norm(force, Infinity), 1e-300)) {
      throw new MultimechError('the loss acts on states other than the outputs: contrastive mechanisms on linear substrates nudge and clamp through the outputs only');
    }
  }
}

function unit(n: number, j: number): Float64Array {
  const e = new Float64Array(n);
  e[j] = 1;
  return e;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: ArrayLike<number>, p: 2 | typeof Infinity = 2): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = p === 2 ? s + a[i] * a[i] : Math.max(s, Math.abs(a[i]));
  return p === 2 ? Math.sqrt(s) : s;
}
