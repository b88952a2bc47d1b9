import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { triangularLattice } from '@multimech/elastic';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/**
 * Spring networks written out in the config (or in a JSON file it names),
 * and the bad inputs the elastic issue lists: overlapping nodes, springs to
 * unknown nodes, non-positive stiffness, a dimension that is not 2 or 3.
 * Each is one clear message naming the item at its JSON path, a non-zero
 * exit code and no stack trace.
 */

/** Six nodes, a triangle of triangles: bottom row a b c, then d e, then f. */
const SMALL = {
  nodes: [
    { name: 'a', position: [0, 0] },
    { name: 'b', position: [1, 0] },
    { name: 'c', position: [2, 0] },
    { name: 'd', position: [0.5, 0.866] },
    { name: 'e', position: [1.5, 0.866] },
    { name: 'f', position: [1, 1.732] },
  ],
  springs: [
    { name: 'ab', a: 'a', b: 'b' },
    { name: 'bc', a: 'b', b: 'c' },
    { name: 'ad', a: 'a', b: 'd' },
    { name: 'bd', a: 'b', b: 'd' },
    { name: 'be', a: 'b', b: 'e' },
    { name: 'ce', a: 'c', b: 'e' },
    { name: 'de', a: 'd', b: 'e' },
    { name: 'df', a: 'd', b: 'f' },
    { name: 'ef', a: 'e', b: 'f' },
  ],
  pins: ['a', 'b', 'c'],
  inputs: [{ node: 'f', axis: 'y' }],
  outputs: [{ a: 'd', b: 'e' }],
};

/** A 5 x 4 triangular lattice written out: the generator's nodes, springs, pins and pairs. */
function latticeNetwork() {
  const t = triangularLattice(5, 4, { sources: 1, targets: 2 });
  const names = t.graph.nodeNames;
  return {
    nodes: names.map((name, i) => ({ name, position: [t.positions[2 * i], t.positions[2 * i + 1]] })),
    springs: t.graph.edgeNames.map((name, k) => ({ name, a: names[t.graph.from[k]], b: names[t.graph.to[k]] })),
    pins: t.pins.map((p) => names[p]),
    inputs: t.sources.map((p) => ({ a: names[p.a], b: names[p.b] })),
    outputs: t.targets.map((p) => ({ a: names[p.a], b: names[p.b] })),
  };
}

const config = (substrate: object, task: object = { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2, inputs: { encoding: 'current', scale: 0.1 } }) => ({
  seed: 2,
  substrate: { kind: 'elastic', dimension: 2, ...substrate },
  task,
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.5 },
  training: { epochs: 3 },
});

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('elastic-network')));
afterAll(() => cleanup());

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

/** Runs `multimech train` on a config that must fail: the stderr, after checking the exit code and that no stack trace shows. */
async function refused(name: string, content: unknown): Promise<string> {
  const file = write(name, content);
  const r = await runCli(['train', file, '--out', path.join(dir, `out-${name}`)]);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).toMatch(/^multimech: error: /);
  expect(existsSync(path.join(dir, `out-${name}`, 'metrics.csv'))).toBe(false);
  return r.stderr;
}

const edit = <T>(value: T, change: (copy: T) => void): T => {
  const copy = JSON.parse(JSON.stringify(value)) as T;
  change(copy);
  return copy;
};

describe('multimech train with an explicit spring network', () => {
  it('trains a lattice written out in the config, and the same lattice from a network file, drawing both', async () => {
    const network = latticeNetwork();
    const allostery = { kind: 'allostery', targets: [0.2, -0.1], strains: [0.1] };
    const inline = write('inline.json', { ...config({ network, inputs: 'strain' }, allostery), name: 'inline lattice' });
    write('lattice-network.json', network);
    const fromFile = write('from-file.json', { ...config({ network: { file: 'lattice-network.json' }, inputs: 'strain' }, allostery), name: 'lattice from a file' });
    const summaries: string[] = [];
    for (const [file, out] of [
      [inline, 'run-inline'],
      [fromFile, 'run-file'],
    ]) {
      const r = await runCli(['train', file, '--out', path.join(dir, out)]);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(0);
      const svg = readFileSync(path.join(dir, out, 'network-after.svg'), 'utf8');
      expect(svg.match(/<line class="spring"/g)).toHaveLength(network.springs.length);
      const { seconds: _, ...summary } = JSON.parse(readFileSync(path.join(dir, out, 'summary.json'), 'utf8'));
      summaries.push(JSON.stringify(summary));
    }
    // the same network, the same seed: the same run
    expect(summaries[1]).toBe(summaries[0]);
    expect(Number.isFinite(JSON.parse(summaries[0]).relative_error)).toBe(true);
  });

  it.each([
    ['a spring to an unknown node', edit(SMALL, (n) => (n.springs[3].b = 'x')), "substrate.network.springs[3].b: unknown node 'x' (nodes: a, b, c, d, e, f)"],
    ['overlapping nodes', edit(SMALL, (n) => (n.nodes[4].position = [1, 0])), "substrate.network.nodes[4]: nodes 'b' and 'e' overlap (both at [1, 0])"],
    ['a negative stiffness', edit(SMALL, (n) => Object.assign(n.springs[1], { stiffness: -1 })), "substrate.network.springs[1].stiffness: spring 'bc' needs a positive stiffness, got -1"],
    ['a zero stiffness', edit(SMALL, (n) => Object.assign(n.springs[6], { stiffness: 0 })), "substrate.network.springs[6].stiffness: spring 'de' needs a positive stiffness, got 0"],
    ['a stiffness outside the bounds', edit(SMALL, (n) => Object.assign(n.springs[6], { stiffness: 20 })), "substrate.network.springs[6].stiffness: spring 'de': stiffness 20 lies outside the stiffness bounds [0.01, 10]"],
    ['a spring from a node to itself', edit(SMALL, (n) => (n.springs[0].b = 'a')), "substrate.network.springs[0].b: spring 'ab' joins node 'a' to itself"],
    ['a repeated node name', edit(SMALL, (n) => (n.nodes[5].name = 'a')), "substrate.network.nodes[5].name: node name 'a' is used twice (also nodes[0])"],
    ['a pin on an unknown node', edit(SMALL, (n) => (n.pins[2] = 'z')), "substrate.network.pins[2]: unknown node 'z' (nodes: a, b, c, d, e, f)"],
    ['an output on a pinned node', edit(SMALL, (n) => (n.outputs[0].a = 'a')), "substrate.network.outputs[0].a: node 'a' is pinned: it cannot move"],
    ['an axis the plane lacks', edit(SMALL, (n) => (n.inputs[0].axis = 'z')), "substrate.network.inputs[0].axis: axis 'z' does not exist in 2-D (use 'x' or 'y')"],
    ['a port of neither form', edit(SMALL, (n) => ((n.inputs as object[])[0] = { a: 'f' })), 'substrate.network.inputs[0]: expected a node pair { "a", "b" } or one coordinate { "node", "axis" }, got {"a":"f"}'],
    ['a misspelt key', edit(SMALL, (n) => Object.assign(n.springs[2], { stifness: 2 })), 'substrate.network.springs[2].stifness: unknown key (known keys: name, a, b, stiffness, restLength)'],
  ])('%s', async (_label, network, message) => {
    const stderr = await refused('bad.json', config({ network }));
    expect(stderr).toContain('bad.json: invalid configuration\n');
    expect(stderr).toContain(`\n  ${message}`);
  });

  it('a dimension that is not 2 or 3, and positions that do not fit the dimension', async () => {
    expect(await refused('dim4.json', config({ network: SMALL, dimension: 4 }))).toContain('\n  substrate.dimension: expected a dimension, 2 or 3, got 4\n');
    expect(await refused('dim1.json', config({ network: SMALL, dimension: 1 }))).toContain('\n  substrate.dimension: expected a dimension, 2 or 3, got 1\n');
    const stderr = await refused('dim3.json', config({ network: SMALL, dimension: 3 }));
    expect(stderr).toContain("\n  substrate.network.nodes[0].position: node 'a': expected 3 coordinates (dimension 3), got 2\n");
    expect(stderr).toContain("\n  substrate.network.nodes[5].position: node 'f': expected 3 coordinates (dimension 3), got 2\n");
  });

  it('what only the network as built shows: a floppy network, and port counts that do not fit the task', async () => {
    const loose = edit(SMALL, (n) => (n.pins = ['a']));
    expect(await refused('floppy.json', config({ network: loose }))).toMatch(
      /^multimech: error: .*floppy\.json: substrate\.network: the network is floppy: 10 free dofs but only 9 springs act on them/,
    );
    const twoInputs = edit(SMALL, (n) => n.inputs.push({ node: 'e', axis: 'x' }));
    expect(await refused('count.json', config({ network: twoInputs }))).toMatch(/count\.json: substrate\.network\.inputs: 2 sources given, but the task has 1 input\n$/);
  });

  it('a network file: its problems at their JSON paths in the file, and a file that is not there', async () => {
    write('net-bad.json', edit(SMALL, (n) => (n.springs[3].b = 'x')));
    const stderr = await refused('uses-file.json', config({ network: { file: 'net-bad.json' } }));
    // the chain: the config and its key, then the file and the path in it
    expect(stderr).toMatch(/^multimech: error: \S*uses-file\.json: substrate\.network\.file: net-bad\.json: invalid configuration\n  springs\[3\]\.b: unknown node 'x' \(nodes: a, b, c, d, e, f\)\n$/);
    writeFileSync(path.join(dir, 'net-syntax.json'), '{ "nodes": [ }');
    expect(await refused('uses-syntax.json', config({ network: { file: 'net-syntax.json' } }))).toMatch(/^multimech: error: \S*uses-syntax\.json: substrate\.network\.file: net-syntax\.json:1: invalid JSON at column 14: /);
    expect(await refused('uses-missing.json', config({ network: { file: 'no-such-network.json' } }))).toMatch(
      /^multimech: error: \S*uses-missing\.json: substrate\.network\.file: no-such-network\.json: cannot read the spring network \(ENOENT\)\n$/,
    );
  });

  it('the random generator: a coordination above what the nodes allow, and a jitter the grid cannot take, at their paths', async () => {
    const random = (more: object) => config({ network: { generator: 'random', nodes: 10, coordination: 5, ...more } });
    expect(await refused('coordination.json', random({ coordination: 20 }))).toContain(
      '\n  substrate.network.coordination: a mean coordination of 20 needs more than 10 nodes: in a network of 10 nodes each has at most 9 springs',
    );
    expect(await refused('jitter.json', random({ points: 'jittered-grid', jitter: 0.7 }))).toContain('\n  substrate.network.jitter: expected a jitter in [0, 0.5)');
  });
});
