import * as t from 'io-ts';
import { ConfigError, InputFileError, MultimechError } from '../support/errors';
import { csvNumber, parseCsv } from '../support/csv';
import { echoed } from '../support/format';
import { createGraph } from '../graph/graph';
import type { Topology } from '../graph/generators';
import { nonEmptyString, positiveNumber, reportErrors, strictObject } from './codecs';
import { jsonSchemaOf, withSchema } from './json-schema';
import { type OutputSpec, outputSpecCodec } from './network-config';
import { SettingsError, type SectionName } from './section-problems';
import { isJsonFileName } from './data-files';
import { parseJsonFile } from './json-syntax-error';
import { configPathCodec, fromSectionFile, readConfigFile } from './config-files';
import { PARAMETER_RANGE, type Range, boundText, bounded, inRange, rangeText } from './bounds';
import { DEFAULT_LIMITS, type ResourceLimits, type SizeClaim } from './resource-limits';

/**
 * One edge of a network written out: the nodes it joins, optionally its
 * name, its initial parameter under the parameter's own name (`conductance`,
 * `radius`: read exactly as written) and its own bounds.
 */
export type EdgeListEdge<K extends string = string> = {
  readonly from: string;
  readonly to: string;
  readonly name?: string;
  readonly min?: number;
  readonly max?: number;
} & { readonly [P in K]?: number };

/**
 * A network written out as an edge list with its roles: `edges` (the list,
 * or a CSV or JSON file of it), `sources` (one node per task input, in the
 * task's order), `targets` (one node or node pair per task output), `ground`
 * (the nodes held at 0: ground, the reservoirs) and optionally `nodes` (every
 * node, so that a misspelt one in an edge is refused).
 */
export interface EdgeListNetworkConfig<K extends string = string> {
  readonly edges: string | readonly EdgeListEdge<K>[];
  readonly sources: readonly string[];
  readonly targets: readonly OutputSpec[];
  readonly ground: readonly string[];
  readonly nodes?: readonly string[];
}

/** `{ "file": "network.json" }`: an edge-list network (edges and roles) in a JSON file. */
export interface EdgeListFileConfig {
  readonly file: string;
}

const edgeFields = ['from', 'to', 'name', 'min', 'max'] as const;

/**
 * The admissible range of each value key an edge may carry (in its SI
 * unit): core's range of physical parameters unless the substrate gives a
 * wider one (a flow network's hydraulic conductances). An edge's own
 * `min` and `max` lie in the widest of them.
 */
export type EdgeValueRanges<K extends string> = Partial<Readonly<Record<K, Range>>>;

/** The range of value key `k`. */
function rangeOf<K extends string>(ranges: EdgeValueRanges<K> | undefined, k: K): Range {
  return ranges?.[k] ?? PARAMETER_RANGE;
}

/** The widest of the value keys' ranges (that of an edge's bounds). */
function widestRange<K extends string>(valueKeys: readonly K[], ranges: EdgeValueRanges<K> | undefined): Range {
  const all = valueKeys.map((k) => rangeOf(ranges, k));
  return { min: Math.min(...all.map((r) => r.min ?? 0)), max: Math.max(...all.map((r) => r.max ?? Infinity)) };
}

/** The codec of one edge with these value keys, each value and bound in its range. */
function edgeCodec<K extends string>(valueKeys: readonly K[], ranges?: EdgeValueRanges<K>): t.Type<EdgeListEdge<K>, unknown, unknown> {
  const values = Object.fromEntries(valueKeys.map((k) => [k, bounded(positiveNumber, rangeOf(ranges, k), `an edge's ${k}`)])) as Record<K, typeof positiveNumber>;
  const bound = bounded(positiveNumber, widestRange(valueKeys, ranges), "an edge's bound on its trained parameter");
  return strictObject(
    `an edge { from, to, name?, ${valueKeys.map((k) => `${k}?`).join(', ')}, min?, max? }`,
    { from: nonEmptyString, to: nonEmptyString },
    { name: nonEmptyString, ...values, min: bound, max: bound },
  ) as unknown as t.Type<EdgeListEdge<K>, unknown, unknown>;
}

/**
 * The codec of an edge-list network whose edges carry these value keys
 * (`['conductance']`; `['conductance', 'radius']` for a flow network, which
 * trains one of them). `edges` is the list itself or the name of a CSV or
 * JSON file holding it.
 */
export function edgeListNetworkCodec<K extends string>(valueKeys: readonly K[], ranges?: EdgeValueRanges<K>): t.Type<EdgeListNetworkConfig<K>, unknown, unknown> {
  const edge = edgeCodec(valueKeys, ranges);
  const list = t.array(edge);
  const path = configPathCodec('a CSV or JSON file of the edges');
  const edges = withSchema(
    new t.Type<string | readonly EdgeListEdge<K>[], unknown, unknown>(
      'a list of edges, or a CSV or JSON file of them',
      (u): u is string | EdgeListEdge<K>[] => path.is(u) || list.is(u),
      (u, c) => (typeof u === 'string' ? path.validate(u, c) : Array.isArray(u) ? list.validate(u, c) : t.failure(u, c)),
      (a) => a,
    ),
    () => ({ oneOf: [{ ...jsonSchemaOf(nonEmptyString), description: 'a CSV or JSON file of the edges, relative to the config' }, jsonSchemaOf(list)] }),
  );
  return strictObject(
    'an edge list { edges, sources, targets, ground, nodes? }',
    { edges, sources: t.array(nonEmptyString), targets: t.array(outputSpecCodec), ground: t.array(nonEmptyString) },
    { nodes: t.array(nonEmptyString) },
  ) as unknown as t.Type<EdgeListNetworkConfig<K>, unknown, unknown>;
}

export const edgeListFileCodec = strictObject('an edge-list network file { file } (JSON: { edges, sources, targets, ground, nodes? })', {
  file: configPathCodec('a JSON edge-list network'),
});

/**
 * What an edge list written in the config will allocate, claimed before
 * anything is built (`SubstrateRecord.sizes`): its edges, and its nodes
 * (those listed, or at most two per edge). A list in a file is counted
 * when it is read, against the same limits.
 */
export function edgeListSizes(network: EdgeListNetworkConfig | EdgeListFileConfig, key = 'network'): SizeClaim[] {
  if ('file' in network || typeof network.edges === 'string') return [];
  return [
    { limit: 'edges', count: network.edges.length, key: `${key}.edges`, what: 'edges in the list' },
    { limit: 'nodes', count: network.nodes?.length ?? 2 * network.edges.length, key: network.nodes ? `${key}.nodes` : `${key}.edges`, what: 'nodes of the list' },
  ];
}

/** What reading an edge-list network needs to know of its substrate and task. */
export interface EdgeListOptions<K extends string> {
  /** The folder files are read from (the config's). */
  readonly baseDir: string;
  /** The value keys an edge may carry (those of the codec). */
  readonly valueKeys: readonly K[];
  /** Their ranges (those of the codec; default core's range of physical parameters). */
  readonly ranges?: EdgeValueRanges<K>;
  /** The resource limits of the run (a file's bytes, the edges and nodes it holds); default the defaults. */
  readonly limits?: ResourceLimits;
  /** The key that holds each edge's initial trainable parameter. */
  readonly valueKey: K;
  /** What an edge is called in messages (`tube`, `resistor`). */
  readonly edge: string;
  /** The section's bounds, for edges without their own. */
  readonly bounds: { readonly min: number; readonly max: number };
  /** The section's initial range, for edges without a value. */
  readonly init: readonly [number, number];
  /** The task's port counts. */
  readonly ports: { readonly inputs: number; readonly outputs: number };
  /** Where the network sits in its section (`substrate`, `network`), for problems in the config. */
  readonly section: SectionName;
  readonly key: string;
}

/** An edge-list network as read: its topology (sources as input nodes, ground nodes; no output nodes), its targets, and per edge its value as written (undefined: draw it) and bounds. */
export interface EdgeListNetwork {
  readonly topology: Topology;
  readonly targets: readonly OutputSpec[];
  /** Each edge's initial parameter as written, or undefined when the edge gives none. */
  readonly initial: readonly (number | undefined)[];
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Throws problems with targets (by index among the targets) where the targets were written. */
  targetProblems(problems: readonly { readonly index: number; readonly message: string }[]): never;
}

/** Where a problem was written: in the config (a key under the network), in a JSON file (a path), or on a line of a CSV file. */
type Origin = { readonly kind: 'config' } | { readonly kind: 'json'; readonly file: string } | { readonly kind: 'csv'; readonly file: string };

interface Problem {
  readonly origin: Origin;
  readonly key: string;
  readonly line?: number;
  readonly message: string;
}

/** An edge with where it was written: its key (`edges[3]`) or its CSV line. */
interface WrittenEdge<K extends string> {
  readonly edge: EdgeListEdge<K>;
  readonly origin: Origin;
  readonly key: string;
  readonly line?: number;
}

/** `a, b, c, ...`: the first few node names, for messages. */
function someNames(names: readonly string[]): string {
  return names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
}

/** Throws the problems of the first origin that has any, each where it was written. */
function throwProblems(problems: readonly Problem[], options: { readonly section: SectionName; readonly key: string }): never {
  const origin = problems[0].origin;
  const same = problems.filter((p) => JSON.stringify(p.origin) === JSON.stringify(origin));
  if (origin.kind === 'config') {
    throw new SettingsError(same.map((p) => ({ section: options.section, key: p.key.startsWith('[') ? `${options.key}${p.key}` : `${options.key}.${p.key}`, message: p.message })));
  }
  if (origin.kind === 'json') throw new ConfigError(same.map((p) => ({ path: p.key, message: p.message })), origin.file);
  if (same.length === 1) throw new InputFileError(origin.file, same[0].line, same[0].message);
  throw new MultimechError(same.map((p) => `${origin.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`).join('\n'));
}

/** The edges of a CSV file: a header naming the columns (`from`, `to`, and optionally `name`, the value keys, `min`, `max`), one edge per row. */
function csvEdges<K extends string>(text: string, file: string, valueKeys: readonly K[], problems: Problem[]): WrittenEdge<K>[] {
  const origin: Origin = { kind: 'csv', file };
  const { rows, lines } = parseCsv(text, file);
  if (rows.length === 0) {
    problems.push({ origin, key: '', message: `no edges: expected a header (from,to,${valueKeys[0]},...) and one edge per line` });
    return [];
  }
  const header = rows[0];
  const known = [...edgeFields, ...valueKeys] as readonly string[];
  const columns = new Map<string, number>();
  header.forEach((name, c) => {
    if (!known.includes(name)) problems.push({ origin, key: '', line: lines[0], message: `unknown column ${echoed(JSON.stringify(name))} (known columns: ${known.join(', ')})` });
    else if (columns.has(name)) problems.push({ origin, key: '', line: lines[0], message: `column '${name}' is given twice (columns ${columns.get(name)! + 1} and ${c + 1})` });
    else columns.set(name, c);
  });
  for (const required of ['from', 'to']) {
    if (!columns.has(required)) problems.push({ origin, key: '', line: lines[0], message: `no column '${required}' (the header names ${header.map((h) => `'${h}'`).join(', ')}; expected from, to and optionally ${[...valueKeys, 'name', 'min', 'max'].join(', ')})` });
  }
  if (problems.length > 0) return [];
  if (rows.length === 1) problems.push({ origin, key: '', line: lines[0], message: 'no edges after the header' });
  const edges: WrittenEdge<K>[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const line = lines[r];
    if (row.length !== header.length) {
      problems.push({ origin, key: '', line, message: `expected ${header.length} cells (as the header has: ${header.join(',')}), got ${row.length}` });
      continue;
    }
    const edge: Record<string, string | number> = {};
    let ok = true;
    for (const [name, c] of columns) {
      const cell = row[c];
      if (name === 'from' || name === 'to' || name === 'name') {
        if (cell === '') {
          if (name === 'name') continue;
          problems.push({ origin, key: '', line, message: `column '${name}' is empty: expected a node name` });
          ok = false;
        } else edge[name] = cell;
        continue;
      }
      const x = csvNumber(cell);
      if (x === undefined) {
        problems.push({ origin, key: '', line, message: `column '${name}': expected a finite number, got ${cell === '' ? 'an empty cell' : echoed(JSON.stringify(cell))}` });
        ok = false;
      } else edge[name] = x;
    }
    if (ok) edges.push({ edge: edge as unknown as EdgeListEdge<K>, origin, key: '', line });
  }
  return edges;
}

/** The edges of a JSON file holding their list. */
function jsonEdges<K extends string>(text: string, file: string, valueKeys: readonly K[], ranges?: EdgeValueRanges<K>): WrittenEdge<K>[] {
  const value = parseJsonFile(text, file);
  const decoded = t.array(edgeCodec(valueKeys, ranges)).decode(value);
  if (decoded._tag === 'Left') throw new ConfigError(reportErrors(decoded.left), file);
  const origin: Origin = { kind: 'json', file };
  return decoded.right.map((edge, k) => ({ edge, origin, key: `[${k}]` }));
}

/**
 * Reads and checks an edge-list network: its edges (inline, or from a CSV
 * or JSON file), its roles and per edge its initial parameter (as written,
 * the very double) and bounds. Every problem is reported where it was
 * written: `substrate.network.edges[3].to` in the config,
 * `tubes.csv:5: column 'conductance': expected a finite number, got "x"` in
 * a CSV file, `network.json: edges[2].from` in a JSON file. Refused: no
 * edges, a node an edge or a role names that the network does not have
 * (with `nodes`, every node must be listed), an edge from a node to itself,
 * two edges between one pair of nodes or with one name, a value that is
 * not a finite positive number or lies outside its bounds, bounds with
 * min ≥ max, a missing value where `init` does not fit the edge's bounds, a
 * count of sources or targets other than the task's, a source on ground,
 * repeated roles, no ground.
 */
export function readEdgeListNetwork<K extends string>(config: EdgeListNetworkConfig<K> | EdgeListFileConfig, options: EdgeListOptions<K>): EdgeListNetwork {
  // a problem with a file names the key that named it: `substrate.network.edges: tubes.csv:5: ...`
  if ('file' in config) return fromSectionFile(options.section, `${options.key}.file`, config.file, () => readEdgeList(config, options));
  if (typeof config.edges === 'string') return fromSectionFile(options.section, `${options.key}.edges`, config.edges, () => readEdgeList(config, options));
  return readEdgeList(config, options);
}

function readEdgeList<K extends string>(config: EdgeListNetworkConfig<K> | EdgeListFileConfig, options: EdgeListOptions<K>): EdgeListNetwork {
  const problems: Problem[] = [];
  const limits = options.limits ?? DEFAULT_LIMITS;
  let network: EdgeListNetworkConfig<K>;
  let roles: Origin;
  if ('file' in config) {
    const file = config.file;
    const decoded = edgeListNetworkCodec(options.valueKeys, options.ranges).decode(parseJsonFile(readConfigFile(options.baseDir, file, 'the network (a JSON edge list with its roles)', limits), file));
    if (decoded._tag === 'Left') throw new ConfigError(reportErrors(decoded.left), file);
    network = decoded.right;
    if (typeof network.edges === 'string') throw new ConfigError([{ path: 'edges', message: 'in a network file, give the list of edges itself' }], file);
    roles = { kind: 'json', file };
  } else {
    network = config;
    roles = { kind: 'config' };
  }
  let edges: WrittenEdge<K>[];
  if (typeof network.edges === 'string') {
    const file = network.edges;
    const text = readConfigFile(options.baseDir, file, `the ${options.edge}s (an edge list)`, limits);
    edges = isJsonFileName(file) ? jsonEdges(text, file, options.valueKeys, options.ranges) : csvEdges(text, file, options.valueKeys, problems);
    if (problems.length > 0) throwProblems(problems, options);
  } else {
    edges = network.edges.map((edge, k) => ({ edge, origin: roles, key: `edges[${k}]` }));
  }
  // the sizes, before anything is allocated for them (a list in the config was claimed already; one in a file is counted here)
  const nodeCount = network.nodes?.length ?? new Set(edges.flatMap((w) => [w.edge.from, w.edge.to])).size;
  for (const [count, limit, what, key] of [
    [edges.length, 'edges', `${options.edge}s`, 'edges'],
    [nodeCount, 'nodes', 'nodes', network.nodes ? 'nodes' : 'edges'],
  ] as const) {
    if (count > limits[limit]) {
      problems.push({
        origin: roles.kind === 'config' && typeof network.edges === 'string' && key === 'edges' ? { kind: 'csv', file: network.edges } : roles,
        key,
        message: `${count.toLocaleString('en-US')} ${what} exceed the limit of ${limits[limit].toLocaleString('en-US')} ${limit} (limits.${limit}; raise it in the config's "limits" if the machine can hold them)`,
      });
      throwProblems(problems, options);
    }
  }
  const at = (w: WrittenEdge<K>, field: string) => (w.origin.kind === 'csv' ? '' : field ? `${w.key}.${field}` : w.key);
  const where = (w: WrittenEdge<K>) => (w.line !== undefined ? `line ${w.line}` : w.key);
  const edgeProblem = (w: WrittenEdge<K>, field: string, message: string) => problems.push({ origin: w.origin, key: at(w, field), line: w.line, message });
  if (edges.length === 0) problems.push({ origin: roles, key: 'edges', message: `expected at least one ${options.edge}, got none` });

  // the nodes: as listed, or in the order the edges name them
  const listed = network.nodes;
  const index = new Map<string, number>();
  const names: string[] = [];
  const add = (name: string) => {
    if (!index.has(name)) index.set(name, names.push(name) - 1);
  };
  if (listed) {
    listed.forEach((name, i) => {
      if (index.has(name)) problems.push({ origin: roles, key: `nodes[${i}]`, message: `node '${name}' is listed twice (also nodes[${index.get(name)}])` });
      add(name);
    });
  } else {
    for (const w of edges) {
      add(w.edge.from);
      add(w.edge.to);
    }
  }
  const known = () => `(nodes: ${someNames(names)})`;

  // the edges: names, pairs, values and bounds
  const edgeName = (e: EdgeListEdge<K>) => e.name ?? `${e.from}-${e.to}`;
  const byName = new Map<string, WrittenEdge<K>>();
  const byPair = new Map<string, WrittenEdge<K>>();
  const initial: (number | undefined)[] = [];
  const min = new Float64Array(edges.length);
  const max = new Float64Array(edges.length);
  const valueKey = options.valueKey;
  edges.forEach((w, k) => {
    const e = w.edge;
    const name = edgeName(e);
    const what = `${options.edge} '${name}'`;
    for (const other of options.valueKeys) {
      if (other !== valueKey && (e as Record<string, unknown>)[other] !== undefined) {
        edgeProblem(w, other, `${what}: '${other}' does not apply: this network trains the ${valueKey} of each ${options.edge} (give '${valueKey}')`);
      }
    }
    for (const end of ['from', 'to'] as const) {
      if (listed && !index.has(e[end])) edgeProblem(w, end, `${what}: unknown node '${e[end]}' ${known()}`);
    }
    if (e.from === e.to) edgeProblem(w, 'to', `${what} joins node '${e.from}' to itself`);
    const twin = byName.get(name);
    if (twin) edgeProblem(w, e.name !== undefined ? 'name' : '', `${options.edge} name '${name}' is used twice (also ${where(twin)})${e.name === undefined ? ': give the edges names' : ''}`);
    else byName.set(name, w);
    const pair = [e.from, e.to].sort().join('\u0000');
    const same = byPair.get(pair);
    if (same) edgeProblem(w, '', `${what} joins '${e.from}' and '${e.to}', as ${options.edge} '${edgeName(same.edge)}' (${where(same)}) does: give each pair of nodes one ${options.edge}`);
    else byPair.set(pair, w);
    const lo = e.min ?? options.bounds.min;
    const hi = e.max ?? options.bounds.max;
    min[k] = lo;
    max[k] = hi;
    if (!(lo < hi)) edgeProblem(w, e.max !== undefined ? 'max' : 'min', `${what}: expected min < max, got [${lo}, ${hi}]${e.min === undefined || e.max === undefined ? ' (one of them from the section)' : ''}`);
    const value = (e as Record<string, unknown>)[valueKey] as number | undefined;
    const valueRange = rangeOf(options.ranges, valueKey);
    const boundRange = widestRange(options.valueKeys, options.ranges);
    for (const [field, b] of [['min', e.min], ['max', e.max]] as const) {
      if (b !== undefined && !inRange(b, boundRange)) edgeProblem(w, field, `${what}: expected ${field} in ${rangeText(boundRange)}, got ${boundText(b)}`);
    }
    if (value !== undefined) {
      if (!(value > 0)) edgeProblem(w, valueKey, `${what}: expected a positive ${valueKey}, got ${value}`);
      else if (!inRange(value, valueRange)) edgeProblem(w, valueKey, `${what}: expected a ${valueKey} in ${rangeText(valueRange)}, got ${boundText(value)}`);
      else if (lo < hi && (value < lo || value > hi)) edgeProblem(w, valueKey, `${what}: ${valueKey} ${value} lies outside its bounds [${lo}, ${hi}]`);
    } else if (lo < hi && (options.init[0] < lo || options.init[1] > hi)) {
      edgeProblem(w, '', `${what} gives no ${valueKey}, and the initial range [${options.init.join(', ')}] (init) it would be drawn from is not inside its bounds [${lo}, ${hi}]: give its ${valueKey}`);
    }
    initial.push(value);
  });

  // the roles
  const node = (name: string, key: string): number | undefined => {
    const i = index.get(name);
    if (i === undefined) problems.push({ origin: roles, key, message: `unknown node '${name}' ${known()}` });
    return i;
  };
  const groundNodes: number[] = [];
  if (network.ground.length === 0) problems.push({ origin: roles, key: 'ground', message: 'expected at least one ground node (held at 0), got none' });
  network.ground.forEach((name, i) => {
    const g = node(name, `ground[${i}]`);
    if (g === undefined) return;
    if (groundNodes.includes(g)) problems.push({ origin: roles, key: `ground[${i}]`, message: `node '${name}' is given twice` });
    else groundNodes.push(g);
  });
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (network.sources.length !== options.ports.inputs) {
    problems.push({ origin: roles, key: 'sources', message: `${plural(network.sources.length, 'source')} given, but the task has ${plural(options.ports.inputs, 'input')}` });
  }
  if (network.targets.length !== options.ports.outputs) {
    problems.push({ origin: roles, key: 'targets', message: `${plural(network.targets.length, 'target')} given, but the task has ${plural(options.ports.outputs, 'output')}` });
  }
  const inputNodes: number[] = [];
  network.sources.forEach((name, i) => {
    const s = node(name, `sources[${i}]`);
    if (s === undefined) return;
    if (inputNodes.includes(s)) problems.push({ origin: roles, key: `sources[${i}]`, message: `node '${name}' is a source twice (also sources[${inputNodes.indexOf(s)}])` });
    else if (groundNodes.includes(s)) problems.push({ origin: roles, key: `sources[${i}]`, message: `node '${name}' is ground: a source drives another node` });
    inputNodes.push(s);
  });
  network.targets.forEach((spec, i) => {
    if (typeof spec === 'string') node(spec, `targets[${i}]`);
    else spec.forEach((name, j) => node(name, `targets[${i}][${j}]`));
  });
  if (problems.length > 0) throwProblems(problems, options);

  const graph = createGraph(
    names,
    edges.map((w) => ({ name: edgeName(w.edge), from: index.get(w.edge.from)!, to: index.get(w.edge.to)! })),
  );
  return {
    topology: { graph, inputNodes, outputNodes: [], groundNodes },
    targets: network.targets,
    initial,
    min,
    max,
    targetProblems(list) {
      throwProblems(
        list.map((p) => ({ origin: roles, key: `targets[${p.index}]`, message: p.message })),
        options,
      );
    },
  };
}
