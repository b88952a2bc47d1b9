/**
 * A spring network must be held in place by its pins (and displacement
 * inputs, which hold coordinates where they are): no rigid motion may be
 * left free. A strain input sets two nodes apart, not where the network is,
 * so a network held only by its strain pairs (no pins) is refused, with the
 * nodes that do hold it named.
 */
import { ConfigProblem, MultimechError, corePlugin, createGraph, createRegistries, decodeSection } from '@multimech/core';
import { ElasticSubstrate, elasticPlugin, type ElasticInput } from '@multimech/elastic';
import { createExperiment } from '@multimech/trainer';

const triangle = createGraph(['a', 'b', 'c'], [
  { name: 'ab', from: 0, to: 1 },
  { name: 'bc', from: 1, to: 2 },
  { name: 'ca', from: 2, to: 0 },
]);
const base = { dimension: 2 as const, graph: triangle, positions: [0, 0, 1, 0, 0, 1], stiffness: [1, 1, 1], parameter: 'stiffness' as const, bounds: { min: [0.1, 0.1, 0.1], max: [10, 10, 10] } };
const strain: ElasticInput = { type: 'strain', a: 0, b: 1 };
const build = (pins: number[], inputs: ElasticInput[]) => new ElasticSubstrate({ ...base, pins, inputs });

describe('held in place', () => {
  it('refuses a network held only by a strain pair (no pins), saying nothing holds it', () => {
    expect(() => build([], [strain])).toThrow(MultimechError);
    expect(() => build([], [strain])).toThrow(
      'the network can move as a rigid body: nothing holds it in place (it has no pins), which leaves it free to slide and turn; pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line; a strain input does not hold the network in place)',
    );
  });

  it('refuses one pin with a strain pair elsewhere, naming the pinned node: the network turns about it', () => {
    expect(() => build([2], [strain])).toThrow("the network can move as a rigid body: it is held only at node 'c', which leaves it free to turn;");
  });

  it('counts coordinates held by displacement inputs where they are: three not on one node, and not leaving a turn free', () => {
    // a pinned, b held along y: b cannot move about a
    expect(() => build([0], [{ type: 'displacement', node: 1, axis: 1 }])).not.toThrow();
    // a pinned, b held along x only: b, on the x axis from a, still moves about a
    expect(() => build([0], [{ type: 'displacement', node: 1, axis: 0 }])).toThrow("it is held only at nodes 'a', 'b', which leaves it free to turn");
    // x held at every node: the network slides along y
    expect(() => build([], [{ type: 'displacement', node: 2, axis: 0 }, { type: 'displacement', node: 1, axis: 0 }, { type: 'displacement', node: 0, axis: 0 }])).toThrow(
      "it is held only at nodes 'c', 'b', 'a', which leaves it free to slide",
    );
  });

  it('in 3-D needs three pins not on one line', () => {
    // a square pyramid: four base nodes and an apex, every pair joined
    const names = ['p', 'q', 'r', 's', 't'];
    const positions = [0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0.5, 0.5, 1];
    const edges = names.flatMap((_, i) => names.slice(i + 1).map((__, j) => ({ name: `${names[i]}${names[i + 1 + j]}`, from: i, to: i + 1 + j })));
    const graph = createGraph(names, edges);
    const m = edges.length;
    const spec = (pins: number[], a: number) => ({ dimension: 3 as const, graph, positions, stiffness: Array(m).fill(1), parameter: 'stiffness' as const, bounds: { min: Array(m).fill(0.1), max: Array(m).fill(10) }, pins, inputs: [{ type: 'strain', a, b: 4 }] as ElasticInput[] });
    // two pins, or three on one line (p, q, r): the network turns about that line
    expect(() => new ElasticSubstrate(spec([0, 1], 3))).toThrow("it is held only at nodes 'p', 'q', which leaves it free to turn");
    expect(() => new ElasticSubstrate(spec([0, 1, 2], 3))).toThrow("it is held only at nodes 'p', 'q', 'r', which leaves it free to turn");
    expect(() => new ElasticSubstrate(spec([0, 1, 3], 2))).not.toThrow();
  });
});

describe('in a config', () => {
  const registries = createRegistries([corePlugin, elasticPlugin]);
  const problemsOf = (substrate: Record<string, unknown>): ConfigProblem[] => {
    const problems: ConfigProblem[] = [];
    decodeSection(registries.substrates, { kind: 'elastic', ...substrate }, 'substrate', problems);
    return problems;
  };

  it('a random network needs at least one pin per dimension', () => {
    expect(problemsOf({ dimension: 2, network: { generator: 'random', nodes: 20, coordination: 5, pins: 1 } })).toEqual([
      { path: 'substrate.network.pins', message: 'expected at least 2 pins in 2-D (fewer leave the network free to turn as a rigid body), got 1' },
    ]);
    expect(problemsOf({ dimension: 3, network: { generator: 'random', nodes: 20, coordination: 8, pins: 2 } })).toEqual([
      { path: 'substrate.network.pins', message: 'expected at least 3 pins in 3-D (fewer leave the network free to turn as a rigid body), got 2' },
    ]);
    expect(problemsOf({ dimension: 2, network: { generator: 'random', nodes: 20, coordination: 5, pins: 2 } })).toEqual([]);
  });

  it('an explicit network without pins, held only by its strain input, is refused at substrate.network', () => {
    const network = {
      nodes: [
        { name: 'a', position: [0, 0] },
        { name: 'b', position: [1, 0] },
        { name: 'c', position: [2, 0] },
        { name: 'd', position: [0.5, 0.866] },
        { name: 'e', position: [1.5, 0.866] },
        { name: 'f', position: [1, 1.732] },
      ],
      springs: ['ab', 'bc', 'ad', 'bd', 'be', 'ce', 'de', 'df', 'ef'].map((n) => ({ name: n, a: n[0], b: n[1] })),
      pins: [] as string[],
      inputs: [{ a: 'a', b: 'c' }],
      outputs: [{ a: 'd', b: 'e' }],
    };
    const config = (pins: string[]) => ({
      substrate: { kind: 'elastic', dimension: 2, network: { ...network, pins }, inputs: 'strain', outputs: 'distance' },
      task: { kind: 'allostery', targets: [0.3], strains: [-0.1, 0.1], test: [0.05] },
      error: { kind: 'adjoint' },
      training: { epochs: 1 },
    });
    expect(() => createExperiment(config([]), [elasticPlugin], { source: 'c.json' })).toThrow(
      'c.json: substrate.network: the network can move as a rigid body: nothing holds it in place (it has no pins), which leaves it free to slide and turn',
    );
    expect(() => createExperiment(config(['b']), [elasticPlugin])).toThrow("substrate.network: the network can move as a rigid body: it is held only at node 'b', which leaves it free to turn");
    expect(() => createExperiment(config(['b', 'f']), [elasticPlugin])).not.toThrow();
  });
});
