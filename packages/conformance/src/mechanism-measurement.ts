import {
  ConfigError,
  Rng,
  adjointError,
  capabilityProblems,
  dcActivation,
  decodeOrThrow,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  mseLoss,
  placeProblems,
  productRule,
  rulesConsuming,
  type ErrorMechanism,
  type ErrorReading,
  type LearningRule,
  type ReadingKind,
  type Registries,
} from '@multimech/core';
import { ConformanceFailure } from './conformance-failure';
import { defaultTarget } from './default-target';
import type { FidelityClaim } from './fidelity-claim';
import type { MechanismSubject } from './mechanism-subject';
import type { SubstrateFixture } from './substrate-fixture';
import { dot, maxAbs } from './vectors';

/**
 * How the mechanism suite measures a mechanism: a section decoded by the
 * record's codec into settings, the mechanism the record creates from them,
 * and one example run through core's `exampleGradient` on a fixture, with
 * what the mechanism read captured on the way.
 */

/** The settings of the subject's section with `over` laid on top, decoded by the record's codec (defaults filled in). */
export function settingsOf(subject: MechanismSubject, ...over: (Readonly<Record<string, unknown>> | undefined)[]): unknown {
  const section = Object.assign({}, subject.section, ...over);
  try {
    return decodeOrThrow(subject.record.configCodec, section, 'error');
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems.map((p) => `${p.path}: ${p.message}`).join('; ') : (e as Error).message;
    throw new ConformanceFailure(`the section ${JSON.stringify(section)} of error mechanism '${subject.record.kind}' does not decode: ${problems}`);
  }
}

/**
 * The rule that consumes `kind` readings: the subject's own, else the first
 * registered one that consumes them (created from its defaults), else core's
 * product rule for 'product' readings.
 */
export function ruleFor(subject: MechanismSubject, kind: ReadingKind): LearningRule {
  if (subject.rule) return subject.rule;
  if (subject.registries) {
    const [first] = rulesConsuming(subject.registries as Registries, kind);
    if (first !== undefined) {
      const record = subject.registries.rules.get(first);
      return record.create(decodeOrThrow(record.configCodec, {}, 'rule'));
    }
  }
  if (kind === 'product') return productRule;
  throw new ConformanceFailure(`no rule to consume '${kind}' readings: give the subject its rule (subject.rule) or the registries of its plugin (subject.registries)`);
}

/**
 * Throws a ConformanceFailure when the fixture does not suit the mechanism
 * under these settings: a capability the record requires that the network
 * lacks, or a problem the record's `check` finds with the activation and the
 * network as built. The checks measure only combinations the mechanism
 * accepts.
 */
export function assertSuits(subject: MechanismSubject, settings: unknown, fixture: SubstrateFixture): void {
  const { record } = subject;
  const activation = subject.activation ?? dcActivation;
  const problems = [
    ...capabilityProblems(`fixture '${fixture.label}'`, fixture.substrate.capabilities, { kind: activation.kind, requires: [] }, record),
    ...(record.check?.(settings, activation, fixture.substrate) ?? []),
  ];
  if (problems.length > 0) {
    const lines = placeProblems(problems).map((p) => `${p.path}: ${p.message}`);
    throw new ConformanceFailure(`fixture '${fixture.label}' does not suit error mechanism '${record.kind}' with these settings: ${lines.join('; ')}`);
  }
}

/** The target the fixture's loss aims at: its own, or the outputs of its equilibrium plus a seeded random offset. */
export function targetOf(subject: MechanismSubject, fixture: SubstrateFixture): Float64Array {
  if (fixture.target) return fixture.target;
  const { substrate, drive } = fixture;
  return defaultTarget(substrate.readout(substrate.equilibrium(drive)), new Rng(subject.seed ?? 1));
}

/** What one example gave: what the mechanism read, and the rule's estimate, or why the pipeline stopped. */
export interface Measurement {
  /** What the mechanism returned; undefined when `measure` itself threw. */
  readonly reading?: ErrorReading;
  /** The rule's estimate of dC/dθ; undefined when the pipeline threw. */
  readonly gradient?: Float64Array;
  /** What the pipeline threw, if it did. */
  readonly failure?: Error;
}

/**
 * One example through core's `exampleGradient` with the mechanism, the
 * subject's activation, loss and rule, and a generator of seed `seed`;
 * never throws: a failure is returned with whatever was read before it.
 */
export function measureOnce(subject: MechanismSubject, mechanism: ErrorMechanism, fixture: SubstrateFixture, target: Float64Array, seed: number): Measurement {
  let reading: ErrorReading | undefined;
  const capture: ErrorMechanism = {
    kind: mechanism.kind,
    produces: mechanism.produces,
    measure(context) {
      reading = mechanism.measure(context);
      return reading;
    },
  };
  try {
    const pipeline = {
      substrate: fixture.substrate,
      activation: subject.activation ?? dcActivation,
      error: capture,
      rule: ruleFor(subject, mechanism.produces),
      loss: subject.loss ?? mseLoss,
      rng: new Rng(seed),
    };
    const { gradient } = exampleGradient(pipeline, fixture.drive, target);
    return { reading, gradient };
  } catch (e) {
    return { reading, failure: e as Error };
  }
}

/** `measureOnce`, throwing a ConformanceFailure that names the fixture when the pipeline fails. */
export function measured(subject: MechanismSubject, mechanism: ErrorMechanism, fixture: SubstrateFixture, target: Float64Array, seed: number): Required<Omit<Measurement, 'failure'>> {
  const m = measureOnce(subject, mechanism, fixture, target, seed);
  if (m.failure || !m.reading || !m.gradient) {
    throw new ConformanceFailure(`error mechanism '${subject.record.kind}' could not be measured: ${m.failure?.message ?? 'no reading'}`);
  }
  return { reading: m.reading, gradient: m.gradient };
}

/** What a claim holds the estimate to on a fixture: core's adjoint through `exampleGradient`, or core's `finiteDifferenceGradient`. */
export function referenceGradient(subject: MechanismSubject, claim: FidelityClaim, fixture: SubstrateFixture, target: Float64Array): Float64Array {
  const loss = subject.loss ?? mseLoss;
  if (claim.reference === 'finite-differences') return finiteDifferenceGradient(fixture.substrate, fixture.drive, loss, target);
  const pipeline = {
    substrate: fixture.substrate,
    activation: subject.activation ?? dcActivation,
    error: adjointError,
    rule: productRule,
    loss,
    rng: new Rng(subject.seed ?? 1),
  };
  return exampleGradient(pipeline, fixture.drive, target).gradient;
}

/**
 * The error of an estimate against the reference, by core's `fidelity`:
 * the relative error; or, comparing directions, the relative error of the
 * estimate scaled by its least-squares factor (g·r/g·g), the sine of the
 * angle between them.
 */
export function claimError(estimate: Float64Array, reference: Float64Array, compare: FidelityClaim['compare'] = 'gradient'): number {
  if (maxAbs(reference) === 0) throw new ConformanceFailure('the reference gradient is zero: give the fixture a target its outputs miss');
  if (compare === 'gradient') return fidelity(estimate, reference).relativeError;
  const gg = dot(estimate, estimate);
  const scale = gg > 0 ? dot(estimate, reference) / gg : 0;
  return fidelity(estimate.map((g) => g * scale), reference).relativeError;
}
