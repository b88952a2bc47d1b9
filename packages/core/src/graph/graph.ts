import { MultimechError } from '../support/errors';

/**
 * The topology of a physical network: named nodes and named two-terminal
 * edges. Edge k joins `from[k]` to `to[k]`; its drop of a node field f is
 * `f[from[k]] - f[to[k]]`. Stored as typed arrays so hot loops never touch
 * per-edge objects.
 */
export interface Graph {
  readonly nodeNames: readonly string[];
  readonly edgeNames: readonly string[];
  readonly from: Int32Array;
  readonly to: Int32Array;
}

export function nodeCount(graph: Graph): number {
  return graph.nodeNames.length;
}

export function edgeCount(graph: Graph): number {
  return graph.from.length;
}

/** Builds a graph, refusing self-loops, unknown node indices and duplicate names. */
export function createGraph(
  nodeNames: readonly string[],
  edges: readonly { readonly name: string; readonly from: number; readonly to: number }[],
): Graph {
  const seen = new Set<string>();
  for (const n of nodeNames) {
    if (seen.has(n)) throw new MultimechError(`duplicate node name '${n}'`);
    seen.add(n);
  }
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  const names: string[] = [];
  const edgeSeen = new Set<string>();
  edges.forEach((e, k) => {
    if (edgeSeen.has(e.name)) throw new MultimechError(`duplicate edge name '${e.name}'`);
    edgeSeen.add(e.name);
    for (const end of [e.from, e.to]) {
      if (!Number.isInteger(end) || end < 0 || end >= nodeNames.length) {
        throw new MultimechError(`edge '${e.name}' refers to node index ${end}, but there are ${nodeNames.length} nodes`);
      }
    }
    if (e.from === e.to) throw new MultimechError(`edge '${e.name}' joins node '${nodeNames[e.from]}' to itself`);
    from[k] = e.from;
    to[k] = e.to;
    names.push(e.name);
  });
  return { nodeNames: [...nodeNames], edgeNames: names, from, to };
}

/** Index of a node by name, or a clear error listing a few known names. */
export function nodeIndex(graph: Graph, name: string): number {
  const i = graph.nodeNames.indexOf(name);
  if (i < 0) {
    const known = graph.nodeNames.slice(0, 12).join(', ') + (graph.nodeNames.length > 12 ? ', ...' : '');
    throw new MultimechError(`unknown node '${name}' (nodes: ${known})`);
  }
  return i;
}

/** Per-edge drops `f[from] - f[to]` of a node field (one value per node). */
export function edgeDrops(graph: Graph, field: ArrayLike<number>, out?: Float64Array): Float64Array {
  const m = graph.from.length;
  const d = out ?? new Float64Array(m);
  const { from, to } = graph;
  for (let k = 0; k < m; k++) d[k] = field[from[k]] - field[to[k]];
  return d;
}

/**
 * Connected components of the graph, as a component id per node. Used to
 * name the nodes that have no path to a Dirichlet node (bad input).
 */
export function connectedComponents(graph: Graph): Int32Array {
  const n = graph.nodeNames.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let k = 0; k < graph.from.length; k++) {
    const a = find(graph.from[k]);
    const b = find(graph.to[k]);
    if (a !== b) parent[a] = b;
  }
  const comp = new Int32Array(n);
  for (let i = 0; i < n; i++) comp[i] = find(i);
  return comp;
}
