/**
 * Reproducible sample problems for tests and benchmarks: grounded weighted
 * graph Laplacians (the Hessians of resistor and flow networks) on 2-D grids,
 * 3-D lattices, random regular, layered and random graphs, and general
 * random sparse SPD matrices.
 */

import { CsrMatrix, csrFromTriplets } from '../src/csr-matrix';
import { addEdgeLaplacian, edgePattern } from '../src/edge-pattern';

/** mulberry32: a tiny seeded uniform generator on [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An undirected graph as parallel endpoint arrays (edge e joins tail[e] and head[e]). */
export interface EdgeList {
  readonly nodes: number;
  readonly tail: Int32Array;
  readonly head: Int32Array;
}

/** The 5-point grid graph with `width x height` nodes, node (x, y) = y * width + x. */
export function gridGraph(width: number, height: number = width): EdgeList {
  const tail: number[] = [];
  const head: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      if (x + 1 < width) {
        tail.push(k);
        head.push(k + 1);
      }
      if (y + 1 < height) {
        tail.push(k);
        head.push(k + width);
      }
    }
  }
  return { nodes: width * height, tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/** The cubic lattice with side³ nodes (6-point stencil), node (x, y, z) = (z·side + y)·side + x. */
export function latticeGraph(side: number): EdgeList {
  const tail: number[] = [];
  const head: number[] = [];
  for (let z = 0; z < side; z++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const k = (z * side + y) * side + x;
        if (x + 1 < side) tail.push(k), head.push(k + 1);
        if (y + 1 < side) tail.push(k), head.push(k + side);
        if (z + 1 < side) tail.push(k), head.push(k + side * side);
      }
    }
  }
  return { nodes: side ** 3, tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/**
 * A random 4-regular graph: the union of two random Hamiltonian cycles with
 * no edge in common (clashing positions of the second are swapped at random
 * until none is left), hence connected.
 */
export function randomRegularGraph(nodes: number, random: () => number): EdgeList {
  const shuffled = (): Int32Array => {
    const order = Int32Array.from({ length: nodes }, (_, i) => i);
    for (let i = nodes - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
  const key = (a: number, b: number): number => (a < b ? a * nodes + b : b * nodes + a);
  const first = shuffled();
  const firstEdges = new Set<number>();
  for (let i = 0; i < nodes; i++) firstEdges.add(key(first[i], first[(i + 1) % nodes]));
  const second = shuffled();
  const clashes = (i: number): boolean =>
    firstEdges.has(key(second[i], second[(i + 1) % nodes])) || firstEdges.has(key(second[(i + nodes - 1) % nodes], second[i]));
  for (let bad = 1; bad > 0; ) {
    bad = 0;
    for (let i = 0; i < nodes; i++) {
      if (!clashes(i)) continue;
      bad++;
      const j = Math.floor(random() * nodes);
      [second[i], second[j]] = [second[j], second[i]];
    }
  }
  const tail = new Int32Array(2 * nodes);
  const head = new Int32Array(2 * nodes);
  for (let i = 0; i < nodes; i++) {
    tail[i] = first[i];
    head[i] = first[(i + 1) % nodes];
    tail[nodes + i] = second[i];
    head[nodes + i] = second[(i + 1) % nodes];
  }
  return { nodes, tail, head };
}

/** A layered network: layers of the given sizes, every node of a layer joined to every node of the next. */
export function layeredGraph(sizes: readonly number[]): EdgeList {
  const starts = [0];
  for (const s of sizes) starts.push(starts[starts.length - 1] + s);
  const tail: number[] = [];
  const head: number[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let a = starts[l]; a < starts[l + 1]; a++) for (let b = starts[l + 1]; b < starts[l + 2]; b++) tail.push(a), head.push(b);
  }
  return { nodes: starts[sizes.length], tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/**
 * A connected random graph with `nodes` nodes and about `meanDegree * nodes / 2`
 * distinct edges: a path through a random permutation of the nodes, plus
 * uniformly random edges (no self loops, no repeats).
 */
export function randomGraph(nodes: number, meanDegree: number, random: () => number): EdgeList {
  const order = Array.from({ length: nodes }, (_, i) => i);
  for (let i = nodes - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const seen = new Set<number>();
  const tail: number[] = [];
  const head: number[] = [];
  const add = (a: number, b: number): void => {
    if (a === b) return;
    const key = a < b ? a * nodes + b : b * nodes + a;
    if (seen.has(key)) return;
    seen.add(key);
    tail.push(a);
    head.push(b);
  };
  for (let i = 0; i + 1 < nodes; i++) add(order[i], order[i + 1]);
  const target = Math.max(nodes - 1, Math.round((meanDegree * nodes) / 2));
  const maxEdges = (nodes * (nodes - 1)) / 2;
  while (tail.length < Math.min(target, maxEdges)) add(Math.floor(random() * nodes), Math.floor(random() * nodes));
  return { nodes, tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/**
 * A grounded weighted Laplacian and the slots each edge writes to, so that
 * new weights are re-assembled in place by {@link assembleLaplacian}.
 */
export interface GroundedLaplacian {
  readonly matrix: CsrMatrix;
  readonly graph: EdgeList;
  /** Grounded nodes; each carries `groundConductance` to ground on its diagonal. */
  readonly grounds: Int32Array;
  readonly groundConductance: number;
  /** Per edge: slots of (t,t), (h,h), (t,h), (h,t) in `matrix.values`. */
  readonly edgeSlots: Int32Array;
  readonly groundSlots: Int32Array;
}

/**
 * Builds L = sum_e w_e (u_t - u_h)(u_t - u_h)^T + g sum_{i in grounds} u_i u_i^T,
 * symmetric positive definite when every connected component holds a ground.
 */
export function groundedLaplacian(
  graph: EdgeList,
  weights: Float64Array,
  grounds: ArrayLike<number>,
  groundConductance = 1,
): GroundedLaplacian {
  const grounded = Int32Array.from(grounds);
  // a ground is a node tied to a node outside the matrix: its diagonal slot is that edge's (a,a) slot
  const rowOf = Int32Array.from({ length: graph.nodes + 1 }, (_, i) => (i < graph.nodes ? i : -1));
  const pattern = edgePattern(
    graph.nodes,
    rowOf,
    [...graph.tail, ...grounded],
    [...graph.head, ...grounded.map(() => graph.nodes)],
  );
  const m = graph.tail.length;
  const matrix = pattern.matrix;
  const edgeSlots = pattern.slots.slice(0, 4 * m);
  const groundSlots = Int32Array.from(grounded, (_, g) => pattern.slots[4 * (m + g)]);
  const laplacian: GroundedLaplacian = {
    matrix,
    graph,
    grounds: grounded,
    groundConductance,
    edgeSlots,
    groundSlots,
  };
  assembleLaplacian(laplacian, weights);
  return laplacian;
}

/** Writes the Laplacian of `weights` into `laplacian.matrix.values` in place. O(edges). */
export function assembleLaplacian(laplacian: GroundedLaplacian, weights: Float64Array): void {
  const values = laplacian.matrix.values as Float64Array;
  values.fill(0);
  addEdgeLaplacian(laplacian.edgeSlots, weights, values);
  for (let g = 0; g < laplacian.groundSlots.length; g++) values[laplacian.groundSlots[g]] += laplacian.groundConductance;
}

/** Uniform random weights in [lo, hi). */
export function randomWeights(count: number, random: () => number, lo = 0.5, hi = 2): Float64Array {
  const w = new Float64Array(count);
  for (let e = 0; e < count; e++) w[e] = lo + (hi - lo) * random();
  return w;
}

/**
 * A random sparse symmetric positive definite matrix that is not a
 * Laplacian: random symmetric off-diagonal entries of both signs (about
 * `perRow` per row) and a diagonal that dominates them by a random margin.
 */
export function randomSparseSpd(n: number, perRow: number, random: () => number): CsrMatrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const rowSum = new Float64Array(n);
  const pairs = Math.round((perRow * n) / 2);
  for (let t = 0; t < pairs; t++) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j) continue;
    const v = 2 * random() - 1;
    rows.push(i, j);
    cols.push(j, i);
    vals.push(v, v);
    rowSum[i] += Math.abs(v);
    rowSum[j] += Math.abs(v);
  }
  for (let i = 0; i < n; i++) {
    rows.push(i);
    cols.push(i);
    // Summing duplicate pairs can only shrink off-diagonal magnitudes: the
    // matrix stays strictly diagonally dominant, hence positive definite.
    vals.push(rowSum[i] + 0.1 + random());
  }
  return csrFromTriplets(n, n, rows, cols, vals);
}

/**
 * A random sparse SPD matrix A = R^T R that is far from diagonally dominant:
 * R is upper triangular with diagonal in [1, 2) and about `perRow - 1`
 * off-diagonal entries per row in [-1, 1) (half near the diagonal, half
 * anywhere to the right).
 */
export function randomGramSpd(n: number, perRow: number, random: () => number): CsrMatrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    // Row i of R: the diagonal and a few random entries to its right.
    const idx = [i];
    const val = [1 + random()];
    for (let t = 1; t < perRow && i + 1 < n; t++) {
      const reach = random() < 0.5 ? 12 : n; // mostly near the diagonal, sometimes anywhere
      const j = i + 1 + Math.floor(random() * Math.min(n - i - 1, reach));
      if (idx.includes(j)) continue;
      idx.push(j);
      val.push(2 * random() - 1);
    }
    for (let a = 0; a < idx.length; a++) {
      for (let b = 0; b < idx.length; b++) {
        rows.push(idx[a]);
        cols.push(idx[b]);
        vals.push(val[a] * val[b]);
      }
    }
  }
  return csrFromTriplets(n, n, rows, cols, vals);
}
