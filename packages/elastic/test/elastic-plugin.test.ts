import { chemicalPlugin } from '@multimech/chemical';
import { placeProblems, ConfigError, ConfigProblem, Rng, adjointErrorRecord, compatibilityProblems, corePlugin, createRegistries, dcActivationRecord, decodeSection, productRuleRecord } from '@multimech/core';
import { createExperiment } from '@multimech/trainer';
import { ElasticSubstrate, elasticFromNetwork, elasticFromTopology, elasticPlugin, elasticRecord, explicitNetworkProblems, triangularLattice } from '@multimech/elastic';

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
      { path: 'substrate.network.coordination', message: 'expected a mean coordination above 2·dimension = 6 (at or below it the network is floppy), got 6' },
    ]);
    expect(problemsOf({ dimension: 2, network: { generator: 'hex' } })).toEqual([
      { path: 'substrate.network.generator', message: `expected one of 'triangular', 'random', got "hex"` },
    ]);
    expect(problemsOf({ dimension: 2, network: lattice, parameter: 'mass', stiffness: { min: -1 }, stifness: 1 })).toEqual([
      { path: 'substrate.stifness', message: 'unknown key (known keys: dimension, network, parameter, stiffness, restLength, inputs, outputs, solver, minimiser, mass, damping)' },
      { path: 'substrate.parameter', message: "expected one of 'stiffness', 'rest-length', 'both', got \"mass\"" },
      { path: 'substrate.stiffness.min', message: 'expected a positive number, got -1' },
    ]);
    expect(problemsOf({ dimension: 2, network: lattice, stiffness: { init: [0.5, 20] } })).toEqual([
      { path: 'substrate.stiffness.init', message: 'expected a range of stiffnesses inside [min, max] = [0.01, 10], got [0.5, 20]' },
    ]);
  });

  it('refuses what the random generator cannot build at its JSON path, explaining the bound that was crossed', () => {
    const random = (more: object) => ({ dimension: 2, network: { generator: 'random', nodes: 10, coordination: 5, ...more } });
    expect(problemsOf(random({}))).toEqual([]);
    expect(problemsOf(random({ coordination: 20 }))).toEqual([
      {
        path: 'substrate.network.coordination',
        message: 'a mean coordination of 20 needs more than 10 nodes: in a network of 10 nodes each has at most 9 springs (one to every other node); use at most 9 or more nodes',
      },
    ]);
    // the jitter of a jittered grid: the codec and the generator agree on [0, 0.5)
    expect(problemsOf(random({ points: 'jittered-grid', jitter: 0.49 }))).toEqual([]);
    expect(problemsOf(random({ points: 'jittered-grid', jitter: 0.7 }))).toEqual([
      { path: 'substrate.network.jitter', message: 'expected a jitter in [0, 0.5) (a fraction of the grid spacing: at 0.5 two neighbouring points may coincide), got 0.7' },
    ]);
    expect(problemsOf(random({ jitter: 0.2 }))).toEqual([{ path: 'substrate.network.jitter', message: "applies only with points 'jittered-grid', not 'packing': remove it" }]);
    expect(problemsOf(random({ points: 'poisson' }))).toEqual([{ path: 'substrate.network.points', message: `expected one of 'packing', 'jittered-grid', got "poisson"` }]);
    expect(problemsOf(random({ pins: 10 }))).toEqual([{ path: 'substrate.network.pins', message: 'expected fewer pins than the 10 nodes, got 10' }]);
  });

  it('decodes masses and damping, uniform or per node, and refuses bad values at their paths', () => {
    expect(problemsOf({ dimension: 2, network: lattice, mass: 2, damping: 0 })).toEqual([]);
    expect(problemsOf({ dimension: 2, network: lattice, mass: { default: 1, nodes: { n0_1: 3 } }, damping: { nodes: {} } })).toEqual([]);
    expect(problemsOf({ dimension: 2, network: lattice, mass: 0, damping: -1 })).toEqual([
      { path: 'substrate.mass', message: 'expected a positive number (every node), or { "default"?, "nodes": { "<node>": mass } }, got 0' },
      { path: 'substrate.damping', message: 'expected a non-negative number (every node), or { "default"?, "nodes": { "<node>": damping } }, got -1' },
    ]);
    expect(problemsOf({ dimension: 2, network: lattice, mass: { nodes: { a: -2 } } })).toEqual([{ path: 'substrate.mass.nodes.a', message: 'expected a positive number, got -2' }]);
    expect(problemsOf({ dimension: 2, network: lattice, mass: 'heavy' })).toEqual([
      { path: 'substrate.mass', message: 'expected a positive number (every node), or { "default"?, "nodes": { "<node>": mass } }, got "heavy"' },
    ]);
    const context = { inputs: { count: 1, type: 'flow' as const }, outputs: { count: 1 }, rng: new Rng(1), baseDir: '.' };
    const build = (more: object) => {
      const problems: ConfigProblem[] = [];
      const section = decodeSection(registries.substrates, { kind: 'elastic', dimension: 2, network: { generator: 'triangular', width: 4, height: 3 }, ...more }, 'substrate', problems);
      expect(problems).toEqual([]);
      return section!.record.create(section!.config, context) as ElasticSubstrate;
    };
    const s = build({ mass: { default: 1, nodes: { n1_2: 4 } }, damping: 0.1 });
    expect(s.capabilities.has('dynamics')).toBe(true);
    expect(s.nodeMass[s.graph.nodeNames.indexOf('n1_2')]).toBe(4);
    expect(s.nodeMass[0]).toBe(1);
    expect([...new Set(s.nodeDamping)]).toEqual([0.1]);
    expect(build({}).capabilities.has('dynamics')).toBe(false);
    expect(() => build({ mass: { nodes: { n1_2: 4 } } })).toThrow(
      'substrate.mass: no value for node(s) n0_0, n1_0, n2_0, n3_0, n0_1, n1_1, n2_1, n3_1, n0_2, n2_2, ... (11 in all): give a "default" or a value for every node',
    );
    expect(() => build({ mass: { default: 1, nodes: { n9_9: 4 } } })).toThrow("substrate.mass.nodes.n9_9: unknown node 'n9_9' (nodes: n0_0, n1_0, n2_0, n3_0, n0_1, n1_1, n2_1, n3_1, n0_2, n1_2, n2_2, n3_2)");
  });

  it('refuses mechanisms that need a linear or scalar substrate when the config is decoded, naming both', () => {
    expect(registries.substrates.get('elastic').capabilities).toEqual(['vector-state', 'dynamics']);
    const linearOnly = { ...adjointErrorRecord, kind: 'frequency', requires: ['linear'] };
    expect(placeProblems(compatibilityProblems(elasticRecord, dcActivationRecord, linearOnly, productRuleRecord))).toEqual([
      { path: 'error.kind', message: "error mechanism 'frequency' cannot run on substrate 'elastic': it needs 'linear', which substrate 'elastic' does not provide" },
    ]);
    expect(compatibilityProblems(elasticRecord, dcActivationRecord, adjointErrorRecord, productRuleRecord)).toEqual([]);
  });
});

describe('the chemical mechanism on springs', () => {
  it('is refused when the config is decoded, naming both and what springs lack', () => {
    const config = {
      substrate: { kind: 'elastic', dimension: 2, network: lattice },
      task: { kind: 'regression', features: 2, outputs: 1, train: 4, test: 2, inputs: { encoding: 'current', scale: 0.1 } },
      error: { kind: 'chemical' },
    };
    expect(() => createExperiment(config, [elasticPlugin, chemicalPlugin], { source: 'springs.json' })).toThrow(ConfigError);
    expect(() => createExperiment(config, [elasticPlugin, chemicalPlugin], { source: 'springs.json' })).toThrow(
      "springs.json: invalid configuration\n  error.kind: error mechanism 'chemical' cannot run on substrate 'elastic': it needs 'transport' and 'linear', which substrate 'elastic' does not provide",
    );
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

describe('explicit networks', () => {
  it('a lattice written out node by node builds the substrate the generator builds: the same ports, equilibria and readouts', () => {
    const t = triangularLattice(5, 4, { sources: 1, targets: 2 });
    const names = t.graph.nodeNames;
    const stiffness = Float64Array.from(t.graph.edgeNames, (_, k) => 0.5 + ((k * 37) % 11) / 10);
    const network = {
      nodes: names.map((name, i) => ({ name, position: [t.positions[2 * i], t.positions[2 * i + 1]] })),
      springs: t.graph.edgeNames.map((name, k) => ({ name, a: names[t.graph.from[k]], b: names[t.graph.to[k]], stiffness: stiffness[k] })),
      pins: t.pins.map((p) => names[p]),
      inputs: t.sources.map((p) => ({ a: names[p.b], b: names[p.a] })), // either order: the pair is oriented along its axis
      outputs: t.targets.map((p) => ({ a: names[p.a], b: names[p.b] })),
    };
    const common = { parameter: 'both' as const, stiffnessBounds: { min: 0.01, max: 10 }, restLengthBounds: { min: 0.5, max: 1.5 }, inputs: 'force' as const, outputs: 'distance' as const };
    expect(explicitNetworkProblems(network, { dimension: 2, stiffness: common.stiffnessBounds, restLength: common.restLengthBounds })).toEqual([]);
    const written = elasticFromNetwork(network, { ...common, dimension: 2, initialStiffness: new Float64Array(stiffness.length).fill(1) });
    const generated = elasticFromTopology(t, { ...common, stiffness });
    expect(written.boundary.inputs).toEqual(generated.boundary.inputs);
    expect(written.boundary.outputs).toEqual(generated.boundary.outputs);
    expect([...written.parameters]).toEqual([...generated.parameters]);
    const x = written.equilibrium(written.drive([0.3]));
    const y = generated.equilibrium(generated.drive([0.3]));
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-12);
    expect(Math.abs(written.readout(x)[0])).toBeGreaterThan(1e-4);
    // a spring's own rest length is prestress: the network moves at zero load
    const prestressed = elasticFromNetwork(
      { ...network, springs: network.springs.map((s, k) => (k === 10 ? { ...s, restLength: 1.1 } : s)) },
      { ...common, dimension: 2, initialStiffness: stiffness },
    );
    expect(prestressed.restLength[10]).toBe(1.1);
    expect(Math.abs(prestressed.readout(prestressed.equilibrium(prestressed.drive([0])))[0])).toBeGreaterThan(1e-6);
  });
});
