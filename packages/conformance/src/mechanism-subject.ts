import type { ActivationMechanism, ErrorRecord, LearningRule, Loss, Registries } from '@multimech/core';
import type { FidelityClaim } from './fidelity-claim';
import type { SubstrateFixture } from './substrate-fixture';

/** An error mechanism as the mechanism suite checks it: its record, and how to measure it. */
export interface MechanismSubject<S = unknown> {
  /** The mechanism's record: `configCodec` decodes a section into settings, `create(settings)` builds the mechanism. */
  readonly record: ErrorRecord<S>;
  /** The section (without `kind`) the checks measure under (default `{}`: the record's defaults). */
  readonly section?: Readonly<Record<string, unknown>>;
  /**
   * The networks, each with its drive and optionally its target (default
   * `linearFixtures()`). Called afresh for every check; it must build the
   * same fixtures every time (seed it). A mechanism that needs a capability
   * (a flow network with 'transport') is given such networks here.
   */
  readonly fixtures?: () => SubstrateFixture[];
  /**
   * Settings over `section` under which a measurement is noisy
   * (`{ noise: 0.01 }`), drawn from the generator the mechanism is given:
   * `deterministic` runs them twice from one seed, `seeded-noise` from two.
   * Without it, `seeded-noise` is skipped.
   */
  readonly noisy?: Readonly<Record<string, unknown>>;
  /** What the mechanism claims against the exact gradient (`exactness`, `order`). */
  readonly claims?: readonly FidelityClaim[];
  /**
   * The registries of an experiment with the mechanism's plugin
   * (`createRegistries([corePlugin, myPlugin])`): `reading-kind` looks for a
   * rule that consumes what it produces, and the measurements use that rule.
   * Without them `reading-kind` is skipped, and the rule is `rule`.
   */
  readonly registries?: Pick<Registries, 'rules'>;
  /** The rule that turns the readings into an estimate (default: the registered rule that consumes them, or core's product rule). */
  readonly rule?: LearningRule;
  /** The activation mechanism (default core's `dcActivation`). */
  readonly activation?: ActivationMechanism;
  /** The loss (default core's `mseLoss`). */
  readonly loss?: Loss;
  /**
   * The relative rounding level of the readings on these fixtures (default
   * 1e-10): a second measurement on the same substrate must agree with the
   * first to it (each entry within it of the largest reading). A nonlinear
   * substrate's Newton starts from its last equilibrium, so a measurement
   * that solved other states in between reads the same with other
   * rounding, which a small error amplitude magnifies.
   */
  readonly rounding?: number;
  /** Seed of the targets and of the generator each measurement is given (default 1). */
  readonly seed?: number;
}
