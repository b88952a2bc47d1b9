import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { chemicalPlugin } from '@multimech/chemical';
import { flowPlugin } from '@multimech/flow';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * Networks written out as edge lists, for flow and resistive substrates:
 * the parameters as written (bit for bit: 0.9, 0.45 and 1.9 would not
 * survive R = 1/G and back), per-edge bounds and roles, trained on a table
 * of given data.
 */
const edges = [
  { from: 'in1', to: 'a', conductance: 0.9 },
  { from: 'in2', to: 'a', conductance: 0.45 },
  { from: 'a', to: 'b', conductance: 1.9, min: 0.01, max: 5 },
  { from: 'in1', to: 'b', conductance: 0.3 },
  { from: 'b', to: 'out', conductance: 0.7 },
  { from: 'a', to: 'out', conductance: 0.6 },
  { from: 'out', to: 'gnd', conductance: 1.1 },
  { from: 'b', to: 'gnd', conductance: 0.8 },
];
const roles = { sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] };
const plugins = [flowPlugin, resistivePlugin, chemicalPlugin];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'multimech-edges-'));
  const csv = ['from,to,conductance,min,max', ...edges.map((e) => [e.from, e.to, e.conductance, e.min ?? '', e.max ?? ''].join(','))];
  // a CSV whose min and max are left to the section where a row gives none would have empty cells: give them all
  writeFileSync(path.join(dir, 'tubes.csv'), ['name,from,to,conductance', ...edges.map((e, k) => `t${k},${e.from},${e.to},${e.conductance}`)].join('\n') + '\n');
  writeFileSync(path.join(dir, 'bounded.csv'), csv.map((l) => l.replace(/,,$/, ',0.0001,10')).join('\n'));
  writeFileSync(path.join(dir, 'tubes.json'), JSON.stringify(edges));
  writeFileSync(path.join(dir, 'network.json'), JSON.stringify({ edges, ...roles }, null, 2));
  // y = 0.3 x1 + 0.5 x2 on 25 rows, the last 5 to test
  const rows = Array.from({ length: 25 }, (_, i) => {
    const x1 = ((i * 7) % 11) / 10;
    const x2 = ((i * 5) % 13) / 12;
    return `${x1},${x2},${0.3 * x1 + 0.5 * x2},${i < 20 ? 'train' : 'test'}`;
  });
  writeFileSync(path.join(dir, 'data.csv'), ['x1,x2,y,set', ...rows].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = { kind: 'table', file: 'data.csv', features: ['x1', 'x2'], target: { kind: 'regression', columns: ['y'] }, split: { column: 'set' }, inputs: { encoding: 'raw-voltage' } };
const experiment = (substrate: object, extra: object = {}) =>
  createExperiment(
    { seed: 2, substrate, task, error: { kind: 'adjoint' }, optimizer: { learningRate: 0.5, batchSize: 5 }, training: { epochs: 40 }, ...extra },
    plugins,
    { baseDir: dir, source: 'c.json' },
  );

describe('a flow network from an edge list', () => {
  it.each([
    ['inline', { edges, ...roles }],
    ['a CSV file of its edges', { edges: 'tubes.csv', ...roles }],
    ['a JSON file of its edges', { edges: 'tubes.json', ...roles }],
    ['a JSON file of the whole network', { file: 'network.json' }],
  ])('%s: each conductance exactly as written, the roles as named', (_what, network) => {
    const { substrate } = experiment({ kind: 'flow', network });
    const theta = Array.from(substrate.parameters);
    edges.forEach((e, k) => expect(Object.is(theta[k], e.conductance)).toBe(true));
    // what a netlist of resistances would have given: not the same doubles
    expect(edges.filter((e) => 1 / (1 / e.conductance) !== e.conductance).map((e) => e.conductance)).toEqual([0.9, 0.45, 1.9]);
    const names = substrate.graph.nodeNames;
    expect(substrate.boundary.inputs.map((p) => [p.name, p.type, names[p.node]])).toEqual([
      ['P1', 'potential', 'in1'],
      ['P2', 'potential', 'in2'],
    ]);
    expect(substrate.boundary.outputs.map((o) => names[o.node])).toEqual(['out']);
    expect(Array.from(substrate.boundary.dirichlet).map((d) => names[d])).toEqual(['gnd', 'in1', 'in2']);
    // edges are named as written, or after their nodes
    expect(substrate.parameterNames[0]).toBe('edges' in network && network.edges === 'tubes.csv' ? 't0' : 'in1-a');
  });

  it('per-edge bounds where given, the section bounds elsewhere; a tube without a value draws it from init by the seed', () => {
    const { substrate } = experiment({ kind: 'flow', network: { edges: 'bounded.csv', ...roles } });
    expect([substrate.bounds.min[2], substrate.bounds.max[2], substrate.bounds.min[0], substrate.bounds.max[0]]).toEqual([0.01, 5, 0.0001, 10]);
    const drawn = (seed: number) => {
      const network = { edges: edges.map(({ conductance, ...e }, k) => (k === 3 ? e : { ...e, conductance })), ...roles };
      return createExperiment({ seed, substrate: { kind: 'flow', network, init: [0.2, 0.4] }, task, error: { kind: 'adjoint' } }, plugins, { baseDir: dir }).substrate.parameters;
    };
    expect(drawn(1)[3]).toBeGreaterThanOrEqual(0.2);
    expect(drawn(1)[3]).toBeLessThan(0.4);
    expect(drawn(1)[3]).toBe(drawn(1)[3]);
    expect(drawn(1)[3]).not.toBe(drawn(2)[3]);
    expect(drawn(1)[2]).toBe(1.9);
  });

  it('trains on the table (adjoint and chemical signalling): the loss falls', () => {
    for (const error of [{ kind: 'adjoint' }, { kind: 'chemical' }]) {
      const { trainer } = experiment({ kind: 'flow', network: { edges, ...roles } }, { error });
      const { history } = trainer.run();
      expect(history[40].trainLoss).toBeLessThan(0.2 * history[0].trainLoss);
      expect(history[40].testRelativeError).toBeLessThan(0.2);
    }
  });

  it('in radius mode the edges give radii', () => {
    const radii = edges.map(({ conductance, min: _min, max: _max, ...e }) => ({ ...e, radius: conductance }));
    const { substrate } = experiment({ kind: 'flow', parameter: 'radius', network: { edges: radii, ...roles } });
    expect(Array.from(substrate.parameters)).toEqual(edges.map((e) => e.conductance));
  });
});

describe('a resistive network from an edge list', () => {
  it('each conductance exactly as written (no R = 1/G round trip), sources as voltage sources, trained', () => {
    const { substrate, trainer } = experiment({ kind: 'resistive', network: { edges: 'tubes.csv', ...roles } });
    const theta = Array.from(substrate.parameters);
    edges.forEach((e, k) => expect(Object.is(theta[k], e.conductance)).toBe(true));
    expect(substrate.boundary.inputs.map((p) => p.name)).toEqual(['V1', 'V2']);
    const { history } = trainer.run();
    expect(history[40].trainLoss).toBeLessThan(0.2 * history[0].trainLoss);
  });

  it('with current inputs, the sources are current sources into the named nodes', () => {
    const { substrate } = createExperiment(
      { substrate: { kind: 'resistive', network: { edges, ...roles } }, task: { ...task, inputs: { encoding: 'raw-current' } }, error: { kind: 'adjoint' } },
      plugins,
      { baseDir: dir },
    );
    expect(substrate.boundary.inputs.map((p) => [p.name, p.type, substrate.graph.nodeNames[p.node]])).toEqual([
      ['I1', 'flow', 'in1'],
      ['I2', 'flow', 'in2'],
    ]);
  });
});

describe('a bad edge list is refused where it was written', () => {
  const refused = (network: object, kind = 'flow', extra: object = {}) => {
    try {
      createExperiment({ substrate: { kind, network, ...extra }, task, error: { kind: 'adjoint' } }, plugins, { baseDir: dir, source: 'c.json' });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return name;
  };

  it('unknown nodes: in a role, or (with nodes listed) in an edge', () => {
    expect(refused({ edges, ...roles, targets: ['outt'] })).toBe("c.json: substrate.network.targets[0]: unknown node 'outt' (nodes: in1, a, in2, b, out, gnd)");
    expect(refused({ edges: [...edges, { from: 'b', to: 'c', conductance: 1 }], ...roles, nodes: ['in1', 'in2', 'a', 'b', 'out', 'gnd'] })).toBe(
      "c.json: substrate.network.edges[8].to: tube 'b-c': unknown node 'c' (nodes: in1, in2, a, b, out, gnd)",
    );
    expect(refused({ file: file('bad-roles.json', JSON.stringify({ edges, ...roles, sources: ['in1', 'x'] })) })).toBe(
      "c.json: substrate.network.file: bad-roles.json: invalid configuration\n  sources[1]: unknown node 'x' (nodes: in1, a, in2, b, out, gnd)",
    );
  });

  it('duplicate edges (either direction) and names, an edge to itself', () => {
    expect(refused({ edges: [...edges, { from: 'a', to: 'in1', conductance: 1 }], ...roles })).toBe(
      "c.json: substrate.network.edges[8]: tube 'a-in1' joins 'a' and 'in1', as tube 'in1-a' (edges[0]) does: give each pair of nodes one tube",
    );
    expect(refused({ edges: file('dup.csv', 'name,from,to,conductance\nt1,in1,a,1\nt1,a,b,1\n'), ...roles })).toBe(
      "c.json: substrate.network.edges: dup.csv:3: tube name 't1' is used twice (also line 2)",
    );
    expect(refused({ edges: [{ from: 'a', to: 'a', conductance: 1 }, ...edges], ...roles })).toBe("c.json: substrate.network.edges[0].to: tube 'a-a' joins node 'a' to itself");
  });

  it('values that are not finite positive numbers inside their bounds: in a CSV at its line and column', () => {
    expect(refused({ edges: file('nan.csv', 'from,to,conductance\nin1,a,1\na,b,NaN\n'), ...roles })).toBe("c.json: substrate.network.edges: nan.csv:3: column 'conductance': expected a finite number, got \"NaN\"");
    expect(refused({ edges: file('inf.csv', 'from,to,conductance\nin1,a,1e999\n'), ...roles })).toBe("c.json: substrate.network.edges: inf.csv:2: column 'conductance': expected a finite number, got \"1e999\"");
    expect(refused({ edges: file('blank.csv', 'from,to,conductance\nin1,a,\n'), ...roles })).toBe("c.json: substrate.network.edges: blank.csv:2: column 'conductance': expected a finite number, got an empty cell");
    expect(refused({ edges: [{ from: 'in1', to: 'a', conductance: -1 }, ...edges.slice(1)], ...roles })).toBe(
      'c.json: invalid configuration\n  substrate.network.edges[0].conductance: expected a positive number, got -1',
    );
    // every value and bound in its range, inline (by the codec, with the range) and in a CSV file (at its line)
    expect(refused({ edges: [{ from: 'in1', to: 'a', conductance: 1e20 }, ...edges.slice(1)], ...roles })).toBe(
      "c.json: invalid configuration\n  substrate.network.edges[0].conductance: expected a positive number in [1e-15, 1e15] (an edge's conductance), got 100000000000000000000",
    );
    expect(refused({ edges: file('huge.csv', 'from,to,conductance,max\nin1,a,1,1e20\n'), ...roles })).toBe("c.json: substrate.network.edges: huge.csv:2: tube 'in1-a': expected max in [1e-15, 1e15], got 1e20");
    expect(refused({ edges: [{ from: 'in1', to: 'a', conductance: 20 }, ...edges.slice(1)], ...roles })).toBe(
      "c.json: substrate.network.edges[0].conductance: tube 'in1-a': conductance 20 lies outside its bounds [0.0001, 10]",
    );
    expect(refused({ edges: file('cols.csv', 'from,to,conductanse\nin1,a,1\n'), ...roles })).toBe(
      "c.json: substrate.network.edges: cols.csv:1: unknown column \"conductanse\" (known columns: from, to, name, min, max, conductance, radius)",
    );
    expect(refused({ edges: file('ragged.csv', 'from,to,conductance\nin1,a,1\na,b\n'), ...roles })).toBe('c.json: substrate.network.edges: ragged.csv:3: expected 3 cells (as the header has: from,to,conductance), got 2');
    expect(refused({ edges: [{ from: 'in1', to: 'a', radius: 1 }, ...edges.slice(1)], ...roles })).toBe(
      "c.json: substrate.network.edges[0].radius: tube 'in1-a': 'radius' does not apply: this network trains the conductance of each tube (give 'conductance')",
    );
    expect(refused({ edges: 'missing.csv', ...roles })).toBe('c.json: substrate.network.edges: missing.csv: cannot read the tubes (an edge list) (ENOENT)');
    expect(refused({ edges: [{ from: 'in1', to: 'a', conductance: 1, radius: 2 }], ...roles }, 'resistive')).toMatch(/substrate.network.edges\[0\].radius: unknown key \(known keys: from, to, name, conductance, min, max\)/);
  });

  it('roles that do not fit the task or the network', () => {
    expect(refused({ edges, ...roles, sources: ['in1'] })).toBe('c.json: substrate.network.sources: 1 source given, but the task has 2 inputs');
    expect(refused({ edges, ...roles, sources: ['in1', 'gnd'] })).toBe("c.json: substrate.network.sources[1]: node 'gnd' is ground: a source drives another node");
    expect(refused({ edges, ...roles, ground: [] })).toBe('c.json: substrate.network.ground: expected at least one ground node (held at 0), got none');
    expect(refused({ edges, ...roles, targets: ['in1'] })).toBe(
      "c.json: substrate.network.targets[0]: 'in1' is held by the pressure input 'P1': its value is imposed, so no training can bring it to a target; choose a node the network is free to move",
    );
    expect(refused({ edges, ...roles, targets: ['gnd'] }, 'resistive')).toMatch(/substrate.network.targets\[0\]: 'gnd' is held by ground/);
    expect(refused({ edges, ...roles }, 'flow', { outputs: ['out'] })).toMatch(/substrate.outputs: the edge list's targets are the outputs: remove outputs/);
  });
});

describe('the table task trains', () => {
  it('classes from a JSON file (a split drawn from the seed) on a generated network: the accuracy rises; the loss scaling is reported with the figures', () => {
    // two classes told apart by the sign of x1 − x2
    const rows = Array.from({ length: 40 }, (_, i) => {
      const x1 = Math.sin(i * 1.7);
      const x2 = Math.cos(i * 2.3);
      return { x1, x2, label: x1 > x2 ? 'up' : 'down' };
    });
    writeFileSync(path.join(dir, 'classes.json'), JSON.stringify(rows));
    const { trainer } = createExperiment(
      {
        seed: 1,
        substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
        task: { kind: 'table', file: 'classes.json', features: ['x1', 'x2'], target: { kind: 'class', column: 'label' }, split: { testFraction: 0.25 }, loss: { kind: 'mse', scaling: 'mean' } },
        error: { kind: 'adjoint' },
        optimizer: { learningRate: 0.2, batchSize: 5 },
        training: { epochs: 30 },
      },
      plugins,
      { baseDir: dir },
    );
    const { history, summary } = trainer.run();
    expect(trainer.parts.task.classes).toEqual(['down', 'up']);
    expect(history[0].trainAccuracy!).toBeLessThan(0.8);
    expect(summary.train_accuracy!).toBeGreaterThanOrEqual(0.9);
    expect(summary.loss_scaling).toBe('mean');
    expect(history[30].trainLoss).toBeLessThan(history[0].trainLoss);
  });
});
