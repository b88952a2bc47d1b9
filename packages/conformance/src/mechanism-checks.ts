import { logLogSlope, producedReadings, rulesConsuming, type ErrorMechanism, type ErrorReading, type Registries } from '@multimech/core';
import { ConformanceFailure, check } from './conformance-failure';
import type { FidelityClaim } from './fidelity-claim';
import { linearFixtures } from './fixture-network';
import { assertSuits, claimError, measureOnce, measured, referenceGradient, settingsOf, targetOf } from './mechanism-measurement';
import type { MechanismSubject } from './mechanism-subject';
import type { SubstrateFixture } from './substrate-fixture';
import { maxAbs } from './vectors';

/** The stable ids of the mechanism checks. */
export type MechanismCheckId = 'readings' | 'leaves-substrate' | 'deterministic' | 'seeded-noise' | 'reading-kind' | 'exactness' | 'order';

/** What a check found: passed or not, what it measured or why it failed, and its figures. */
export interface MechanismCheckResult {
  readonly id: MechanismCheckId;
  readonly title: string;
  readonly passed: boolean;
  /** What was measured, or what failed (naming the fixture). */
  readonly message: string;
  /** The figures a claim check measured: the knob's values, the errors, the slope. */
  readonly figures?: Readonly<Record<string, number | readonly number[]>>;
}

/** One test of the suite for a subject: a check, or a check of one claim. */
export interface MechanismCase {
  readonly id: MechanismCheckId;
  /** `[id] description`, or `[id] claim label` for a claim. */
  readonly title: string;
  /** Why it does not run, when it does not. */
  readonly skip?: string;
  run(): MechanismCheckResult;
}

interface Outcome {
  readonly message: string;
  readonly figures?: Readonly<Record<string, number | readonly number[]>>;
}

/** One check of the mechanism suite; `run` throws a ConformanceFailure when the mechanism breaks it. */
export interface MechanismCheck {
  readonly id: MechanismCheckId;
  readonly description: string;
  /** Why the check does not apply to the subject, or undefined. */
  skipReason(subject: MechanismSubject): string | undefined;
  /** The claims a claim check runs, one case each. */
  claimsOf?(subject: MechanismSubject): readonly FidelityClaim[];
  run(subject: MechanismSubject, claim?: FidelityClaim): Outcome;
}

const fixturesOf = (subject: MechanismSubject, claim?: FidelityClaim): SubstrateFixture[] => {
  const fixtures = (claim?.fixtures ?? subject.fixtures ?? (() => linearFixtures()))();
  if (fixtures.length === 0) throw new Error('the fixtures function returned no fixtures');
  return fixtures;
};
const seedOf = (subject: MechanismSubject) => subject.seed ?? 1;

/** Runs `body` on each fixture; a failure names the fixture. */
function eachFixture<T>(fixtures: readonly SubstrateFixture[], body: (f: SubstrateFixture, index: number) => T): T[] {
  return fixtures.map((f, i) => {
    try {
      return body(f, i);
    } catch (e) {
      const err = e as Error;
      err.message = `fixture '${f.label}': ${err.message}`;
      throw err;
    }
  });
}

/** The mechanism of a settings object, by the record. */
function create(subject: MechanismSubject, settings: unknown): ErrorMechanism {
  return subject.record.create(settings as never);
}

function allFinite(what: string, values: ArrayLike<number> | undefined, count: number): void {
  check(values !== undefined && typeof values.length === 'number', () => `${what} is missing`);
  check(values!.length === count, () => `${what} has ${values!.length} entries for ${count} parameters: one per parameter`);
  for (let i = 0; i < count; i++) check(Number.isFinite(values![i]), () => `${what}[${i}] is ${values![i]}`);
}

/** Where two arrays first differ, bit for bit (Object.is), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** The arrays a measurement reads, by name, for comparing two measurements. */
function readOut(m: { reading: ErrorReading; gradient: Float64Array }): [string, ArrayLike<number>][] {
  const out: [string, ArrayLike<number>][] = [['readings', m.reading.readings]];
  if (m.reading.activationReadings) out.push(['activationReadings', m.reading.activationReadings]);
  m.reading.series?.activation.forEach((a, i) => out.push([`series.activation[${i}]`, a]));
  m.reading.series?.error.forEach((e, i) => out.push([`series.error[${i}]`, e]));
  out.push(['the estimate', m.gradient]);
  return out;
}

/**
 * Throws unless two measurements read the same: bit for bit with `rtol` 0,
 * else each entry within rtol of the largest magnitude the first
 * measurement read (in any of its arrays: an array that is zero up to
 * rounding, such as the DC part of an AC drop, has no scale of its own).
 */
function sameReadings(
  first: { reading: ErrorReading; gradient: Float64Array },
  second: { reading: ErrorReading; gradient: Float64Array },
  what: string,
  names: readonly string[],
  rtol = 0,
): void {
  const a = readOut(first);
  const b = readOut(second);
  check(a.length === b.length, () => `${what}: the first measurement read ${a.map(([n]) => n).join(', ')}, the second ${b.map(([n]) => n).join(', ')}`);
  const limit = rtol * Math.max(...a.map(([, x]) => maxAbs(x)));
  a.forEach(([name, x], j) => {
    const y = b[j][1];
    const i = rtol === 0 ? firstDifference(x, y) : x.length !== y.length ? Math.min(x.length, y.length) : Array.prototype.findIndex.call(x, (v: number, k: number) => !(Math.abs(v - y[k]) <= limit));
    check(i < 0, () => `${what}: ${name}[${i}]${names[i] ? ` ('${names[i]}')` : ''} is ${y[i]}, where the first measurement read ${x[i]}${rtol ? ` (allowed: ${rtol} of the largest reading)` : ''}`);
  });
}

/**
 * How close a second measurement on the same substrate must come to the
 * first, by default (`subject.rounding`): a nonlinear substrate's Newton
 * starts from its last equilibrium, so a measurement that solved other
 * states in between converges to the same state with other rounding.
 */
export const REMEASURE_RTOL = 1e-10;

const readings: MechanismCheck = {
  id: 'readings',
  description: 'the readings (and activation readings, series, diagnostics) are finite, one per parameter, and the rule turns them into a finite estimate',
  skipReason: () => undefined,
  run(subject) {
    const settings = settingsOf(subject);
    const fixtures = fixturesOf(subject);
    eachFixture(fixtures, (f) => {
      assertSuits(subject, settings, f);
      const n = f.substrate.parameters.length;
      const m = measureOnce(subject, create(subject, settings), f, targetOf(subject, f), seedOf(subject));
      if (!m.reading) throw new ConformanceFailure(`measure threw: ${m.failure?.message}`);
      allFinite('readings', m.reading.readings, n);
      if (m.reading.activationReadings !== undefined) allFinite('activationReadings', m.reading.activationReadings, n);
      const series = m.reading.series;
      if (series) {
        check(series.activation.length > 0 && series.activation.length === series.error.length, () => `series has ${series.activation.length} activation and ${series.error.length} error instants`);
        series.activation.forEach((a, i) => allFinite(`series.activation[${i}]`, a, n));
        series.error.forEach((e, i) => allFinite(`series.error[${i}]`, e, n));
      }
      for (const [name, value] of Object.entries(m.reading.diagnostics ?? {})) {
        check(typeof value === 'number' && !Number.isNaN(value), () => `diagnostic '${name}' is ${value}`);
      }
      if (m.failure) throw new ConformanceFailure(`the readings are finite, one per parameter, but the rule's estimate failed: ${m.failure.message}`);
      allFinite('the estimate', m.gradient, n);
    });
    return { message: `finite readings, one per parameter, on ${fixtures.length} fixtures` };
  },
};

const leavesSubstrate: MechanismCheck = {
  id: 'leaves-substrate',
  description: 'measuring leaves the substrate as found: its parameters equal bit for bit, and a second measurement on the same inputs reads the same (to its rounding)',
  skipReason: () => undefined,
  run(subject) {
    const settings = settingsOf(subject);
    const fixtures = fixturesOf(subject);
    eachFixture(fixtures, (f) => {
      assertSuits(subject, settings, f);
      const s = f.substrate;
      const before = Float64Array.from(s.parameters);
      const target = targetOf(subject, f);
      const mechanism = create(subject, settings);
      const first = measured(subject, mechanism, f, target, seedOf(subject));
      const k = firstDifference(s.parameters, before);
      check(k < 0, () => `measuring changed the parameters: '${s.parameterNames[k]}' was ${before[k]}, is ${s.parameters[k]} after`);
      const second = measured(subject, mechanism, f, target, seedOf(subject));
      sameReadings(first, second, 'a second measurement on the same inputs differs', s.parameterNames, subject.rounding ?? REMEASURE_RTOL);
      const k2 = firstDifference(s.parameters, before);
      check(k2 < 0, () => `measuring twice changed the parameters: '${s.parameterNames[k2]}' was ${before[k2]}, is ${s.parameters[k2]} after`);
    });
    return { message: `parameters and readings unchanged on ${fixtures.length} fixtures` };
  },
};

const deterministic: MechanismCheck = {
  id: 'deterministic',
  description: 'two runs from the same seed (fresh networks, fresh mechanisms) read the same, bit for bit (under the noisy section too, where one is declared)',
  skipReason: () => undefined,
  run(subject) {
    const sections: [string, Readonly<Record<string, unknown>> | undefined][] = [['the section', undefined]];
    if (subject.noisy) sections.push([`the noisy section ${JSON.stringify(subject.noisy)}`, subject.noisy]);
    let count = 0;
    for (const [what, over] of sections) {
      const settings = settingsOf(subject, over);
      const run = () => {
        const fixtures = fixturesOf(subject);
        const readings = eachFixture(fixtures, (f) => {
          assertSuits(subject, settings, f);
          return measured(subject, create(subject, settings), f, targetOf(subject, f), seedOf(subject));
        });
        return { fixtures, readings };
      };
      const [a, b] = [run(), run()];
      check(a.readings.length === b.readings.length, () => `the fixtures function built ${a.readings.length} fixtures, then ${b.readings.length}`);
      eachFixture(a.fixtures, (f, i) =>
        sameReadings(a.readings[i], b.readings[i], `under ${what}, a second run from seed ${seedOf(subject)} differs`, f.substrate.parameterNames),
      );
      count = a.readings.length;
    }
    return { message: `${sections.length === 2 ? 'with and without noise' : 'without noise'}: two runs agree on ${count} fixtures` };
  },
};

const seededNoise: MechanismCheck = {
  id: 'seeded-noise',
  description: 'with measurement noise, different seeds read differently: the noise draws from the generator the mechanism is given',
  skipReason: (subject) => (subject.noisy ? undefined : 'the subject declares no measurement noise (subject.noisy): there is nothing to draw'),
  run(subject) {
    const settings = settingsOf(subject, subject.noisy);
    const fixtures = fixturesOf(subject);
    const differences = eachFixture(fixtures, (f) => {
      assertSuits(subject, settings, f);
      const target = targetOf(subject, f);
      const a = measured(subject, create(subject, settings), f, target, seedOf(subject));
      const b = measured(subject, create(subject, settings), f, target, seedOf(subject) + 1);
      let diff = 0;
      for (let i = 0; i < a.reading.readings.length; i++) diff = Math.max(diff, Math.abs(a.reading.readings[i] - b.reading.readings[i]));
      const scale = Math.max(maxAbs(a.reading.readings), maxAbs(b.reading.readings));
      check(
        diff > 1e-12 * scale,
        () => `seeds ${seedOf(subject)} and ${seedOf(subject) + 1} read the same under ${JSON.stringify(subject.noisy)}: the noise does not draw from the generator the mechanism is given (ErrorContext.rng)`,
      );
      return diff / scale;
    });
    return { message: `two seeds differ on ${fixtures.length} fixtures, by at least ${Math.min(...differences).toExponential(2)} of the readings`, figures: { differences } };
  },
};

const readingKind: MechanismCheck = {
  id: 'reading-kind',
  description: 'what it produces, under every section the suite measures, is what the record says and is consumed by a registered rule',
  skipReason: (subject) => (subject.registries ? undefined : 'no registries given (subject.registries): the rules that could consume the readings are unknown'),
  run(subject) {
    const registries = subject.registries as Registries;
    const sections = [undefined, subject.noisy, ...(subject.claims ?? []).map((c) => c.section)];
    const found = new Map<string, string[]>();
    for (const over of sections) {
      const settings = settingsOf(subject, over);
      const kind = producedReadings(subject.record, settings);
      const mechanism = create(subject, settings);
      const where = over ? ` under ${JSON.stringify(over)}` : '';
      check(mechanism.produces === kind, () => `the record says it produces '${kind}' readings${where}, but the mechanism it creates produces '${mechanism.produces}'`);
      const rules = rulesConsuming(registries, kind);
      check(
        rules.length > 0,
        () =>
          `no registered rule consumes its '${kind}' readings${where} (registered: ${registries.rules
            .all()
            .map((r) => `'${r.kind}' consumes '${r.consumes}'`)
            .join(', ')})`,
      );
      found.set(kind, rules);
    }
    return { message: [...found].map(([kind, rules]) => `'${kind}' readings, consumed by ${rules.map((r) => `'${r}'`).join(', ')}`).join('; ') };
  },
};

/** The knob's values of a claim (one undefined for a claim without a knob). */
const valuesOf = (claim: FidelityClaim): (number | undefined)[] => (claim.knob !== undefined ? [...claim.values!] : [undefined]);
const knobAt = (claim: FidelityClaim, value: number | undefined) => (claim.knob !== undefined ? ` at ${claim.knob} = ${value}` : '');

/** The claim's error at each value on each fixture ([fixture][value]), averaged over its seeds. */
function claimErrors(subject: MechanismSubject, claim: FidelityClaim, values: readonly (number | undefined)[]): { fixtures: SubstrateFixture[]; errors: number[][] } {
  const fixtures = fixturesOf(subject, claim);
  const seeds = claim.seeds ?? 1;
  const errors = eachFixture(fixtures, (f) => {
    const target = targetOf(subject, f);
    const reference = referenceGradient(subject, claim, f, target);
    return values.map((value) => {
      const settings = settingsOf(subject, claim.section, claim.knob !== undefined ? { [claim.knob]: value } : undefined);
      assertSuits(subject, settings, f);
      let sum = 0;
      for (let j = 0; j < seeds; j++) sum += claimError(measured(subject, create(subject, settings), f, target, seedOf(subject) + j).gradient, reference, claim.compare);
      return sum / seeds;
    });
  });
  return { fixtures, errors };
}

const against = (claim: FidelityClaim) =>
  `${claim.compare === 'direction' ? "the estimate's direction" : 'the estimate'} against ${claim.reference === 'finite-differences' ? 'finite differences of the loss' : 'the exact gradient (adjoint)'}`;

const exactness: MechanismCheck = {
  id: 'exactness',
  description: 'where it claims exactness, the estimate is the exact gradient (core’s adjoint through exampleGradient)',
  skipReason: (subject) => (exactness.claimsOf!(subject).length > 0 ? undefined : 'the subject claims no exactness (no claim with exact: true)'),
  claimsOf: (subject) => (subject.claims ?? []).filter((c) => c.exact),
  run(subject, claim) {
    const c = claim!;
    const tolerance = c.tolerance ?? 1e-8;
    const all = valuesOf(c);
    const values = c.order !== undefined ? all.slice(-1) : all;
    const { fixtures, errors } = claimErrors(subject, c, values);
    values.forEach((value, j) => {
      eachFixture(fixtures, (_, i) => {
        check(errors[i][j] <= tolerance, () => `${against(c)}${knobAt(c, value)}: relative error ${errors[i][j].toExponential(2)} > ${tolerance}`);
      });
    });
    const worst = values.map((_, j) => Math.max(...errors.map((row) => row[j])));
    return {
      message: `${against(c)}: worst relative error ${Math.max(...worst).toExponential(2)} ≤ ${tolerance} on ${fixtures.length} fixtures${c.knob !== undefined ? ` at ${c.knob} = ${values.join(', ')}` : ''}`,
      figures: { ...(c.knob !== undefined ? { values: values as number[] } : {}), worst },
    };
  },
};

const order: MechanismCheck = {
  id: 'order',
  description: 'where it claims an order, the error against the exact gradient falls with the knob at that log-log slope',
  skipReason: (subject) => (order.claimsOf!(subject).length > 0 ? undefined : 'the subject claims no order (no claim with order)'),
  claimsOf: (subject) => (subject.claims ?? []).filter((c) => c.order !== undefined),
  run(subject, claim) {
    const c = claim!;
    const values = c.values as readonly number[];
    const floor = c.floor ?? 1e-11;
    const tolerance = c.slopeTolerance ?? 0.2;
    const { fixtures, errors } = claimErrors(subject, c, values);
    const mean = values.map((_, j) => errors.reduce((s, row) => s + row[j], 0) / errors.length);
    const list = mean.map((e) => e.toExponential(2)).join(', ');
    mean.forEach((e, j) =>
      check(
        e > floor,
        () => `${against(c)} at ${c.knob} = ${values[j]}: the mean relative error ${e.toExponential(2)} is at rounding level (≤ ${floor}), too small to fit a slope to: choose values further from the limit`,
      ),
    );
    const slope = logLogSlope([...values], mean);
    const fixtureSlopes = errors.map((row) => logLogSlope([...values], row));
    check(
      Math.abs(slope - c.order!) <= tolerance,
      () =>
        `${against(c)}: the mean relative error (${list} at ${c.knob} = ${values.join(', ')}) falls with log-log slope ${slope.toFixed(3)}, ` +
        `not ${c.order} ± ${tolerance}; fixture by fixture: ${fixtureSlopes.map((s) => s.toFixed(2)).join(', ')}`,
    );
    return {
      message: `slope ${slope.toFixed(3)} (claimed ${c.order} ± ${tolerance}); mean relative error ${list} at ${c.knob} = ${values.join(', ')} over ${fixtures.length} fixtures`,
      figures: { values, errors: mean, slope, fixtureSlopes },
    };
  },
};

/** Every mechanism check, in the order the suite runs them. */
export const mechanismChecks: readonly MechanismCheck[] = [readings, leavesSubstrate, deterministic, seededNoise, readingKind, exactness, order];

/** The ids of the mechanism checks. */
export const mechanismCheckIds: readonly MechanismCheckId[] = mechanismChecks.map((c) => c.id);

/** Throws (an Error, when the suite is set up) on a claim that cannot be measured as declared. */
export function validateClaim(claim: FidelityClaim): void {
  const name = `claim '${claim.label}'`;
  if (typeof claim.label !== 'string' || claim.label.trim() === '') throw new Error('a claim needs a label');
  if (!claim.exact && claim.order === undefined) throw new Error(`${name} claims nothing: give it exact: true, an order, or both`);
  if (claim.knob !== undefined) {
    const v = claim.values;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new Error(`${name}: knob '${claim.knob}' needs values, finite numbers ordered towards its limit`);
    }
  } else if (claim.values !== undefined) {
    throw new Error(`${name}: values without a knob: name the setting they are values of`);
  }
  if (claim.order !== undefined) {
    if (claim.knob === undefined || claim.values!.length < 2 || claim.values!.some((x) => !(x > 0))) {
      throw new Error(`${name}: an order needs a knob with at least two positive values to fit a log-log slope to`);
    }
  }
  if ((claim.seeds ?? 1) < 1 || !Number.isInteger(claim.seeds ?? 1)) throw new Error(`${name}: seeds must be a positive integer`);
}

/** The outcome of one check (of one claim) as a result: failures and errors become a failed result with their message. */
export function runMechanismCheck<S>(check: MechanismCheck, typed: MechanismSubject<S>, claim?: FidelityClaim): MechanismCheckResult {
  const subject = typed as unknown as MechanismSubject;
  const title = claim ? `[${check.id}] ${claim.label}` : `[${check.id}] ${check.description}`;
  try {
    const { message, figures } = check.run(subject, claim);
    return { id: check.id, title, passed: true, message, ...(figures ? { figures } : {}) };
  } catch (e) {
    const err = e as Error;
    const what = err instanceof ConformanceFailure ? '' : `${err.name}: `;
    return { id: check.id, title, passed: false, message: `[${check.id}]${claim ? ` claim '${claim.label}':` : ''} ${what}${err.message}` };
  }
}

/**
 * The suite for a subject, as cases: every check once, a claim check once
 * per claim it applies to, and a check that does not apply as one case with
 * its reason. Validates the claims first.
 */
export function mechanismCases<S>(typed: MechanismSubject<S>): MechanismCase[] {
  const subject = typed as unknown as MechanismSubject;
  for (const claim of subject.claims ?? []) validateClaim(claim);
  return mechanismChecks.flatMap((c): MechanismCase[] => {
    const skip = c.skipReason(subject);
    if (skip !== undefined) return [{ id: c.id, title: `[${c.id}] ${c.description}`, skip, run: () => runMechanismCheck(c, subject) }];
    if (c.claimsOf) return c.claimsOf(subject).map((claim) => ({ id: c.id, title: `[${c.id}] ${claim.label}`, run: () => runMechanismCheck(c, subject, claim) }));
    return [{ id: c.id, title: `[${c.id}] ${c.description}`, run: () => runMechanismCheck(c, subject) }];
  });
}
