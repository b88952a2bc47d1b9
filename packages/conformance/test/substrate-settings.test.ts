import { Rng, ScalarSubstrate, Topology, TwoTerminalLaw, boundaryFromTopology, uniformBounds, type ScalarSubstrateSpec } from '@multimech/core';
import {
  ConformanceFailure,
  SubstrateFixture,
  fixtureTopologies,
  lawScale,
  randomDrive,
  runCheck,
  runSubstrateConformance,
  stateScale,
  substrateChecks,
} from '@multimech/conformance';
import { ScalarTestSubstrate } from './scalar-test-substrate';

/**
 * The substrate suite's steps and tolerances: configurable per check, with
 * defaults relative to the fixture's own scales (the law's scale along a
 * probe, each parameter); and a derivative check that fails says whether
 * the equilibrium's convergence is the cause.
 */

class Network extends ScalarSubstrate {
  readonly kind = 'test/network';
  readonly parameterName = 'weight';
}

function fixtures(extra: Partial<ScalarSubstrateSpec> = {}, seed = 9): SubstrateFixture[] {
  const rng = new Rng(seed);
  return fixtureTopologies(3).flatMap(({ label, topology }: { label: string; topology: Topology }) =>
    (['flow', 'potential'] as const).map((type) => {
      const m = topology.graph.from.length;
      const s = new Network({
        graph: topology.graph,
        boundary: boundaryFromTopology(topology, type),
        parameters: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
        bounds: uniformBounds(m, 1e-3, 100),
        ...extra,
      });
      return { label: `${label}, ${type}`, substrate: s, drive: randomDrive(s, rng) };
    }),
  );
}

/** A turbulent pipe whose laminar core is narrow against the potentials (about 1): the law bends within 0.05. */
const v0 = 0.05;
const narrowCore: TwoTerminalLaw = {
  current: (v) => v * (v0 * v0 + v * v) ** (-3 / 14),
  conductance: (v) => (v0 * v0 + v * v) ** (-17 / 14) * (v0 * v0 + (4 / 7) * v * v),
  coContent: (v) => (7 / 11) * ((v0 * v0 + v * v) ** (11 / 14) - v0 ** (11 / 7)),
};

const byId = (id: string) => substrateChecks.find((c) => c.id === id)!;

describe('a badly converged equilibrium is reported as such', () => {
  // conjugate gradients stopped at a relative residual of 1e-4: the equilibrium is off by about that much
  const loose = () => fixtures({ solver: { method: 'cg', cgTolerance: 1e-4 } });
  const tight = () => fixtures({ solver: { method: 'cg', cgTolerance: 1e-13 } });

  it.each(['parameter-derivative', 'stationarity'])('[%s] blames the convergence, with the residual relative to the flows', (id) => {
    const run = () => runCheck(byId(id), loose());
    expect(run).toThrow(ConformanceFailure);
    expect(run).toThrow(
      new RegExp(
        `^\\[${id}\\] fixture '[^']+': the equilibrium is not converged: the residual at free dof \\d+ is \\S+, \\S+ of the flow scale \\S+ \\(converged means ≤ 1e-9\\); ` +
          'a residual that size can account for .* so converge the equilibrium .* before suspecting the derivatives',
      ),
    );
    // the same network solved tightly passes
    expect(() => runCheck(byId(id), tight())).not.toThrow();
  });

  it('a wrong local gradient on a converged equilibrium is blamed on the gradient, saying the equilibrium converged', () => {
    const make = () =>
      fixturesOfTest((t, type, w) =>
        new (class extends ScalarTestSubstrate {
          override localGradient(a: Float64Array, e: Float64Array) {
            return super.localGradient(a, e).map((g, k) => (k === 0 ? 1.01 * g : g));
          }
        })(t, type, w),
      );
    const run = () => runCheck(byId('parameter-derivative'), make());
    expect(run).toThrow(/differs from finite differences of the loss by a relative \S+ \(the equilibrium converged to \S+ of the flows, which accounts for at most/);
    expect(run).not.toThrow(/not converged/);
  });
});

describe('steps and tolerances are configurable per check', () => {
  it('a custom tolerance is honoured: a 1% error in one entry fails at the default 1e-6 and passes at 5e-2', () => {
    const make = () =>
      fixturesOfTest((t, type, w) =>
        new (class extends ScalarTestSubstrate {
          override localGradient(a: Float64Array, e: Float64Array) {
            return super.localGradient(a, e).map((g, k) => (k === 0 ? 1.01 * g : g));
          }
        })(t, type, w),
      );
    expect(() => runCheck(byId('parameter-derivative'), make())).toThrow(ConformanceFailure);
    expect(() => runCheck(byId('parameter-derivative'), make(), 1, { rtol: 5e-2 })).not.toThrow();
    // and through runSubstrateConformance's options.settings
    expect(registered(make, { settings: { 'parameter-derivative': { rtol: 5e-2 } } }).get('parameter-derivative')).toBe('passed');
    expect(registered(make, {}).get('parameter-derivative')).toMatch(/^failed: /);
  });

  it('a custom parameter step is honoured: θ_k moves by step·|θ_k| for ∂E/∂θ, and by gradientStep·|θ_k| (and half) for the loss', () => {
    const moves = new Set<string>();
    const make = () =>
      fixturesOfTest((t, type, w) =>
        new (class extends ScalarTestSubstrate {
          override setParameters(theta: ArrayLike<number>) {
            const before = this.parameters;
            for (let k = 0; k < theta.length; k++) {
              if (theta[k] !== before[k]) moves.add((Math.abs(theta[k] - before[k]) / Math.abs(before[k])).toPrecision(2));
            }
            super.setParameters(theta);
          }
        })(t, type, w),
      ).slice(0, 1);
    runCheck(byId('parameter-derivative'), make(), 1, { step: 1e-7, gradientStep: 2e-2 });
    // each probe moves θ_k away from its value (step) and back (the same move measured from the probe)
    const relative = [...moves].map(Number).sort((a, b) => a - b);
    expect(relative[0]).toBeCloseTo(1e-7, 9);
    expect(relative.some((r) => Math.abs(r - 2e-2) < 1e-3)).toBe(true);
    expect(relative.some((r) => Math.abs(r - 1e-2) < 1e-3)).toBe(true);
    expect(relative.every((r) => r < 1e-6 || r > 5e-3)).toBe(true);
  });

  it('a custom state step is honoured: too coarse a step for the law fails where the default passes', () => {
    const make = () => fixtures({ edgeLaw: narrowCore }, 4);
    expect(() => runCheck(byId('hessian-symmetry'), make())).not.toThrow();
    expect(() => runCheck(byId('hessian-symmetry'), make(), 1, { step: 3e-2 })).toThrow(/H·v against finite differences of the residual/);
  });

  it('refuses settings for unknown checks, keys a check does not take, and values that are not positive', () => {
    const make = () => fixturesOfTest((t, type, w) => new ScalarTestSubstrate(t, type, w));
    expect(() => registered(make, { settings: { symmetry: { rtol: 1 } } as never })).toThrow(/unknown check id 'symmetry' in options\.settings/);
    expect(() => registered(make, { settings: { conservation: { step: 1e-3 } } })).toThrow(/check 'conservation' takes no 'step' \(it takes rtol\)/);
    expect(() => registered(make, { settings: { bounds: { rtol: 1 } } })).toThrow(/check 'bounds' takes no 'rtol' \(it takes no settings\)/);
    expect(() => registered(make, { settings: { stationarity: { step: -1 } } })).toThrow(/'step' of check 'stationarity' must be a positive number, got -1/);
    expect(() => runCheck(byId('stationarity'), make(), 1, { gradientStep: 1 })).toThrow(/check 'stationarity' takes no 'gradientStep'/);
  });

  it('every check lists what it takes, each with a positive default and what it is relative to', () => {
    for (const c of substrateChecks) {
      for (const [key, spec] of Object.entries(c.settings)) {
        expect(spec!.default).toBeGreaterThan(0);
        expect(spec!.meaning.length).toBeGreaterThan(20);
        expect(['step', 'rtol', 'gradientStep']).toContain(key);
      }
    }
    expect(Object.keys(byId('parameter-derivative').settings).sort()).toEqual(['gradientStep', 'rtol', 'step']);
    expect(Object.keys(byId('conservation').settings)).toEqual(['rtol']);
  });
});

describe('the default steps follow the scale of the law', () => {
  it('measures the law scale along a probe: none on a linear network, about the core over the potentials on a narrow turbulent core', () => {
    const [linear] = fixtures();
    const [turbulent] = fixtures({ edgeLaw: narrowCore }, 4);
    for (const [f, expected] of [[linear, 'none'], [turbulent, 'narrow']] as const) {
      const s = f.substrate;
      const state = s.equilibrium(f.drive);
      const free = s.hessian(state).freeDofs;
      const d = new Float64Array(state.length);
      const rng = new Rng(1);
      for (const dof of free) d[dof] = stateScale(s, state) * rng.uniform(-1, 1);
      const t = lawScale(s, f.drive, state, d, free, 1e-4);
      if (expected === 'none') expect(t).toBe(Infinity);
      else {
        // the probe shrinks: the core (0.05) is a small part of the direction (about the largest potential, 1.2); 0.14 of it here
        expect(t).toBeLessThan(0.5);
        expect(t).toBeGreaterThan(1e-3);
      }
    }
  });

  it('so a narrow laminar core passes the derivative checks at the default steps', () => {
    for (const id of ['stationarity', 'hessian-symmetry', 'parameter-derivative']) {
      expect(() => runCheck(byId(id), fixtures({ edgeLaw: narrowCore }, 4))).not.toThrow();
    }
  });
});

type Make = (topology: Topology, type: 'flow' | 'potential', weights: Float64Array) => ScalarTestSubstrate;

function fixturesOfTest(make: Make): SubstrateFixture[] {
  const rng = new Rng(9);
  return fixtureTopologies(3).flatMap(({ label, topology }) =>
    (['flow', 'potential'] as const).map((type) => {
      const s = make(topology, type, Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 2)));
      return { label: `${label}, ${type}`, substrate: s, drive: randomDrive(s, rng) };
    }),
  );
}

/** Runs runSubstrateConformance with stand-ins for jest's describe/it that run each test: check id → 'passed', 'failed: message' or 'skipped'. */
function registered(makeFixtures: () => SubstrateFixture[], options: Parameters<typeof runSubstrateConformance>[2]): Map<string, string> {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { describe: g.describe, it: g.it };
  const results = new Map<string, string>();
  const id = (title: string) => title.slice(1, title.indexOf(']'));
  g.describe = (_: string, body: () => void) => body();
  g.it = Object.assign(
    (title: string, body: () => void) => {
      try {
        body();
        results.set(id(title), 'passed');
      } catch (e) {
        results.set(id(title), `failed: ${(e as Error).message}`);
      }
    },
    { skip: (title: string) => results.set(id(title), 'skipped') },
  );
  try {
    runSubstrateConformance('x', makeFixtures, options);
  } finally {
    Object.assign(g, saved);
  }
  return results;
}
