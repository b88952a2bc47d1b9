import { Graph, MultimechError, Rng, createGraph } from '@multimech/core';

/**
 * A spring network's geometry: the graph, reference positions (node-major,
 * `dimension` per node), the pinned nodes, and node pairs where inputs act
 * (`sources`) and outputs are read (`targets`). In each pair the first node
 * is `a`, the second `b`, and `axis` is the coordinate along which b − a is
 * largest (positive along it): a force dipole or a displacement on that
 * axis strains the pair.
 */
export interface ElasticTopology {
  readonly dimension: 2 | 3;
  readonly graph: Graph;
  readonly positions: Float64Array;
  readonly pins: readonly number[];
  readonly sources: readonly SpringPair[];
  readonly targets: readonly SpringPair[];
}

export interface SpringPair {
  readonly a: number;
  readonly b: number;
  readonly axis: number;
}

export interface PairCounts {
  readonly sources: number;
  readonly targets: number;
}

/** The pair (a, b) ordered so that b − a is positive along its largest axis. */
function orient(positions: Float64Array, d: number, p: number, q: number): SpringPair {
  let axis = 0;
  for (let a = 1; a < d; a++) {
    if (Math.abs(positions[q * d + a] - positions[p * d + a]) > Math.abs(positions[q * d + axis] - positions[p * d + axis])) axis = a;
  }
  return positions[q * d + axis] >= positions[p * d + axis] ? { a: p, b: q, axis } : { a: q, b: p, axis };
}

/**
 * Picks disjoint spring-connected pairs of unpinned nodes: sources from the
 * nodes highest along the last axis, targets from those nearest the centre
 * (the generators' choice of source and target pairs).
 */
export function choosePairs(graph: Graph, positions: Float64Array, d: number, pins: readonly number[], counts: PairCounts, what: string): { sources: SpringPair[]; targets: SpringPair[] } {
  const n = graph.nodeNames.length;
  const used = new Set<number>(pins);
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < graph.from.length; k++) {
    neighbours[graph.from[k]].push(graph.to[k]);
    neighbours[graph.to[k]].push(graph.from[k]);
  }
  const centre = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) centre[a] += positions[i * d + a] / n;
  const dist2 = (i: number, c: ArrayLike<number>) => {
    let s = 0;
    for (let a = 0; a < d; a++) s += (positions[i * d + a] - c[a]) ** 2;
    return s;
  };
  const pick = (order: number[], count: number, role: string): SpringPair[] => {
    const pairs: SpringPair[] = [];
    for (const p of order) {
      if (pairs.length === count) break;
      if (used.has(p)) continue;
      const partner = neighbours[p].filter((q) => !used.has(q)).sort((x, y) => dist2(x, positions.subarray(p * d, p * d + d)) - dist2(y, positions.subarray(p * d, p * d + d)))[0];
      if (partner === undefined) continue;
      used.add(p);
      used.add(partner);
      pairs.push(orient(positions, d, p, partner));
    }
    if (pairs.length < count) throw new MultimechError(`${what}: found only ${pairs.length} free ${role} pairs of the ${count} asked for: use a larger network`);
    return pairs;
  };
  const nodes = [...Array(n).keys()];
  const sources = pick([...nodes].sort((i, j) => positions[j * d + d - 1] - positions[i * d + d - 1]), counts.sources, 'source');
  const targets = pick([...nodes].sort((i, j) => dist2(i, centre) - dist2(j, centre)), counts.targets, 'target');
  return { sources, targets };
}

/**
 * A 2-D triangular lattice of `width` x `height` nodes at unit spacing (odd
 * rows shifted by ½), each node joined to its six neighbours. The bottom row
 * is pinned; source pairs sit on the top rows, target pairs near the centre.
 */
export function triangularLattice(width: number, height: number, counts: PairCounts): ElasticTopology {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 2 && height >= 2)) {
    throw new MultimechError(`triangular lattice: expected integer width >= 2 and height >= 2, got ${width} x ${height}`);
  }
  const id = (i: number, j: number) => j * width + i;
  const names: string[] = [];
  const positions = new Float64Array(2 * width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      names.push(`n${i}_${j}`);
      positions[2 * id(i, j)] = i + (j % 2) * 0.5;
      positions[2 * id(i, j) + 1] = (j * Math.sqrt(3)) / 2;
    }
  }
  const edges: { name: string; from: number; to: number }[] = [];
  const add = (p: number, q: number) => edges.push({ name: `s${edges.length}`, from: p, to: q });
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      if (i + 1 < width) add(id(i, j), id(i + 1, j));
      if (j + 1 < height) {
        // odd rows sit ½ to the right: from an even row the neighbours above are i − 1 and i, from an odd row i and i + 1
        const left = j % 2 === 0 ? i - 1 : i;
        for (const ii of [left, left + 1]) if (ii >= 0 && ii < width) add(id(i, j), id(ii, j + 1));
      }
    }
  }
  const graph = createGraph(names, edges);
  const pins = Array.from({ length: width }, (_, i) => id(i, 0));
  return { dimension: 2, graph, positions, pins, ...choosePairs(graph, positions, 2, pins, counts, 'triangular lattice') };
}

export interface RandomSpringOptions {
  readonly dimension: 2 | 3;
  readonly nodes: number;
  /** Mean number of springs per node; above 2·dimension (isostatic) to be rigid. */
  readonly coordination: number;
  /** Random displacement of each point from its grid site, as a fraction of the spacing, in [0, 0.5) (default 0.35). */
  readonly jitter?: number;
  /** Pinned nodes: the lowest along the last axis (default: dimension). */
  readonly pins?: number;
}

/**
 * A disordered network on a jittered grid (the config's `"points":
 * "jittered-grid"`): `nodes` points on random sites of a square (cubic)
 * grid of unit spacing, each jittered, joined first to its dimension + 1
 * nearest neighbours, then by the shortest remaining pairs until the mean
 * coordination is reached. `packingSpringNetwork` makes packing-like ones.
 */
export function randomSpringNetwork(options: RandomSpringOptions, counts: PairCounts, rng: Rng): ElasticTopology {
  const { dimension: d, nodes: n, coordination: z } = options;
  if (d !== 2 && d !== 3) throw new MultimechError(`random spring network: dimension must be 2 or 3, got ${d}`);
  if (!(Number.isInteger(n) && n >= d + 2)) throw new MultimechError(`random spring network: expected an integer node count >= ${d + 2}, got ${n}`);
  if (!(z > 2 * d)) throw new MultimechError(`random spring network: expected a mean coordination above 2·dimension = ${2 * d} (at or below it the network is floppy), got ${z}`);
  if (!(z <= n - 1)) throw new MultimechError(`random spring network: a mean coordination of ${z} needs more than ${n} nodes (each has at most ${n - 1} springs)`);
  const jitter = options.jitter ?? 0.35;
  if (!(jitter >= 0 && jitter < 0.5)) {
    throw new MultimechError(`random spring network: expected a jitter in [0, 0.5) (a fraction of the grid spacing: at 0.5 two neighbouring points may coincide), got ${jitter}`);
  }
  const side = Math.ceil(n ** (1 / d));
  const sites = rng.shuffle([...Array(side ** d).keys()]).slice(0, n);
  const positions = new Float64Array(n * d);
  sites.forEach((site, i) => {
    let rest = site;
    for (let a = 0; a < d; a++) {
      positions[i * d + a] = (rest % side) + jitter * rng.uniform(-1, 1);
      rest = Math.floor(rest / side);
    }
  });
  const pairs: { p: number; q: number; r: number }[] = [];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (positions[p * d + a] - positions[q * d + a]) ** 2;
      pairs.push({ p, q, r: Math.sqrt(s) });
    }
  }
  pairs.sort((x, y) => x.r - y.r);
  const target = Math.round((n * z) / 2);
  const present = new Set<number>();
  const edges: { name: string; from: number; to: number }[] = [];
  const degree = new Int32Array(n);
  const add = (p: number, q: number) => {
    const key = p * n + q;
    if (present.has(key)) return;
    present.add(key);
    degree[p]++;
    degree[q]++;
    edges.push({ name: `s${edges.length}`, from: p, to: q });
  };
  for (const { p, q } of pairs) if (degree[p] <= d || degree[q] <= d) add(p, q);
  if (edges.length > target) {
    throw new MultimechError(`random spring network: coordination ${z} is below the ${((2 * edges.length) / n).toFixed(2)} that joining every node to its ${d + 1} nearest neighbours gives`);
  }
  for (const { p, q } of pairs) {
    if (edges.length >= target) break;
    add(p, q);
  }
  const graph = createGraph(
    Array.from({ length: n }, (_, i) => `n${i}`),
    edges,
  );
  const pinCount = options.pins ?? d;
  if (!(Number.isInteger(pinCount) && pinCount >= 1 && pinCount < n)) throw new MultimechError(`random spring network: pins must be an integer in [1, ${n - 1}], got ${pinCount}`);
  const pins = [...Array(n).keys()].sort((i, j) => positions[i * d + d - 1] - positions[j * d + d - 1]).slice(0, pinCount);
  return { dimension: d, graph, positions, pins, ...choosePairs(graph, positions, d, pins, counts, 'random spring network') };
}
