import {
  ActivationMechanism,
  ErrorMechanism,
  Example,
  GradientPipeline,
  LearningRule,
  MultimechError,
  NumericalError,
  type PhysicalCost,
  Rng,
  RngState,
  Substrate,
  Task,
  exampleGradient,
} from '@multimech/core';
import { ResolvedOptimizerConfig, SgdOptimizer } from './optimizer';
import { type FidelityFigures, type FidelitySettings, measureFidelity } from './fidelity-measurement';

/** Figures of one pass over a set of examples at the current parameters. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy?: number;
  readonly relativeError?: number;
}

export interface StepEvent {
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  /** Mean loss over the minibatch at the free state, before the update. */
  readonly loss: number;
  readonly clamped: number;
}

export interface EpochEvent {
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly trainRelativeError?: number;
  readonly testRelativeError?: number;
  /** Seconds spent on this epoch's training steps (0 for the initial evaluation). */
  readonly seconds: number;
  /** Parameters the projection held at a bound, summed over the epoch's steps. */
  readonly clamped: number;
  /**
   * The error mechanism's diagnostics over the epoch's training examples,
   * each its worst value: the smallest for a name ending in `Min` (the most
   * negative concentration), else the largest (a Péclet number, a count of
   * negative concentrations, a quadrature component, Newton steps). Absent
   * at epoch 0.
   */
  readonly diagnostics?: Readonly<Record<string, number>>;
  /**
   * The physical time the epoch's updates took to measure: the sum over its
   * updates of their examples' measurement times, as the error mechanism
   * reports them (`ErrorReading.cost`); seconds for SI inputs. Absent at
   * epoch 0, and where the mechanism defines no time (the adjoint, a digital
   * computation; instantaneous equilibria): `TrainingResult.physicalCost`
   * says why. The wall-clock time is `seconds`.
   */
  readonly physicalSeconds?: number;
  /** `physicalSeconds` summed over the run so far, this epoch included. */
  readonly physicalSecondsTotal?: number;
  /** The energy the network dissipated over those measurements (joules for SI inputs), where the substrate defines a power. */
  readonly energy?: number;
  /** `energy` summed over the run so far, this epoch included. */
  readonly energyTotal?: number;
  /** The mechanism's estimate against the exact gradient at this epoch's parameters, every `training.fidelity.every` epochs (epoch 0 included). */
  readonly fidelity?: FidelityFigures;
}

/** What a run's updates cost physically, from what the error mechanism reported of each measurement. */
export interface TrainingPhysicalCost {
  /** False for a digital computation (the exact adjoint). */
  readonly physical: boolean;
  /** Updates made (all epochs, a resumed run's earlier ones included). */
  readonly updates: number;
  /** Physical seconds over the run (the last epoch's `physicalSecondsTotal`), per update and per example; absent where not defined. */
  readonly seconds?: number;
  readonly secondsPerUpdate?: number;
  readonly secondsPerExample?: number;
  /** Energy dissipated over the run, per update and per example, where the substrate defines a power. */
  readonly energy?: number;
  readonly energyPerUpdate?: number;
  readonly energyPerExample?: number;
  /** Equilibria per example (physical mechanisms), or linear solves per example (a digital computation), as the last epoch measured them. */
  readonly equilibriaPerExample?: number;
  readonly solvesPerExample?: number;
  /** The mechanism's note on its last measurement: how the time was obtained, or why it is not defined. */
  readonly note?: string;
}

export interface TrainingSummary {
  readonly final_loss: number;
  readonly train_accuracy?: number;
  readonly test_accuracy?: number;
  readonly relative_error?: number;
  readonly epochs: number;
  readonly seconds: number;
}

export interface TrainingResult {
  /**
   * True when `RunOptions.stop` ended the run before its last epoch: the
   * history (and the checkpoint) ends at the last whole epoch.
   */
  readonly stopped?: boolean;
  /** Epoch 0 is the evaluation before any update. */
  readonly history: readonly EpochEvent[];
  readonly summary: TrainingSummary;
  readonly parameters: { readonly name: string; readonly names: readonly string[]; readonly values: Float64Array };
  /** What the updates cost physically, where the error mechanism reports it. */
  readonly physicalCost?: TrainingPhysicalCost;
  /** The fidelity measured during training (`training.fidelity`), one entry per measured epoch. */
  readonly fidelity?: readonly (FidelityFigures & { readonly epoch: number })[];
}

export interface TrainerParts {
  readonly substrate: Substrate;
  readonly task: Task;
  readonly activation: ActivationMechanism;
  readonly error: ErrorMechanism;
  readonly rule: LearningRule;
  readonly optimizer: ResolvedOptimizerConfig;
  readonly epochs: number;
  readonly rng: Rng;
  /** Measure the mechanism's fidelity during training (`training.fidelity`). */
  readonly fidelity?: FidelitySettings;
}

/** Sums what an epoch's measurements cost (`ErrorReading.cost`). */
class CostTally {
  examples = 0;
  reported = 0;
  seconds = 0;
  timed = 0;
  energy = 0;
  energized = 0;
  equilibria = 0;
  solves = 0;
  physical = true;
  note: string | undefined;

  add(cost: PhysicalCost | undefined): void {
    this.examples++;
    if (!cost) return;
    this.reported++;
    if (!cost.physical) this.physical = false;
    if (cost.seconds !== undefined && Number.isFinite(cost.seconds)) {
      this.seconds += cost.seconds;
      this.timed++;
    }
    if (cost.energy !== undefined && Number.isFinite(cost.energy)) {
      this.energy += cost.energy;
      this.energized++;
    }
    this.equilibria += cost.equilibria ?? 0;
    this.solves += cost.solves ?? 0;
    if (cost.note !== undefined) this.note = cost.note;
  }

  /** The epoch's time and energy: defined only where every measurement defined it. */
  get epochSeconds(): number | undefined {
    return this.examples > 0 && this.timed === this.examples ? this.seconds : undefined;
  }

  get epochEnergy(): number | undefined {
    return this.examples > 0 && this.energized === this.examples ? this.energy : undefined;
  }
}

/**
 * Everything a trainer needs to continue a run exactly where it stopped,
 * after a whole epoch, as plain JSON: the parameters, the optimizer's
 * velocity, the random streams (minibatch order, measurement noise) and the
 * history so far. Continuing from it gives the numbers an uninterrupted run
 * gives, to the last bit: where the substrate's equilibrium solver is
 * warm-started (diodes, springs), its warm start is part of the checkpoint
 * (`solverState`).
 */
export interface TrainerCheckpoint {
  readonly format: 'multimech-checkpoint';
  readonly version: 1;
  /** Epochs finished. */
  readonly epoch: number;
  /** Seconds spent in `run` so far. */
  readonly seconds: number;
  readonly parameters: readonly number[];
  /** The parameters before the first update (for a picture of the network before training). */
  readonly initialParameters: readonly number[];
  readonly velocity: readonly number[];
  readonly rng: RngState;
  /** The error mechanism's own generator, when it has one. */
  readonly errorRng?: RngState;
  /**
   * What the substrate's equilibrium solver carries to its next solve (a
   * nonlinear network's Newton warm start: its last equilibrium), when it
   * carries anything (`Substrate.solverState`).
   */
  readonly solverState?: readonly number[];
  readonly history: readonly EpochEvent[];
  /**
   * Which experiment the checkpoint belongs to, as its writer names it (the
   * command line: the hash of the run's resolved config, training.epochs
   * left out) and the seed it ran with; `restore` does not read them, the
   * writer checks them when it continues a run (`checkCheckpoint` checks
   * their form).
   */
  readonly experiment?: string;
  readonly seed?: number;
}

type Listener<E> = (event: E) => void;

/** How a run may end early. */
export interface RunOptions {
  /**
   * Asked before each epoch (after the one before it has been emitted, so a
   * listener has saved its checkpoint): true ends the run there, with
   * `stopped` set in its result. A time budget, a signal, a flag another
   * thread sets.
   */
  readonly stop?: () => boolean;
}

/**
 * Composes substrate × activation × error × rule × task × optimizer.
 * Each minibatch: every example goes through activation → error force →
 * error mechanism → rule against the one factorization of the current
 * parameters; the mean estimate drives one projected momentum step, after
 * which the substrate refactors once. Seeded: the same seed gives the same
 * numbers.
 */
export class Trainer {
  private readonly listeners = { step: [] as Listener<StepEvent>[], epoch: [] as Listener<EpochEvent>[] };
  private readonly optimizer: SgdOptimizer;
  private readonly pipeline: GradientPipeline;
  private readonly history: EpochEvent[] = [];
  private epoch = 0;
  private secondsBefore = 0;
  private runStart: number | undefined;
  private readonly initialParameters: Float64Array;
  /** What the last trained epoch's measurements cost. */
  private lastCost: CostTally | undefined;

  constructor(readonly parts: TrainerParts) {
    this.initialParameters = Float64Array.from(parts.substrate.parameters);
    this.optimizer = new SgdOptimizer(parts.optimizer, parts.substrate.parameters.length);
    this.pipeline = {
      substrate: parts.substrate,
      activation: parts.activation,
      error: parts.error,
      rule: parts.rule,
      loss: parts.task.loss,
      rng: parts.rng,
    };
  }

  on(event: 'step', listener: Listener<StepEvent>): this;
  on(event: 'epoch', listener: Listener<EpochEvent>): this;
  on(event: 'step' | 'epoch', listener: Listener<never>): this {
    (this.listeners[event] as Listener<never>[]).push(listener);
    return this;
  }

  /** Loss, and accuracy (classification) or relative error (regression), at the current parameters. */
  evaluate(examples: readonly Example[]): Evaluation {
    const { substrate, task } = this.parts;
    let loss = 0;
    let correct = 0;
    let err2 = 0;
    let ref2 = 0;
    for (const ex of examples) {
      const y = substrate.readout(substrate.equilibrium(substrate.drive(ex.inputs)));
      loss += task.loss.value(y, ex.target);
      if (task.predict && ex.label !== undefined) {
        if (task.predict(y) === ex.label) correct++;
      }
      for (let o = 0; o < y.length; o++) {
        err2 += (y[o] - ex.target[o]) ** 2;
        ref2 += ex.target[o] ** 2;
      }
    }
    const n = Math.max(examples.length, 1);
    if (!Number.isFinite(loss)) throw new NumericalError(`evaluation loss is not finite (${loss})`);
    return task.predict
      ? { loss: loss / n, accuracy: correct / n }
      : { loss: loss / n, relativeError: ref2 > 0 ? Math.sqrt(err2 / ref2) : Math.sqrt(err2) };
  }

  /**
   * The mechanism's fidelity at the current parameters (`measureFidelity`),
   * with every random stream it draws from restored afterwards, so that a
   * run measures the same numbers with fidelity on as with it off.
   */
  private measureFidelityNow(): FidelityFigures | undefined {
    const settings = this.parts.fidelity;
    if (!settings || this.epoch % settings.every !== 0) return undefined;
    const { rng, error, task } = this.parts;
    const saved = rng.snapshot();
    const savedError = error.randomState?.();
    try {
      return measureFidelity(this.parts, task.train.slice(0, settings.examples), settings.repeats);
    } finally {
      rng.restore(saved);
      if (savedError !== undefined) error.restoreRandomState?.(savedError);
    }
  }

  private emitEpoch(seconds: number, clamped: number, diagnostics?: Record<string, number>, cost?: CostTally): EpochEvent {
    const { task, epochs } = this.parts;
    const tr = this.evaluate(task.train);
    const te = this.evaluate(task.test);
    const fidelity = this.measureFidelityNow();
    // the run's totals continue from the last trained epoch (a resumed run's included); epoch 0 counts as none
    const previous = this.history.length > 1 ? this.history[this.history.length - 1] : undefined;
    const physicalSeconds = cost?.epochSeconds;
    const energy = cost?.epochEnergy;
    const total = (value: number | undefined, before: number | undefined) =>
      value === undefined ? undefined : previous === undefined ? value : before === undefined ? undefined : before + value;
    const physicalSecondsTotal = total(physicalSeconds, previous?.physicalSecondsTotal);
    const energyTotal = total(energy, previous?.energyTotal);
    const event: EpochEvent = {
      epoch: this.epoch,
      epochs,
      trainLoss: tr.loss,
      testLoss: te.loss,
      trainAccuracy: tr.accuracy,
      testAccuracy: te.accuracy,
      trainRelativeError: tr.relativeError,
      testRelativeError: te.relativeError,
      seconds,
      clamped,
      ...(diagnostics && Object.keys(diagnostics).length > 0 ? { diagnostics } : {}),
      ...(physicalSeconds !== undefined ? { physicalSeconds } : {}),
      ...(physicalSecondsTotal !== undefined ? { physicalSecondsTotal } : {}),
      ...(energy !== undefined ? { energy } : {}),
      ...(energyTotal !== undefined ? { energyTotal } : {}),
      ...(fidelity ? { fidelity } : {}),
    };
    this.history.push(event);
    for (const l of this.listeners.epoch) l(event);
    return event;
  }

  /** One epoch of minibatch steps, yielding after each; returns the number of clamped parameters, the largest diagnostics and what the measurements cost. */
  private *trainEpoch(): Generator<void, { clamped: number; diagnostics: Record<string, number>; cost: CostTally }> {
    const { substrate, task, rng, optimizer } = this.parts;
    const order = rng.shuffle([...task.train.keys()]);
    const batch = optimizer.batchSize;
    const steps = Math.ceil(order.length / batch);
    const theta = Float64Array.from(substrate.parameters);
    const grad = new Float64Array(theta.length);
    let clampedTotal = 0;
    const diagnostics: Record<string, number> = {};
    const cost = new CostTally();
    for (let s = 0; s < steps; s++) {
      grad.fill(0);
      const members = order.slice(s * batch, (s + 1) * batch);
      let loss = 0;
      for (const i of members) {
        const ex = task.train[i];
        const r = exampleGradient(this.pipeline, substrate.drive(ex.inputs), ex.target);
        loss += r.loss;
        cost.add(r.cost);
        for (let k = 0; k < grad.length; k++) grad[k] += r.gradient[k];
        for (const [key, value] of Object.entries(r.diagnostics ?? {})) {
          if (!Number.isFinite(value)) continue;
          const worse = key.endsWith('Min') ? !(diagnostics[key] <= value) : !(diagnostics[key] >= value);
          if (worse) diagnostics[key] = value;
        }
      }
      for (let k = 0; k < grad.length; k++) grad[k] /= members.length;
      const { clamped } = this.optimizer.step(theta, grad, substrate.bounds);
      clampedTotal += clamped;
      substrate.setParameters(theta);
      const event: StepEvent = { epoch: this.epoch, step: s + 1, stepsPerEpoch: steps, loss: loss / members.length, clamped };
      for (const l of this.listeners.step) l(event);
      yield;
    }
    return { clamped: clampedTotal, diagnostics, cost };
  }

  /** The state after the last whole epoch (or before any, at epoch 0), to continue from with `restore`. */
  checkpoint(): TrainerCheckpoint {
    const { substrate, rng, error } = this.parts;
    const errorRng = error.randomState?.();
    const solverState = substrate.solverState?.();
    return {
      format: 'multimech-checkpoint',
      version: 1,
      epoch: this.epoch,
      seconds: this.secondsBefore + (this.runStart !== undefined ? (Date.now() - this.runStart) / 1000 : 0),
      parameters: Array.from(substrate.parameters),
      initialParameters: Array.from(this.initialParameters),
      velocity: Array.from(this.optimizer.state()),
      rng: rng.snapshot(),
      ...(errorRng !== undefined ? { errorRng } : {}),
      ...(solverState !== undefined ? { solverState } : {}),
      history: this.history.map((e) => ({ ...e })),
    };
  }

  /**
   * Continues from a checkpoint of a trainer built from the same config: the
   * next `run` trains the epochs that remain. A checkpoint that does not fit
   * (another network size, more epochs than configured, values that are not
   * finite) is refused with a MultimechError saying what does not match.
   */
  restore(checkpoint: TrainerCheckpoint): void {
    const { substrate, rng, error, epochs } = this.parts;
    const m = substrate.parameters.length;
    const fail = (what: string) => {
      throw new MultimechError(`checkpoint does not fit this experiment: ${what}`);
    };
    if (checkpoint.format !== 'multimech-checkpoint' || checkpoint.version !== 1) fail(`expected format 'multimech-checkpoint' version 1, got ${String(checkpoint.format)} version ${String(checkpoint.version)}`);
    if (!Number.isInteger(checkpoint.epoch) || checkpoint.epoch < 0) fail(`epoch must be a whole number ≥ 0, got ${checkpoint.epoch}`);
    if (checkpoint.epoch > epochs) fail(`it has ${checkpoint.epoch} epochs done, more than the ${epochs} configured`);
    for (const key of ['parameters', 'initialParameters', 'velocity'] as const) {
      const v = checkpoint[key];
      if (!Array.isArray(v) || v.length !== m) fail(`${key}: expected ${m} values (one per ${substrate.parameterName} parameter), got ${Array.isArray(v) ? v.length : typeof v}`);
      const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
      if (bad >= 0) fail(`${key}[${bad}] is not a finite number (${String(v[bad])})`);
    }
    if (!Array.isArray(checkpoint.history) || checkpoint.history.length !== checkpoint.epoch + 1) {
      fail(`history: expected ${checkpoint.epoch + 1} epochs (0 to ${checkpoint.epoch}), got ${Array.isArray(checkpoint.history) ? checkpoint.history.length : typeof checkpoint.history}`);
    }
    checkpoint.history.forEach((e, i) => {
      if (e?.epoch !== i || !Number.isFinite(e.trainLoss) || !Number.isFinite(e.testLoss)) fail(`history[${i}]: expected epoch ${i} with finite losses`);
    });
    if ((checkpoint.errorRng !== undefined) !== (error.randomState !== undefined)) {
      fail(error.randomState ? 'the error mechanism draws from a generator of its own, and the checkpoint has no state for it' : 'it holds a generator state for an error mechanism that has none');
    }
    const { min, max } = substrate.bounds;
    const outside = checkpoint.parameters.findIndex((x, k) => x < min[k] || x > max[k]);
    if (outside >= 0) fail(`parameters[${outside}] = ${checkpoint.parameters[outside]} lies outside its bounds [${min[outside]}, ${max[outside]}]`);
    try {
      rng.restore(checkpoint.rng);
      if (checkpoint.errorRng !== undefined) error.restoreRandomState?.(checkpoint.errorRng);
    } catch (e) {
      fail((e as Error).message);
    }
    if (checkpoint.solverState !== undefined) {
      const state = checkpoint.solverState;
      if (!Array.isArray(state) || state.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail('solverState: expected a list of finite numbers');
      if (!substrate.restoreSolverState) fail('it holds a solver state for a substrate whose solver carries none');
    }
    this.initialParameters.set(checkpoint.initialParameters);
    substrate.setParameters(Float64Array.from(checkpoint.parameters));
    try {
      // the warm start the next solve of an uninterrupted run would start from (none: a cold start, as after the checkpoint's epoch 0)
      substrate.restoreSolverState?.(checkpoint.solverState);
    } catch (e) {
      fail(`solverState: ${(e as Error).message}`);
    }
    this.optimizer.restore(checkpoint.velocity);
    this.history.length = 0;
    this.history.push(...checkpoint.history.map((e) => ({ ...e, epochs })));
    this.epoch = checkpoint.epoch;
    this.secondsBefore = Number.isFinite(checkpoint.seconds) && checkpoint.seconds >= 0 ? checkpoint.seconds : 0;
  }

  /** The parameters before the first update (restored with a checkpoint). */
  get parametersBeforeTraining(): Float64Array {
    return Float64Array.from(this.initialParameters);
  }

  /** Trains for the configured epochs (after an initial evaluation, epoch 0), or until `options.stop` says so. */
  run(options: RunOptions = {}): TrainingResult {
    const start = Date.now();
    const epochs = this.epochs(options, start);
    let next = epochs.next();
    while (!next.done) next = epochs.next();
    return this.result(start, next.value);
  }

  /**
   * `run`, giving the event loop a turn after every minibatch step: the same
   * numbers, while a signal handler or a timer of the caller can ask `stop`
   * to end the run at the next epoch.
   */
  async runAsync(options: RunOptions = {}): Promise<TrainingResult> {
    const start = Date.now();
    const epochs = this.epochs(options, start);
    let next = epochs.next();
    while (!next.done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      next = epochs.next();
    }
    return this.result(start, next.value);
  }

  /** The run's epochs, yielding after every step; returns whether `stop` ended it early. */
  private *epochs(options: RunOptions, start: number): Generator<void, boolean> {
    this.runStart = start;
    if (this.history.length === 0) this.emitEpoch(0, 0);
    while (this.epoch < this.parts.epochs) {
      if (options.stop?.()) return true;
      this.epoch++;
      const t0 = Date.now();
      const { clamped, diagnostics, cost } = yield* this.trainEpoch();
      this.lastCost = cost;
      this.emitEpoch((Date.now() - t0) / 1000, clamped, diagnostics, cost);
    }
    return false;
  }

  private result(start: number, stopped: boolean): TrainingResult {
    const last = this.history[this.history.length - 1];
    const { substrate } = this.parts;
    const physicalCost = this.physicalCost();
    const fidelity = this.history.flatMap((e) => (e.fidelity ? [{ epoch: e.epoch, ...e.fidelity }] : []));
    return {
      ...(stopped ? { stopped } : {}),
      history: [...this.history],
      summary: {
        final_loss: last.trainLoss,
        ...(last.trainAccuracy !== undefined ? { train_accuracy: last.trainAccuracy, test_accuracy: last.testAccuracy } : {}),
        ...(last.testRelativeError !== undefined ? { relative_error: last.testRelativeError } : {}),
        epochs: this.epoch,
        seconds: this.secondsBefore + (Date.now() - start) / 1000,
      },
      parameters: { name: substrate.parameterName, names: substrate.parameterNames, values: Float64Array.from(substrate.parameters) },
      ...(physicalCost ? { physicalCost } : {}),
      ...(this.parts.fidelity ? { fidelity } : {}),
    };
  }

  /** The run's physical cost from its epochs' totals and the last epoch's measurements; undefined when the mechanism reports none. */
  private physicalCost(): TrainingPhysicalCost | undefined {
    const tally = this.lastCost;
    if (!tally || tally.reported === 0) return undefined;
    const { task, optimizer } = this.parts;
    const last = this.history[this.history.length - 1];
    const trained = this.history.length - 1;
    const updates = trained * Math.ceil(task.train.length / optimizer.batchSize);
    const examples = trained * task.train.length;
    const per = (value: number | undefined, count: number) => (value !== undefined && count > 0 ? value / count : undefined);
    const figures: TrainingPhysicalCost = {
      physical: tally.physical,
      updates,
      seconds: last.physicalSecondsTotal,
      secondsPerUpdate: per(last.physicalSecondsTotal, updates),
      secondsPerExample: per(last.physicalSecondsTotal, examples),
      energy: last.energyTotal,
      energyPerUpdate: per(last.energyTotal, updates),
      energyPerExample: per(last.energyTotal, examples),
      equilibriaPerExample: tally.physical ? tally.equilibria / tally.examples : undefined,
      solvesPerExample: tally.solves > 0 ? tally.solves / tally.examples : undefined,
      note: tally.note,
    };
    return Object.fromEntries(Object.entries(figures).filter(([, v]) => v !== undefined)) as unknown as TrainingPhysicalCost;
  }
}
