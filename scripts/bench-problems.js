/**
 * The benchmark's networks: grounded weighted graph Laplacians (the Hessians
 * of resistor and flow networks) on 5-point grids and connected random
 * graphs, assembled through @multimech/sparse's public edge-pattern builder.
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

module.exports = { mulberry32, gridGraph, randomGraph, randomWeights, groundedLaplacian, assembleLaplacian };
