import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/**
 * `multimech train` on what issue 15 asks for: a researcher's table, a flow
 * network written out as an edge list, a budget in steps drawn in a given
 * sequence and evaluated every few steps; and the bad inputs refused with a
 * clear message and a non-zero exit.
 */
let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('online'));
  const rows = Array.from({ length: 12 }, (_, i) => `${(i % 5) / 4},${(i % 3) / 2},${0.4 * ((i % 5) / 4) + 0.2 * ((i % 3) / 2)}`);
  writeFileSync(path.join(dir, 'data.csv'), ['x1,x2,y', ...rows].join('\n') + '\n');
  writeFileSync(path.join(dir, 'test.csv'), 'x1,x2,y\n0.5,0.5,0.3\n1,0,0.4\n');
  writeFileSync(
    path.join(dir, 'tubes.csv'),
    ['from,to,conductance', 'in1,a,0.9', 'in2,a,0.45', 'a,out,1.9', 'in1,out,0.3', 'out,gnd,1.1', 'a,gnd,0.6'].join('\n') + '\n',
  );
  writeFileSync(path.join(dir, 'order.txt'), '0\n5\n5\n11\n3\n');
});
afterAll(() => cleanup());

const config = (extra: { task?: object; substrate?: object; training?: object; optimizer?: object } = {}) => ({
  name: 'online',
  seed: 3,
  substrate: { kind: 'flow', network: { edges: 'tubes.csv', sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] }, ...extra.substrate },
  task: { kind: 'table', train: 'data.csv', test: 'test.csv', features: ['x1', 'x2'], target: { kind: 'regression', columns: ['y'] }, inputs: { encoding: 'raw-voltage' }, loss: { kind: 'mse', scaling: 'half-mean' }, ...extra.task },
  error: { kind: 'chemical' },
  optimizer: { learningRate: 0.3, momentum: 0, batchSize: 1, schedule: { kind: 'exponential', factor: 0.99 }, ...extra.optimizer },
  training: { steps: 10, sampling: { kind: 'sequence', file: 'order.txt' }, evaluate: { every: 4, unit: 'steps' }, ...extra.training },
});
const write = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};

it('trains online: one example per step in the given order, evaluated every 4 steps and at the end', async () => {
  const out = path.join(dir, 'run');
  const r = await runCli(['train', write('online.json', config()), '--out', out]);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.code).toBe(0);
  expect(r.stderr.match(/^epoch \S+/gm)).toEqual(['epoch 0/1', 'epoch 0.33/1', 'epoch 0.67/1', 'epoch 0.83/1']);
  expect(r.stderr).toMatch(/^epoch 0.33\/1 \(step 4\) loss /m);
  const [head, ...rows] = readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  expect(head.split(',').slice(0, 3)).toEqual(['epoch', 'train_loss', 'test_loss']);
  // 12 examples per epoch of 12 updates: rows at 0, 4, 8 and 10 updates
  expect(rows.map((row) => Number(row.split(',')[0]))).toEqual([0, 4 / 12, 8 / 12, 10 / 12]);
  const losses = rows.map((row) => Number(row.split(',')[1]));
  expect(losses[3]).toBeLessThan(losses[0]);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  expect(summary).toMatchObject({ steps: 10, loss_scaling: 'half-mean', final_loss: losses[3] });
  const resolved = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
  expect(resolved.training).toEqual({ steps: 10, sampling: { kind: 'sequence', file: 'order.txt' }, evaluate: { every: 4, unit: 'steps' } });
  const checkpoint = JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8'));
  expect(checkpoint).toMatchObject({ epoch: 0, steps: 10 });
  // the parameters written are the edge list's, trained: the first tube started at 0.9 exactly
  expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8').split('\n')[1]).toMatch(/^in1-a,/);
});

describe('bad input: one clear message, a non-zero exit, no stack', () => {
  /** The command refused: a non-zero exit, one `multimech: error:` line (a config's problems indented under it), no stack, no results folder. */
  const refused = async (name: string, value: unknown) => {
    const out = path.join(dir, `out-${name}`);
    const r = await runCli(['train', write(name, value), '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).toMatch(/^multimech: error: /);
    expect(r.stderr.match(/multimech: error:/g)).toHaveLength(1);
    expect(r.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('multimech: error: ') && !line.startsWith('  '))).toEqual([]);
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  };

  it('a sequence index outside the data', async () => {
    writeFileSync(path.join(dir, 'far.txt'), '1\n12\n');
    expect(await refused('far.json', config({ training: { sampling: { kind: 'sequence', file: 'far.txt' } } }))).toMatch(/far.txt:2: index 12 is outside the 12 training examples \(0 to 11\)/);
    expect(await refused('far2.json', config({ training: { sampling: { kind: 'sequence', indices: [0, 99] } } }))).toMatch(/training.sampling.indices\[1\]: index 99 is outside the 12 training examples/);
  });

  it('a step budget that is not a positive integer', async () => {
    expect(await refused('steps.json', config({ training: { steps: -3 } }))).toMatch(/steps.json: invalid configuration\n  training.steps: expected a positive integer, got -3/);
    expect(await refused('steps2.json', config({ training: { steps: 2.5 } }))).toMatch(/training.steps: expected a positive integer, got 2.5/);
    expect(await refused('steps3.json', config({ training: { steps: 0 } }))).toMatch(/training.steps: expected a positive integer, got 0/);
    expect(await refused('steps4.json', config({ training: { steps: '10' } }))).toMatch(/training.steps: expected a positive integer, got "10"/);
  });

  it('an edge list with unknown nodes, a duplicate edge or a value that is not finite', async () => {
    expect(await refused('node.json', config({ substrate: { network: { edges: 'tubes.csv', sources: ['in1', 'in3'], targets: ['out'], ground: ['gnd'] } } }))).toMatch(
      /substrate.network.sources\[1\]: unknown node 'in3'/,
    );
    writeFileSync(path.join(dir, 'twice.csv'), 'from,to,conductance\nin1,a,1\nin2,a,1\na,out,1\nout,a,2\nout,gnd,1\n');
    expect(await refused('twice.json', config({ substrate: { network: { edges: 'twice.csv', sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] } } }))).toMatch(
      /twice.csv:5: tube 'out-a' joins 'out' and 'a', as tube 'a-out' \(line 4\) does/,
    );
    const inline = [
      { from: 'in1', to: 'a', conductance: 0.9 },
      { from: 'in2', to: 'a', conductance: 0.45 },
      { from: 'a', to: 'out', conductance: 1.9 },
      { from: 'out', to: 'gnd', conductance: 1.1 },
    ];
    expect(await refused('inline.json', config({ substrate: { network: { edges: [...inline, { from: 'a', to: 'in1', conductance: 1 }], sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] } } }))).toMatch(
      /substrate.network.edges\[4\]: tube 'a-in1' joins 'a' and 'in1', as tube 'in1-a' \(edges\[0\]\) does/,
    );
    expect(await refused('inline2.json', config({ substrate: { network: { edges: inline, sources: ['in1', 'in2'], targets: ['outt'], ground: ['gnd'] } } }))).toMatch(
      /substrate.network.targets\[0\]: unknown node 'outt'/,
    );
    writeFileSync(path.join(dir, 'tubes.json'), JSON.stringify([...inline.slice(0, 3), { from: 'out', to: 'gnd', conductance: 'NaN' }]));
    expect(await refused('nan.json', config({ substrate: { network: { edges: 'tubes.json', sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] } } }))).toMatch(/tubes.json: invalid configuration\n  \[3\].conductance: expected a positive number, got "NaN"/);
    writeFileSync(path.join(dir, 'inf.csv'), 'from,to,conductance\nin1,a,inf\n');
    expect(await refused('inf.json', config({ substrate: { network: { edges: 'inf.csv', sources: ['in1', 'in2'], targets: ['out'], ground: ['gnd'] } } }))).toMatch(
      /inf.csv:2: column 'conductance': expected a finite number, got "inf"/,
    );
  });

  it('a CSV whose columns do not match the config', async () => {
    expect(await refused('cols.json', config({ task: { features: ['x1', 'x3'] } }))).toMatch(/task.features\[1\]: data.csv has no column 'x3' \(its columns: 'x1', 'x2', 'y'\)/);
    writeFileSync(path.join(dir, 'short.csv'), 'x1,x2,y\n0.1,0.2\n');
    expect(await refused('short.json', config({ task: { train: 'short.csv' } }))).toMatch(/short.csv:2: expected 3 cells \(as the header has\), got 2/);
    writeFileSync(path.join(dir, 'nan-data.csv'), 'x1,x2,y\n0.1,0.2,0.3\n0.1,NaN,0.3\n');
    expect(await refused('nan-data.json', config({ task: { train: 'nan-data.csv' } }))).toMatch(/nan-data.csv:3: column 'x2' \(column 2\): expected a finite number, got "NaN"/);
    expect(await refused('target.json', config({ task: { target: { kind: 'regression', columns: ['y', 'z'] } } }))).toMatch(/task.target.columns\[1\]: data.csv has no column 'z'/);
  });
});

it('multimech plugins table prints the task with its example', async () => {
  const r = await runCli(['plugins', 'table']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/a researcher's own data/);
});
