import * as t from 'io-ts';
import {
  ContinuousContrastLearner,
  DEFAULT_CONTINUOUS_DT,
  MAX_PRESENTATION_STEPS,
  type ContinuousSettings,
  type ErrorMechanism,
  type Example,
  type PhysicalCost,
  type SectionProblem,
  type Substrate,
  type Task,
  boundedNumber,
  continuousContrastOf,
  continuousLearningProblems,
  presentationSteps,
  strictObject,
  MultimechError,
} from '@multimech/core';

/**
 * `training.continuous`: continuous-time learning. The parameters change
 * while the network relaxes, at `ratio` times its relaxation rate
 * (dθ/dt = −(α·ratio/τ)·ĝ: one update α·ĝ per τ/ratio), the state integrated in time with steps of `dt`·τ.
 */
export const continuousCodec = strictObject(
  'continuous-time learning ({ "ratio", "dt"? })',
  {
    /** The rate of updates (one α·ĝ per example, spread over its presentation of τ/ratio) relative to the relaxation rate 1/τ: below 1 the copies relax faster than the parameters move. */
    ratio: boundedNumber('a learning-rate to relaxation-rate ratio', { min: 0, minOpen: true, max: 1e6 }),
  },
  {
    /** The integration step in units of the slowest relaxation time τ (default 0.05: twenty steps per τ). */
    dt: boundedNumber('a time step in units of the relaxation time', { min: 0, minOpen: true, max: 1 }),
  },
);
export type ContinuousConfig = t.TypeOf<typeof continuousCodec>;

/** The section with its default filled in. */
export function continuousSettings(config: ContinuousConfig): ContinuousSettings {
  return { ratio: config.ratio, dt: config.dt ?? DEFAULT_CONTINUOUS_DT };
}

/**
 * Why `training.continuous` cannot run with this network, mechanism and
 * optimizer (each at its key): a network without dynamics, a mechanism
 * without a continuous-time form, momentum (the flow has none), a
 * presentation of more than MAX_PRESENTATION_STEPS steps.
 */
export function continuousProblems(
  settings: ContinuousSettings,
  substrate: Substrate,
  error: ErrorMechanism,
  momentum: number | undefined,
  /** The hardware settings the run gives beside it, as config paths (`optimizer.quantize`, `training.damage`, ...). */
  hardware: readonly { readonly section: string; readonly key: string }[] = [],
): SectionProblem[] {
  const problems: SectionProblem[] = continuousLearningProblems(substrate, error).map((message) => ({ section: 'training', key: 'continuous', message }));
  // the flow dθ/dt replaces the optimizer's steps and reads no edge's instruments: the hardware settings of those do not apply to it
  for (const h of hardware) {
    problems.push({ ...h, message: `continuous-time learning (training.continuous) moves the parameters by a flow, not by the optimizer's steps through edges' instruments: ${h.section}.${h.key} does not apply to it; leave one of the two out` });
  }
  if (momentum !== undefined && momentum !== 0) {
    problems.push({ section: 'optimizer', key: 'momentum', message: `continuous-time learning (training.continuous) moves the parameters by dθ/dt = −(α·ratio/τ)·ĝ, without momentum: give 0 or leave it out (its default is 0 here), got ${momentum}` });
  }
  const steps = presentationSteps(settings);
  if (steps > MAX_PRESENTATION_STEPS) {
    problems.push({
      section: 'training',
      key: 'continuous.ratio',
      message: `each example is presented for 1/ratio = ${Number((1 / settings.ratio).toPrecision(6))} relaxation times, ${steps} steps of dt, more than ${MAX_PRESENTATION_STEPS}: raise the ratio or dt`,
    });
  }
  return problems;
}

/** What one minibatch's presentations did, for the trainer's step event. */
export interface ContinuousStep {
  readonly loss: number;
  readonly gradientNorm: number;
  readonly stepNorm: number;
  readonly clamped: number;
  readonly costs: readonly PhysicalCost[];
}

/** The trainer's continuous-time mode: each example of a minibatch presented in turn while the parameters flow. */
export class ContinuousTraining {
  readonly learner: ContinuousContrastLearner;

  constructor(substrate: Substrate, error: ErrorMechanism, task: Task, readonly settings: ContinuousSettings) {
    const contrast = continuousContrastOf(error);
    if (!contrast) throw new MultimechError(`continuous-time learning: ${continuousLearningProblems(substrate, error)[0]}`);
    this.learner = new ContinuousContrastLearner(substrate, contrast, task.loss, settings);
  }

  /** τ, then the copies' states (free, clamped), for a checkpoint; undefined before the first presentation. */
  state(): number[] | undefined {
    const states = this.learner.copyStates();
    const tau = this.learner.knownRelaxationTime;
    return states && tau !== undefined ? [tau, ...states] : undefined;
  }

  /** Continues from what `state` gave (undefined: the next presentation starts the copies at the free equilibrium). */
  restore(state: readonly number[] | undefined): void {
    if (state === undefined) {
      this.learner.restoreCopyStates(undefined);
      return;
    }
    if (!(state[0] > 0 && Number.isFinite(state[0]))) throw new MultimechError(`its relaxation time (the first value) must be a positive number of seconds, got ${state[0]}`);
    this.learner.restoreCopyStates(state.slice(1), state[0]);
  }

  step(substrate: Substrate, examples: readonly Example[], learningRate: number): ContinuousStep {
    const start = Float64Array.from(substrate.parameters);
    let loss = 0;
    let clamped = 0;
    const costs: PhysicalCost[] = [];
    for (const ex of examples) {
      const p = this.learner.present(substrate.drive(ex.inputs), ex.target, learningRate);
      loss += p.loss;
      clamped += p.clamped;
      costs.push({
        physical: true,
        seconds: p.seconds,
        ...(p.energy !== undefined ? { energy: p.energy } : {}),
        equilibria: 0,
        note: `continuous-time learning: each example presented for τ / ratio with τ = ${this.learner.knownRelaxationTime!.toPrecision(4)} s, ${p.steps} steps`,
      });
    }
    let norm2 = 0;
    substrate.parameters.forEach((x, k) => (norm2 += (x - start[k]) ** 2));
    const stepNorm = Math.sqrt(norm2);
    // the mean estimate a quasistatic step of the same length would have taken: Δθ = −α Σ ĝ
    return { loss: loss / examples.length, stepNorm, gradientNorm: stepNorm / (learningRate * examples.length), clamped, costs };
  }
}
