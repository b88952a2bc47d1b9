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
  assertFinite,
  exampleGradient,
  minibatchOf,
} from '@multimech/core';
import { LearningRates, type LearningRateSchedule, ResolvedOptimizerConfig, SgdOptimizer } from './optimizer';
import { type FidelityFigures, type FidelitySettings, measureFidelity } from './fidelity-measurement';
import { ContinuousTraining } from './continuous-training';
import type { ContinuousSettings } from '@multimech/core';
import { type MeasurementSettings, withMeasurement } from './hardware/measurement';
import { Damage, type DamageSettings } from './hardware/damage';
import { anyUpdateImperfection, deviceFactors } from './hardware/update-imperfections';
import { DEFAULT_EVALUATION, type EvaluationSettings, Sampler, type SamplerState, type SamplingSettings } from './training-schedule';

/** Figures of one pass over a set of examples at the current parameters. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy?: number;
  readonly relativeError?: number;
}

/** What one update's measurements cost physically, summed over its minibatch (`ErrorReading.cost`). */
export interface StepPhysicalCost {
  /** False for a digital computation (the exact adjoint). */
  readonly physical: boolean;
  /** Physical seconds of the minibatch's measurements, where every one defines a time. */
  readonly seconds?: number;
  /** Energy dissipated meanwhile, where the substrate defines a power. */
  readonly energy?: number;
  /** Equilibria settled into (physical mechanisms), or linear solves (a digital computation). */
  readonly equilibria: number;
  readonly solves: number;
  /** The mechanism's note on its last measurement. */
  readonly note?: string;
}

/**
 * One update, as `Trainer.step()` returns it and the `step` event carries
 * it: where it lies in the run, what it measured on its minibatch at the
 * parameters before it, and the step it took.
 */
export interface StepEvent {
  /** The epoch the update belongs to (1-based). */
  readonly epoch: number;
  /** The update's place in its epoch (1-based). */
  readonly step: number;
  readonly stepsPerEpoch: number;
  /** Updates made in the run so far, this one included. */
  readonly steps: number;
  /** The training examples of the minibatch (0-based indices into the task's training examples), in the order used. */
  readonly examples: readonly number[];
  /** Mean loss over the minibatch at the free state, before the update. */
  readonly loss: number;
  /** The learning rate of the update (the schedule's value at its epoch). */
  readonly learningRate: number;
  /** ‖ĝ‖₂: the length of the minibatch's mean gradient estimate. */
  readonly gradientNorm: number;
  /** ‖Δθ‖₂: the length of the step taken, after the projection onto the bounds. */
  readonly stepNorm: number;
  /** Parameters the projection held at a bound. */
  readonly clamped: number;
  /** Edges drawn to update (all working ones, or fewer under `optimizer.updateProbability`), where a hardware setting is on. */
  readonly updated?: number;
  /** Edges (indices) that broke at the end of this update (`training.damage`). */
  readonly damaged?: readonly number[];
  /** The error mechanism's diagnostics over the minibatch, each its worst value (as `EpochEvent.diagnostics`); absent when it reports none. */
  readonly diagnostics?: Readonly<Record<string, number>>;
  /** What the minibatch's measurements cost, where the error mechanism reports it. */
  readonly physicalCost?: StepPhysicalCost;
}

/** The train and test figures at the current parameters (`Trainer.evaluate()`). */
export interface TrainerEvaluation {
  /** Epochs made so far: updates / updates per epoch (a fraction in the middle of an epoch). */
  readonly epoch: number;
  /** Updates made so far. */
  readonly steps: number;
  readonly train: Evaluation;
  readonly test: Evaluation;
}

/**
 * One row of a run's history: the train and test figures at an evaluation
 * (every epoch by default; every N steps or epochs with
 * `training.evaluate`), with what the updates since the one before did.
 */
export interface EpochEvent {
  /** Epochs made: updates / updates per epoch (an integer at the end of an epoch, a fraction when evaluating every N steps). */
  readonly epoch: number;
  /** The run's budget in epochs (with a budget in steps, the epochs it reaches, rounded up). */
  readonly epochs: number;
  /** Updates made so far. */
  readonly steps: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly trainRelativeError?: number;
  readonly testRelativeError?: number;
  /** Seconds spent on the training steps since the evaluation before (0 for the initial evaluation). */
  readonly seconds: number;
  /** Parameters the projection held at a bound, summed over the steps since the evaluation before. */
  readonly clamped: number;
  /** Edges that broke since the evaluation before (`training.damage`; present when it is configured). */
  readonly damaged?: number;
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
  /** How the task's loss is scaled over the outputs, when the task names it (`half-sum`, `sum`, `half-mean`, `mean`): `final_loss` is in its terms. */
  readonly loss_scaling?: string;
  /** Epochs made (a fraction when a budget in steps ends inside an epoch). */
  readonly epochs: number;
  /** Updates made, when the budget is in steps (`training.steps`). */
  readonly steps?: number;
  readonly seconds: number;
}

export interface TrainingResult {
  /**
   * True when `RunOptions.stop` ended the run before its budget: the
   * history (and the checkpoint) ends at the last evaluation.
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
  /** Each evaluation that followed broken edges (`training.damage`), with the loss before and the recovery. */
  readonly damage?: readonly DamageRecovery[];
}

/** A damage event as the history shows it: the training loss before, at the evaluation after, and when it came back. */
export interface DamageRecovery {
  /** The evaluation after the edges broke (epochs). */
  readonly epoch: number;
  /** Edges broken there, and broken in all by then. */
  readonly edges: number;
  readonly edgesTotal: number;
  /** Training loss at the evaluation before, at this one (the spike) and at the end of the run. */
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly lossEnd: number;
  /** The first later evaluation whose training loss is back at or below `lossBefore`; absent if none. */
  readonly recoveredAt?: number;
}

export interface TrainerParts {
  readonly substrate: Substrate;
  readonly task: Task;
  readonly activation: ActivationMechanism;
  readonly error: ErrorMechanism;
  readonly rule: LearningRule;
  readonly optimizer: ResolvedOptimizerConfig;
  /** The budget in epochs (with `steps`, the epochs those reach, rounded up). */
  readonly epochs: number;
  /** The budget in updates (`training.steps`), in place of `epochs` × updates per epoch. */
  readonly steps?: number;
  readonly rng: Rng;
  /** Measure the mechanism's fidelity during training (`training.fidelity`). */
  readonly fidelity?: FidelitySettings;
  /** How each update's examples are drawn (default: shuffled epochs). */
  readonly sampling?: SamplingSettings;
  /** When the train and test sets are evaluated (default: every epoch). */
  readonly evaluation?: EvaluationSettings;
  /** The learning rate over the epochs (default constant: `optimizer.learningRate`). */
  readonly learningRateSchedule?: LearningRateSchedule;
  /** Continuous-time learning (`training.continuous`): the parameters flow while the network relaxes, in place of the optimizer's steps. */
  readonly continuous?: ContinuousSettings;
  /** What each edge's instruments do to its readings during training (`training.measurement`; default exact). */
  readonly measurement?: MeasurementSettings;
  /** Edges that break during training (`training.damage`). */
  readonly damage?: DamageSettings;
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

  /** What the tally holds, for a step's event; undefined when no measurement reported a cost. */
  figures(): StepPhysicalCost | undefined {
    if (this.reported === 0) return undefined;
    const seconds = this.epochSeconds;
    const energy = this.epochEnergy;
    return {
      physical: this.physical,
      ...(seconds !== undefined ? { seconds } : {}),
      ...(energy !== undefined ? { energy } : {}),
      equilibria: this.equilibria,
      solves: this.solves,
      ...(this.note !== undefined ? { note: this.note } : {}),
    };
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
/**
 * Everything a trainer needs to continue a run exactly where it stopped, as
 * plain JSON: the parameters, the optimizer's velocity, the random streams
 * (minibatch order, measurement noise), the updates made, where the sampler
 * stands, and the history so far. Continuing from it gives the numbers an
 * uninterrupted run gives, to the last bit: where the substrate's
 * equilibrium solver is warm-started (diodes, springs), its warm start is
 * part of the checkpoint (`solverState`).
 */
export interface TrainerCheckpoint {
  readonly format: 'multimech-checkpoint';
  readonly version: 1;
  /** Epochs finished (whole ones). */
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
  /**
   * Continuous-time learning (`training.continuous`): the relaxation time τ
   * it presents examples over, then the free copy's state and the clamped
   * copy's, where the next presentation continues from (absent before the
   * first one).
   */
  readonly continuousState?: readonly number[];
  readonly history: readonly EpochEvent[];
  /** Updates made (absent in checkpoints written before it was added: then `epoch` × updates per epoch). */
  readonly steps?: number;
  /** The edges broken so far (indices), with `training.damage`. */
  readonly damaged?: readonly number[];
  /** Where the sampler stands: the order of the shuffled epoch a checkpoint in the middle of an epoch falls in (absent at the end of an epoch), a sequence's position and length. */
  readonly sampler?: SamplerState;
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

/** The worse of a diagnostic's values kept in `into`: the smallest for a name ending in `Min`, else the largest; non-finite values are left out. */
function keepWorst(into: Record<string, number>, key: string, value: number): void {
  if (!Number.isFinite(value)) return;
  const worse = key.endsWith('Min') ? !(into[key] <= value) : !(into[key] >= value);
  if (worse) into[key] = value;
}

/** What the updates since the last evaluation did: summed into the next row of the history. */
class Interval {
  steps = 0;
  seconds = 0;
  clamped = 0;
  damaged = 0;
  readonly diagnostics: Record<string, number> = {};
  readonly cost = new CostTally();
}

/** The longest `runAsync` trains without giving the event loop a turn, in milliseconds (it turns only between steps). */
export const RUN_ASYNC_TURN_MS = 5;

/** How a run may end early. */
export interface RunOptions {
  /**
   * Asked before the first update and after each evaluation (after its
   * `epoch` event has been emitted, so a listener has saved its
   * checkpoint): true ends the run there, with `stopped` set in its result.
   * A time budget, a signal, a flag another thread sets.
   */
  readonly stop?: () => boolean;
}

/**
 * Composes substrate × activation × error × rule × task × optimizer.
 * Each update (`step()`): a minibatch drawn by the sampler goes through
 * activation → error force → error mechanism → rule against the one
 * factorization of the current parameters; the mean estimate drives one
 * projected momentum step at the schedule's learning rate, after which the
 * substrate refactors once. `evaluate()` gives the train and test figures
 * at the current parameters. `run()` is built on the two: an evaluation
 * before the first update, updates up to the budget (`training.epochs` or
 * `training.steps`), an evaluation (a row of the history, an `epoch` event)
 * every `training.evaluate` and at the end. Seeded: the same seed gives the
 * same numbers.
 */
export class Trainer {
  private readonly listeners = { step: [] as Listener<StepEvent>[], epoch: [] as Listener<EpochEvent>[] };
  private readonly optimizer: SgdOptimizer;
  private readonly pipeline: GradientPipeline;
  private readonly history: EpochEvent[] = [];
  private readonly sampler: Sampler;
  private readonly rates: LearningRates;
  private readonly evaluation: EvaluationSettings;
  /** Updates made. */
  private updates = 0;
  private interval = new Interval();
  private secondsBefore = 0;
  private runStart: number | undefined;
  private readonly initialParameters: Float64Array;
  /** What the measurements of the updates before the last evaluation cost. */
  private lastCost: CostTally | undefined;
  private readonly continuous: ContinuousTraining | undefined;
  /** The edges that break during training, and those broken so far. */
  private readonly damage: Damage | undefined;

  constructor(readonly parts: TrainerParts) {
    this.continuous = parts.continuous && new ContinuousTraining(parts.substrate, parts.error, parts.task, parts.continuous);
    this.initialParameters = Float64Array.from(parts.substrate.parameters);
    const m = parts.substrate.parameters.length;
    this.damage = parts.damage ? new Damage(parts.damage, parts.substrate.parameterNames) : undefined;
    // each device's factor is fixed for the run: drawn from a generator derived from the trainer's state, without drawing from it
    const factors = parts.optimizer.variability ? deviceFactors(parts.optimizer.variability, m, new Rng((parts.rng.snapshot().state ^ 0x2545f491) >>> 0)) : undefined;
    const hardware = anyUpdateImperfection(parts.optimizer) || this.damage ? { rng: parts.rng, factors, initial: this.initialParameters, frozen: this.damage?.frozen } : undefined;
    this.optimizer = new SgdOptimizer(parts.optimizer, m, hardware);
    this.pipeline = {
      substrate: parts.substrate,
      activation: parts.activation,
      error: withMeasurement(parts.error, parts.measurement),
      rule: parts.rule,
      loss: parts.task.loss,
      rng: parts.rng,
    };
    this.sampler = new Sampler(parts.sampling ?? { kind: 'shuffle' }, parts.task.train.length, parts.optimizer.batchSize, parts.rng);
    this.rates = new LearningRates(parts.optimizer.learningRate, parts.learningRateSchedule);
    this.evaluation = parts.evaluation ?? DEFAULT_EVALUATION;
    if (parts.steps !== undefined && !(Number.isInteger(parts.steps) && parts.steps > 0)) {
      throw new MultimechError(`the step budget must be a positive integer, got ${parts.steps}`);
    }
  }

  on(event: 'step', listener: Listener<StepEvent>): this;
  on(event: 'epoch', listener: Listener<EpochEvent>): this;
  on(event: 'step' | 'epoch', listener: Listener<never>): this {
    (this.listeners[event] as Listener<never>[]).push(listener);
    return this;
  }

  /** Updates per epoch: ⌈training examples / batch size⌉. */
  get stepsPerEpoch(): number {
    return this.sampler.stepsPerEpoch;
  }

  /** Updates made so far (a resumed run's earlier ones included). */
  get stepsTaken(): number {
    return this.updates;
  }

  /** The run's budget in updates: `training.steps`, or `training.epochs` × updates per epoch. */
  get stepBudget(): number {
    return this.parts.steps ?? this.parts.epochs * this.stepsPerEpoch;
  }

  /** The learning rate of the next update. */
  get learningRate(): number {
    return this.rates.at(Math.floor(this.updates / this.stepsPerEpoch));
  }

  /** Epochs made: whole ones. */
  private get epochsDone(): number {
    return Math.floor(this.updates / this.stepsPerEpoch);
  }

  /** The train and test loss, and accuracy (classification) or relative error (regression), at the current parameters. */
  evaluate(): TrainerEvaluation;
  /** Loss, and accuracy (classification) or relative error (regression), of these examples at the current parameters. */
  evaluate(examples: readonly Example[]): Evaluation;
  evaluate(examples?: readonly Example[]): Evaluation | TrainerEvaluation {
    if (examples !== undefined) return this.evaluateSet(examples);
    const { task } = this.parts;
    const train = this.evaluateSet(task.train);
    const test = this.evaluateSet(task.test);
    return { epoch: this.updates / this.stepsPerEpoch, steps: this.updates, train, test };
  }

  private evaluateSet(examples: readonly Example[]): Evaluation {
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
   * every `fidelity.every` whole epochs, with every random stream it draws
   * from restored afterwards, so that a run measures the same numbers with
   * fidelity on as with it off.
   */
  private measureFidelityNow(): FidelityFigures | undefined {
    const settings = this.parts.fidelity;
    if (!settings || this.updates % (settings.every * this.stepsPerEpoch) !== 0) return undefined;
    const { rng, error, task } = this.parts;
    const saved = rng.snapshot();
    const savedError = error.randomState?.();
    try {
      // the estimate as the rule sees it: through the instruments of `training.measurement`
      return measureFidelity({ ...this.parts, error: this.pipeline.error }, task.train.slice(0, settings.examples), settings.repeats);
    } finally {
      rng.restore(saved);
      if (savedError !== undefined) error.restoreRandomState?.(savedError);
    }
  }

  /**
   * Evaluates now and records the figures as a row of the history, with
   * what the updates since the row before did; emits it as an `epoch`
   * event. `run()` records before the first update, at every
   * `training.evaluate` and at the end of the budget.
   */
  private record(): EpochEvent {
    const { epochs } = this.parts;
    const interval = this.interval;
    this.interval = new Interval();
    const trained = interval.steps > 0;
    const cost = trained ? interval.cost : undefined;
    if (cost) this.lastCost = cost;
    const { train: tr, test: te } = this.evaluate();
    const fidelity = this.measureFidelityNow();
    // the run's totals continue from the last trained row (a resumed run's included); the initial row counts as none
    const previous = this.history.length > 1 ? this.history[this.history.length - 1] : undefined;
    const physicalSeconds = cost?.epochSeconds;
    const energy = cost?.epochEnergy;
    const total = (value: number | undefined, before: number | undefined) =>
      value === undefined ? undefined : previous === undefined ? value : before === undefined ? undefined : before + value;
    const physicalSecondsTotal = total(physicalSeconds, previous?.physicalSecondsTotal);
    const energyTotal = total(energy, previous?.energyTotal);
    const diagnostics = trained ? interval.diagnostics : undefined;
    const event: EpochEvent = {
      epoch: this.updates / this.stepsPerEpoch,
      epochs,
      steps: this.updates,
      trainLoss: tr.loss,
      testLoss: te.loss,
      trainAccuracy: tr.accuracy,
      testAccuracy: te.accuracy,
      trainRelativeError: tr.relativeError,
      testRelativeError: te.relativeError,
      seconds: interval.seconds,
      clamped: interval.clamped,
      ...(this.damage ? { damaged: interval.damaged } : {}),
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

  /**
   * One update: the sampler's next minibatch, each example's gradient
   * estimate (activation → error force → error mechanism → rule), their
   * mean (in one pass from a substrate that solves whole minibatches and
   * knows the mechanism: core's `MinibatchSubstrate`), one projected momentum step at the schedule's learning rate, the
   * parameters set. Returns what it measured (the minibatch's loss before
   * the update, the estimate's norm, the diagnostics and physical cost of
   * its measurements) and emits it as a `step` event. It does not evaluate
   * the train and test sets (`evaluate()` does) and is not bounded by the
   * budget (`run()` is).
   */
  step(): StepEvent {
    const t0 = performance.now();
    const { substrate, task } = this.parts;
    const spe = this.stepsPerEpoch;
    const index = this.updates;
    const members = this.sampler.batch(index);
    const learningRate = this.rates.at(Math.floor(index / spe));
    const theta = Float64Array.from(substrate.parameters);
    const grad = new Float64Array(theta.length);
    const interval = this.interval;
    const diagnostics: Record<string, number> = {};
    const cost = new CostTally();
    let loss = 0;
    if (this.continuous) return this.emit(this.continuousStep(members, learningRate, index), t0);
    const keep = (d: Readonly<Record<string, number>> | undefined) => {
      for (const [key, value] of Object.entries(d ?? {})) {
        keepWorst(diagnostics, key, value);
        keepWorst(interval.diagnostics, key, value);
      }
    };
    // a substrate that solves a whole minibatch gives its mean estimate in one pass (undefined: example by example);
    // readings through imperfect instruments (training.measurement) exist example by example only
    const { activation, error, rule } = this.parts;
    const batched = this.parts.measurement ? undefined : minibatchOf(substrate)?.minibatchGradient({ activation, error, rule, loss: task.loss, examples: members.map((i) => task.train[i]) });
    if (batched) {
      assertFinite(batched.gradient, `gradient estimate of error mechanism '${error.kind}'`, substrate.parameterNames);
      for (const l of batched.losses) {
        loss += l;
        cost.add(batched.cost);
        interval.cost.add(batched.cost);
      }
      keep(batched.diagnostics);
      grad.set(batched.gradient);
    } else {
      for (const i of members) {
        const ex = task.train[i];
        const r = exampleGradient(this.pipeline, substrate.drive(ex.inputs), ex.target);
        loss += r.loss;
        cost.add(r.cost);
        interval.cost.add(r.cost);
        for (let k = 0; k < grad.length; k++) grad[k] += r.gradient[k];
        keep(r.diagnostics);
      }
      for (let k = 0; k < grad.length; k++) grad[k] /= members.length;
    }
    let norm2 = 0;
    for (let k = 0; k < grad.length; k++) norm2 += grad[k] * grad[k];
    const { clamped, stepNorm, updated } = this.optimizer.step(theta, grad, substrate.bounds, learningRate);
    // edges break at the end of an epoch (`training.damage`), after its last update
    const damaged = this.damage && (index + 1) % spe === 0 ? this.damage.apply((index + 1) / spe, theta, substrate.bounds, this.parts.rng) : undefined;
    substrate.setParameters(theta);
    this.updates++;
    interval.steps++;
    interval.clamped += clamped;
    interval.damaged += damaged?.length ?? 0;
    const physicalCost = cost.figures();
    const event: StepEvent = {
      epoch: Math.floor(index / spe) + 1,
      step: (index % spe) + 1,
      stepsPerEpoch: spe,
      steps: this.updates,
      examples: members,
      loss: loss / members.length,
      learningRate,
      gradientNorm: Math.sqrt(norm2),
      stepNorm,
      clamped,
      ...(updated !== undefined ? { updated } : {}),
      ...(damaged && damaged.length > 0 ? { damaged } : {}),
      ...(Object.keys(diagnostics).length > 0 ? { diagnostics } : {}),
      ...(physicalCost ? { physicalCost } : {}),
    };
    return this.emit(event, t0);
  }

  private emit(event: StepEvent, t0: number): StepEvent {
    this.interval.seconds += (performance.now() - t0) / 1000;
    for (const l of this.listeners.step) l(event);
    return event;
  }

  /** A step of continuous-time learning: the minibatch's examples presented in turn while the parameters flow (no optimizer step). */
  private continuousStep(members: readonly number[], learningRate: number, index: number): StepEvent {
    const { substrate, task } = this.parts;
    const spe = this.stepsPerEpoch;
    const r = this.continuous!.step(substrate, members.map((i) => task.train[i]), learningRate);
    const cost = new CostTally();
    for (const c of r.costs) {
      cost.add(c);
      this.interval.cost.add(c);
    }
    this.updates++;
    this.interval.steps++;
    this.interval.clamped += r.clamped;
    const physicalCost = cost.figures();
    return {
      epoch: Math.floor(index / spe) + 1,
      step: (index % spe) + 1,
      stepsPerEpoch: spe,
      steps: this.updates,
      examples: members,
      loss: r.loss,
      learningRate,
      gradientNorm: r.gradientNorm,
      stepNorm: r.stepNorm,
      clamped: r.clamped,
      ...(physicalCost ? { physicalCost } : {}),
    };
  }

  /** Whether `run()` evaluates after `steps` updates: every `training.evaluate` (steps, or whole epochs). */
  private evaluationDue(steps: number): boolean {
    const { every, unit } = this.evaluation;
    return steps % (unit === 'steps' ? every : every * this.stepsPerEpoch) === 0;
  }

  /** The state now (after the updates made so far), to continue from with `restore`. */
  checkpoint(): TrainerCheckpoint {
    const { substrate, rng, error } = this.parts;
    const errorRng = error.randomState?.();
    const sampler = this.sampler.state(this.updates);
    const solverState = substrate.solverState?.();
    const continuousState = this.continuous?.state();
    return {
      format: 'multimech-checkpoint',
      version: 1,
      epoch: this.epochsDone,
      seconds: this.secondsBefore + (this.runStart !== undefined ? (Date.now() - this.runStart) / 1000 : 0),
      parameters: Array.from(substrate.parameters),
      initialParameters: Array.from(this.initialParameters),
      velocity: Array.from(this.optimizer.state()),
      rng: rng.snapshot(),
      ...(errorRng !== undefined ? { errorRng } : {}),
      ...(solverState !== undefined ? { solverState } : {}),
      ...(continuousState !== undefined ? { continuousState } : {}),
      history: this.history.map((e) => ({ ...e })),
      steps: this.updates,
      ...(Object.keys(sampler).length > 0 ? { sampler } : {}),
      ...(this.damage ? { damaged: this.damage.state() } : {}),
    };
  }

  /**
   * Continues from a checkpoint of a trainer built from the same config: the
   * next `run` trains the updates that remain. A checkpoint that does not fit
   * (another network size, more epochs or steps than configured, values that
   * are not finite, a history that does not match the evaluations) is
   * refused with a MultimechError saying what does not match.
   */
  restore(checkpoint: TrainerCheckpoint): void {
    const { substrate, rng, error, epochs } = this.parts;
    const m = substrate.parameters.length;
    const spe = this.stepsPerEpoch;
    const fail = (what: string): never => {
      throw new MultimechError(`checkpoint does not fit this experiment: ${what}`);
    };
    if (checkpoint.format !== 'multimech-checkpoint' || checkpoint.version !== 1) fail(`expected format 'multimech-checkpoint' version 1, got ${String(checkpoint.format)} version ${String(checkpoint.version)}`);
    if (!Number.isInteger(checkpoint.epoch) || checkpoint.epoch < 0) fail(`epoch must be a whole number ≥ 0, got ${checkpoint.epoch}`);
    if (checkpoint.epoch > epochs) fail(`it has ${checkpoint.epoch} epochs done, more than the ${epochs} configured`);
    const steps = checkpoint.steps ?? checkpoint.epoch * spe;
    if (!Number.isInteger(steps) || steps < 0) fail(`steps must be a whole number ≥ 0, got ${steps}`);
    if (Math.floor(steps / spe) !== checkpoint.epoch) fail(`steps: ${steps} updates of ${spe} per epoch make ${Math.floor(steps / spe)} whole epochs, not the ${checkpoint.epoch} it says`);
    if (steps > this.stepBudget) fail(`it has ${steps} updates done, more than the ${this.stepBudget} configured`);
    for (const key of ['parameters', 'initialParameters', 'velocity'] as const) {
      const v = checkpoint[key];
      if (!Array.isArray(v) || v.length !== m) fail(`${key}: expected ${m} values (one per ${substrate.parameterName} parameter), got ${Array.isArray(v) ? v.length : typeof v}`);
      const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
      if (bad >= 0) fail(`${key}[${bad}] is not a finite number (${String(v[bad])})`);
    }
    const history = checkpoint.history;
    const everyEpoch = this.evaluation.unit === 'epochs' && this.evaluation.every === 1 && steps % spe === 0;
    if (everyEpoch) {
      // one row per epoch, from epoch 0
      if (!Array.isArray(history) || history.length !== checkpoint.epoch + 1) {
        fail(`history: expected ${checkpoint.epoch + 1} epochs (0 to ${checkpoint.epoch}), got ${Array.isArray(history) ? history.length : typeof history}`);
      }
      history.forEach((e, i) => {
        if (e?.epoch !== i || !Number.isFinite(e.trainLoss) || !Number.isFinite(e.testLoss)) fail(`history[${i}]: expected epoch ${i} with finite losses`);
      });
    } else {
      // a row per evaluation: in order, the last one at the checkpoint's updates
      if (!Array.isArray(history) || history.length === 0) fail(`history: expected the evaluations made so far, got ${Array.isArray(history) ? 'none' : typeof history}`);
      history.forEach((e, i) => {
        const at = e?.steps ?? (e?.epoch ?? NaN) * spe;
        const before = i === 0 ? -1 : (history[i - 1].steps ?? history[i - 1].epoch * spe);
        if (!(at > before) || !Number.isFinite(e.trainLoss) || !Number.isFinite(e.testLoss)) fail(`history[${i}]: expected an evaluation after ${Math.max(before, 0)} updates with finite losses`);
      });
      const last = history[history.length - 1];
      if ((last.steps ?? last.epoch * spe) !== steps) fail(`history: its last evaluation is after ${last.steps ?? last.epoch * spe} updates, not the ${steps} made`);
    }
    if ((checkpoint.errorRng !== undefined) !== (error.randomState !== undefined)) {
      fail(error.randomState ? 'the error mechanism draws from a generator of its own, and the checkpoint has no state for it' : 'it holds a generator state for an error mechanism that has none');
    }
    const { min, max } = substrate.bounds;
    const outside = checkpoint.parameters.findIndex((x, k) => x < min[k] || x > max[k]);
    if (outside >= 0) fail(`parameters[${outside}] = ${checkpoint.parameters[outside]} lies outside its bounds [${min[outside]}, ${max[outside]}]`);
    try {
      this.sampler.restore(checkpoint.sampler, steps);
      rng.restore(checkpoint.rng);
      if (checkpoint.errorRng !== undefined) error.restoreRandomState?.(checkpoint.errorRng);
    } catch (e) {
      fail((e as Error).message);
    }
    if (checkpoint.damaged !== undefined && !this.damage) fail('it holds broken edges (damaged) for a run without training.damage');
    if (this.damage) {
      try {
        this.damage.restore(checkpoint.damaged ?? []);
      } catch (e) {
        fail((e as Error).message);
      }
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
    try {
      this.continuous?.restore(checkpoint.continuousState);
    } catch (e) {
      fail(`continuousState: ${(e as Error).message}`);
    }
    this.optimizer.restore(checkpoint.velocity);
    this.history.length = 0;
    this.history.push(...history.map((e) => ({ ...e, epochs, steps: e.steps ?? e.epoch * spe })));
    this.updates = steps;
    this.interval = new Interval();
    this.secondsBefore = Number.isFinite(checkpoint.seconds) && checkpoint.seconds >= 0 ? checkpoint.seconds : 0;
  }

  /** The parameters before the first update (restored with a checkpoint). */
  get parametersBeforeTraining(): Float64Array {
    return Float64Array.from(this.initialParameters);
  }

  /**
   * Trains to the budget (`training.epochs` or `training.steps`): an
   * evaluation first (when the history is empty), then `step()` after
   * `step()`, evaluating every `training.evaluate` and at the end (each
   * evaluation a row of the history and an `epoch` event); or until
   * `options.stop` says so.
   */
  run(options: RunOptions = {}): TrainingResult {
    const start = Date.now();
    const epochs = this.epochs(options, start);
    let next = epochs.next();
    while (!next.done) next = epochs.next();
    return this.result(start, next.value);
  }

  /**
   * `run`, giving the event loop a turn between minibatch steps, once at
   * least `RUN_ASYNC_TURN_MS` have passed since the last turn: the same
   * numbers, while a signal handler or a timer of the caller can ask `stop`
   * to end the run at the next evaluation (and a run of many short steps
   * does not pay a turn for each).
   */
  async runAsync(options: RunOptions = {}): Promise<TrainingResult> {
    const start = Date.now();
    const epochs = this.epochs(options, start);
    let next = epochs.next();
    let turn = performance.now();
    while (!next.done) {
      if (performance.now() - turn >= RUN_ASYNC_TURN_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
      next = epochs.next();
    }
    return this.result(start, next.value);
  }

  /** The run's updates and evaluations, yielding after every step; returns whether `stop` ended it early. */
  private *epochs(options: RunOptions, start: number): Generator<void, boolean> {
    this.runStart = start;
    if (this.history.length === 0) this.record();
    const budget = this.stepBudget;
    while (this.updates < budget) {
      if (this.interval.steps === 0 && options.stop?.()) return true;
      this.step();
      if (this.updates === budget || this.evaluationDue(this.updates)) this.record();
      yield;
    }
    return false;
  }

  private result(start: number, stopped: boolean): TrainingResult {
    const last = this.history[this.history.length - 1];
    const { substrate, task } = this.parts;
    const physicalCost = this.physicalCost();
    const fidelity = this.history.flatMap((e) => (e.fidelity ? [{ epoch: e.epoch, ...e.fidelity }] : []));
    return {
      ...(stopped ? { stopped } : {}),
      history: [...this.history],
      summary: {
        final_loss: last.trainLoss,
        ...(last.trainAccuracy !== undefined ? { train_accuracy: last.trainAccuracy, test_accuracy: last.testAccuracy } : {}),
        ...(last.testRelativeError !== undefined ? { relative_error: last.testRelativeError } : {}),
        ...(task.loss.scaling !== undefined ? { loss_scaling: task.loss.scaling } : {}),
        epochs: this.updates / this.stepsPerEpoch,
        ...(this.parts.steps !== undefined ? { steps: this.updates } : {}),
        seconds: this.secondsBefore + (Date.now() - start) / 1000,
      },
      parameters: { name: substrate.parameterName, names: substrate.parameterNames, values: Float64Array.from(substrate.parameters) },
      ...(physicalCost ? { physicalCost } : {}),
      ...(this.parts.fidelity ? { fidelity } : {}),
      ...(this.damage ? { damage: this.damageRecoveries() } : {}),
    };
  }

  /** The rows that follow broken edges, each with the loss before, the spike and the recovery. */
  private damageRecoveries(): DamageRecovery[] {
    const rows = this.history;
    const end = rows[rows.length - 1].trainLoss;
    let total = 0;
    const out: DamageRecovery[] = [];
    rows.forEach((row, i) => {
      const edges = row.damaged ?? 0;
      if (edges === 0 || i === 0) return;
      total += edges;
      const lossBefore = rows[i - 1].trainLoss;
      const back = rows.slice(i + 1).find((r) => r.trainLoss <= lossBefore);
      out.push({ epoch: row.epoch, edges, edgesTotal: total, lossBefore, lossAfter: row.trainLoss, lossEnd: end, ...(back ? { recoveredAt: back.epoch } : {}) });
    });
    return out;
  }

  /** The run's physical cost from its rows' totals and the last row's measurements; undefined when the mechanism reports none. */
  private physicalCost(): TrainingPhysicalCost | undefined {
    const tally = this.lastCost;
    if (!tally || tally.reported === 0) return undefined;
    const last = this.history[this.history.length - 1];
    const updates = this.updates;
    const examples = this.sampler.examplesIn(updates);
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
