import { ConfigError } from '@multimech/core';
import { comparisonExperimentConfig, comparisonProblemPath, createExperiment, decodeComparison } from '../src';

const BASE = {
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
  task: { kind: 'regression', features: 2, outputs: 1 },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs: 3 },
};

function problems(raw: unknown): string[] {
  try {
    decodeComparison(raw, 'c.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the comparison config to be refused');
}

describe('comparison config', () => {
  test('defaults: seeds [1, 2, 3], 10 fidelity examples; base.seed alone is the one seed', () => {
    const r = decodeComparison({ base: BASE, mechanisms: [{ name: 'a', error: { kind: 'adjoint' } }] });
    expect(r.seeds).toEqual([1, 2, 3]);
    expect(r.fidelityExamples).toBe(10);
    expect(decodeComparison({ base: { ...BASE, seed: 7 }, mechanisms: [{ name: 'a', error: { kind: 'adjoint' } }] }).seeds).toEqual([7]);
    expect(decodeComparison({ base: BASE, mechanisms: [{ name: 'a', error: {} }], seeds: [4, 2], fidelity: { examples: 3 } })).toMatchObject({ seeds: [4, 2], fidelityExamples: 3 });
  });

  test('the reference: the one named, else the first exact adjoint, else the first mechanism; the target loss: half the initial loss unless given', () => {
    const mechanisms = [
      { name: 'ep', error: { kind: 'ep' } },
      { name: 'exact', error: { kind: 'adjoint' } },
      { name: 'exact-again', error: { kind: 'adjoint' } },
    ];
    expect(decodeComparison({ base: BASE, mechanisms }).reference).toBe('exact');
    expect(decodeComparison({ base: BASE, mechanisms, reference: 'ep' }).reference).toBe('ep');
    expect(decodeComparison({ base: BASE, mechanisms: [mechanisms[0], { name: 'cl', error: { kind: 'cl' } }] }).reference).toBe('ep');
    expect(decodeComparison({ base: BASE, mechanisms }).targetLoss).toEqual({ fraction: 0.5 });
    expect(decodeComparison({ base: BASE, mechanisms, targetLoss: { fraction: 0.1 } }).targetLoss).toEqual({ fraction: 0.1 });
    expect(decodeComparison({ base: BASE, mechanisms, targetLoss: { value: 0.25 } }).targetLoss).toEqual({ value: 0.25 });
    expect(problems({ base: BASE, mechanisms, reference: 'adjoint' })).toEqual(["reference: no mechanism is named 'adjoint' (mechanisms: ep, exact, exact-again)"]);
    expect(problems({ base: BASE, mechanisms, targetLoss: { fraction: 1 } })).toEqual(['targetLoss.fraction: expected a number in (0, 1), got 1']);
    expect(problems({ base: BASE, mechanisms, targetLoss: { fraction: 0.5, value: 1 } })).toEqual([
      'targetLoss.value: give either "fraction" (of the initial loss) or "value" (a training loss), not both',
    ]);
    expect(problems({ base: BASE, mechanisms, targetLoss: {} })).toEqual(['targetLoss.fraction: expected "fraction" (of the initial loss, in (0, 1)) or "value" (a training loss)']);
    expect(problems({ base: BASE, mechanisms, targetLoss: { epochs: 3 } })).toEqual(['targetLoss.epochs: unknown key (known keys: fraction, value)']);
  });

  test('each run: the base, the mechanism parts, its optimizer keys over the base ones, the seed', () => {
    const { config } = decodeComparison({
      name: 'cmp',
      base: BASE,
      mechanisms: [
        { name: 'exact', error: { kind: 'adjoint' } },
        { name: 'fast', activation: { kind: 'dc' }, error: { kind: 'frequency', amplitude: 0.01 }, rule: { kind: 'product' }, optimizer: { learningRate: 0.5 } },
      ],
    });
    expect(comparisonExperimentConfig(config, 0, 2)).toEqual({ name: 'cmp: exact', ...BASE, error: { kind: 'adjoint' }, seed: 2 });
    expect(comparisonExperimentConfig(config, 1, 5)).toEqual({
      name: 'cmp: fast',
      ...BASE,
      optimizer: { learningRate: 0.5, batchSize: 4 },
      activation: { kind: 'dc' },
      error: { kind: 'frequency', amplitude: 0.01 },
      rule: { kind: 'product' },
      seed: 5,
    });
  });

  test('bad configs are refused with JSON paths', () => {
    expect(problems({ base: { ...BASE, error: { kind: 'adjoint' } }, mechanisms: [{ name: 'a', error: {} }] })).toEqual([
      'base.error: unknown key (known keys: substrate, task, optimizer, training, seed, plugins, limits)',
    ]);
    expect(problems({ base: BASE, mechanisms: [{ name: '', error: {} }, { name: 'b', error: {}, optimizer: { learningRate: -1 } }], seeds: [1, 1.5] })).toEqual([
      'mechanisms[0].name: expected a non-empty string, got ""',
      'mechanisms[1].optimizer.learningRate: expected a positive number, got -1',
      'seeds[1]: expected an integer, got 1.5',
    ]);
    expect(problems({ base: BASE, mechanisms: [] })).toEqual(['mechanisms: expected at least one mechanism, got []']);
    expect(problems({ base: { ...BASE, seed: 1 }, mechanisms: [{ name: 'x', error: {} }, { name: 'y', error: {} }, { name: 'x', error: {} }], seeds: [3, 4, 3] })).toEqual([
      "mechanisms[2].name: duplicate mechanism name 'x' (also mechanisms[0].name); names must be unique",
      'seeds[2]: duplicate seed 3 (also seeds[0])',
      'base.seed: give the seeds in "seeds" only (base.seed is the single seed when "seeds" is absent)',
    ]);
    expect(problems({ mechanisms: [{ name: 'x', error: {} }], seeds: [] })).toEqual(['base: expected the shared experiment settings ({ "substrate", "task", "optimizer"?, "training"?, "seed"?, "plugins"? }), got nothing']);
  });

  test("a run's problems map back into the comparison: mechanism sections under mechanisms[i], the rest under base", () => {
    expect(comparisonProblemPath('error.kind', 2)).toBe('mechanisms[2].error.kind');
    expect(comparisonProblemPath('activation', 0)).toBe('mechanisms[0].activation');
    expect(comparisonProblemPath('rule.beta', 1)).toBe('mechanisms[1].rule.beta');
    expect(comparisonProblemPath('substrate.network.hidden[1]', 1)).toBe('base.substrate.network.hidden[1]');
    expect(comparisonProblemPath('errorScale', 1)).toBe('base.errorScale');
    expect(comparisonProblemPath('', 1)).toBe('base');

    // what createExperiment reports for a run, mapped: no substrate plugin is loaded here
    const { config } = decodeComparison({ base: { ...BASE, training: { epochs: 0 } }, mechanisms: [{ name: 'a', error: { kind: 'telepathy' } }] });
    let paths: string[] = [];
    try {
      createExperiment(comparisonExperimentConfig(config, 0, 1), []);
    } catch (e) {
      paths = (e as ConfigError).problems.map((p) => comparisonProblemPath(p.path, 0));
    }
    expect(paths).toEqual(['base.training.epochs']);
    const ok = decodeComparison({ base: BASE, mechanisms: [{ name: 'a', error: { kind: 'telepathy' } }] }).config;
    try {
      createExperiment(comparisonExperimentConfig(ok, 0, 1), []);
    } catch (e) {
      paths = (e as ConfigError).problems.map((p) => comparisonProblemPath(p.path, 0));
    }
    expect(paths).toEqual(['base.substrate.kind', 'mechanisms[0].error.kind']);
  });
});
