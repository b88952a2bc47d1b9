import { ConfigProblem, Rng, adjointErrorRecord, compatibilityProblems, corePlugin, createRegistries, dcActivationRecord, decodeSection, productRuleRecord } from '@multimech/core';
import { createExperiment } from '@multimech/trainer';
import { ElasticSubstrate, elasticPlugin, elasticRecord } from '@multimech/elastic';

const registries = createRegistries([corePlugin, elasticPlugin]);

function problemsOf(config: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  decodeSection(registries.substrates, { kind: 'elastic', ...config }, 'substrate', problems);
  return problems;
}

const lattice = { generator: 'triangular', width: 6, height: 5 };

describe('elastic config', () => {
  it('refuses bad values at their JSON paths', () => {
    expect(problemsOf({ dimension: 2, network: lattice })).toEqual([]);
    expect(problemsOf({ dimension: 4, network: lattice })).toEqual([{ path: 'substrate.dimension', message: 'expected a dimension, 2 or 3, got 4' }]);
    expect(problemsOf({ dimension: 3, network: lattice })).toEqual([
      { path: 'substrate.network.generator', message: "a triangular lattice is 2-D, but dimension is 3: use generator 'random' in 3-D" },
    ]);
    expect(problemsOf({ dimension: 3, network: { generator: 'random', nodes: 20, coordination: 6 } })).toEqual([
      { path: 'substrate.network.coordination', message: 'expected a mean coordination above 2·dimension = 6 (below it the network is floppy), got 6' },
    ]);
    expect(problemsOf({ dimension: 2, network: { generator: 'hex' } })).toEqual([
      { path: 'substrate.network.generator', message: `expected one of 'triangular', 'random', got "hex"` },
    ]);
    expect(problemsOf({ dimension: 2, network: lattice, parameter: 'mass', stiffness: { min: -1 }, stifness: 1 })).toEqual([
      { path: 'substrate.stifness', message: 'unknown key (known keys: dimension, network, parameter, stiffness, restLength, inputs, outputs, solver, minimiser)' },
      { path: 'substrate.parameter', message: "expected one of 'stiffness', 'rest-length', 'both', got \"mass\"" },
      { path: 'substrate.stiffness.min', message: 'expected a positive number, got -1' },
    ]);
    expect(problemsOf({ dimension: 2, network: lattice, stiffness: { init: [0.5, 20] } })).toEqual([
      { path: 'substrate.stiffness.init', message: 'expected a range of stiffnesses inside [min, max] = [0.01, 10], got [0.5, 20]' },
    ]);
  });

  it('refuses mechanisms that need a linear or scalar substrate when the config is decoded, naming both', () => {
    expect(registries.substrates.get('elastic').capabilities).toEqual(['vector-state']);
    const linearOnly = { ...adjointErrorRecord, kind: 'frequency', requires: ['linear'] };
    expect(compatibilityProblems(elasticRecord, dcActivationRecord, linearOnly, productRuleRecord)).toEqual([
      { path: 'error.kind', message: "error mechanism 'frequency' cannot run on substrate 'elastic': it needs 'linear', which substrate 'elastic' does not provide" },
    ]);
    expect(compatibilityProblems(elasticRecord, dcActivationRecord, adjointErrorRecord, productRuleRecord)).toEqual([]);
  });
});

describe('createExperiment with an elastic substrate', () => {
  // with stiffness alone a stress-free network gives zero output at zero input, so it cannot learn the
  // teacher's offset: the loss then falls by about 2% only; rest lengths (prestress) can
  it.each(['rest-length', 'both'] as const)('the regression loss falls with the adjoint error mechanism (%s)', (parameter) => {
    const { substrate, trainer } = createExperiment(
      {
        seed: 3,
        substrate: { kind: 'elastic', dimension: 2, network: lattice, parameter },
        task: { kind: 'regression', features: 2, outputs: 1, train: 20, test: 8, inputs: { encoding: 'current', scale: 0.1 } },
        error: { kind: 'adjoint' },
        optimizer: { learningRate: 0.5 },
        training: { epochs: 12 },
      },
      [elasticPlugin],
    );
    expect(substrate).toBeInstanceOf(ElasticSubstrate);
    expect(substrate.boundary.inputs.map((p) => p.type)).toEqual(['flow', 'flow']);
    const { history } = trainer.run();
    const first = history[0].trainLoss;
    const last = history[history.length - 1].trainLoss;
    console.log(`elastic (${parameter}) regression, adjoint: train loss ${first.toExponential(3)} -> ${last.toExponential(3)}`);
    expect(last).toBeLessThan(0.5 * first);
  });

  it('builds 3-D random networks from the config with displacement inputs', () => {
    const problems: ConfigProblem[] = [];
    const section = decodeSection(registries.substrates, { kind: 'elastic', dimension: 3, network: { generator: 'random', nodes: 24, coordination: 7 }, outputs: 'displacement' }, 'substrate', problems);
    expect(problems).toEqual([]);
    const s = section!.record.create(section!.config, { inputs: { count: 2, type: 'potential' }, outputs: { count: 2 }, rng: new Rng(2), baseDir: '.' }) as ElasticSubstrate;
    expect(s.dofPerNode).toBe(3);
    expect(s.boundary.inputs.map((p) => p.type)).toEqual(['potential', 'potential']);
    const y = s.readout(s.equilibrium(s.drive([0.1, -0.1])));
    expect(y.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
  });
});

describe('strain inputs', () => {
  it('hold each source pair at its reference distance plus the input, and refuse a flow task', () => {
    const problems: ConfigProblem[] = [];
    const section = decodeSection(registries.substrates, { kind: 'elastic', dimension: 2, network: lattice, inputs: 'strain' }, 'substrate', problems);
    expect(problems).toEqual([]);
    const s = section!.record.create(section!.config, { inputs: { count: 1, type: 'potential' }, outputs: { count: 1 }, rng: new Rng(4), baseDir: '.' }) as ElasticSubstrate;
    const source = s.inputs[0];
    if (source.type !== 'strain') throw new Error('expected a strain input');
    const distance = (x: Float64Array) => Math.hypot(x[2 * source.a] - x[2 * source.b], x[2 * source.a + 1] - x[2 * source.b + 1]);
    const x0 = s.equilibrium(s.drive([0]));
    const x = s.equilibrium(s.drive([0.07]));
    expect(distance(x) - distance(x0)).toBeCloseTo(0.07, 12);
    expect(s.residual(x, s.drive([0.07])).filter((_, dof) => s.freeDofs.includes(dof)).every((r) => Math.abs(r) < 1e-9)).toBe(true);
    expect(Math.abs(s.readout(x)[0])).toBeGreaterThan(1e-4);
    expect(() => section!.record.create(section!.config, { inputs: { count: 1, type: 'flow' }, outputs: { count: 1 }, rng: new Rng(4), baseDir: '.' })).toThrow(
      "substrate.inputs: 'strain' needs a task with potential (displacement or strain) inputs, but the task's inputs are flows",
    );
  });
});
