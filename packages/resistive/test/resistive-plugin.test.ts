import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ConfigError,
  ConfigProblem,
  MultimechError,
  Rng,
  SubstrateContext,
  adjointError,
  corePlugin,
  createRegistries,
  dcActivation,
  decodeSection,
  exampleGradient,
  mseLoss,
  productRule,
} from '@multimech/core';
import { ResistiveSubstrate, resistivePlugin } from '@multimech/resistive';
import { denseEquilibrium, maxAbs, maxAbsDiff } from './random-netlist';

const registries = createRegistries([corePlugin, resistivePlugin]);

function problemsOf(config: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  decodeSection(registries.substrates, { kind: 'resistive', ...config }, 'substrate', problems);
  return problems;
}

function create(config: Record<string, unknown>, context: Partial<SubstrateContext> = {}): ResistiveSubstrate {
  const problems: ConfigProblem[] = [];
  const section = decodeSection(registries.substrates, { kind: 'resistive', ...config }, 'substrate', problems);
  if (!section) throw new ConfigError(problems);
  return section.record.create(section.config, {
    inputs: { count: 3, type: 'potential' },
    outputs: { count: 2 },
    rng: new Rng(1),
    baseDir: '.',
    ...context,
  }) as ResistiveSubstrate;
}

describe('resistive config', () => {
  it('registers kind resistive with its capabilities', () => {
    const record = registries.substrates.get('resistive');
    expect(record.capabilities).toEqual(['linear', 'scalar-potential', 'dynamics']);
  });

  it('gives one clear problem for an unknown generator', () => {
    expect(problemsOf({ network: { generator: 'lattice', size: 3 } })).toEqual([
      { path: 'substrate.network.generator', message: expect.stringContaining("expected one of 'layered', 'grid', 'random'") },
    ]);
    expect(problemsOf({ network: {} })).toEqual([{ path: 'substrate.network.generator', message: expect.stringContaining('got nothing') }]);
  });

  it('reports each problem at its JSON path', () => {
    expect(problemsOf({ network: { generator: 'layered', hidden: [3, -1] }, conductance: { min: 1, max: 0.5 } })).toEqual([
      { path: 'substrate.network.hidden[1]', message: 'expected a positive integer, got -1' },
      { path: 'substrate.conductance.max', message: 'expected a maximum above min (1), got 0.5' },
    ]);
    expect(problemsOf({ network: { generator: 'grid', width: 4 }, solver: { method: 'lu' }, extra: 1 })).toEqual([
      { path: 'substrate.extra', message: 'unknown key (known keys: network, conductance, solver)' },
      { path: 'substrate.network.height', message: 'expected a positive integer, got nothing' },
      { path: 'substrate.solver.method', message: "expected one of 'auto', 'cholesky', 'cg', got \"lu\"" },
    ]);
    expect(problemsOf({ network: { netlist: 'a.cir', outputs: ['a', ['b']] }, conductance: { init: [0.5, 1] } })).toEqual([
      { path: 'substrate.network.outputs[1]', message: 'expected a node name or a pair [a, b] of node names, got ["b"]' },
    ]);
    expect(problemsOf({ network: { netlist: 'a.cir', outputs: ['a'] }, conductance: { init: [0.5, 1] } })).toEqual([
      { path: 'substrate.conductance.init', message: expect.stringContaining("a netlist's resistors set the initial conductances") },
    ]);
    expect(problemsOf({ network: { generator: 'random', nodes: 10, meanDegree: 3 }, conductance: { init: [0.5, 20] } })).toEqual([
      { path: 'substrate.conductance.init', message: 'expected a range inside [min, max] = [0.0001, 10], got [0.5, 20]' },
    ]);
  });
});

describe('resistive record create', () => {
  it('builds each generator with the task ports, initial conductances from the rng and the bounds', () => {
    for (const network of [
      { generator: 'layered', hidden: [5] },
      { generator: 'grid', width: 4, height: 3 },
      { generator: 'random', nodes: 15, meanDegree: 3 },
    ]) {
      for (const type of ['flow', 'potential'] as const) {
        const s = create({ network, conductance: { init: [0.2, 0.8], min: 0.01, max: 2 } }, { inputs: { count: 3, type } });
        expect(s.boundary.inputs.map((p) => p.type)).toEqual([type, type, type]);
        expect(s.boundary.outputs).toHaveLength(2);
        expect(Math.min(...s.parameters)).toBeGreaterThanOrEqual(0.2);
        expect(Math.max(...s.parameters)).toBeLessThan(0.8);
        expect(new Set(s.parameters).size).toBe(s.parameters.length);
        expect([...new Set(s.bounds.min)]).toEqual([0.01]);
        expect([...new Set(s.bounds.max)]).toEqual([2]);
        const d = s.drive([1, -0.5, 0.25]);
        const v = s.equilibrium(d);
        expect(maxAbsDiff(v, denseEquilibrium(s, d))).toBeLessThan(1e-12 * maxAbs(v));
      }
    }
    const same = create({ network: { generator: 'random', nodes: 15, meanDegree: 3 } });
    const again = create({ network: { generator: 'random', nodes: 15, meanDegree: 3 } });
    expect([...again.parameters]).toEqual([...same.parameters]);
    expect(Math.min(...same.parameters)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...same.parameters)).toBeLessThan(1.5);
  });

  describe('from a netlist file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'multimech-resistive-'));
      writeFileSync(path.join(dir, 'net.cir'), 'net\nV1 a 0 1\nV2 0 b 2\nR1 a c 1k\nR2 b c 1k\nR3 c d 2k\nR4 d 0 1k\nR5 c 0 3k\n.end\n');
      writeFileSync(path.join(dir, 'bad.cir'), 'bad\nR1 a 0 1k\nQ1 a b c model\n');
      writeFileSync(
        path.join(dir, 'diodes.cir'),
        'diode net\nV1 a 0 1\nV2 b 0 1\nR1 a c 1k\nR2 b c 1k\nD1 c d dm\nR3 d 0 1k\nR4 c e 2k\nD2 0 e dm\nR5 e 0 1k\nR6 a e 3k\n.model dm D(IS=1e-12 N=1.5)\n.end\n',
      );
      writeFileSync(path.join(dir, 'nomodel.cir'), 'bad\nV1 a 0 1\nR1 a b 1k\nD1 b 0 dx\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the file relative to baseDir, with its sources as inputs', () => {
      const s = create({ network: { netlist: 'net.cir', outputs: ['c', ['C', 'D']] } }, { baseDir: dir, inputs: { count: 2, type: 'potential' } });
      expect(s.boundary.inputs.map((p) => p.name)).toEqual(['V1', 'V2']);
      expect([...s.defaultInputs!]).toEqual([1, -2]);
      expect(s.parameterNames).toEqual(['R1', 'R2', 'R3', 'R4', 'R5']);
      expect(s.bounds.min[0]).toBeCloseTo(1e-3 / 3000, 18);
      expect(s.bounds.max[0]).toBeCloseTo(1, 15);
      const d = s.drive(s.defaultInputs!);
      const y = s.readout(s.equilibrium(d));
      const ref = denseEquilibrium(s, d);
      const c = s.graph.nodeNames.indexOf('c');
      const dd = s.graph.nodeNames.indexOf('d');
      expect(y[0]).toBeCloseTo(ref[c], 14);
      expect(y[1]).toBeCloseTo(ref[c] - ref[dd], 14);
      const bounded = create({ network: { netlist: 'net.cir', outputs: ['c', 'd'] }, conductance: { min: 1e-4, max: 0.01 } }, { baseDir: dir, inputs: { count: 2, type: 'potential' } });
      expect(bounded.bounds.max[0]).toBe(0.01);
    });

    it('loads a diode netlist: a nonlinear substrate (no linear capability) that adjoint training fits', () => {
      const context = { baseDir: dir, inputs: { count: 2, type: 'potential' as const }, outputs: { count: 1 } };
      const s = create({ network: { netlist: 'diodes.cir', outputs: ['e'] } }, context);
      expect(s.capabilities.has('linear')).toBe(false);
      expect(s.diodes.map((d) => d.name)).toEqual(['D1', 'D2']);
      // a teacher: the same network with other conductances sets the targets
      const teacher = create({ network: { netlist: 'diodes.cir', outputs: ['e'] } }, context);
      const rng = new Rng(3);
      teacher.setParameters(teacher.parameters.map((g) => g * rng.uniform(0.3, 3)));
      const inputs = Array.from({ length: 8 }, () => [rng.uniform(0, 3), rng.uniform(-3, 3)]);
      const targets = inputs.map((x) => teacher.readout(teacher.equilibrium(teacher.drive(x))));
      const pipeline = { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng };
      const epoch = (update: boolean): number => {
        let total = 0;
        inputs.forEach((x, i) => {
          const { loss, gradient } = exampleGradient(pipeline, s.drive(x), targets[i]);
          total += loss;
          if (update) s.setParameters(s.parameters.map((g, k) => Math.min(s.bounds.max[k], Math.max(s.bounds.min[k], g - 2e-5 * gradient[k]))));
        });
        return total / inputs.length;
      };
      const first = epoch(false);
      for (let e = 0; e < 40; e++) epoch(true);
      const last = epoch(false);
      expect(first).toBeGreaterThan(1e-4);
      expect(last).toBeLessThan(0.2 * first);
    });

    it('names the file and line of a diode that names no model', () => {
      expect(() => create({ network: { netlist: 'nomodel.cir', outputs: ['b'] } }, { baseDir: dir, inputs: { count: 1, type: 'potential' }, outputs: { count: 1 } })).toThrow(
        /^nomodel\.cir:4: diode 'D1' names model 'dx', which no \.model card defines/,
      );
    });

    it('names the file and line of a bad netlist, and a missing file', () => {
      expect(() => create({ network: { netlist: 'bad.cir', outputs: ['a', 'b'] } }, { baseDir: dir })).toThrow(/^bad\.cir:3: unknown element letter 'Q'/);
      expect(() => create({ network: { netlist: 'none.cir', outputs: ['a', 'b'] } }, { baseDir: dir })).toThrow(/^none\.cir: cannot read the netlist \(ENOENT\)/);
    });

    it('refuses a netlist whose sources or outputs do not match the task', () => {
      const net = { netlist: 'net.cir', outputs: ['c', 'd'] };
      expect(() => create({ network: net }, { baseDir: dir })).toThrow("net.cir: the netlist has 2 sources (V1, V2) but the task has 3 inputs");
      expect(() => create({ network: net }, { baseDir: dir, inputs: { count: 2, type: 'flow' } })).toThrow(
        "net.cir: the task drives its inputs as current sources (I), but 'V1', 'V2' are not",
      );
      expect(() => create({ network: { ...net, outputs: ['c'] } }, { baseDir: dir, inputs: { count: 2, type: 'potential' } })).toThrow(
        'substrate.network.outputs: 1 outputs given, but the task has 2',
      );
      expect(() => create({ network: { ...net, outputs: ['c', 'x'] } }, { baseDir: dir, inputs: { count: 2, type: 'potential' } })).toThrow(
        "net.cir: output node 'x' is not in the netlist (nodes: a, 0, b, c, d)",
      );
    });
  });

  it('passes generator errors through as MultimechErrors', () => {
    expect(() => create({ network: { generator: 'random', nodes: 4, meanDegree: 2 } })).toThrow(MultimechError);
  });
});

describe('bounds against the default initial range', () => {
  const { decodeOrThrow } = require('@multimech/core');
  const { resistiveConfigCodec } = require('../src');
  const decode = (conductance: object) => () => decodeOrThrow(resistiveConfigCodec, { network: { generator: 'grid', width: 3, height: 3 }, conductance }, 'substrate');
  it('refuses a minimum above the default maximum at its path', () => {
    expect(decode({ min: 20 })).toThrow('substrate.conductance.min: expected a minimum below max (default 10), got 20');
  });
  it('refuses bounds that exclude the default initial range, asking for init', () => {
    expect(decode({ min: 2 })).toThrow('substrate.conductance.init: the default initial range [0.5, 1.5] lies outside [min, max] = [2, 10]: give init');
    expect(decode({ min: 2, init: [2, 3] })).not.toThrow();
  });
});
