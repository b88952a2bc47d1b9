/**
 * The benchmark's networks: grounded weighted graph Laplacians (the Hessians
 * of resistor and flow networks) on 2-D grids, 3-D cubic lattices, random
 * regular graphs, layered networks and connected random graphs, assembled through @multimech/sparse's public edge-pattern builder.
 */
'use strict';

const { addEdgeLaplacian, edgePattern } = require('@multimech/sparse');

/** mulberry32: a tiny seeded uniform generator on [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 5-point grid with side × side nodes, node (x, y) = y·side + x. */
function gridGraph(side) {
  const tail = [];
  const head = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const k = y * side + x;
      if (x + 1 < side) tail.push(k), head.push(k + 1);
      if (y + 1 < side) tail.push(k), head.push(k + side);
    }
  }
  return { nodes: side * side, tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/** The cubic lattice with side³ nodes (6-point stencil), node (x, y, z) = (z·side + y)·side + x. */
function latticeGraph(side) {
  const count = 3 * side * side * (side - 1);
  const tail = new Int32Array(count);
  const head = new Int32Array(count);
  let e = 0;
  for (let z = 0; z < side; z++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const k = (z * side + y) * side + x;
        if (x + 1 < side) (tail[e] = k), (head[e++] = k + 1);
        if (y + 1 < side) (tail[e] = k), (head[e++] = k + side);
        if (z + 1 < side) (tail[e] = k), (head[e++] = k + side * side);
      }
    }
  }
  return { nodes: side ** 3, tail, head };
}

/**
 * A random 4-regular graph on `nodes` nodes: the union of two random
 * Hamiltonian cycles with no edge in common (edges of the second that repeat
 * one of the first are removed by random swaps), hence connected.
 */
function randomRegularGraph(nodes, random) {
  const shuffled = () => {
    const order = Int32Array.from({ length: nodes }, (_, i) => i);
    for (let i = nodes - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  };
  const first = shuffled();
  const key = (a, b) => (a < b ? a * nodes + b : b * nodes + a);
  const firstEdges = new Set();
  for (let i = 0; i < nodes; i++) firstEdges.add(key(first[i], first[(i + 1) % nodes]));
  const second = shuffled();
  const clashes = (i) => {
    const a = second[i];
    return firstEdges.has(key(a, second[(i + 1) % nodes])) || firstEdges.has(key(second[(i + nodes - 1) % nodes], a));
  };
  for (let pass = 0; ; pass++) {
    let bad = 0;
    for (let i = 0; i < nodes; i++) {
      if (!clashes(i)) continue;
      bad++;
      const j = Math.floor(random() * nodes);
      const t = second[i];
      second[i] = second[j];
      second[j] = t;
    }
    if (bad === 0) break;
    if (pass > 1000) throw new Error('randomRegularGraph: could not separate the two cycles');
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

/**
 * A layered network: `sizes[0]` inputs, then each layer, every node of a
 * layer joined to every node of the next. Returns the graph and its input
 * nodes (held at their clamped values in training: grounded here).
 */
function layeredGraph(sizes) {
  const starts = [0];
  for (const s of sizes) starts.push(starts[starts.length - 1] + s);
  const tail = [];
  const head = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let a = starts[l]; a < starts[l + 1]; a++) {
      for (let b = starts[l + 1]; b < starts[l + 2]; b++) tail.push(a), head.push(b);
    }
  }
  const inputs = Array.from({ length: sizes[0] }, (_, i) => i);
  return { graph: { nodes: starts[sizes.length], tail: Int32Array.from(tail), head: Int32Array.from(head) }, inputs };
}

/** A connected random graph: a path through a random permutation, plus distinct random edges up to the mean degree. */
function randomGraph(nodes, meanDegree, random) {
  const order = Array.from({ length: nodes }, (_, i) => i);
  for (let i = nodes - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const seen = new Set();
  const tail = [];
  const head = [];
  const add = (a, b) => {
    const key = a < b ? a * nodes + b : b * nodes + a;
    if (a === b || seen.has(key)) return;
    seen.add(key);
    tail.push(a);
    head.push(b);
  };
  for (let i = 0; i + 1 < nodes; i++) add(order[i], order[i + 1]);
  const target = Math.max(nodes - 1, Math.round((meanDegree * nodes) / 2));
  while (tail.length < target) add(Math.floor(random() * nodes), Math.floor(random() * nodes));
  return { nodes, tail: Int32Array.from(tail), head: Int32Array.from(head) };
}

/** Uniform random weights in [lo, hi). */
function randomWeights(count, random, lo = 0.5, hi = 2) {
  return Float64Array.from({ length: count }, () => lo + (hi - lo) * random());
}

/** L = Σ_e w_e (u_t − u_h)(u_t − u_h)ᵀ + Σ_grounds u_i u_iᵀ, with the slots each edge writes, for re-assembly in place. */
function groundedLaplacian(graph, weights, grounds) {
  const m = graph.tail.length;
  const rowOf = Int32Array.from({ length: graph.nodes + 1 }, (_, i) => (i < graph.nodes ? i : -1));
  const pattern = edgePattern(graph.nodes, rowOf, [...graph.tail, ...grounds], [...graph.head, ...grounds.map(() => graph.nodes)]);
  const lap = { matrix: pattern.matrix, graph, edgeSlots: pattern.slots.slice(0, 4 * m), groundSlots: Int32Array.from(grounds, (_, g) => pattern.slots[4 * (m + g)]) };
  assembleLaplacian(lap, weights);
  return lap;
}

/** Writes the Laplacian of `weights` into the matrix's values in place. O(edges). */
function assembleLaplacian(lap, weights) {
  const values = lap.matrix.values;
  values.fill(0);
  addEdgeLaplacian(lap.edgeSlots, weights, values);
  for (const slot of lap.groundSlots) values[slot] += 1;
}

module.exports = { mulberry32, gridGraph, latticeGraph, randomRegularGraph, layeredGraph, randomGraph, randomWeights, groundedLaplacian, assembleLaplacian };
