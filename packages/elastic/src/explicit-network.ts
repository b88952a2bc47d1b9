import { springBounds, type ElasticTopologyOptions } from './elastic-from-topology';
import * as t from 'io-ts';
import { MultimechError, PARAMETER_RANGE, SIGNAL_RANGE, bounded, createGraph, finiteNumber, nonEmptyString, oneOf, strictObject } from '@multimech/core';
import { type SolverOptions } from '@multimech/sparse';
import type { ElasticInput, ElasticOutput } from './elastic-boundary';
import type { ElasticParameter } from './spring-parameters';
import { ElasticSubstrate } from './elastic-substrate';

/**
 * A spring network written out: named nodes at positions, springs between
 * them (optionally with their own stiffness and rest length), the pinned
 * nodes, and where the task's inputs act and its outputs are read.
 */
export interface ExplicitNetwork {
  readonly nodes: readonly { readonly name: string; readonly position: readonly number[] }[];
  readonly springs: readonly { readonly name: string; readonly a: string; readonly b: string; readonly stiffness?: number; readonly restLength?: number }[];
  readonly pins: readonly string[];
  /** One per task input, in order. */
  readonly inputs: readonly NetworkPort[];
  /** One per task output, in order. */
  readonly outputs: readonly NetworkPort[];
}

/**
 * Where an input acts or an output is read: a node pair `{ a, b }` (the
 * config's `inputs`/`outputs` mode applies: a force dipole, a displacement
 * of the pair's second node along its axis or a strain; a change of
 * distance or a displacement), or one node's coordinate `{ node, axis }` (a
 * force or a displacement of that coordinate; read as its displacement).
 */
export type NetworkPort =
  | { readonly a: string; readonly b: string; readonly name?: string }
  | { readonly node: string; readonly axis: 'x' | 'y' | 'z'; readonly name?: string };

const portFields = strictObject(
  'a node pair { a, b, name? } or one coordinate { node, axis, name? }',
  {},
  { a: nonEmptyString, b: nonEmptyString, node: nonEmptyString, axis: oneOf('x', 'y', 'z'), name: nonEmptyString },
);

/** A port: exactly one of the two forms. */
const portCodec = new t.Type<NetworkPort, unknown, unknown>(
  portFields.name,
  (u): u is NetworkPort => portFields.is(u),
  (u, c) => {
    const r = portFields.validate(u, c);
    if (r._tag === 'Left') return r;
    const v = r.right as Record<string, unknown>;
    const pair = v.a !== undefined || v.b !== undefined;
    const single = v.node !== undefined || v.axis !== undefined;
    const complete = pair ? v.a !== undefined && v.b !== undefined && !single : single && v.node !== undefined && v.axis !== undefined;
    return complete ? t.success(v as NetworkPort) : t.failure(u, c, `expected a node pair { "a", "b" } or one coordinate { "node", "axis" }, got ${JSON.stringify(u)}`);
  },
  (a) => a,
);

/** The explicit network's fields, inline under `substrate.network` or as the whole of a JSON file. */
export const explicitNetworkCodec: t.Type<ExplicitNetwork, unknown, unknown> = strictObject(
  'an explicit spring network { nodes, springs, pins, inputs, outputs }',
  {
    nodes: t.array(strictObject('a node { name, position }', { name: nonEmptyString, position: t.array(bounded(finiteNumber, SIGNAL_RANGE, 'a coordinate in the units of the network\'s lengths')) })),
    springs: t.array(strictObject('a spring { name, a, b, stiffness?, restLength? }', { name: nonEmptyString, a: nonEmptyString, b: nonEmptyString }, { stiffness: bounded(finiteNumber, { min: -PARAMETER_RANGE.max!, max: PARAMETER_RANGE.max! }, 'a stiffness enters the energy'), restLength: bounded(finiteNumber, SIGNAL_RANGE, "a length in the units of the network's lengths") })),
    pins: t.array(nonEmptyString),
    inputs: t.array(portCodec),
    outputs: t.array(portCodec),
  },
) as unknown as t.Type<ExplicitNetwork, unknown, unknown>;

/** What the checks of an explicit network need from the rest of the substrate's config. */
export interface ExplicitNetworkSettings {
  readonly dimension: number;
  readonly stiffness: { readonly min: number; readonly max: number };
  /** Rest-length bounds as factors of each spring's reference length. */
  readonly restLength: { readonly min: number; readonly max: number };
  /** The config's input mode, when it states one. */
  readonly inputs?: 'force' | 'displacement' | 'strain';
}

const AXIS_INDEX = { x: 0, y: 1, z: 2 } as const;

/** |p − q|, summed as the substrate sums its spring lengths (so that a spring's reference length is the same number). */
function distance(p: readonly number[], q: readonly number[]): number {
  let s = 0;
  for (let a = 0; a < p.length; a++) s += (p[a] - q[a]) ** 2;
  return Math.sqrt(s);
}

/** `a, b, c, ...`: the first few node names, for messages. */
function someNames(names: readonly string[]): string {
  return names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
}

/**
 * Every problem of an explicit network, each at its key relative to the
 * network (`springs.3.b`, a dotted path): wrong coordinate counts, repeated
 * names, overlapping nodes (both named), springs to unknown nodes or from a
 * node to itself, non-positive stiffness or rest length (the spring named)
 * and values outside the bounds, unknown or repeated pins, ports on unknown
 * or pinned nodes. Rigidity is checked when the network is built.
 */
export function explicitNetworkProblems(net: ExplicitNetwork, settings: ExplicitNetworkSettings): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const d = settings.dimension;
  const index = new Map<string, number>();
  const names = net.nodes.map((n) => n.name);
  const known = `(nodes: ${someNames(names)})`;
  if (net.nodes.length < 2) problems.push({ key: 'nodes', message: `expected at least 2 nodes, got ${net.nodes.length}` });
  net.nodes.forEach((node, i) => {
    if (index.has(node.name)) problems.push({ key: `nodes.${i}.name`, message: `node name '${node.name}' is used twice (also nodes[${index.get(node.name)}])` });
    else index.set(node.name, i);
    if (node.position.length !== d) {
      problems.push({ key: `nodes.${i}.position`, message: `node '${node.name}': expected ${d} coordinates (dimension ${d}), got ${node.position.length}` });
    }
  });
  const positioned = net.nodes.every((n) => n.position.length === d);
  if (positioned) {
    // overlapping nodes: within 1e-9 of the network's size, sorted along x
    let size = 0;
    for (let a = 0; a < d; a++) {
      const xs = net.nodes.map((n) => n.position[a]);
      size = Math.max(size, Math.max(...xs) - Math.min(...xs));
    }
    const tol = 1e-9 * (size || 1);
    const order = [...net.nodes.keys()].sort((i, j) => net.nodes[i].position[0] - net.nodes[j].position[0]);
    for (let p = 0; p < order.length; p++) {
      for (let q = p + 1; q < order.length && net.nodes[order[q]].position[0] - net.nodes[order[p]].position[0] <= tol; q++) {
        const [i, j] = [Math.min(order[p], order[q]), Math.max(order[p], order[q])];
        const r = distance(net.nodes[i].position, net.nodes[j].position);
        if (r <= tol) {
          problems.push({ key: `nodes.${j}`, message: `nodes '${net.nodes[i].name}' and '${net.nodes[j].name}' overlap (both at [${net.nodes[i].position.join(', ')}])` });
        }
      }
    }
  }
  const node = (name: string, key: string): number | undefined => {
    const i = index.get(name);
    if (i === undefined) problems.push({ key, message: `unknown node '${name}' ${known}` });
    return i;
  };
  const springNames = new Map<string, number>();
  net.springs.forEach((s, k) => {
    if (springNames.has(s.name)) problems.push({ key: `springs.${k}.name`, message: `spring name '${s.name}' is used twice (also springs[${springNames.get(s.name)}])` });
    else springNames.set(s.name, k);
    const a = node(s.a, `springs.${k}.a`);
    const b = node(s.b, `springs.${k}.b`);
    if (a !== undefined && a === b) problems.push({ key: `springs.${k}.b`, message: `spring '${s.name}' joins node '${s.a}' to itself` });
    const { min, max } = settings.stiffness;
    if (s.stiffness !== undefined) {
      if (!(s.stiffness > 0)) problems.push({ key: `springs.${k}.stiffness`, message: `spring '${s.name}' needs a positive stiffness, got ${s.stiffness}` });
      else if (s.stiffness < min || s.stiffness > max) {
        problems.push({ key: `springs.${k}.stiffness`, message: `spring '${s.name}': stiffness ${s.stiffness} lies outside the stiffness bounds [${min}, ${max}] (substrate.stiffness.min, max)` });
      }
    }
    if (s.restLength !== undefined) {
      if (!(s.restLength > 0)) problems.push({ key: `springs.${k}.restLength`, message: `spring '${s.name}' needs a positive rest length, got ${s.restLength}` });
      else if (positioned && a !== undefined && b !== undefined && a !== b) {
        const r = distance(net.nodes[a].position, net.nodes[b].position);
        const [lo, hi] = [settings.restLength.min * r, settings.restLength.max * r];
        if (s.restLength < lo || s.restLength > hi) {
          problems.push({
            key: `springs.${k}.restLength`,
            message: `spring '${s.name}': rest length ${s.restLength} lies outside its bounds [${lo.toPrecision(6)}, ${hi.toPrecision(6)}] (substrate.restLength.min, max times its length ${r.toPrecision(6)})`,
          });
        }
      }
    }
  });
  if (net.springs.length === 0) problems.push({ key: 'springs', message: 'expected at least one spring' });
  const pinned = new Set<number>();
  net.pins.forEach((name, i) => {
    const p = node(name, `pins.${i}`);
    if (p === undefined) return;
    if (pinned.has(p)) problems.push({ key: `pins.${i}`, message: `node '${name}' is pinned twice` });
    pinned.add(p);
  });
  const ports = (list: readonly NetworkPort[], what: 'inputs' | 'outputs') => {
    list.forEach((port, i) => {
      const key = `${what}.${i}`;
      if ('node' in port) {
        const p = node(port.node, `${key}.node`);
        if (p !== undefined && pinned.has(p)) problems.push({ key: `${key}.node`, message: `node '${port.node}' is pinned: it cannot ${what === 'inputs' ? 'be driven' : 'move'}` });
        if (AXIS_INDEX[port.axis] >= d) problems.push({ key: `${key}.axis`, message: `axis '${port.axis}' does not exist in ${d}-D (use ${d === 2 ? "'x' or 'y'" : "'x', 'y' or 'z'"})` });
        if (what === 'inputs' && settings.inputs === 'strain') {
          problems.push({ key, message: `a strain input needs a node pair { "a", "b" } (substrate.inputs is 'strain'), got one coordinate` });
        }
        return;
      }
      const a = node(port.a, `${key}.a`);
      const b = node(port.b, `${key}.b`);
      if (a !== undefined && a === b) problems.push({ key: `${key}.b`, message: `the pair joins node '${port.a}' to itself` });
      for (const [end, n] of [['a', a], ['b', b]] as const) {
        if (n !== undefined && pinned.has(n)) problems.push({ key: `${key}.${end}`, message: `node '${names[n]}' is pinned: it cannot ${what === 'inputs' ? 'be driven' : 'move'}` });
      }
    });
  };
  ports(net.inputs, 'inputs');
  ports(net.outputs, 'outputs');
  return problems;
}

/** The options of a generated topology (elasticFromTopology), with the dimension and a default stiffness per spring in place of the stiffness. */
export interface ExplicitNetworkOptions extends Omit<ElasticTopologyOptions, 'stiffness'> {
  readonly dimension: 2 | 3;
  /** Stiffness of each spring that gives none (one per spring, in order; entries of springs with their own are ignored). */
  readonly initialStiffness: ArrayLike<number>;
}

/**
 * The elastic substrate of an explicit network (check it first with
 * `explicitNetworkProblems`; what those checks find is thrown here as a
 * MultimechError). A pair's axis is the coordinate along which its nodes
 * lie furthest apart, its nodes ordered so that the second lies ahead along
 * it: a positive force dipole pulls the pair apart.
 */
export function elasticFromNetwork(net: ExplicitNetwork, options: ExplicitNetworkOptions): ElasticSubstrate {
  const d = options.dimension;
  const problems = explicitNetworkProblems(net, { dimension: d, stiffness: options.stiffnessBounds, restLength: options.restLengthBounds, inputs: options.inputs });
  if (problems.length > 0) throw new MultimechError(`explicit spring network: ${problems[0].key}: ${problems[0].message}`);
  const index = new Map(net.nodes.map((n, i) => [n.name, i]));
  const positions = Float64Array.from(net.nodes.flatMap((n) => n.position));
  const graph = createGraph(
    net.nodes.map((n) => n.name),
    net.springs.map((s) => ({ name: s.name, from: index.get(s.a)!, to: index.get(s.b)! })),
  );
  const m = net.springs.length;
  if (options.initialStiffness.length !== m) throw new MultimechError(`explicit spring network: expected ${m} initial stiffness values, got ${options.initialStiffness.length}`);
  const reference = Float64Array.from(net.springs, (s) => {
    const [a, b] = [index.get(s.a)!, index.get(s.b)!];
    return distance(net.nodes[a].position, net.nodes[b].position);
  });
  const stiffness = Float64Array.from(net.springs, (s, k) => s.stiffness ?? options.initialStiffness[k]);
  const restLength = Float64Array.from(net.springs, (s, k) => s.restLength ?? reference[k]);
  const bounds = springBounds(options, reference);
  /** The pair ordered so that b − a is positive along its largest axis. */
  const orient = (p: number, q: number) => {
    let axis = 0;
    for (let a = 1; a < d; a++) if (Math.abs(positions[q * d + a] - positions[p * d + a]) > Math.abs(positions[q * d + axis] - positions[p * d + axis])) axis = a;
    return positions[q * d + axis] >= positions[p * d + axis] ? { a: p, b: q, axis } : { a: q, b: p, axis };
  };
  const names = graph.nodeNames;
  const inputs: ElasticInput[] = net.inputs.map((port, i) => {
    if ('node' in port) {
      const node = index.get(port.node)!;
      const axis = AXIS_INDEX[port.axis];
      return options.inputs === 'force'
        ? { type: 'force', node, axis, name: port.name ?? `F${i + 1}(${port.node}.${port.axis})` }
        : { type: 'displacement', node, axis, name: port.name ?? `U${i + 1}(${port.node}.${port.axis})` };
    }
    const { a, b, axis } = orient(index.get(port.a)!, index.get(port.b)!);
    return options.inputs === 'force'
      ? { type: 'force', node: b, axis, ref: a, name: port.name ?? `F${i + 1}(${names[a]},${names[b]})` }
      : options.inputs === 'strain'
        ? { type: 'strain', a, b, name: port.name ?? `E${i + 1}(${names[a]},${names[b]})` }
        : { type: 'displacement', node: b, axis, name: port.name ?? `U${i + 1}(${names[b]})` };
  });
  const outputs: ElasticOutput[] = net.outputs.map((port) => {
    if ('node' in port) return { type: 'displacement', node: index.get(port.node)!, axis: AXIS_INDEX[port.axis], ...(port.name ? { name: port.name } : {}) };
    const { a, b, axis } = orient(index.get(port.a)!, index.get(port.b)!);
    return options.outputs === 'distance' ? { type: 'distance', a, b, ...(port.name ? { name: port.name } : {}) } : { type: 'displacement', node: b, axis, ...(port.name ? { name: port.name } : {}) };
  });
  return new ElasticSubstrate({
    dimension: d,
    graph,
    positions,
    stiffness,
    restLength,
    parameter: options.parameter,
    bounds,
    pins: net.pins.map((p) => index.get(p)!),
    inputs,
    outputs,
    solver: options.solver,
    minimiser: options.minimiser,
    mass: options.mass,
    damping: options.damping,
  });
}
