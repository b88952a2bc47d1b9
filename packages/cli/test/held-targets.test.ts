/**
 * Targets the network can never reach are refused, naming the node and what
 * holds it: on ground (at the config key) or a source-held node of a
 * netlist (by the error mechanism's own check where it has one, as EP and
 * CL do, else before the first update), gradient's --target on a held
 * node, a flow network's output on a reservoir; and targets given twice.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('held-targets'));
  writeFileSync(path.join(dir, 'net.cir'), 'held\nV1 a 0 1\nR1 a b 1k\nR2 b c 2k\nR3 c 0 1k\n.end\n');
  // three voltage sources: a regression of one feature drives three inputs
  writeFileSync(path.join(dir, 'net3.cir'), 'held\nV1 a 0 1\nV2 d 0 0.5\nV3 e 0 -0.5\nR1 a b 1k\nR2 b c 2k\nR3 c 0 1k\nR4 d b 1k\nR5 e c 1k\n.end\n');
});
afterAll(() => cleanup());

const train = async (name: string, substrate: object, outputs = 2) => {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      seed: 1,
      substrate,
      task: { kind: 'regression', features: 1, outputs, train: 4, test: 2 },
      error: { kind: 'adjoint' },
      optimizer: { learningRate: 0.1 },
      training: { epochs: 1 },
    }),
  );
  const r = await runCli(['train', file, '--out', path.join(dir, `${name}.out`)]);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(STACK_LINE);
  return { stderr: r.stderr, file };
};

describe('targets that cannot be learnt', () => {
  it("a netlist's output on a node a voltage source holds: refused when the experiment is built, before any update and any results folder, naming the node and the source", async () => {
    const { stderr, file } = await train('held.json', { kind: 'resistive', network: { netlist: 'net3.cir', outputs: ['b', 'a'] } });
    expect(stderr).toBe(
      `multimech: error: ${file}: invalid configuration\n` +
        "  substrate.outputs: output 2 of 2: 'a' is held by 'V1': its value is imposed, so no training can bring it to a target; choose a node the network is free to move\n",
    );
  });

  it("a netlist's output on ground, and one given twice", async () => {
    const ground = await train('ground.json', { kind: 'resistive', network: { netlist: 'net3.cir', outputs: ['0', 'c'] } });
    expect(ground.stderr).toBe(
      `multimech: error: ${ground.file}: substrate.network.outputs[0]: net3.cir: '0' is held by ground: its value is imposed, so no training can bring it to a target; choose a node the network is free to move\n`,
    );
    expect((await train('twice.json', { kind: 'resistive', network: { netlist: 'net3.cir', outputs: ['c', 'c'] } })).stderr).toContain(
      "substrate.network.outputs[1]: net3.cir: 'c' repeats outputs[0] ('c'): two targets on one value; give each output once",
    );
  });

  it("a flow network's output on a reservoir", async () => {
    const { stderr } = await train('flow.json', { kind: 'flow', network: { generator: 'layered', hidden: [4] }, outputs: ['h0', 'gnd'] });
    expect(stderr).toMatch(/substrate\.outputs\[1\]: 'gnd' is held by the reservoir 'reservoir': its value is imposed/);
  });

  it("gradient's --target on a source-held node", async () => {
    const r = await runCli(['gradient', path.join(dir, 'net.cir'), '--target', 'b=0.5', '--target', 'a=0.2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `multimech: error: ${path.join(dir, 'net.cir')}: output 'a' is held by voltage source 'V1' (line 2): its value is imposed, so no training can bring it to a target; choose a node the network is free to move\n`,
    );
  });
});
