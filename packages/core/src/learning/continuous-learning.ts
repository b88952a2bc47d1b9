import { planSolver, type CsrMatrix, type SolverPlan } from '@multimech/sparse';
import type { Drive } from '../contracts/boundary';
import type { ErrorMechanism } from '../contracts/error-mechanism';
import type { Substrate } from '../contracts/substrate';
import type { Loss } from '../contracts/task';
import { dynamicsOf, type DynamicSubstrate } from '../physics/phasor-response';
import { slowestRelaxationTime } from '../physics/transient-integrator';
import { dissipationOf } from '../physics/physical-cost';
import { MultimechError, NumericalError } from '../support/errors';

/**
 * What a contrastive error mechanism states for continuous-time learning:
 * two copies of the network run side by side under the drive, the first
 * free or nudged, the second nudged or with its outputs held at values set
 * from the first copy's outputs, and each edge reads
 * ĝ = [∂E/∂θ(second) − ∂E/∂θ(first)] / span, continuously. Coupled
 * learning clamps the second copy; equilibrium propagation nudges the two
 * copies by β₁ and β₂ (the first free for its positive variant).
 */
export interface ContinuousContrast {
  /** The contrast's span (CL's η; EP's β₂ − β₁). */
  readonly span: number;
  /** The values the second copy's outputs are held at, from the first copy's outputs y and ∂C/∂y there (CL: y − η ∂C/∂y). */
  clampValues?(outputs: Float64Array, outputGradient: Float64Array): Float64Array;
  /** The nudges β₁, β₂ of the two copies (EP): each feels the force −β ∂C/∂s of its own outputs besides −∂E/∂s. */
  readonly nudges?: readonly [number, number];
  /** Per-edge factors of each copy's parameters (twin-network mismatch), if the copies differ. */
  copyFactors?(edges: number): { readonly free: Float64Array; readonly clamped: Float64Array };
}

/** An error mechanism with a continuous-time form. */
export interface ContinuousCapable extends ErrorMechanism {
  readonly continuousContrast: ContinuousContrast;
}

/** The mechanism's continuous-time form, where it has one. */
export function continuousContrastOf(mechanism: ErrorMechanism): ContinuousContrast | undefined {
  return (mechanism as Partial<ContinuousCapable>).continuousContrast;
}

/** `training.continuous` with its defaults filled in. */
export interface ContinuousSettings {
  /** The learning rate relative to the relaxation rate: one quasistatic update α·ĝ per τ/ratio, dθ/dt = −(α·ratio/τ)·ĝ. */
  readonly ratio: number;
  /** The integration step in units of τ (default `DEFAULT_CONTINUOUS_DT`). */
  readonly dt: number;
}

/** The default integration step, in units of the slowest relaxation time τ: twenty steps per τ. */
export const DEFAULT_CONTINUOUS_DT = 0.05;
/** The fewest integration steps a presentation takes, however short it is against τ. */
export const MIN_PRESENTATION_STEPS = 10;
/** The most integration steps one presentation may take (a learning rate over a tiny ratio would ask for millions). */
export const MAX_PRESENTATION_STEPS = 100_000;

/** Integration steps of one presentation: T/τ = 1/ratio, in steps of dt·τ, at least MIN_PRESENTATION_STEPS. */
export function presentationSteps(settings: ContinuousSettings): number {
  return Math.max(MIN_PRESENTATION_STEPS, Math.ceil(1 / settings.ratio / settings.dt - 1e-9));
}

/**
 * Why continuous-time learning cannot run on this substrate with this
 * mechanism (messages for `training.continuous`), or nothing.
 */
export function continuousLearningProblems(substrate: Substrate, error: ErrorMechanism): string[] {
  const problems: string[] = [];
  if (!continuousContrastOf(error)) {
    problems.push(
      `error mechanism '${error.kind}' has no continuous-time form: it is learned with two copies of the network relaxing side by side, which coupled learning ('cl') and equilibrium propagation ('ep') provide`,
    );
  }
  return [...problems, ...continuousSubstrateProblems(substrate, continuousContrastOf(error)?.clampValues !== undefined)];
}

/** Why the state of this substrate cannot be integrated for continuous-time learning (with a clamped copy: `clamps`), or nothing. */
export function continuousSubstrateProblems(substrate: Substrate, clamps = true): string[] {
  const problems: string[] = [];
  const dynamic = dynamicsOf(substrate);
  if (!dynamic) {
    problems.push(
      `the state is integrated in time, and this '${substrate.kind}' network has no dynamics (no capacitance, compliance or mass): give it some (a netlist's capacitors to ground) or train at equilibrium without training.continuous`,
    );
  } else if (dynamic.dofMass && dynamic.dofMass.some((m) => m > 0)) {
    problems.push(`this '${substrate.kind}' network has inertia (masses): continuous-time learning integrates first-order dynamics Γ ds/dt = −∂E/∂s only`);
  }
  if (!clamps) return problems;
  if (!substrate.capabilities.has('scalar-potential')) {
    problems.push(`the second copy's outputs are held at node values, and this '${substrate.kind}' network has no single value per node`);
  } else {
    const pairs = substrate.boundary.outputs.filter((o) => o.ref !== undefined).map((o) => `'${o.name}'`);
    if (pairs.length > 0) problems.push(`the second copy's outputs are held at node values, and output ${pairs.join(', ')} is a difference of two nodes`);
  }
  return problems;
}

/** What one example's presentation did. */
export interface Presentation {
  /** The loss of the first (free) copy's outputs at the end of the presentation. */
  readonly loss: number;
  /** Its physical duration T = τ / ratio, in the substrate's time unit (seconds for SI values). */
  readonly seconds: number;
  /** Integration steps taken. */
  readonly steps: number;
  /** The energy both copies dissipated meanwhile, where the substrate defines a power (joules for SI values). */
  readonly energy?: number;
  /** θ at the end minus θ at the start. */
  readonly delta: Float64Array;
  /** Parameters the bounds held at least once during it. */
  readonly clamped: number;
}

type Copy = 'free' | 'clamped';

/**
 * Continuous-time contrastive learning (Stern, Dillavou, Miskin, Durian,
 * Liu 2022, "Physical learning beyond the quasistatic limit"): the free
 * and the clamped copy of the network are integrated in time,
 *
 *     Γ ds_F/dt = −∂E/∂s(θ, s_F; drive),
 *     Γ ds_C/dt = −∂E/∂s(θ, s_C; drive)  with the outputs of s_C held at the mechanism's clamp values of y(s_F(t)),
 *
 * while the parameters follow dθ/dt = −(α·ratio/τ)·ĝ(s_F(t), s_C(t)), with
 * ĝ the mechanism's local contrast, α the learning rate and τ the slowest
 * relaxation time of the network as built (its capacitances, at the
 * initial parameters). Each example is presented for T = τ / ratio, so that
 * at equilibrium it moves θ by α·ĝ, as a quasistatic update does: `ratio`
 * is the rate of updates (one per presentation) over the relaxation rate
 * 1/τ. As ratio → 0 the copies stay relaxed and training tends to
 * quasistatic coupled learning (each update spread over its presentation);
 * as the ratio grows past 1 the parameters move before the copies relax.
 * The copies carry their state from one presentation to the next (a new
 * input switches on and they relax from where they were). Steps are
 * backward Euler (L-stable: equilibria are its fixed points) of dt·τ, at
 * least MIN_PRESENTATION_STEPS per presentation, each a Newton solve per
 * copy (one linear solve on a linear network), θ semi-implicit (the copies
 * at θₙ, then θₙ₊₁ from their new states), projected onto the bounds.
 * For equilibrium propagation the two copies are nudged instead (`nudges`:
 * each feels −β ∂C/∂s of its own outputs) and neither is clamped; the
 * names below (`free`, `clamped`) are then the first and second copy.
 */
export class ContinuousContrastLearner {
  private readonly dynamic: DynamicSubstrate;
  private tau: number | undefined;
  private states: { free: Float64Array; clamped: Float64Array } | undefined;
  private readonly plans = new Map<Copy, { plan: SolverPlan; nnz: number }>();
  private readonly outputDofs: Set<number>;

  constructor(
    private readonly substrate: Substrate,
    private readonly contrast: ContinuousContrast,
    private readonly loss: Loss,
    readonly settings: ContinuousSettings,
  ) {
    const problems = continuousSubstrateProblems(substrate, contrast.clampValues !== undefined);
    if (problems.length > 0) throw new MultimechError(`continuous-time learning: ${problems[0]}`);
    if (!(settings.ratio > 0 && Number.isFinite(settings.ratio))) throw new MultimechError(`continuous-time learning: the ratio must be a positive number, got ${settings.ratio}`);
    if (!(settings.dt > 0 && settings.dt <= 1)) throw new MultimechError(`continuous-time learning: dt must be in (0, 1] (a fraction of τ), got ${settings.dt}`);
    this.dynamic = dynamicsOf(substrate)!;
    this.outputDofs = new Set(substrate.boundary.outputs.map((o) => o.node * substrate.dofPerNode));
  }

  /** τ: the slowest relaxation time of the network as first presented (seconds for SI values). */
  relaxationTime(drive: Drive): number {
    if (this.tau === undefined) {
      const tau = slowestRelaxationTime(this.dynamic, this.substrate.equilibrium(drive));
      if (!(tau > 0 && Number.isFinite(tau))) {
        throw new MultimechError(`continuous-time learning: the network's slowest relaxation time is ${tau}: it needs a capacitance at a free node, and no undamped mass`);
      }
      this.tau = tau;
    }
    return this.tau;
  }

  /** The copies' states (free, then clamped), for a checkpoint; undefined before the first presentation. */
  copyStates(): number[] | undefined {
    return this.states ? [...this.states.free, ...this.states.clamped] : undefined;
  }

  /** Sets what `copyStates` gave (undefined: the next presentation starts the copies at equilibrium). */
  restoreCopyStates(values: readonly number[] | undefined, tau?: number): void {
    if (values === undefined) {
      this.states = undefined;
      return;
    }
    const n = this.substrate.graph.nodeNames.length * this.substrate.dofPerNode;
    if (values.length !== 2 * n) throw new MultimechError(`expected ${2 * n} values (two copies of ${n} dofs), got ${values.length}`);
    this.states = { free: Float64Array.from(values.slice(0, n)), clamped: Float64Array.from(values.slice(n)) };
    if (tau !== undefined) this.tau = tau;
  }

  /** τ once known (after the first presentation), for a checkpoint. */
  get knownRelaxationTime(): number | undefined {
    return this.tau;
  }

  /** Presents one example for T = α τ / ratio while the copies relax and the parameters flow; leaves the substrate at the new parameters. */
  present(drive: Drive, target: ArrayLike<number>, learningRate: number): Presentation {
    const { substrate, contrast, settings } = this;
    const tau = this.relaxationTime(drive);
    const steps = presentationSteps(settings);
    if (steps > MAX_PRESENTATION_STEPS) {
      throw new MultimechError(`continuous-time learning: one presentation would take ${steps} steps (1/(ratio·dt)), more than ${MAX_PRESENTATION_STEPS}; raise the ratio or dt`);
    }
    const duration = tau / settings.ratio;
    const h = duration / steps;
    const rate = (learningRate * settings.ratio) / tau;
    const start = Float64Array.from(substrate.parameters);
    const theta = Float64Array.from(start);
    const { min, max } = substrate.bounds;
    const held = new Uint8Array(theta.length);
    const factors = contrast.copyFactors?.(theta.length);
    const power = dissipationOf(substrate);
    let energy = 0;
    const copyParameters = (copy: Copy) => (factors ? Float64Array.from(theta, (x, k) => x * factors[copy][k]) : theta);
    try {
      if (!this.states) {
        substrate.setParameters(copyParameters('free'));
        const s = substrate.equilibrium(drive);
        this.states = { free: Float64Array.from(s), clamped: Float64Array.from(s) };
      }
      let { free, clamped } = this.states;
      const [first, second] = contrast.nudges ?? [0, 0];
      for (let n = 0; n < steps; n++) {
        substrate.setParameters(copyParameters('free'));
        free = this.advance('free', free, drive, h, undefined, first, target);
        const y = substrate.readout(free);
        const values = contrast.clampValues?.(y, this.loss.gradient(y, target));
        const freeForce = substrate.parameterForce(free);
        if (power) energy += power.power(free) * h;
        if (factors) substrate.setParameters(copyParameters('clamped'));
        clamped = this.advance('clamped', clamped, drive, h, values, second, target);
        const clampedForce = substrate.parameterForce(clamped);
        if (power) energy += power.power(clamped) * h;
        for (let k = 0; k < theta.length; k++) {
          const next = theta[k] - h * rate * ((clampedForce[k] - freeForce[k]) / contrast.span);
          if (!Number.isFinite(next)) throw new NumericalError(`continuous-time learning: parameter of '${substrate.parameterNames[k]}' is not finite at t = ${((n + 1) * h).toExponential(4)} of the presentation`);
          theta[k] = next < min[k] ? min[k] : next > max[k] ? max[k] : next;
          if (theta[k] !== next) held[k] = 1;
        }
      }
      this.states = { free, clamped };
      const loss = this.loss.value(substrate.readout(free), target);
      return { loss, seconds: duration, steps, ...(power ? { energy } : {}), delta: Float64Array.from(theta, (x, k) => x - start[k]), clamped: held.reduce((a, b) => a + b, 0) };
    } finally {
      substrate.setParameters(theta);
    }
  }

  /**
   * One backward Euler step of a copy: Γ(s₁ − s₀)/h + ∂E/∂s(s₁) + β ∂C/∂s(s₁) = 0 at its unknown dofs, the
   * drive's and the clamp's dofs held. A nudged copy's Newton matrix leaves out β's curvature (C's Hessian
   * is not known here): its iterations converge linearly while β ∂²C/∂s² stays below Γ/h + H.
   */
  private advance(copy: Copy, s0: Float64Array, drive: Drive, h: number, clampValues: Float64Array | undefined, beta: number, target: ArrayLike<number>): Float64Array {
    const { substrate } = this;
    const damping = this.dynamic.dofDamping;
    const linear = substrate.capabilities.has('linear') && beta === 0;
    const s1 = Float64Array.from(s0);
    substrate.boundary.dirichlet.forEach((dof, k) => (s1[dof] = drive.fixed[k]));
    if (clampValues) substrate.boundary.outputs.forEach((o, j) => (s1[o.node * substrate.dofPerNode] = clampValues[j]));
    let converged = false;
    let worst = Infinity;
    const limit = beta === 0 ? 50 : 200;
    for (let iteration = 0; iteration <= limit; iteration++) {
      const { matrix, freeDofs } = substrate.hessian(s1);
      const keep: number[] = [];
      freeDofs.forEach((dof, row) => {
        if (!(clampValues && this.outputDofs.has(dof))) keep.push(row);
      });
      const r = beta === 0 ? substrate.residual(s1, drive) : Float64Array.from(substrate.residual(s1, drive));
      if (beta !== 0) {
        // −β e, e = −∂C/∂s at the copy's own outputs
        const e = substrate.outputForce(s1, this.loss.gradient(substrate.readout(s1), target));
        for (let i = 0; i < r.length; i++) r[i] -= beta * e[i];
      }
      const F = new Float64Array(keep.length);
      let scale = 0;
      worst = 0;
      keep.forEach((row, i) => {
        const dof = freeDofs[row];
        const flow = (damping[dof] * (s1[dof] - s0[dof])) / h;
        F[i] = flow + r[dof];
        scale = Math.max(scale, Math.abs(flow), Math.abs(r[dof] + drive.injection[dof]), Math.abs(drive.injection[dof]));
        worst = Math.max(worst, Math.abs(F[i]));
      });
      if (!Number.isFinite(worst)) break;
      if (worst <= 1e-12 * scale || (linear && iteration > 0)) {
        converged = true;
        break;
      }
      const system = this.stepMatrix(matrix, keep, freeDofs, damping, h);
      const dx = this.factor(copy, system).solve(F);
      let step = 0;
      let size = 0;
      keep.forEach((row, i) => {
        const dof = freeDofs[row];
        s1[dof] -= dx[i];
        step = Math.max(step, Math.abs(dx[i]));
        size = Math.max(size, Math.abs(s1[dof]));
      });
      if (linear || step <= 1e-14 * size) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      throw new NumericalError(
        `continuous-time learning: the ${copy === 'free' ? 'first' : 'second'} copy's step (h = ${h.toExponential(3)}) did not converge: residual ${worst}${beta !== 0 ? ' (a smaller β, or a smaller dt, helps a nudged copy)' : ''}`,
      );
    }
    return s1;
  }

  /** (Γ/h + H) on the kept rows and columns of H's free dofs. */
  private stepMatrix(H: CsrMatrix, keep: readonly number[], freeDofs: Int32Array, damping: Float64Array, h: number): CsrMatrix {
    const index = new Int32Array(H.rows).fill(-1);
    keep.forEach((row, i) => (index[row] = i));
    const rowPtr = new Int32Array(keep.length + 1);
    const cols: number[] = [];
    const values: number[] = [];
    keep.forEach((row, i) => {
      for (let p = H.rowPtr[row]; p < H.rowPtr[row + 1]; p++) {
        const j = index[H.colIdx[p]];
        if (j < 0) continue;
        cols.push(j);
        values.push(H.values[p] + (j === i ? damping[freeDofs[row]] / h : 0));
      }
      rowPtr[i + 1] = cols.length;
    });
    return { rows: keep.length, cols: keep.length, rowPtr, colIdx: Int32Array.from(cols), values: Float64Array.from(values) };
  }

  private factor(copy: Copy, system: CsrMatrix) {
    let entry = this.plans.get(copy);
    if (!entry || entry.nnz !== system.rowPtr[system.rows] || entry.plan.n !== system.rows) {
      entry = { plan: planSolver(system), nnz: system.rowPtr[system.rows] };
      this.plans.set(copy, entry);
    }
    return entry.plan.factor(system);
  }
}
