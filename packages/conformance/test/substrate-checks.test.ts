import { Drive, Rng, Topology, combineDrives } from '@multimech/core';
import { CsrMatrix } from '@multimech/sparse';
import {
  ConformanceFailure,
  SubstrateCheckId,
  SubstrateFixture,
  expectClose,
  fixtureTopologies,
  randomDrive,
  runCheck,
  runSubstrateConformance,
  substrateCheckIds,
  substrateChecks,
} from '@multimech/conformance';
import { ScalarTestSubstrate } from './scalar-test-substrate';

type Make = (topology: Topology, type: 'flow' | 'potential', weights: Float64Array) => ScalarTestSubstrate;

function fixturesOf(make: Make): SubstrateFixture[] {
  const rng = new Rng(9);
  return fixtureTopologies(3).flatMap(({ label, topology }) =>
    (['flow', 'potential'] as const).map((type) => {
      const s = make(topology, type, Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 2)));
      return { label: `${label}, ${type}`, substrate: s, drive: randomDrive(s, rng) };
    }),
  );
}

const good: Make = (t, type, w) => new ScalarTestSubstrate(t, type, w);

runSubstrateConformance('reference scalar network', () => fixturesOf(good));

/** The checks that a scalar substrate can break; `rigid-body` needs positions in space (its faults are tested with the elastic substrate). */
type ScalarCheckId = Exclude<SubstrateCheckId, 'rigid-body'>;
const scalarCheckIds = substrateCheckIds.filter((id): id is ScalarCheckId => id !== 'rigid-body');

/** Broken variants: each breaks the physics one check is there to catch. */
const broken: Record<ScalarCheckId, Make> = {
  conservation: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override equilibrium(drive: Drive) {
        const s = super.equilibrium(drive);
        for (const node of this.network.freeNodes) s[node] *= 1.001;
        return s;
      }
    })(t, type, w),
  stationarity: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override energy(state: Float64Array, drive: Drive) {
        let extra = 0;
        for (const node of this.network.freeNodes) extra += 0.01 * state[node];
        return super.energy(state, drive) + extra;
      }
    })(t, type, w),
  'hessian-symmetry': (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override hessian(state: Float64Array) {
        const { matrix, freeDofs } = super.hessian(state);
        const values = Float64Array.from(matrix.values);
        const row = matrix.rowPtr.findIndex((p, i) => i < matrix.rows && matrix.rowPtr[i + 1] - p > 1);
        for (let p = matrix.rowPtr[row]; p < matrix.rowPtr[row + 1]; p++) if (matrix.colIdx[p] !== row) values[p] *= 1.01;
        const m: CsrMatrix = { ...matrix, values };
        return { matrix: m, freeDofs };
      }
    })(t, type, w),
  reciprocity: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override linearResponse(state: Float64Array, forces: readonly Float64Array[]) {
        const free = this.network.freeNodes;
        return super.linearResponse(state, forces).map((x, q) => {
          for (let r = 0; r + 1 < free.length; r++) x[free[r + 1]] += 0.01 * forces[q][free[r]];
          return x;
        });
      }
    })(t, type, w),
  superposition: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override equilibrium(drive: Drive) {
        const s = super.equilibrium(drive);
        const q = drive.injection.reduce((a, b) => a + b * b, 0) + drive.fixed.reduce((a, b) => a + b * b, 0);
        for (const node of this.network.freeNodes) s[node] += 1e-3 * q;
        return s;
      }
    })(t, type, w),
  'parameter-derivative': (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override localGradient(a: Float64Array, e: Float64Array) {
        return super.localGradient(a, e).map((g, k) => (k === 0 ? 1.01 * g : g));
      }
    })(t, type, w),
  bounds: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override readonly bounds = { min: new Float64Array(w.length).fill(1), max: new Float64Array(w.length).fill(100) };
    })(t, type, w),
  finite: (t, type, w) =>
    new (class extends ScalarTestSubstrate {
      override readout(state: Float64Array) {
        const y = super.readout(state);
        y[0] = NaN;
        return y;
      }
    })(t, type, w),
};

describe('each check catches the fault it is there for', () => {
  it.each(scalarCheckIds.map((id) => [id]))('[%s] fails on a substrate that breaks it', (id) => {
    const check = substrateChecks.find((c) => c.id === id)!;
    const fixtures = fixturesOf(broken[id as ScalarCheckId]);
    expect(() => runCheck(check, fixtures)).toThrow(ConformanceFailure);
    expect(() => runCheck(check, fixtures)).toThrow(new RegExp(`^\\[${id}\\] fixture '`));
    // and the same check passes on the correct substrate
    expect(() => runCheck(check, fixturesOf(good))).not.toThrow();
  });

  it('[parameter-derivative] also catches a wrong parameterForce', () => {
    const check = substrateChecks.find((c) => c.id === 'parameter-derivative')!;
    const make: Make = (t, type, w) =>
      new (class extends ScalarTestSubstrate {
        override parameterForce(state: Float64Array) {
          return super.parameterForce(state).map((f) => 1.001 * f);
        }
      })(t, type, w);
    expect(() => runCheck(check, fixturesOf(make))).toThrow(/parameterForce differs from finite differences of E/);
  });

  it('[superposition] refuses a substrate that does not declare linear, pointing at options.skip', () => {
    const check = substrateChecks.find((c) => c.id === 'superposition')!;
    const make: Make = (t, type, w) =>
      new (class extends ScalarTestSubstrate {
        override readonly capabilities = new Set(['scalar-potential']);
      })(t, type, w);
    expect(() => runCheck(check, fixturesOf(make))).toThrow(/does not declare the 'linear' capability.*options\.skip/);
  });

  it('superposition of drives is what the check relies on', () => {
    const { topology } = fixtureTopologies(1)[0];
    const s = good(topology, 'flow', new Float64Array(topology.graph.from.length).fill(1));
    const rng = new Rng(2);
    const a = randomDrive(s, rng);
    const b = randomDrive(s, rng);
    const sum = s.equilibrium(combineDrives(1, a, 1, b));
    expectClose(sum, s.equilibrium(a).map((x, i) => x + s.equilibrium(b)[i]), { rtol: 1e-12 }, 'state');
  });
});

describe('registration', () => {
  /** Calls runSubstrateConformance with recording stand-ins for jest's describe/it. */
  function titles(
    options: Parameters<typeof runSubstrateConformance>[2],
    makeFixtures: () => SubstrateFixture[] = () => [],
  ): { run: string[]; skipped: string[] } {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { describe: g.describe, it: g.it };
    const run: string[] = [];
    const skipped: string[] = [];
    const it = Object.assign((title: string) => run.push(title), { skip: (title: string) => skipped.push(title) });
    g.describe = (_: string, body: () => void) => body();
    g.it = it;
    try {
      runSubstrateConformance('x', makeFixtures, options);
    } finally {
      Object.assign(g, saved);
    }
    return { run, skipped };
  }

  it('registers one it per check, titled with its id; a skip shows its id and reason', () => {
    const all = titles({});
    expect(all.skipped).toEqual([]);
    expect(all.run.map((t) => t.slice(0, t.indexOf(']') + 1))).toEqual(substrateCheckIds.map((id) => `[${id}]`));
    const some = titles({ skip: [{ id: 'superposition', reason: 'a diode network is not linear' }] });
    expect(some.skipped).toEqual(['[superposition] skipped: a diode network is not linear']);
    expect(some.run).toHaveLength(substrateCheckIds.length - 1);
  });

  it('skips a check by capability, with the reason in its title, and runs the rest', () => {
    const linear = titles({}, () => fixturesOf(good));
    expect(linear.skipped).toEqual([
      "[rigid-body] skipped: applies to positions in space only; the substrate does not declare 'vector-state'",
    ]);
    expect(linear.run).toHaveLength(substrateCheckIds.length - 1);
    const nonlinear: Make = (t, type, w) =>
      new (class extends ScalarTestSubstrate {
        override readonly capabilities = new Set(['scalar-potential']);
      })(t, type, w);
    const some = titles({}, () => fixturesOf(nonlinear));
    expect(some.skipped.map((t) => t.slice(0, t.indexOf(']') + 1))).toEqual(['[superposition]', '[rigid-body]']);
    expect(some.skipped[0]).toMatch(/superposition holds only where E is quadratic in s; the substrate does not declare 'linear'/);
    // an explicit skip keeps its own reason
    const explicit = titles({ skip: [{ id: 'superposition', reason: 'diodes' }] }, () => fixturesOf(nonlinear));
    expect(explicit.skipped[0]).toBe('[superposition] skipped: diodes');
    const mixed = () => [...fixturesOf(good).slice(0, 1), ...fixturesOf(nonlinear).slice(0, 1)];
    expect(() => titles({}, mixed)).toThrow(/declares capabilities \[scalar-potential\].*run one suite per kind/);
  });

  it('refuses unknown ids and skips without a reason', () => {
    expect(() => titles({ skip: [{ id: 'symmetry', reason: 'x' }] })).toThrow(/unknown check id 'symmetry'.*conservation, stationarity/);
    expect(() => titles({ skip: [{ id: 'bounds', reason: ' ' }] })).toThrow(/skipping 'bounds' needs a reason/);
  });

  it('names the fixture that fails', () => {
    const check = substrateChecks.find((c) => c.id === 'finite')!;
    const fixtures = fixturesOf(good);
    const bad = fixturesOf(broken.finite)[2];
    expect(() => runCheck(check, [...fixtures, { ...bad, label: 'the odd one' }])).toThrow("[finite] fixture 'the odd one': readout[0] is NaN");
  });
});

describe('expectClose', () => {
  it('passes within tolerance and names the worst entry otherwise', () => {
    expect(() => expectClose([1, 2, 3], [1, 2, 3 + 1e-10], { rtol: 1e-9 })).not.toThrow();
    expect(() => expectClose([1, 2.5, 3], [1, 2, 3], { rtol: 1e-3 }, 'v')).toThrow('v[1]: got 2.5, expected 2');
    expect(() => expectClose([NaN], [1])).toThrow(ConformanceFailure);
    expect(() => expectClose(1e-13, 0, { atol: 1e-12 })).not.toThrow();
  });
});
