import { ConfigError, ConfigProblem, MultimechError, Rng, SubstrateContext, corePlugin, createRegistries, decodeSection } from '@multimech/core';
import { createExperiment } from '@multimech/trainer';
import { FlowSubstrate, flowPlugin } from '@multimech/flow';

const registries = createRegistries([corePlugin, flowPlugin]);

function problemsOf(config: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  decodeSection(registries.substrates, { kind: 'flow', ...config }, 'substrate', problems);
  return problems;
}

function create(config: Record<string, unknown>, context: Partial<SubstrateContext> = {}): FlowSubstrate {
  const problems: ConfigProblem[] = [];
  const section = decodeSection(registries.substrates, { kind: 'flow', ...config }, 'substrate', problems);
  if (!section) throw new ConfigError(problems);
  return section.record.create(section.config, {
    inputs: { count: 3, type: 'potential' },
    outputs: { count: 2 },
    rng: new Rng(1),
    baseDir: '.',
    ...context,
  }) as FlowSubstrate;
}

const layered = { generator: 'layered', hidden: [5] };

describe('flow config', () => {
  it('registers kind flow with its capabilities', () => {
    expect(registries.substrates.get('flow').capabilities).toEqual(['linear', 'scalar-potential', 'transport']);
  });

  it('refuses non-positive viscosity, length and radius, and min >= max, at their JSON paths', () => {
    expect(problemsOf({ network: layered, viscosity: 0, length: -1 })).toEqual([
      { path: 'substrate.viscosity', message: 'expected a positive number (or an array of them, one per tube), got 0' },
      { path: 'substrate.length', message: 'expected a positive number (or an array of them, one per tube), got -1' },
    ]);
    expect(problemsOf({ network: layered, viscosity: [1, 2, -3], length: [], parameter: 'radius' })).toEqual([
      { path: 'substrate.viscosity[2]', message: 'expected a positive number, got -3' },
      { path: 'substrate.length', message: 'expected a positive number or one per tube, got an empty array' },
    ]);
    expect(problemsOf({ network: layered, viscosity: '1', length: [1, 'x'] })).toEqual([
      { path: 'substrate.viscosity', message: 'expected a positive number (or an array of them, one per tube), got "1"' },
      { path: 'substrate.length[1]', message: 'expected a positive number, got "x"' },
    ]);
    expect(problemsOf({ network: layered, parameter: 'radius', init: [0, 1] })).toEqual([
      { path: 'substrate.init', message: 'expected positive radii, got [0, 1]' },
    ]);
    expect(problemsOf({ network: layered, parameter: 'radius', min: -0.1 })).toEqual([{ path: 'substrate.min', message: 'expected a positive number, got -0.1' }]);
    expect(problemsOf({ network: layered, min: 1, max: 0.5 })).toEqual([
      { path: 'substrate.max', message: 'expected a maximum conductance above min (1), got 0.5' },
    ]);
    expect(problemsOf({ network: layered, parameter: 'radius', min: 4 })).toEqual([
      { path: 'substrate.min', message: 'expected a minimum radius below max (default 3), got 4' },
    ]);
    expect(problemsOf({ network: layered, parameter: 'radius', init: [0.5, 4] })).toEqual([
      { path: 'substrate.init', message: 'expected a range of radii inside [min, max] = [0.1, 3], got [0.5, 4]' },
    ]);
    expect(problemsOf({ network: layered, min: 2 })).toEqual([
      { path: 'substrate.init', message: 'the default initial range [0.5, 1.5] lies outside [min, max] = [2, 10]: give init' },
    ]);
  });

  it('gives one clear problem for a bad network, mode, output or unknown key', () => {
    expect(problemsOf({ network: { generator: 'tree' } })).toEqual([
      { path: 'substrate.network.generator', message: `expected one of 'layered', 'grid', 'random', or an edge list { "edges", "sources", "targets", "ground" }, or { "file": "network.json" }, got "tree"` },
    ]);
    expect(problemsOf({ network: { generator: 'grid', width: 3 }, parameter: 'diameter', outputs: ['a', ['b']], viscocity: 1 })).toEqual([
      { path: 'substrate.viscocity', message: 'unknown key (known keys: network, parameter, viscosity, length, init, min, max, outputs, solver)' },
      { path: 'substrate.network.height', message: 'expected a positive integer, got nothing' },
      { path: 'substrate.parameter', message: `expected one of 'conductance', 'radius', got "diameter"` },
      { path: 'substrate.outputs[1]', message: 'expected a node name or a pair [a, b] of node names, got ["b"]' },
    ]);
    expect(problemsOf({ network: layered, parameter: 'radius', viscosity: 1e-3, length: 0.01, init: [1e-4, 2e-4], min: 1e-5, max: 1e-3 })).toEqual([]);
  });
});

describe('flow record create', () => {
  it('builds every generator in both modes with the task ports, initial parameters from the rng and the bounds', () => {
    for (const network of [layered, { generator: 'grid', width: 4, height: 3 }, { generator: 'random', nodes: 15, meanDegree: 3 }]) {
      for (const parameter of ['conductance', 'radius'] as const) {
        for (const type of ['flow', 'potential'] as const) {
          const s = create({ network, parameter, viscosity: 2, length: 0.5, init: [0.6, 0.9], min: 0.2, max: 2 }, { inputs: { count: 3, type } });
          expect(s.kind).toBe('flow');
          expect(s.parameterName).toBe(parameter);
          expect(s.boundary.inputs.map((p) => `${p.name}:${p.type}`)).toEqual(
            type === 'flow' ? ['Q1:flow', 'Q2:flow', 'Q3:flow'] : ['P1:potential', 'P2:potential', 'P3:potential'],
          );
          expect(s.boundary.outputs).toHaveLength(2);
          expect(Math.min(...s.parameters)).toBeGreaterThanOrEqual(0.6);
          expect(Math.max(...s.parameters)).toBeLessThan(0.9);
          expect([...new Set(s.bounds.min)]).toEqual([0.2]);
          expect([...new Set(s.bounds.max)]).toEqual([2]);
          const k = s.transport.hydraulicConductance();
          const expectedK = parameter === 'radius' ? s.parameters.map((r) => (Math.PI * r ** 4) / (8 * 2 * 0.5)) : s.parameters;
          k.forEach((x, j) => expect(x / expectedK[j] - 1).toBeCloseTo(0, 14));
          expect(s.readout(s.equilibrium(s.drive([1, -0.5, 0.25]))).every((y) => Number.isFinite(y) && y !== 0)).toBe(true);
        }
      }
    }
    const r = create({ network: layered, parameter: 'radius' });
    expect(Math.min(...r.parameters)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...r.parameters)).toBeLessThan(1.5);
    expect([r.bounds.min[0], r.bounds.max[0]]).toEqual([0.1, 3]);
    const c = create({ network: layered });
    expect([c.bounds.min[0], c.bounds.max[0]]).toEqual([1e-4, 10]);
    expect([...create({ network: layered }).parameters]).toEqual([...c.parameters]);
  });

  it('takes a viscosity and a length per tube, in the tube order of the network, and checks their count', () => {
    const tubes = create({ network: layered }).graph.edgeNames.length;
    const viscosity = Array.from({ length: tubes }, (_, j) => 1 + j / 4);
    const length = Array.from({ length: tubes }, (_, j) => 2 - j / (2 * tubes));
    const s = create({ network: layered, parameter: 'radius', viscosity, length, init: [0.6, 0.9] });
    expect([...s.viscosity]).toEqual(viscosity);
    expect([...s.tubeLength]).toEqual(length);
    expect([...s.transport.length()]).toEqual(length);
    // k = π r⁴ / (8 μ L), tube by tube
    const k = s.transport.hydraulicConductance();
    s.parameters.forEach((r, j) => expect(Math.abs(k[j] / ((Math.PI * r ** 4) / (8 * viscosity[j] * length[j])) - 1)).toBeLessThanOrEqual(1e-15));
    expect(k[tubes - 1] / k[0]).not.toBeCloseTo(s.parameters[tubes - 1] ** 4 / s.parameters[0] ** 4, 3); // the tubes differ
    // one value for all and an array of equal values build the same network
    const scalar = create({ network: layered, parameter: 'radius', viscosity: 1.5, length: 0.5 });
    const array = create({ network: layered, parameter: 'radius', viscosity: Array(tubes).fill(1.5), length: Array(tubes).fill(0.5) });
    expect([...array.transport.hydraulicConductance()]).toEqual([...scalar.transport.hydraulicConductance()]);
    expect(() => create({ network: layered, viscosity: [1, 2, 3] })).toThrow(
      `substrate.viscosity: expected ${tubes} values, one per tube of the network (in the order of its tubes, as parameters.csv lists them), got 3`,
    );
    expect(() => create({ network: layered, length: Array(tubes + 1).fill(1) })).toThrow(`substrate.length: expected ${tubes} values, one per tube of the network`);
  });

  it('reads difference targets from outputs, and refuses a count that does not match the task', () => {
    const s = create({ network: layered, outputs: ['h0', ['out0', 'out1']] });
    expect(s.boundary.outputs.map((o) => o.name)).toEqual(['h0', 'p(out0,out1)']);
    const p = s.equilibrium(s.drive([1, 0, -1]));
    const at = (n: string) => p[s.graph.nodeNames.indexOf(n)];
    expect([...s.readout(p)]).toEqual([at('h0'), at('out0') - at('out1')]);
    expect(() => create({ network: layered, outputs: ['h0'] })).toThrow('substrate.outputs: 1 outputs given, but the task has 2');
    expect(() => create({ network: layered, outputs: ['h0', 'nowhere'] })).toThrow("unknown node 'nowhere'");
  });

  it('refuses outputs on a reservoir or a pressure input, repeated or reversed ones, and differences of held nodes, each at its key', () => {
    const refusal = (outputs: unknown[]): string => {
      try {
        create({ network: layered, outputs });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(['gnd', 'h0'])).toBe(
      "invalid configuration\n  substrate.outputs[0]: 'gnd' is held by the reservoir 'reservoir': its value is imposed, so no training can bring it to a target; choose a node the network is free to move",
    );
    expect(refusal(['h1', 'in2'])).toBe(
      "invalid configuration\n  substrate.outputs[1]: 'in2' is held by the pressure input 'P3': its value is imposed, so no training can bring it to a target; choose a node the network is free to move",
    );
    expect(refusal(['h0', 'h0'])).toBe("invalid configuration\n  substrate.outputs[1]: 'h0' repeats outputs[0] ('h0'): two targets on one value; give each output once");
    expect(refusal([['h0', 'h1'], ['h1', 'h0']])).toBe(
      "invalid configuration\n  substrate.outputs[1]: 'p(h1,h0)' is outputs[0] ('p(h0,h1)') reversed: two targets on one value; give each output once",
    );
    expect(refusal(['h0', ['in0', 'gnd']])).toMatch(/substrate\.outputs\[1\]: both nodes of 'p\(in0,gnd\)' are held \('in0' by the pressure input 'P1', 'gnd' by the reservoir 'reservoir'\)/);
    // with flow inputs the input nodes are free: a target there is fine
    expect(create({ network: layered, outputs: ['in0', 'h0'] }, { inputs: { count: 3, type: 'flow' } }).boundary.outputs.map((o) => o.name)).toEqual(['in0', 'h0']);
  });

  it('passes generator errors through as MultimechErrors', () => {
    expect(() => create({ network: { generator: 'random', nodes: 4, meanDegree: 2 } })).toThrow(MultimechError);
  });
});

describe('createExperiment with a flow substrate', () => {
  it.each(['conductance', 'radius'] as const)('the regression loss falls with the adjoint error mechanism (%s)', (parameter) => {
    const { substrate, trainer, resolvedConfig } = createExperiment(
      {
        seed: 4,
        substrate: { kind: 'flow', network: { generator: 'layered', hidden: [6] }, parameter },
        task: { kind: 'regression', features: 3, outputs: 2, train: 30, test: 10 },
        error: { kind: 'adjoint' },
        optimizer: { learningRate: 0.3 },
        training: { epochs: 15 },
      },
      [flowPlugin],
    );
    expect(substrate).toBeInstanceOf(FlowSubstrate);
    expect(substrate.parameterName).toBe(parameter);
    expect(resolvedConfig.substrate).toEqual({ kind: 'flow', network: { generator: 'layered', hidden: [6] }, parameter });
    const { history } = trainer.run();
    const first = history[0].trainLoss;
    const last = history[history.length - 1].trainLoss;
    console.log(
      `flow (${parameter}) regression, adjoint: train loss ${first.toExponential(3)} -> ${last.toExponential(3)}, test relative error ${history[0].testRelativeError!.toFixed(3)} -> ${history[history.length - 1].testRelativeError!.toFixed(3)}`,
    );
    expect(last).toBeLessThan(0.25 * first);
    expect(history[history.length - 1].testLoss).toBeLessThan(history[0].testLoss);
  });
});
