import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { MultimechError, NumericalError, type StateLoss, type Substrate } from '@multimech/core';

const MAX_ITERATIONS = 50;
/** The rounding of the o-dimensional residual, in units of ε‖y‖∞‖J‖‖G⁻¹‖ (see `nudge`). */
const ROUNDING = 16;

/** A point of the output subspace: b + Vμ, and how many Newton steps in μ found it. */
export interface SubspacePoint {
  readonly state: Float64Array;
  readonly coefficients: Float64Array;
  readonly iterations: number;
}

/**
 * The outputs' subspace at one state s₀ of a substrate, with H frozen there.
 * With f_j = outputForce(s₀, unit j) the force of output j (−Oᵀe_j for node
 * and difference outputs, −J_jᵀ for a nonlinear readout such as a pair
 * distance), V_j = H(s₀)⁻¹f_j (o solves against one factorization) and the
 * o×o output response G = VᵀF (G_ij = V_i·f_j: the outputs' effective
 * resistances, or compliances), which is positive definite when every
 * output responds to a force and no two read the same combination of dofs.
 *
 * Around a base state b, every state that differs from b only by forces at
 * the outputs (through H(s₀)) is b + Vμ, and O(b + Vμ) = y(b) − Gμ to first
 * order (exactly for node outputs). Two o-dimensional problems live here:
 *
 * - nudge: μ minimising Φ(μ) = ½μᵀGμ + βC(b + Vμ), whose gradient is
 *   r(μ) = Gμ − βVᵀe(b + Vμ); a damped Newton in the o unknowns (Jacobian by
 *   central differences of Vᵀe). For MSE on node outputs r is affine in μ
 *   and the first step lands on the solution (the Woodbury identity for
 *   (H + βOᵀO)⁻¹); cross-entropy, or a pair-distance readout, takes a few.
 * - clamp: λ with y(b + Vλ) = y^C, by the iteration λ ← λ + G⁻¹(y(b + Vλ) − y^C)
 *   (one step for node outputs).
 */
export class OutputSubspace {
  /** G = VᵀF, the outputs' response to forces at the outputs. */
  readonly gram: Matrix;
  private readonly gramFactor: CholeskyDecomposition;
  private inverseGram: number | undefined;

  constructor(
    private readonly substrate: Substrate,
    private readonly loss: StateLoss,
    /** f_j, one per output. */
    readonly forces: readonly Float64Array[],
    /** V_j = H(s₀)⁻¹ f_j. */
    readonly responses: readonly Float64Array[],
  ) {
    const ports = substrate.boundary.outputs;
    const o = forces.length;
    const gram = new Matrix(o, o);
    for (let i = 0; i < o; i++) for (let j = 0; j <= i; j++) gram.set(i, j, dot(responses[i], forces[j]));
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
  }

  /**
   * The subspace at `state`: the output forces there and their responses,
   * with `extra` forces solved against the same factorization (one call of
   * linearResponse). Refuses a substrate without outputs.
   */
  static at(substrate: Substrate, state: Float64Array, loss: StateLoss, extra: readonly Float64Array[] = []): { subspace: OutputSubspace; extra: Float64Array[] } {
    const o = substrate.boundary.outputs.length;
    if (o === 0) throw new MultimechError(`substrate '${substrate.kind}' has no outputs to nudge or clamp`);
    const forces = substrate.boundary.outputs.map((_, j) => substrate.outputForce(state, unit(o, j)));
    const responses = substrate.linearResponse(state, [...forces, ...extra]);
    return { subspace: new OutputSubspace(substrate, loss, forces, responses.slice(0, o)), extra: responses.slice(o) };
  }

  /** b + Vμ. */
  state(base: Float64Array, mu: ArrayLike<number>): Float64Array {
    const s = Float64Array.from(base);
    this.responses.forEach((v, j) => {
      const c = mu[j];
      if (c !== 0) for (let i = 0; i < s.length; i++) s[i] += c * v[i];
    });
    return s;
  }

  /** Vᵀf. */
  project(force: Float64Array): Float64Array {
    return Float64Array.from(this.responses, (v) => dot(v, force));
  }

  /** G⁻¹b. */
  solveGram(b: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.gramFactor.solve(Matrix.columnVector(Array.from(b))).getColumn(0));
  }

  /** ∂C/∂y that a loss force e acting through the outputs carries: e = Σ_j (∂C/∂y)_j f_j, so Vᵀe = G ∂C/∂y. */
  outputGradient(force: Float64Array): Float64Array {
    return this.solveGram(this.project(force));
  }

  /** The loss must act through the outputs: e = Σ_j (∂C/∂y)_j f_j. */
  checkThroughOutputs(force: Float64Array, outputGradient: ArrayLike<number>): void {
    const rebuilt = new Float64Array(force.length);
    this.forces.forEach((f, j) => {
      for (let i = 0; i < f.length; i++) rebuilt[i] += outputGradient[j] * f[i];
    });
    let diff = 0;
    for (let i = 0; i < force.length; i++) diff = Math.max(diff, Math.abs(force[i] - rebuilt[i]));
    if (diff > 1e-8 * Math.max(norm(force, Infinity), 1e-300)) {
      throw new MultimechError('the loss acts on states other than the outputs: contrastive mechanisms nudge and clamp through the outputs only');
    }
  }

  /**
   * μ minimising ½μᵀGμ + βC(b + Vμ), from μ = 0 (see the class comment); refuses where it has no minimum.
   *
   * Converged when ‖r‖ is at most 1e-14 of ‖Gμ‖ + |β|‖q‖, or at most the
   * rounding of r: the outputs are read off a state held in floating point,
   * so they are resolved to about ε max(‖y‖∞, ‖b‖∞), hence μ to G⁻¹ of
   * that, hence r to J times that (J the Newton Jacobian). The second scale
   * does not vanish with the loss: a nudge whose force is below it (a loss
   * of 1e-19, once a run has converged) leaves μ = 0, the base state, at once.
   */
  nudge(base: Float64Array, beta: number): SubspacePoint {
    const o = this.forces.length;
    let mu = new Float64Array(o);
    let at = this.evaluate(base, mu, beta);
    const yScale = Math.max(norm(this.substrate.readout(base), Infinity), 1e-12);
    let iterations = 0;
    const scale = () => norm(this.gramTimes(mu)) + Math.abs(beta) * norm(at.q) + 1e-300;
    /** The rounding of r (known once the Jacobian is), see above. */
    let rounding = 0;
    const converged = () => norm(at.r) <= 1e-14 * scale() + rounding;
    while (!converged() && iterations < MAX_ITERATIONS) {
      const { step, jacobian } = this.newtonStep(base, mu, at.r, beta, yScale);
      rounding = ROUNDING * Number.EPSILON * Math.max(yScale, norm(base, Infinity)) * frobenius(jacobian) * this.inverseGramNorm();
      if (converged()) break;
      iterations++;
      const slope = dot(at.r, step);
      let t = 1;
      let accepted = false;
      for (let halvings = 0; halvings < 40; halvings++) {
        const trial = mu.map((m, i) => m + t * step[i]);
        const next = this.evaluate(base, trial, beta);
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
    if (!(residual <= 1e-9 || norm(at.r) <= rounding)) {
      throw new NumericalError(
        `the nudged state at β = ${beta} did not converge: relative stationarity residual ${residual.toExponential(2)} after ${iterations} Newton steps in the output subspace`,
      );
    }
    return { state: at.state, coefficients: mu, iterations };
  }

  /**
   * How much the loss force e changes per unit change of an output at
   * `state`: the largest ‖Δe‖∞ / |Δy_j| over the outputs, by central
   * differences along V_j. It turns the rounding of the outputs into the
   * rounding of the nudging force (for MSE it is 1).
   */
  forceCurvature(state: Float64Array): number {
    const y = this.substrate.readout(state);
    const yScale = Math.max(norm(y, Infinity), 1e-12);
    let worst = 0;
    this.responses.forEach((_, j) => {
      const h = (1e-6 * yScale) / this.gram.get(j, j);
      const mu = new Float64Array(this.forces.length);
      mu[j] = h;
      const up = this.state(state, mu);
      mu[j] = -h;
      const down = this.state(state, mu);
      const dy = Math.abs(this.substrate.readout(up)[j] - this.substrate.readout(down)[j]);
      const eUp = this.loss.evaluate(up).force;
      const eDown = this.loss.evaluate(down).force;
      let de = 0;
      for (let i = 0; i < eUp.length; i++) de = Math.max(de, Math.abs(eUp[i] - eDown[i]));
      if (dy > 0 && Number.isFinite(de)) worst = Math.max(worst, de / dy);
    });
    return worst;
  }

  /** λ with y(b + Vλ) = targets (see the class comment). */
  clamp(base: Float64Array, targets: ArrayLike<number>): SubspacePoint {
    const o = this.forces.length;
    const lambda = new Float64Array(o);
    let state = base;
    let y = this.substrate.readout(state);
    const size = Math.max(norm(targets, Infinity), norm(y, Infinity), 1e-300);
    let miss = mismatch(y, targets);
    let iterations = 0;
    while (miss > 1e-15 * size && iterations < MAX_ITERATIONS) {
      const shift = this.solveGram(y.map((v, j) => v - targets[j]));
      const trialLambda = lambda.map((l, j) => l + shift[j]);
      const trial = this.state(base, trialLambda);
      const yTrial = this.substrate.readout(trial);
      const trialMiss = mismatch(yTrial, targets);
      iterations++;
      // Stop at rounding level: a step that no longer lowers the mismatch is not taken.
      if (!(trialMiss < miss)) break;
      lambda.set(trialLambda);
      state = trial;
      y = yTrial;
      miss = trialMiss;
    }
    if (!(miss <= 1e-9 * size)) {
      throw new NumericalError(
        `the clamped outputs did not converge in the output subspace: their largest miss is ${miss.toExponential(2)} after ${iterations} steps`,
      );
    }
    return { state, coefficients: lambda, iterations };
  }

  private gramTimes(x: ArrayLike<number>): Float64Array {
    const o = x.length;
    const y = new Float64Array(o);
    for (let i = 0; i < o; i++) for (let j = 0; j < o; j++) y[i] += this.gram.get(i, j) * x[j];
    return y;
  }

  /** State, Φ, q = Vᵀe and r = Gμ − βq at μ. */
  private evaluate(base: Float64Array, mu: Float64Array, beta: number) {
    const state = this.state(base, mu);
    const { value, force } = this.loss.evaluate(state);
    if (!Number.isFinite(value)) throw new NumericalError(`loss is not finite (${value}) at the nudged state for β = ${beta}`);
    const q = this.project(force);
    const gmu = this.gramTimes(mu);
    const r = gmu.map((g, i) => g - beta * q[i]);
    return { state, q, r, phi: 0.5 * dot(mu, gmu) + beta * value };
  }

  /** ‖G⁻¹‖ (Frobenius), computed once. */
  private inverseGramNorm(): number {
    return (this.inverseGram ??= frobenius(this.gramFactor.solve(Matrix.eye(this.forces.length))));
  }

  /** −J⁻¹r with J = G − β ∂q/∂μ, ∂q/∂μ by central differences; and J (symmetrised). */
  private newtonStep(base: Float64Array, mu: Float64Array, r: Float64Array, beta: number, yScale: number): { step: Float64Array; jacobian: Matrix } {
    const o = mu.length;
    const gmu = this.gramTimes(mu);
    const ys = Math.max(yScale, norm(gmu, Infinity));
    const jac = this.gram.clone();
    for (let j = 0; j < o; j++) {
      const h = (1e-6 * ys) / this.gram.get(j, j);
      const up = Float64Array.from(mu);
      const down = Float64Array.from(mu);
      up[j] += h;
      down[j] -= h;
      const dq = this.project(this.loss.evaluate(this.state(base, up)).force);
      const dqDown = this.project(this.loss.evaluate(this.state(base, down)).force);
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
    return { step: Float64Array.from(factor.solve(Matrix.columnVector(Array.from(r))).getColumn(0), (x) => -x), jacobian: sym };
  }
}

/** The Frobenius norm of a matrix. */
function frobenius(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) s += a.get(i, j) ** 2;
  return Math.sqrt(s);
}

/** The unit vector e_j of length n. */
export function unit(n: number, j: number): Float64Array {
  const e = new Float64Array(n);
  e[j] = 1;
  return e;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>, p: 2 | typeof Infinity = 2): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = p === 2 ? s + a[i] * a[i] : Math.max(s, Math.abs(a[i]));
  return p === 2 ? Math.sqrt(s) : s;
}

function mismatch(y: ArrayLike<number>, targets: ArrayLike<number>): number {
  let m = 0;
  for (let j = 0; j < y.length; j++) m = Math.max(m, Math.abs(y[j] - targets[j]));
  return Number.isNaN(m) ? Infinity : m;
}
