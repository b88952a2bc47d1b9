import { COUNT_RANGE, GAIN_RANGE, NumericalError, ParameterBounds, Rng, bounded, oneOf, onlyWith, positiveInteger, positiveNumber, refine, strictObject, numberWhere } from '@multimech/core';
import * as t from 'io-ts';
import { takeProjectedMove } from './projected-move';
import { type ImperfectUpdate, type UpdateImperfections, UPDATE_IMPERFECTION_KEYS, anyUpdateImperfection, imperfectStep, updateImperfectionFields, updateImperfectionProblems } from './hardware/update-imperfections';

/**
 * The learning rate over the epochs: `constant` (the default), `exponential`
 * (× `factor` at the end of every epoch: the published DRN settings use
 * 0.99) or `step` (× `factor` every `every` epochs).
 */
export type LearningRateSchedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'exponential'; readonly factor: number }
  | { readonly kind: 'step'; readonly factor: number; readonly every: number };

const scheduleFields = strictObject(
  'a learning-rate schedule ({ "kind": "constant" | "exponential" | "step", "factor"?, "every"? })',
  { kind: oneOf('constant', 'exponential', 'step') },
  {
    // a schedule decays the rate: a factor above 1 would grow it without bound over the epochs
    factor: bounded(positiveNumber, { min: 0, minOpen: true, max: 1 }, 'a schedule decays the learning rate; above 1 it would grow without bound'),
    every: bounded(positiveInteger, COUNT_RANGE),
  },
);

/** `optimizer.schedule`: the kind, then `factor` (exponential, step) and `every` (step) required where they apply and refused where they do not. */
export const learningRateScheduleCodec = refine(scheduleFields, (v) => [
  ...onlyWith(v, 'kind', v.kind, { factor: ['exponential', 'step'], every: ['step'] }),
  ...(v.kind !== 'constant' && v.factor === undefined ? [{ key: 'factor', message: `the '${v.kind}' schedule needs the factor the learning rate is multiplied by (such as 0.99)` }] : []),
  ...(v.kind === 'step' && v.every === undefined ? [{ key: 'every', message: "a 'step' schedule needs 'every': the number of epochs between two decays" }] : []),
]) as unknown as t.Type<LearningRateSchedule, unknown, unknown>;

export const optimizerCodec = refine(strictObject(
  'an optimizer',
  {},
  {
    kind: oneOf('sgd'),
    learningRate: bounded(positiveNumber, GAIN_RANGE, 'a step is the learning rate times a gradient, and must stay finite'),
    momentum: numberWhere('a number in [0, 1)', (x) => x >= 0 && x < 1),
    batchSize: bounded(positiveInteger, COUNT_RANGE),
    bounds: oneOf('project'),
    /** The learning rate over the epochs (default constant). */
    schedule: learningRateScheduleCodec,
    /** The imperfections of a physical machine's updates (docs/hardware-realism.md), each off unless given. */
    ...updateImperfectionFields,
  },
), updateImperfectionProblems);
export type OptimizerConfig = t.TypeOf<typeof optimizerCodec>;
type ImperfectionKey = (typeof UPDATE_IMPERFECTION_KEYS)[number];
/** The optimizer's settings with every default filled in (the hardware imperfections as given: absent is off); the schedule is the trainer's (`TrainerParts.learningRateSchedule`). */
export type ResolvedOptimizerConfig = Required<Omit<OptimizerConfig, 'schedule' | ImperfectionKey>> & UpdateImperfections;

/**
 * The learning rate of each epoch (0-based: epoch 0 trains at the learning
 * rate given) under a schedule, each epoch's the one before times the factor
 * where it decays, multiplied in turn as PyTorch's `ExponentialLR` and
 * `StepLR` do (so a rate matches theirs to the bit, not α·γᵉ).
 */
export class LearningRates {
  private readonly rates: number[];

  constructor(
    readonly initial: number,
    readonly schedule: LearningRateSchedule = { kind: 'constant' },
  ) {
    this.rates = [initial];
  }

  /** The learning rate of the steps of epoch `epoch` (0-based). */
  at(epoch: number): number {
    const s = this.schedule;
    if (s.kind === 'constant') return this.initial;
    while (this.rates.length <= epoch) {
      const e = this.rates.length;
      const before = this.rates[e - 1];
      this.rates.push(s.kind === 'exponential' || e % s.every === 0 ? before * s.factor : before);
    }
    return this.rates[epoch];
  }
}

export function resolveOptimizer(config: OptimizerConfig | undefined): ResolvedOptimizerConfig {
  return {
    kind: config?.kind ?? 'sgd',
    learningRate: config?.learningRate ?? 0.05,
    momentum: config?.momentum ?? 0.9,
    batchSize: config?.batchSize ?? 10,
    bounds: config?.bounds ?? 'project',
    ...Object.fromEntries(UPDATE_IMPERFECTION_KEYS.filter((k) => config?.[k] !== undefined).map((k) => [k, config![k]])),
  };
}

/**
 * Stochastic gradient descent with momentum, projected onto the parameters'
 * physical bounds (PHYSICS.md §5): v ← μv − α·g; θ ← Π[min,max](θ + v). The
 * projection is the stated policy (`bounds: "project"`); every step reports
 * how many parameters it held at a bound.
 */
export class SgdOptimizer {
  private readonly velocity: Float64Array;
  private readonly imperfect: boolean;

  /**
   * `hardware` is what the update imperfections need (docs/hardware-realism.md):
   * the generator they draw from, each edge's device factor, the parameters
   * before training (a drift towards them) and the edges damage froze.
   */
  constructor(
    readonly config: ResolvedOptimizerConfig,
    size: number,
    private readonly hardware?: { readonly rng: Rng; readonly factors?: Float64Array; readonly initial: Float64Array; readonly frozen?: Uint8Array },
  ) {
    this.velocity = new Float64Array(size);
    this.imperfect = anyUpdateImperfection(config) || hardware?.frozen !== undefined;
    if (this.imperfect && !hardware) throw new NumericalError('the optimizer has hardware imperfections configured but no generator to draw them from');
  }

  /** One update in place at learning rate `learningRate` (default the configured one); returns the number of parameters held at a bound and the length of the step taken. */
  step(theta: Float64Array, gradient: Float64Array, bounds: ParameterBounds, learningRate = this.config.learningRate): { clamped: number; stepNorm: number; updated?: number } {
    const a = learningRate;
    const mu = this.config.momentum;
    if (this.imperfect) {
      for (let k = 0; k < theta.length; k++) if (!Number.isFinite(gradient[k])) throw new NumericalError(`gradient of parameter ${k} is not finite (${gradient[k]})`);
      const v = this.velocity;
      const r: ImperfectUpdate = imperfectStep(this.config, theta, v, (k) => mu * v[k] - a * gradient[k], bounds, this.hardware!.rng, this.hardware!);
      return r;
    }
    let clamped = 0;
    let norm = 0;
    for (let k = 0; k < theta.length; k++) {
      const g = gradient[k];
      if (!Number.isFinite(g)) throw new NumericalError(`gradient of parameter ${k} is not finite (${g})`);
      if (takeProjectedMove(theta, this.velocity, k, mu * this.velocity[k] - a * g, bounds)) clamped++;
      norm += this.velocity[k] ** 2;
    }
    return { clamped, stepNorm: Math.sqrt(norm) };
  }

  state(): Float64Array {
    return Float64Array.from(this.velocity);
  }

  restore(velocity: ArrayLike<number>): void {
    this.velocity.set(velocity);
  }
}
