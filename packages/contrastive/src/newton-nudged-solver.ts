import { Matrix, solve } from 'ml-matrix';
import { MultimechError, NumericalError, type Drive, type StateLoss, type Substrate } from '@multimech/core';
import { type CsrMatrix } from '@multimech/sparse';
import { OutputSubspace, norm } from './output-subspace';
import { checkClampValues, type NudgedSolver, type NudgedState } from './nudged-state';

/** Newton steps (one factorization of H each, but the first) before a nudged or clamped state is given up. */
/** The Newton steps a nudged or clamped state may take. */
export const MAX_NEWTON_STEPS = 50;
const MAX_STEPS = MAX_NEWTON_STEPS;
/** Stationarity, relative to the nudging (clamping) force: ‖∂E/∂s − β e‖∞ ≤ TOLERANCE · β‖e‖∞ (or the rounding floor). */
const TOLERANCE = 1e-12;
/** The rounding floor of a force balance, in units of ε·(‖H‖∞‖s‖∞ + ‖injection‖∞), the rounding of ∂E/∂s. */
const FLOOR = 2;
/** How far above its tolerance a residual may stay when Newton stalls at rounding level. */
const ROUNDING_ZONE = 1e3;

/**
 * Nudged and clamped states of any substrate (diodes, springs: H depends on
 * the state), by Newton from the free state with H frozen per step and the
 * outputs treated exactly in their o-dimensional subspace. Only the
 * Substrate contract is used: energy, residual, hessian (its norm, for the
 * rounding floor), linearResponse, readout and outputForce.
 *
 * At an iterate s_k the energy is replaced by its quadratic model (H_k =
 * H(s_k), one factorization, which solves o + 1 right-hand sides: the o output
 * forces f_j(s_k) and the residual ∂E/∂s(s_k)). Its Newton point is
 * b_k = s_k − H_k⁻¹ ∂E/∂s(s_k), and every state that differs from b_k only by
 * forces at the outputs is b_k + V_kμ (see OutputSubspace). The model's
 * minimiser of E + βC in that family is found in the o unknowns μ (the loss
 * is evaluated exactly there, through the substrate's own readout); the
 * step s_k → b_k + V_kμ is damped by a backtracking line search on the true
 * E + βC (Armijo, or a fall in ‖∇(E + βC)‖ where E + βC no longer resolves a
 * decrease). On a linear substrate the first step is the answer. On a
 * nonlinear one with node, difference or displacement outputs Newton
 * converges quadratically; a pair-distance readout's curvature (βC′/r across
 * the pair) is left out of the model, so there it converges linearly, at a
 * rate of about the nudging force over the springs' stiffness. The first
 * step reuses the free state's factorization, shared by every nudged and
 * clamped state around it (a centred EP pair, a CL clamp); each further step
 * refactors H (the substrate's own symbolic analysis serves them all).
 *
 * Converged when the true stationarity ‖∂E/∂s − β e(s)‖∞ at the free dofs is
 * at most 1e-12 of the nudging force β‖e‖∞ plus the rounding floor of ∂E/∂s,
 * 2ε(‖H‖∞‖s*‖∞ + ‖injection‖∞), plus that of the nudging force,
 * 2ε|β|·max(‖y*‖∞, ‖s*‖∞)·(the change of e per unit output): a scale that
 * does not vanish with the loss, so a run whose loss has fallen to 1e-19
 * is nudged to its free state at once rather than refused; a step that no longer halves the residual
 * within 1e3 of that ends it too (Newton at rounding level). Otherwise, after
 * 50 steps or when no step lowers E + βC or its gradient, a NumericalError
 * names β, the steps and the residual; where E + βC has no minimum (β too
 * negative) the o-dimensional step says so, with the limit.
 *
 * Clamped states: Newton on the constrained problem, the o output values as
 * constraints with a Lagrange multiplier each (the force the clamp applies).
 * At s_k the candidate is b_k + V_kλ with λ such that y(b_k + V_kλ) = y^C
 * exactly (the readout is nonlinear for pair distances); converged when the
 * outputs hold y^C and the residual ∂E/∂s is, at every free dof, the clamp's
 * force alone (its least-squares fit Fλ by the output forces at the state
 * leaves at most 1e-12 of the clamp force, plus the rounding floor).
 */
export class NewtonNudgedSolver implements NudgedSolver {
  readonly outputs: Float64Array;
  readonly outputGradient: Float64Array;
  private readonly freeDofs: Int32Array;
  /** The rounding level of ∂E/∂s near the free state. */
  private readonly floor: number;
  /** The rounding level of the loss force e near the free state (times |β|, that of the nudging force). */
  private readonly forceRounding: number;
  /** The first Newton step's linearisation, at the free state: shared by every state around it. */
  private readonly first: Linearisation;

  constructor(
    private readonly substrate: Substrate,
    readonly free: Float64Array,
    private readonly drive: Drive,
    private readonly loss: StateLoss,
  ) {
    const held = new Uint8Array(free.length);
    for (const d of substrate.boundary.dirichlet) held[d] = 1;
    this.freeDofs = Int32Array.from([...held.keys()].filter((i) => !held[i]));
    const residual = substrate.residual(free, drive);
    this.floor = FLOOR * Number.EPSILON * (rowSumNorm(substrate.hessian(free).matrix) * norm(free, Infinity) + norm(drive.injection, Infinity));
    this.first = this.linearise(free, residual);
    this.outputs = substrate.readout(free);
    const force = loss.evaluate(free).force;
    this.outputGradient = this.first.subspace.outputGradient(force);
    this.first.subspace.checkThroughOutputs(force, this.outputGradient);
    // the outputs are resolved to ε of the state they are read from; the loss force, to its curvature times that
    const resolution = Math.max(norm(this.outputs, Infinity), norm(free, Infinity));
    this.forceRounding = FLOOR * Number.EPSILON * resolution * this.first.subspace.forceCurvature(free);
  }

  nudged(beta: number): NudgedState {
    if (!Number.isFinite(beta)) throw new MultimechError(`nudging strength β must be finite, got ${beta}`);
    if (beta === 0) return { state: Float64Array.from(this.free), iterations: 0 };
    let s = this.free;
    let at = this.evaluate(s, beta);
    let model = this.first;
    let steps = 0;
    for (;;) {
      if (at.stationarity <= this.tolerance(at.nudge, beta)) return { state: s, iterations: steps };
      if (steps === MAX_STEPS) return this.fail(beta, steps, at, 'too many Newton steps');
      if (steps > 0) model = this.linearise(s, at.residual);
      const target = model.subspace.nudge(model.base, beta).state;
      steps++;
      const step = target.map((x, i) => x - s[i]);
      const slope = this.freeDot(at.gradient, step);
      let t = 1;
      let next: Evaluation | undefined;
      for (let halvings = 0; halvings <= 40; halvings++) {
        const trial = t === 1 ? target : s.map((x, i) => x + t * step[i]);
        const e = this.evaluate(trial, beta);
        if (Number.isFinite(e.phi) && (e.phi <= at.phi + 1e-4 * t * Math.min(slope, 0) || e.stationarity < (1 - 1e-4 * t) * at.stationarity)) {
          next = e;
          s = trial;
          break;
        }
        t /= 2;
      }
      if (!next) {
        if (at.stationarity <= ROUNDING_ZONE * this.tolerance(at.nudge, beta)) return { state: s, iterations: steps };
        return this.fail(beta, steps, at, 'no step lowers E + βC or its gradient');
      }
      // Near the rounding floor Newton stops converging: a step that no longer halves the residual ends it there.
      const stalled = !(next.stationarity <= 0.5 * at.stationarity);
      at = next;
      if (stalled && at.stationarity <= ROUNDING_ZONE * this.tolerance(at.nudge, beta)) return { state: s, iterations: steps };
    }
  }

  clamped(outputs: ArrayLike<number>): NudgedState {
    checkClampValues(this.substrate, outputs);
    const targets = Float64Array.from(outputs);
    const size = norm(targets.map((y, j) => y - this.outputs[j]), Infinity) + 1e-3 * norm(targets, Infinity);
    let model = this.first;
    let previous = Infinity;
    for (let steps = 1; ; steps++) {
      const s = model.subspace.clamp(model.base, targets).state;
      const residual = this.substrate.residual(s, this.drive);
      const { balance, force } = this.clampBalance(s, residual);
      const miss = norm(this.substrate.readout(s).map((y, j) => y - targets[j]), Infinity);
      const tolerance = this.tolerance(force);
      if (balance <= tolerance && miss <= 1e-12 * size) return { state: s, iterations: steps };
      // Near the rounding floor a further step no longer halves the imbalance.
      if (!(balance <= 0.5 * previous) && balance <= ROUNDING_ZONE * tolerance && miss <= 1e-9 * size) return { state: s, iterations: steps };
      if (!(balance < previous) || steps === MAX_STEPS) {
        throw new NumericalError(
          `the clamped state did not converge (${steps === MAX_STEPS ? 'too many Newton steps' : 'a Newton step no longer lowers the imbalance'}) after ${steps} Newton steps: ` +
            `force balance off by ${balance.toExponential(3)} at a free dof (clamp force ${force.toExponential(3)}), outputs off their clamped values by ${miss.toExponential(3)}`,
        );
      }
      previous = balance;
      model = this.linearise(s, residual);
    }
  }

  /** H at s (one factorization), the output subspace there, and the Newton point b = s − H⁻¹∂E/∂s. */
  private linearise(s: Float64Array, residual: Float64Array): Linearisation {
    const pull = residual.map((r) => -r);
    const { subspace, extra } = OutputSubspace.at(this.substrate, s, this.loss, [pull]);
    const base = Float64Array.from(s, (x, i) => x + extra[0][i]);
    return { subspace, base };
  }

  /**
   * E + βC at s, ∂E/∂s, the gradient ∂E/∂s − βe at every dof, and the sizes
   * the convergence test uses. Where E + βC is not finite (a law's range left,
   * an exponential overflowed) the state is refused by the line search: its
   * φ is +∞ and nothing else is evaluated there.
   */
  private evaluate(s: Float64Array, beta: number): Evaluation {
    const { value, force } = this.loss.evaluate(s);
    const phi = this.substrate.energy(s, this.drive) + beta * value;
    if (!Number.isFinite(phi)) return { residual: s, gradient: s, phi: Infinity, stationarity: Infinity, nudge: 0 };
    const residual = this.substrate.residual(s, this.drive);
    const gradient = residual.map((r, i) => r - beta * force[i]);
    let stationarity = 0;
    let nudge = 0;
    for (const d of this.freeDofs) {
      stationarity = Math.max(stationarity, Math.abs(gradient[d]));
      nudge = Math.max(nudge, Math.abs(beta * force[d]));
    }
    // A gradient that is not finite is never accepted.
    if (!Number.isFinite(stationarity)) stationarity = Infinity;
    return { residual, gradient, phi, stationarity, nudge };
  }

  /** What a force balance against `force` can reach: TOLERANCE of it, plus the rounding of ∂E/∂s and, nudged at β, of the nudging force βe. */
  private tolerance(force: number, beta = 0): number {
    return TOLERANCE * force + this.floor + Math.abs(beta) * this.forceRounding;
  }

  /** ‖∂E/∂s − Fλ‖∞ at the free dofs with λ the least-squares fit of the residual by the output forces F at s, and ‖Fλ‖∞. */
  private clampBalance(s: Float64Array, residual: Float64Array): { balance: number; force: number } {
    const o = this.outputs.length;
    const forces = this.substrate.boundary.outputs.map((_, j) => {
      const dCdy = new Float64Array(o);
      dCdy[j] = 1;
      return this.substrate.outputForce(s, dCdy);
    });
    const normal = new Matrix(o, o);
    const rhs = new Matrix(o, 1);
    for (let i = 0; i < o; i++) {
      rhs.set(i, 0, this.freeDot(forces[i], residual));
      for (let j = 0; j < o; j++) normal.set(i, j, this.freeDot(forces[i], forces[j]));
    }
    const lambda = solve(normal, rhs).getColumn(0);
    let balance = 0;
    let force = 0;
    for (const d of this.freeDofs) {
      let f = 0;
      for (let j = 0; j < o; j++) f += lambda[j] * forces[j][d];
      balance = Math.max(balance, Math.abs(residual[d] - f));
      force = Math.max(force, Math.abs(f));
    }
    return { balance, force };
  }

  private freeDot(a: Float64Array, b: Float64Array): number {
    let s = 0;
    for (const d of this.freeDofs) s += a[d] * b[d];
    return s;
  }

  private fail(beta: number, steps: number, at: Evaluation, why: string): never {
    throw new NumericalError(
      `the nudged state at β = ${beta} did not converge (${why}) after ${steps} Newton steps: stationarity residual ‖∂E/∂s − βe‖∞ = ${at.stationarity.toExponential(3)} ` +
        `against a nudging force of ${at.nudge.toExponential(3)}`,
    );
  }
}

/** max_i Σ_j |A_ij|. */
function rowSumNorm(a: CsrMatrix): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let sum = 0;
    for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) sum += Math.abs(a.values[k]);
    worst = Math.max(worst, sum);
  }
  return worst;
}

interface Linearisation {
  readonly subspace: OutputSubspace;
  readonly base: Float64Array;
}

interface Evaluation {
  readonly residual: Float64Array;
  readonly gradient: Float64Array;
  readonly phi: number;
  readonly stationarity: number;
  readonly nudge: number;
}
