import { mseLoss, stateLoss, sectionProblems, corePlugin, createRegistries } from '@multimech/core';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { contrastivePlugin, createCoupledLearning, TwinNetwork } from '../src';
import { randomNetwork } from './networks';

const SHAPE = { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential' as const };

/** CL's readings on one random network, with or without a twin. */
function readings(seed: number, config: Parameters<typeof createCoupledLearning>[0]): Float64Array {
  const { substrate, drive, target } = randomNetwork(seed, SHAPE);
  const free = substrate.equilibrium(drive);
  const context = {
    substrate,
    activation: { drive, carrier: { type: 'dc' as const }, state: free, readings: substrate.activationReadings(free) },
    errorForce: new Float64Array(0),
    loss: stateLoss(substrate, mseLoss, target),
    rng: undefined as never,
  };
  const theta = Float64Array.from(substrate.parameters);
  const g = createCoupledLearning(config).measure(context).readings;
  // the copies are set only while measuring: the network is left at its own parameters
  expect(Array.from(substrate.parameters)).toEqual(Array.from(theta));
  return g;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const relativeDifference = (a: Float64Array, b: Float64Array) => norm(a.map((x, k) => x - b[k])) / norm(b);

describe('coupled learning on a twin network (error.twin)', () => {
  it('draws each copy’s factors once, in [1 − spread, 1 + spread], different for the two copies and fixed for the run', () => {
    const twin = new TwinNetwork({ spread: 0.1, seed: 3 });
    const { free, clamped } = twin.copyFactors(200);
    for (const f of [free, clamped]) {
      expect(Math.min(...f)).toBeGreaterThanOrEqual(0.9);
      expect(Math.max(...f)).toBeLessThanOrEqual(1.1);
      // spread over the interval, not a constant
      expect(Math.max(...f) - Math.min(...f)).toBeGreaterThan(0.18);
    }
    expect(relativeDifference(free, clamped)).toBeGreaterThan(0.01);
    expect(twin.copyFactors(200).free).toBe(free);
    expect(Array.from(new TwinNetwork({ spread: 0.1, seed: 3 }).copyFactors(200).clamped)).toEqual(Array.from(clamped));
  });

  it('with spread 0 measures the ideal network’s readings to the last bit', () => {
    for (const seed of [1, 2, 3]) {
      expect(Array.from(readings(seed, { twin: { spread: 0 } }))).toEqual(Array.from(readings(seed, {})));
    }
  });

  it('with a spread the update departs from the ideal one in proportion to spread / η', () => {
    const rows = [0.1, 0.5].map((eta) => {
      const ideal = readings(4, { eta });
      return [0.005, 0.01, 0.02, 0.04].map((spread) => relativeDifference(readings(4, { eta, twin: { spread, seed: 2 } }), ideal));
    });
    for (const row of rows) {
      // linear in the spread: doubling it doubles the departure (within 25%)
      for (let i = 1; i < row.length; i++) expect(row[i] / row[i - 1]).toBeGreaterThan(1.5);
      for (let i = 1; i < row.length; i++) expect(row[i] / row[i - 1]).toBeLessThan(2.5);
      expect(row[0]).toBeGreaterThan(0);
    }
    // the copies' free states differ by O(spread) while the contrast is O(η): the departure falls as η grows
    rows[0].forEach((d, i) => expect(d).toBeGreaterThan(2 * rows[1][i]));
    // and it is of the order of spread / η (between a tenth and ten times it)
    [0.1, 0.5].forEach((eta, r) => [0.005, 0.01, 0.02, 0.04].forEach((spread, i) => {
      expect(rows[r][i]).toBeGreaterThan(0.1 * spread / eta);
      expect(rows[r][i]).toBeLessThan(10 * spread / eta);
    }));
  });

  const base = {
    seed: 4,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
    task: { kind: 'regression', features: 3, outputs: 2, train: 24, test: 12 },
    rule: { kind: 'contrastive' },
    optimizer: { learningRate: 0.2, batchSize: 6 },
    training: { epochs: 8 },
  };

  it('trains as the ideal network does with spread 0 (every epoch’s loss to the last bit), and still learns at a spread of 2%', () => {
    const run = (error: object) => createExperiment({ ...base, error }, [resistivePlugin, contrastivePlugin]).trainer.run().history;
    const ideal = run({ kind: 'cl', eta: 0.5 });
    const zero = run({ kind: 'cl', eta: 0.5, twin: { spread: 0 } });
    expect(zero.map((h) => h.trainLoss)).toEqual(ideal.map((h) => h.trainLoss));
    const twin = run({ kind: 'cl', eta: 0.5, twin: { spread: 0.02 } });
    expect(twin[twin.length - 1].trainLoss).toBeLessThan(0.7 * twin[0].trainLoss);
    expect(twin[twin.length - 1].testLoss).toBeLessThan(twin[0].testLoss);
    // but not the ideal run's numbers
    expect(twin[twin.length - 1].trainLoss).not.toBe(ideal[ideal.length - 1].trainLoss);
  });

  it('refuses a spread outside [0, 1) and a seed that is not an integer, naming the key', () => {
    const registries = createRegistries([corePlugin, contrastivePlugin]);
    const problems = (twin: unknown) => sectionProblems(registries.errors, { kind: 'cl', twin }, 'error').map((p) => `${p.path}: ${p.message}`);
    expect(problems({ spread: -0.1 })[0]).toMatch(/^error\.twin\.spread: expected a relative spread in \[0, 1\), got -0\.1/);
    expect(problems({ spread: 1 })[0]).toMatch(/^error\.twin\.spread: .*got 1/);
    expect(problems({ spread: 0.1, seed: 1.5 })[0]).toMatch(/^error\.twin\.seed: /);
    expect(problems({})[0]).toMatch(/^error\.twin\.spread: /);
    expect(problems({ spread: 0.1, sprad: 2 })[0]).toMatch(/^error\.twin\.sprad: /);
  });
});
