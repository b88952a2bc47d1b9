import { adjointError, corePlugin, createRegistries, definePlugin, bindErrorMechanism, Rng, type ErrorMechanism, type ErrorRecord } from '@multimech/core';
import {
  ConformanceFailure,
  FidelityClaim,
  MechanismCheckId,
  MechanismSubject,
  linearFixtures,
  mechanismCases,
  mechanismCheckIds,
  mechanismChecks,
  nonlinearFixtures,
  runMechanismCheck,
  runMechanismConformance,
} from '@multimech/conformance';
import { nudgeErrorRecord, nudgeSettings, type NudgeSettings } from './acme-nudge';

/**
 * The mechanism suite on a third party's mechanism (acme/nudge, the example
 * of docs/writing-a-mechanism.md), and on broken variants of it: each check
 * fails the fault it is there for, and passes the mechanism as written.
 */
const BETAS = [0.1, 0.03, 0.01, 0.003];
const registries = createRegistries([corePlugin, definePlugin(({ bind }) => bindErrorMechanism(bind, nudgeErrorRecord))]);
const oneSided: FidelityClaim = { label: 'one-sided nudge: the error falls as β', knob: 'beta', values: BETAS, order: 1 };

const subject: MechanismSubject<NudgeSettings> = { record: nudgeErrorRecord, registries, noisy: { noise: 1e-3 }, claims: [oneSided] };

runMechanismConformance('acme/nudge', subject);

/** The nudge record with its mechanism replaced by `wrap(mechanism, settings)`. */
function variant(wrap: (m: ErrorMechanism, s: NudgeSettings) => ErrorMechanism, extra: Partial<ErrorRecord<NudgeSettings>> = {}): ErrorRecord<NudgeSettings> {
  return { ...nudgeErrorRecord, create: (s) => wrap(nudgeErrorRecord.create(s), s), ...extra };
}

const byId = (id: MechanismCheckId) => mechanismChecks.find((c) => c.id === id)!;
const run = (id: MechanismCheckId, s: MechanismSubject, claim?: FidelityClaim) => runMechanismCheck(byId(id), s, claim);

/** Broken variants: each breaks what one check is there to catch. */
const broken: Record<Exclude<MechanismCheckId, 'exactness' | 'order'>, MechanismSubject> = {
  readings: {
    ...subject,
    record: variant((m) => ({ ...m, measure: (c) => ({ readings: m.measure(c).readings.slice(1) }) })),
  },
  'leaves-substrate': {
    ...subject,
    // perturbs a parameter and puts back a value one ulp off
    record: variant((m) => ({
      ...m,
      measure(c) {
        const theta = Float64Array.from(c.substrate.parameters);
        theta[0] = theta[0] * (1 + 1e-12);
        c.substrate.setParameters(theta);
        theta[0] = theta[0] / (1 + 1e-12) + Number.EPSILON * theta[0];
        c.substrate.setParameters(theta);
        return m.measure(c);
      },
    })),
  },
  deterministic: {
    ...subject,
    record: variant((m) => ({ ...m, measure: (c) => ({ readings: m.measure(c).readings.map((r) => r + 1e-6 * Math.random()) }) })),
  },
  'seeded-noise': {
    ...subject,
    // noise from a generator of its own, seeded the same in every instance: the experiment's seed does not reach it
    record: variant((m, s) => {
      const own = new Rng(42);
      return { ...m, measure: (c) => m.measure({ ...c, rng: s.noise > 0 ? own : c.rng }) };
    }),
  },
  'reading-kind': {
    ...subject,
    record: variant((m) => ({ ...m, produces: 'acme/odd' }), { produces: 'acme/odd' }),
  },
};

describe('each mechanism check catches the fault it is there for', () => {
  it.each(Object.keys(broken).map((id) => [id]))('[%s] fails a mechanism that breaks it, and passes acme/nudge', (id) => {
    const bad = run(id as MechanismCheckId, broken[id as keyof typeof broken]);
    expect(bad.passed).toBe(false);
    expect(bad.message).toMatch(new RegExp(`^\\[${id}\\] `));
    expect(run(id as MechanismCheckId, subject).passed).toBe(true);
  });

  it('says what each fault is', () => {
    expect(run('readings', broken.readings).message).toMatch(/fixture 'grid 4x3, flow inputs': readings has \d+ entries for \d+ parameters: one per parameter/);
    expect(run('leaves-substrate', broken['leaves-substrate']).message).toMatch(/measuring changed the parameters: 'e0' was \S+, is \S+ after/);
    expect(run('deterministic', broken.deterministic).message).toMatch(/a second run from seed 1 differs: readings\[0\] \('e0'\) is/);
    expect(run('seeded-noise', broken['seeded-noise']).message).toMatch(/seeds 1 and 2 read the same under \{"noise":0\.001\}: the noise does not draw from the generator/);
    expect(run('reading-kind', broken['reading-kind']).message).toMatch(/no registered rule consumes its 'acme\/odd' readings \(registered: 'product' consumes 'product'\)/);
  });

  it('[leaves-substrate] catches a mechanism that keeps state between measurements', () => {
    let calls = 0;
    const record = variant((m) => ({ ...m, measure: (c) => ({ readings: m.measure(c).readings.map((r) => r * (1 + 1e-6 * calls++)) }) }));
    expect(run('leaves-substrate', { ...subject, record }).message).toMatch(/a second measurement on the same inputs differs: readings\[0\]/);
  });

  it('[reading-kind] catches a record that says one kind and a mechanism that produces another', () => {
    const record = variant((m) => ({ ...m, produces: 'acme/odd' }));
    expect(run('reading-kind', { ...subject, record }).message).toMatch(/the record says it produces 'product' readings, but the mechanism it creates produces 'acme\/odd'/);
  });

  it('[readings] catches a reading that is not finite, and an estimate that is not', () => {
    const nan = variant((m) => ({ ...m, measure: (c) => ({ readings: m.measure(c).readings.map((r, k) => (k === 2 ? NaN : r)) }) }));
    expect(run('readings', { ...subject, record: nan }).message).toMatch(/readings\[2\] is NaN/);
    const rule = { kind: 'bad', consumes: 'product', gradient: () => new Float64Array(3).fill(Infinity) };
    expect(run('readings', { ...subject, registries: undefined, rule }).message).toMatch(/the readings are finite, one per parameter, but the rule's estimate failed/);
  });
});

describe('claims', () => {
  it('[order] measures the one-sided nudge at slope 1, and fails it when it claims 2', () => {
    const held = run('order', subject, oneSided);
    expect(held.passed).toBe(true);
    const slope = held.figures!.slope as number;
    expect(slope).toBeGreaterThan(0.9);
    expect(slope).toBeLessThan(1.1);
    const errors = held.figures!.errors as number[];
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]);
    const claimed2 = run('order', subject, { ...oneSided, order: 2 });
    expect(claimed2.passed).toBe(false);
    expect(claimed2.message).toMatch(/falls with log-log slope (0\.9|1\.0)\d*, not 2 ± 0\.2; fixture by fixture: /);
  });

  it('[exactness] fails the nudge claimed exact, and passes the adjoint claimed exact against finite differences', () => {
    const exact = run('exactness', subject, { label: 'exact', knob: 'beta', values: BETAS, exact: true });
    expect(exact.passed).toBe(false);
    expect(exact.message).toMatch(/the estimate against the exact gradient \(adjoint\) at beta = 0\.1: relative error \S+ > 1e-8/);
    const adjoint = { ...subject, record: { ...nudgeErrorRecord, create: () => adjointError } };
    const reference = run('exactness', adjoint, { label: 'the adjoint', exact: true, reference: 'finite-differences', tolerance: 1e-6 });
    expect(reference.passed).toBe(true);
    expect((reference.figures!.worst as number[])[0]).toBeLessThan(1e-6);
    // and the nudge's error at the limit of β: an exact claim with an order is held at the last value only
    const limit = run('exactness', subject, { ...oneSided, exact: true, tolerance: 1e-2 });
    expect(limit.passed).toBe(true);
    expect(limit.figures!.values).toEqual([0.003]);
  });

  it("[order] 'direction' compares directions only: a mechanism off by a factor is exact in direction", () => {
    const doubled = { ...subject, record: variant((m) => ({ ...m, measure: (c) => ({ readings: adjointError.measure(c).readings.map((r) => 2 * r) }) })) };
    const claim: FidelityClaim = { label: 'twice the gradient', exact: true };
    expect(run('exactness', doubled, claim).passed).toBe(false);
    expect(run('exactness', doubled, { ...claim, compare: 'direction' }).passed).toBe(true);
  });

  it('[order] refuses errors at rounding level instead of fitting a slope to them', () => {
    const adjoint = { ...subject, record: { ...nudgeErrorRecord, create: () => adjointError } };
    const result = run('order', adjoint, { ...oneSided, label: 'no knob effect' });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/at beta = 0\.1: the mean relative error \S+ is at rounding level \(≤ 1e-11\), too small to fit a slope to/);
  });

  it('a fixture that does not suit the mechanism is named, with what the record requires', () => {
    const result = run('readings', { ...subject, fixtures: () => nonlinearFixtures() });
    expect(result.message).toMatch(/fixture 'grid 4x3, flow inputs, nonlinear edges' does not suit error mechanism 'acme\/nudge' with these settings: error\.kind: error mechanism 'acme\/nudge' cannot run on fixture '.*': it needs 'linear'/);
  });
});

describe('registration', () => {
  function titles(s: MechanismSubject, options?: Parameters<typeof runMechanismConformance>[2]): { run: string[]; skipped: string[] } {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { describe: g.describe, it: g.it };
    const ran: string[] = [];
    const skipped: string[] = [];
    g.describe = (_: string, body: () => void) => body();
    g.it = Object.assign((title: string) => ran.push(title), { skip: (title: string) => skipped.push(title) });
    try {
      runMechanismConformance('x', s, options);
    } finally {
      Object.assign(g, saved);
    }
    return { run: ran, skipped };
  }

  it('one it per check, a claim check once per claim, titled with its id; what does not apply is skipped with its reason', () => {
    const all = titles(subject);
    expect(all.run.map((t) => t.slice(0, t.indexOf(']') + 1))).toEqual(['[readings]', '[leaves-substrate]', '[deterministic]', '[seeded-noise]', '[reading-kind]', '[order]']);
    expect(all.run).toContain('[order] one-sided nudge: the error falls as β');
    expect(all.skipped).toEqual(['[exactness] skipped: the subject claims no exactness (no claim with exact: true)']);
    const bare = titles({ record: nudgeErrorRecord });
    expect(bare.skipped).toEqual([
      '[seeded-noise] skipped: the subject declares no measurement noise (subject.noisy): there is nothing to draw',
      '[reading-kind] skipped: no registries given (subject.registries): the rules that could consume the readings are unknown',
      '[exactness] skipped: the subject claims no exactness (no claim with exact: true)',
      '[order] skipped: the subject claims no order (no claim with order)',
    ]);
    const explicit = titles({ ...subject, claims: [oneSided, { ...oneSided, label: 'again' }] }, { skip: [{ id: 'order', reason: 'measured elsewhere' }] });
    expect(explicit.skipped).toEqual(['[exactness] skipped: the subject claims no exactness (no claim with exact: true)', '[order] skipped: measured elsewhere']);
  });

  it('refuses unknown ids, skips without a reason, and claims that cannot be measured', () => {
    expect(() => titles(subject, { skip: [{ id: 'fidelity', reason: 'x' }] })).toThrow(/unknown check id 'fidelity' in options\.skip \(ids: readings, leaves-substrate/);
    expect(() => titles(subject, { skip: [{ id: 'order', reason: '' }] })).toThrow(/skipping 'order' needs a reason/);
    const bad = (claim: Partial<FidelityClaim>) => () => titles({ ...subject, claims: [{ label: 'c', ...claim } as FidelityClaim] });
    expect(bad({ knob: 'beta', values: [0.1] })).toThrow(/claim 'c' claims nothing: give it exact: true, an order, or both/);
    expect(bad({ order: 1 })).toThrow(/an order needs a knob with at least two positive values/);
    expect(bad({ knob: 'beta', values: [0.1], order: 1 })).toThrow(/an order needs a knob with at least two positive values/);
    expect(bad({ knob: 'beta', exact: true })).toThrow(/knob 'beta' needs values/);
    expect(bad({ values: [1, 2], exact: true })).toThrow(/values without a knob/);
  });

  it('a knob the codec does not know fails the claim with the codec’s message', () => {
    const result = run('order', subject, { ...oneSided, knob: 'strength' });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/does not decode: .*error\.strength: unknown key/);
  });

  it('lists its checks by stable id', () => {
    expect(mechanismCheckIds).toEqual(['readings', 'leaves-substrate', 'deterministic', 'seeded-noise', 'reading-kind', 'exactness', 'order']);
    expect(mechanismCases(subject).every((c) => c.title.startsWith(`[${c.id}] `))).toBe(true);
  });

  it('fails through jest with a ConformanceFailure', () => {
    const [readings] = mechanismCases(broken.readings);
    const result = readings.run();
    expect(result.passed).toBe(false);
    expect(() => {
      throw new ConformanceFailure(result.message);
    }).toThrow(/^\[readings\] fixture/);
  });
});

it('the default fixtures are linear networks on the fixture topologies, both input types', () => {
  const fixtures = linearFixtures();
  expect(fixtures).toHaveLength(8);
  expect(fixtures.every((f) => f.substrate.capabilities.has('linear'))).toBe(true);
  expect(nonlinearFixtures().every((f) => !f.substrate.capabilities.has('linear'))).toBe(true);
  expect(nudgeSettings.decode({}).right).toEqual({ beta: 0.1, iterations: 50, noise: 0 });
});
