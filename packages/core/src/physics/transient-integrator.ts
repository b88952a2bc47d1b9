import type { Drive } from '../contracts/boundary';
import { MultimechError, NumericalError, restatingSolverFailures } from '../support/errors';
import { csrFindSlot, largestEigenvalue, planSolver, type CsrMatrix, type SolverPlan } from '@multimech/sparse';
import type { DynamicSubstrate } from './phasor-response';

/** A Newton update at most this fraction of the largest free |s| ends a step's iterations (the rounding of the state, with a margin). */
const UPDATE_TOLERANCE = 1e-14;

/** How a transient run steps. */
export interface TransientOptions {
  /** The time step h in seconds. */
  readonly step: number;
  /**
   * Newton's tolerance on the step equation, relative to the largest term in
   * it (default 1e-12). A step also converges when a Newton update no larger
   * than 1e-14 of the largest free |s| has been applied: Newton converges
   * quadratically, so what remains is far smaller, and the residual may sit
   * at the rounding of large branch terms that cancel (a network at rest
   * under DC sources, whose net node currents are zero) where no relative
   * test on the net terms can pass.
   */
  readonly tolerance?: number;
  /** Newton iterations per step before the step is reported as failed (default 50). */
  readonly maxIterations?: number;
}

/** What one step took. */
export interface TransientStepReport {
  readonly iterations: number;
  /** Numeric factorizations this step made (0 on a linear substrate after the first step). */
  readonly factorizations: number;
}

/**
 * Implicit time integration of a DynamicSubstrate (PHYSICS.md §3.3):
 *
 *     M s̈ + Γ ṡ + ∂E/∂s(θ, s; drive(t)) = 0   at every free dof,
 *
 * with Γ the damping (node capacitances of a circuit) and M the inertia
 * (node masses of springs; absent for circuits), both diagonal, and the
 * Dirichlet dofs held at the drive's values at each time. Dofs with neither
 * damping nor mass are algebraic: they satisfy the balance ∂E/∂s = 0 at
 * every step (Kirchhoff's law at a node without a capacitor).
 *
 * The scheme is BDF2 (Gear's second-order formula, the default of SPICE's
 * `method=gear`): with ṡ₁ ≈ (3s₁ − 4s₀ + s₋₁)/(2h) and the same formula for
 * s̈ from the velocities, each step solves
 *
 *     M (3v₁ − 4v₀ + v₋₁)/(2h) + Γ v₁ + ∂E/∂s(s₁; t₁) = 0,   v₁ = (3s₁ − 4s₀ + s₋₁)/(2h),
 *
 * by Newton, whose matrix is (9/4h²) M + (3/2h) Γ + H(s₁). BDF2 is L-stable:
 * the fast modes a step drive excites die instead of ringing (the
 * trapezoidal rule's weakness on stiff circuits), and its error is O(h²).
 * The first step is backward Euler, so that the formula does not reach back
 * across the moment the drive is switched on; the start is at rest (v = 0),
 * exact for a network in equilibrium before t = 0.
 *
 * The sparsity pattern is analysed once; a linear substrate's step matrix
 * does not change, so it is factored once for the whole run and each step
 * is one solve; a nonlinear one refactors numerically at each Newton
 * iteration, reusing that analysis. A step that does not converge throws a
 * NumericalError naming the time, the iterations and the residual; nothing
 * returns a NaN.
 */
export class TransientIntegrator {
  readonly step: number;
  private readonly tolerance: number;
  private readonly maxIterations: number;
  private readonly linear: boolean;
  private readonly damping: Float64Array;
  private readonly mass: Float64Array;
  private readonly held: Int32Array;
  private freeDofs: Int32Array | undefined;
  private plan: SolverPlan | undefined;
  private pattern: CsrMatrix | undefined;
  /** A linear substrate's step matrices, by kv (backward Euler's first step, then BDF2's). */
  private readonly factors = new Map<number, ReturnType<SolverPlan['factor']>>();
  private started = false;
  /** s₋₁, s₀ and v₋₁, v₀ (full dof vectors). */
  private previous: Float64Array;
  private current: Float64Array;
  private velocityPrevious: Float64Array;
  private velocity: Float64Array;
  private time = 0;
  /** Numeric factorizations made so far. */
  factorizations = 0;

  constructor(
    private readonly substrate: DynamicSubstrate,
    start: Float64Array,
    options: TransientOptions,
  ) {
    if (!(Number.isFinite(options.step) && options.step > 0)) throw new MultimechError(`transient: the time step must be a positive number of seconds, got ${options.step}`);
    const dofs = substrate.graph.nodeNames.length * substrate.dofPerNode;
    if (start.length !== dofs) throw new MultimechError(`transient: expected a start state of ${dofs} values, got ${start.length}`);
    this.step = options.step;
    this.tolerance = options.tolerance ?? 1e-12;
    this.maxIterations = options.maxIterations ?? 50;
    this.linear = substrate.capabilities.has('linear');
    this.damping = substrate.dofDamping;
    this.mass = substrate.dofMass ?? new Float64Array(dofs);
    if (this.damping.length !== dofs || this.mass.length !== dofs) {
      throw new MultimechError(`transient: substrate '${substrate.kind}' gives ${this.damping.length} damping and ${this.mass.length} mass values for ${dofs} dofs`);
    }
    this.held = substrate.boundary.dirichlet;
    this.previous = Float64Array.from(start);
    this.current = Float64Array.from(start);
    this.velocityPrevious = new Float64Array(dofs);
    this.velocity = new Float64Array(dofs);
  }

  /** The state at the last step's time. */
  get state(): Float64Array {
    return this.current;
  }

  /** The time of the last step (0 at the start). */
  get now(): number {
    return this.time;
  }

  /** Advances by one step to t + h under the drive at t + h; returns the new state (owned by the integrator: copy it to keep it). */
  advance(drive: Drive): TransientStepReport {
    const h = this.step;
    const t1 = this.time + h;
    const { substrate, held } = this;
    const s0 = this.current;
    const sm = this.previous;
    const v0 = this.velocity;
    const vm = this.velocityPrevious;
    const n = s0.length;
    // v₁ = kv·s₁ − c and a₁ = kv·v₁ − d: BDF2, kv = 3/(2h), c = (4s₀ − s₋₁)/(2h), d = (4v₀ − v₋₁)/(2h);
    // the first step is backward Euler, kv = 1/h, c = s₀/h, d = v₀/h (BDF2's history would reach back across
    // the drive's switch-on at t = 0 and cost an order)
    const first = !this.started;
    const kv = first ? 1 / h : 3 / (2 * h);
    const c = new Float64Array(n);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      c[i] = first ? s0[i] / h : (4 * s0[i] - sm[i]) / (2 * h);
      d[i] = first ? v0[i] / h : (4 * v0[i] - vm[i]) / (2 * h);
    }
    // the guess: the quadratic extrapolation s₀ + h v₀ (exact for a state moving uniformly)
    const s1 = new Float64Array(n);
    for (let i = 0; i < n; i++) s1[i] = s0[i] + h * v0[i];
    held.forEach((dof, k) => (s1[dof] = drive.fixed[k]));
    const free = this.freeDofs ?? this.ensurePattern(s1);
    let iterations = 0;
    let factorizations = 0;
    let converged = false;
    let worst = Infinity;
    let worstDof = -1;
    let lastScale = 0;
    let negligible = false;
    while (true) {
      // F = M a₁ + Γ v₁ + ∂E/∂s at the free dofs, and the largest term in it
      const r = substrate.residual(s1, drive);
      const F = new Float64Array(free.length);
      let scale = 0;
      worst = 0;
      free.forEach((dof, k) => {
        const v1 = kv * s1[dof] - c[dof];
        const inertia = this.mass[dof] * (kv * v1 - d[dof]);
        const damping = this.damping[dof] * v1;
        F[k] = inertia + damping + r[dof];
        scale = Math.max(scale, Math.abs(inertia), Math.abs(damping), Math.abs(r[dof] + drive.injection[dof]), Math.abs(drive.injection[dof]));
        const a = Math.abs(F[k]);
        // the largest entry, or the first that is not finite
        if (!(a <= worst) && Number.isFinite(worst)) {
          worst = a;
          worstDof = dof;
        }
      });
      lastScale = scale;
      if (!Number.isFinite(worst)) break;
      // a linear step equation is solved exactly by one Newton step from any guess
      if (worst <= this.tolerance * scale || (this.linear && iterations > 0) || negligible) {
        converged = true;
        break;
      }
      if (iterations === this.maxIterations) break;
      let factor = this.linear ? this.factors.get(kv) : undefined;
      if (!factor) {
        factor = this.factorAt(s1, kv);
        factorizations++;
        if (this.linear) this.factors.set(kv, factor);
      }
      const dx = factor.solve(F);
      let stepMax = 0;
      let sizeMax = 0;
      free.forEach((dof, k) => {
        s1[dof] -= dx[k];
        stepMax = Math.max(stepMax, Math.abs(dx[k]));
        sizeMax = Math.max(sizeMax, Math.abs(s1[dof]));
      });
      negligible = stepMax <= UPDATE_TOLERANCE * sizeMax;
      iterations++;
    }
    if (!converged) {
      const name = worstDof >= 0 ? this.dofName(worstDof) : '?';
      const where = `transient step to t = ${t1.toExponential(5)} s (h = ${h.toExponential(3)} s)`;
      if (!Number.isFinite(worst)) {
        throw new NumericalError(`${where}: the step equation is not finite at dof ${name} after ${iterations} Newton iterations; a smaller step (more samples per period) may help`);
      }
      throw new NumericalError(
        `${where} did not converge after ${iterations} Newton iterations: ` +
          `residual ${worst.toExponential(3)} at dof ${name} (tolerance ${(this.tolerance * lastScale).toExponential(3)}); a smaller step (more samples per period) may help`,
      );
    }
    const v1 = new Float64Array(n);
    for (let i = 0; i < n; i++) v1[i] = kv * s1[i] - c[i];
    this.started = true;
    this.previous = s0;
    this.current = s1;
    this.velocityPrevious = v0;
    this.velocity = v1;
    this.time = t1;
    this.factorizations += factorizations;
    return { iterations, factorizations };
  }

  private ensurePattern(state: Float64Array): Int32Array {
    const { matrix, freeDofs } = this.substrate.hessian(state);
    this.freeDofs = freeDofs;
    this.pattern = matrix;
    this.plan = planSolver(matrix);
    return freeDofs;
  }

  /** Factors (9/4h²)M + (3/2h)Γ + H(state) on the free dofs, reusing the plan's analysis. */
  private factorAt(state: Float64Array, kv: number) {
    const { matrix, freeDofs } = this.substrate.hessian(state);
    if (!this.plan || !this.pattern || matrix.rowPtr.length !== this.pattern.rowPtr.length || matrix.rowPtr[matrix.rows] !== this.pattern.rowPtr[this.pattern.rows]) {
      this.plan = planSolver(matrix);
      this.pattern = matrix;
    }
    this.freeDofs = freeDofs;
    const values = Float64Array.from(matrix.values);
    freeDofs.forEach((dof, row) => {
      const slot = csrFindSlot(matrix, row, row);
      if (slot < 0) throw new MultimechError(`transient: the Hessian of substrate '${this.substrate.kind}' stores no diagonal entry in row ${row}`);
      values[slot] += kv * kv * this.mass[dof] + kv * this.damping[dof];
    });
    return this.plan.factor({ ...matrix, values });
  }

  private dofName(dof: number): string {
    const per = this.substrate.dofPerNode;
    const node = this.substrate.graph.nodeNames[Math.floor(dof / per)] ?? String(dof);
    return per === 1 ? node : `${node}.${'xyz'[dof % per]}`;
  }
}

/**
 * The slowest relaxation time of a DynamicSubstrate at a state, in seconds:
 * the largest eigenvalue τ of H⁻¹Γ (a circuit's slowest RC time), by
 * Lanczos on the symmetric Γ^½ H⁻¹ Γ^½ over the damped free dofs with the
 * one factorization of H at the state, and for dofs with inertia the decay
 * time 2M/Γ of an underdamped mode. Infinite when a dof has mass but no
 * damping (it never settles).
 */
export function slowestRelaxationTime(substrate: DynamicSubstrate, state: Float64Array): number {
  const damping = substrate.dofDamping;
  const mass = substrate.dofMass;
  const { freeDofs } = substrate.hessian(state);
  let inertial = 0;
  if (mass) {
    for (const dof of freeDofs) {
      if (mass[dof] > 0) {
        if (!(damping[dof] > 0)) return Infinity;
        inertial = Math.max(inertial, (2 * mass[dof]) / damping[dof]);
      }
    }
  }
  const damped = Int32Array.from(Array.from(freeDofs).filter((dof) => damping[dof] > 0));
  if (damped.length === 0) return inertial;
  const root = Float64Array.from(damped, (dof) => Math.sqrt(damping[dof]));
  const force = new Float64Array(damping.length);
  const tau = restatingSolverFailures(() => largestEigenvalue(
    (v) => {
      force.fill(0);
      damped.forEach((dof, i) => (force[dof] = root[i] * v[i]));
      const [y] = substrate.linearResponse(state, [force]);
      return Float64Array.from(damped, (dof, i) => root[i] * y[dof]);
    },
    damped.length,
    { what: 'slowest relaxation time', tolerance: 1e-6 },
  ));
  return Math.max(tau, inertial);
}
