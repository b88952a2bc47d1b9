import * as t from 'io-ts';
import { nonEmptyString, oneOf, positiveInteger, positiveNumber, strictObject } from './codecs';
import { COUNT_RANGE, MAX_COUNT, bounded } from './bounds';
import { jsonSchemaOf, withSchema } from './json-schema';
import type { SizeClaim } from './resource-limits';
import { SettingsError } from './section-problems';
import { MultimechError } from '../support/errors';
import type { Rng } from '../support/rng';
import { PortCounts, Topology, gridTopology, layeredTopology, randomTopology } from '../graph/generators';

/** A count of nodes in a config: a positive integer up to MAX_COUNT. */
const nodeCount = bounded(positiveInteger, COUNT_RANGE, 'no machine holds more nodes');

/** A generated network in a config; the port counts come from the task. */
export type GeneratedNetworkConfig =
  | { readonly generator: 'layered'; readonly hidden: readonly number[] }
  | { readonly generator: 'grid'; readonly width: number; readonly height: number }
  | { readonly generator: 'random'; readonly nodes: number; readonly meanDegree: number };

export const GENERATORS = ['layered', 'grid', 'random'] as const;

const generatorCodecs = {
  layered: strictObject('a layered network { generator, hidden }', { generator: oneOf('layered'), hidden: t.array(nodeCount) }),
  grid: strictObject('a grid network { generator, width, height }', { generator: oneOf('grid'), width: nodeCount, height: nodeCount }),
  random: strictObject('a random network { generator, nodes, meanDegree }', {
    generator: oneOf('random'),
    nodes: nodeCount,
    meanDegree: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_COUNT }),
  }),
};

/**
 * `network: { "generator": ... }`, decoded against the one generator codec
 * that `generator` names, so a mistake gives one problem rather than one per
 * branch of a union. `alternatives` names other accepted forms for the
 * message (a substrate that also reads a file says so).
 */
export function generatedNetworkCodec(alternatives = ''): t.Type<GeneratedNetworkConfig, unknown, unknown> {
  const expected = `one of ${GENERATORS.map((g) => `'${g}'`).join(', ')}${alternatives}`;
  const codec = new t.Type<GeneratedNetworkConfig, unknown, unknown>(
    `a network: { "generator": "layered" | "grid" | "random", ... }${alternatives}`,
    (u): u is GeneratedNetworkConfig => Object.values(generatorCodecs).some((c) => c.is(u)),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
      const g = (u as Record<string, unknown>).generator;
      if (typeof g === 'string' && (GENERATORS as readonly string[]).includes(g)) {
        return generatorCodecs[g as (typeof GENERATORS)[number]].validate(u, c) as t.Validation<GeneratedNetworkConfig>;
      }
      return t.failure(g, [...c, { key: 'generator', type: t.unknown, actual: g }], `expected ${expected}, got ${JSON.stringify(g) ?? 'nothing'}`);
    },
    (a) => a,
  );
  // one branch per generator, told apart by `generator`
  return withSchema(codec, () => ({ oneOf: Object.values(generatorCodecs).map((g) => jsonSchemaOf(g)) }));
}

/**
 * The nodes and edges a generated network will have with the task's port
 * counts, counted without building it (a product that overflows counts as
 * Infinity): a substrate record's `sizes` for its `network` at `key`.
 */
export function generatedNetworkSizes(network: GeneratedNetworkConfig, ports: PortCounts, key = 'network'): SizeClaim[] {
  if (network.generator === 'layered') {
    const layers = [ports.inputs, ...network.hidden, ports.outputs];
    const nodes = layers.reduce((a, b) => a + b, 0) + 1;
    let edges = layers[layers.length - (network.hidden.length > 0 ? 2 : 1)];
    for (let l = 0; l + 1 < layers.length; l++) edges += layers[l] * layers[l + 1];
    return [
      { limit: 'nodes', count: nodes, key: `${key}.hidden`, what: `nodes (${ports.inputs} inputs, the hidden layers, ${ports.outputs} outputs and ground)` },
      { limit: 'edges', count: edges, key: `${key}.hidden`, what: 'edges (every node of a layer joined to every node of the next)' },
    ];
  }
  if (network.generator === 'grid') {
    const nodes = network.width * network.height;
    return [
      { limit: 'nodes', count: nodes, key, what: 'nodes (width × height)' },
      { limit: 'edges', count: 2 * nodes, key, what: 'edges (about 2 × width × height)' },
    ];
  }
  return [
    { limit: 'nodes', count: network.nodes, key: `${key}.nodes`, what: 'nodes' },
    { limit: 'edges', count: (network.nodes * network.meanDegree) / 2, key: `${key}.meanDegree`, what: 'edges (nodes × meanDegree / 2)' },
  ];
}

/**
 * The topology a generated-network config describes, with the task's port
 * counts. A network that cannot hold them (too few rows for the ports, a
 * mean degree no graph of that size has) is a SettingsError of `section` at
 * `key` (the network's key in it).
 */
export function topologyFromConfig(network: GeneratedNetworkConfig, ports: PortCounts, rng: Rng, section = 'substrate', key = 'network'): Topology {
  try {
    if (network.generator === 'layered') return layeredTopology(network.hidden, ports);
    if (network.generator === 'grid') return gridTopology(network.width, network.height, ports);
    return randomTopology(network.nodes, network.meanDegree, ports, rng);
  } catch (e) {
    if (e instanceof MultimechError && !(e instanceof SettingsError)) throw new SettingsError([{ section, key, message: e.message }]);
    throw e;
  }
}

/** An output in a config: a node name, or a pair [a, b] of node names (the value at a minus at b). */
export type OutputSpec = string | readonly [string, string];

const isName = (u: unknown): u is string => typeof u === 'string' && u.length > 0;
const isOutput = (u: unknown): u is OutputSpec => isName(u) || (Array.isArray(u) && u.length === 2 && u.every(isName));

export const outputSpecCodec = withSchema(
  new t.Type<OutputSpec, unknown, unknown>(
    'a node name or a pair [a, b] of node names',
    isOutput,
    (u, c) => (isOutput(u) ? t.success(u) : t.failure(u, c)),
    (a) => a,
  ),
  () => {
    const name = jsonSchemaOf(nonEmptyString);
    return { oneOf: [name, { type: 'array', prefixItems: [name, name], minItems: 2, maxItems: 2 }] };
  },
);
