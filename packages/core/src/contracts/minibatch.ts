import type { ActivationMechanism } from './activation-mechanism';
import type { ErrorMechanism, PhysicalCost } from './error-mechanism';
import type { LearningRule } from './learning-rule';
import type { Substrate } from './substrate';
import type { Example, Loss } from './task';

/** What the trainer asks of a minibatch substrate: the parts of the pipeline and the minibatch's examples. */
export interface MinibatchRequest {
  readonly activation: ActivationMechanism;
  readonly error: ErrorMechanism;
  readonly rule: LearningRule;
  readonly loss: Loss;
  readonly examples: readonly Example[];
}

/** A minibatch's gradient estimate, as the example-by-example path would give it (to rounding). */
export interface MinibatchGradient {
  /** The mean of the examples' estimates of dC/dθ. */
  readonly gradient: Float64Array;
  /** Each example's loss at its free state. */
  readonly losses: Float64Array;
  /** What each example's measurement cost, as the error mechanism reports it for one example. */
  readonly cost?: PhysicalCost;
  /** The error mechanism's diagnostics, each its worst value over the minibatch. */
  readonly diagnostics?: Readonly<Record<string, number>>;
}

/**
 * A substrate whose solver takes a whole minibatch at once (the deep
 * resistive network's layered solver): for the combinations of activation,
 * error mechanism and rule it knows, it gives the minibatch's mean gradient
 * estimate in one pass, where the example-by-example path (`exampleGradient`)
 * makes several passes over every parameter per example. It answers
 * `undefined` for any combination it does not know, and the trainer goes
 * example by example. The estimate is the one `exampleGradient` gives (the
 * same mechanism, computed in another order: equal to rounding), and so are
 * the cost and diagnostics it reports.
 */
export interface MinibatchSubstrate extends Substrate {
  minibatchGradient(request: MinibatchRequest): MinibatchGradient | undefined;
}

/** The substrate as a minibatch substrate, when it is one. */
export function minibatchOf(substrate: Substrate): MinibatchSubstrate | undefined {
  return typeof (substrate as Partial<MinibatchSubstrate>).minibatchGradient === 'function' ? (substrate as MinibatchSubstrate) : undefined;
}
