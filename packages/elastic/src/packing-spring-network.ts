import { MultimechError, NumericalError, Rng, createGraph, fireMinimize } from '@multimech/core';
import { planSolver } from '@multimech/sparse';
import { ElasticTopology, PairCounts, choosePairs } from './elastic-topology';
import { SpringStiffness } from './spring-stiffness';

export interface PackingOptions {
  readonly dimension: 2 | 3;
  readonly nodes: number;
  /** The mean coordination Z = 2·springs/nodes to prune to; above 2·dimension (isostatic) to be rigid. */
  readonly coordination: number;
  /** Pinned nodes: the lowest along the last axis (default: dimension). */
  readonly pins?: number;
}

/** A packed spring network: the topology, and how it was made. */
export interface PackedTopology extends ElasticTopology {
  /** The achieved mean coordination 2·springs/nodes. */
  readonly coordination: number;
  /** The mean number of touching neighbours per particle in the relaxed packing (before near neighbours are added and springs pruned). */
  readonly contactCoordination: number;
  /** The packing fraction of the relaxed discs (spheres) in their box. */
  readonly packingFraction: number;
  /** Each particle's radius (the springs join particles that touch). */
  readonly radii: Float64Array;
}

/** Packing fraction of the compressed packing: above jamming (about 0.84 for bidisperse discs, 0.64 for spheres). */
const PACKING_FRACTION = { 2: 0.88, 3: 0.7 } as const;
/** Radii of the two species (ratio 1.4, which keeps discs from crystallising); their mean contact distance is 1. */
const SMALL = 1 / 2.4;
const LARGE = 1.4 / 2.4;

/**
 * A disordered, packing-like spring network (the pruned networks of the
 * tuning-by-pruning literature):
 *
 * 1. `nodes` bidisperse soft discs (spheres in 3-D; radii 0.417 and 0.583,
 *    half each, so a contact is about 1 long) at uniform random points of a
 *    box sized for a packing fraction above jamming (0.88 in 2-D, 0.70 in
 *    3-D), relaxed by FIRE on the harmonic soft-sphere repulsion
 *    ½ (1 − r/σ)² (σ the sum of the radii) and soft walls, to a jammed-like
 *    configuration;
 * 2. the contact network: the pairs that overlap (r < σ); where that leaves
 *    a node with fewer than dimension + 1 contacts (a rattler) or the mean
 *    coordination below the target, the pairs within (1 + s)σ, s raised in
 *    steps of 0.02;
 * 3. pruning down to the target mean coordination Z: repeatedly a spring
 *    between the most coordinated nodes is removed (the node of highest
 *    coordination, its partner of highest coordination, ties drawn at
 *    random), never taking a node below dimension + 1 springs;
 * 4. rigidity with the pins (the `pins` lowest nodes along the last axis):
 *    while the stiffness matrix of unit springs at the reference has a
 *    floppy mode, the removed spring nearest the node that moves most in it
 *    is put back.
 *
 * The achieved Z is `coordination` (within 2/nodes of the target unless
 * rigidity needed springs back). Reproducible from the generator's seed.
 */
export function packingSpringNetwork(options: PackingOptions, counts: PairCounts, rng: Rng): PackedTopology {
  const { dimension: d, nodes: n, coordination: z } = options;
  const what = 'packed spring network';
  if (d !== 2 && d !== 3) throw new MultimechError(`${what}: dimension must be 2 or 3, got ${d}`);
  if (!(Number.isInteger(n) && n >= d + 2)) throw new MultimechError(`${what}: expected an integer node count >= ${d + 2}, got ${n}`);
  if (!(z > 2 * d)) throw new MultimechError(`${what}: expected a mean coordination above 2·dimension = ${2 * d} (at or below it the network is floppy), got ${z}`);
  if (!(z <= n - 1)) throw new MultimechError(`${what}: a mean coordination of ${z} needs more than ${n} nodes (each has at most ${n - 1} springs)`);
  const pinCount = options.pins ?? d;
  if (!(Number.isInteger(pinCount) && pinCount >= 1 && pinCount < n)) throw new MultimechError(`${what}: pins must be an integer in [1, ${n - 1}], got ${pinCount}`);

  // 1. soft spheres relaxed by FIRE
  const radii = Float64Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => (i < n / 2 ? SMALL : LARGE))));
  const ball = d === 2 ? (r: number) => Math.PI * r * r : (r: number) => (4 / 3) * Math.PI * r ** 3;
  const volume = radii.reduce((s, r) => s + ball(r), 0);
  const side = (volume / PACKING_FRACTION[d]) ** (1 / d);
  const x0 = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) x0[i * d + a] = rng.uniform(radii[i], side - radii[i]);
  const spheres = softSpheres(n, d, radii, side);
  let positions: Float64Array;
  try {
    positions = fireMinimize(spheres, x0, { tolerance: 1e-7, maxIterations: 200000 }).x;
  } catch (e) {
    if (e instanceof NumericalError) throw new NumericalError(`${what}: relaxing the packing failed: ${e.message}`);
    throw e;
  }
  let filled = 0;
  for (let i = 0; i < n; i++) filled += ball(radii[i]);

  // 2. contacts, widened to near neighbours where needed
  const target = Math.round((n * z) / 2);
  const collect = (maxGap: number) => {
    const found: { p: number; q: number; gap: number; r: number }[] = [];
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += (positions[p * d + a] - positions[q * d + a]) ** 2;
        const r = Math.sqrt(s);
        const gap = r / (radii[p] + radii[q]) - 1;
        if (gap < maxGap) found.push({ p, q, r, gap });
      }
    }
    return found.sort((u, v) => u.gap - v.gap);
  };
  let pairs = collect(1);
  const degree = new Int32Array(n);
  let used = 0;
  let contacts = 0;
  for (let shell = 0; ; shell += 0.02) {
    while (used < pairs.length && pairs[used].gap < shell) {
      degree[pairs[used].p]++;
      degree[pairs[used].q]++;
      used++;
    }
    if (shell === 0) contacts = used;
    if (used >= target && degree.every((k) => k >= d + 1)) break;
    if (used === pairs.length) {
      if (pairs.length === (n * (n - 1)) / 2) break;
      // beyond twice the contact distance: every pair, in the same order
      pairs = collect(Infinity);
      degree.fill(0);
      used = 0;
      shell = -0.02;
    }
  }
  const contactCoordination = (2 * contacts) / n;

  // 3. pruning from the most coordinated nodes
  const present = new Uint8Array(used).fill(1);
  const incident: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < used; k++) {
    incident[pairs[k].p].push(k);
    incident[pairs[k].q].push(k);
  }
  const removed: number[] = [];
  let springs = used;
  const removable = (k: number) => present[k] === 1 && degree[pairs[k].p] > d + 1 && degree[pairs[k].q] > d + 1;
  while (springs > target) {
    let best = -1;
    let candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      if (degree[i] < best || !incident[i].some(removable)) continue;
      if (degree[i] > best) [best, candidates] = [degree[i], []];
      candidates.push(i);
    }
    if (candidates.length === 0) break;
    const i = candidates[rng.int(candidates.length)];
    let partnerDegree = -1;
    let bonds: number[] = [];
    for (const k of incident[i]) {
      if (!removable(k)) continue;
      const j = pairs[k].p === i ? pairs[k].q : pairs[k].p;
      if (degree[j] > partnerDegree) [partnerDegree, bonds] = [degree[j], []];
      if (degree[j] === partnerDegree) bonds.push(k);
    }
    const k = bonds[rng.int(bonds.length)];
    present[k] = 0;
    degree[pairs[k].p]--;
    degree[pairs[k].q]--;
    removed.push(k);
    springs--;
  }
  if (springs > target) {
    throw new MultimechError(
      `${what}: cannot prune to a mean coordination of ${z}: every node is down to ${d + 1} springs at ${((2 * springs) / n).toFixed(3)}`,
    );
  }

  // 4. rigidity with the pins: put back removed springs where a floppy mode lives
  const pins = [...Array(n).keys()].sort((i, j) => positions[i * d + d - 1] - positions[j * d + d - 1]).slice(0, pinCount);
  for (;;) {
    const kept = [...present.keys()].filter((k) => present[k] === 1);
    const floppy = floppyNode(positions, d, n, kept.map((k) => pairs[k]), pins);
    if (floppy === undefined) break;
    // the removed spring closest to the node that moves most
    let pick = -1;
    let closest = Infinity;
    for (const k of removed) {
      if (present[k] === 1) continue;
      const { p, q } = pairs[k];
      let dist = 0;
      for (let a = 0; a < d; a++) {
        const mid = 0.5 * (positions[p * d + a] + positions[q * d + a]);
        dist += (mid - positions[floppy * d + a]) ** 2;
      }
      if (p === floppy || q === floppy) dist = -1 / pairs[k].r;
      if (dist < closest) [closest, pick] = [dist, k];
    }
    if (pick < 0) throw new MultimechError(`${what}: the network is not rigid with its ${pinCount} pins (node n${floppy} moves freely) and no removed spring is left to put back: use more pins or a higher coordination`);
    present[pick] = 1;
    springs++;
  }

  const kept = [...present.keys()].filter((k) => present[k] === 1);
  const graph = createGraph(
    Array.from({ length: n }, (_, i) => `n${i}`),
    kept.map((k, e) => ({ name: `s${e}`, from: pairs[k].p, to: pairs[k].q })),
  );
  return {
    dimension: d,
    graph,
    positions,
    pins,
    ...choosePairs(graph, positions, d, pins, counts, what),
    coordination: (2 * kept.length) / n,
    contactCoordination,
    packingFraction: filled / side ** d,
    radii,
  };
}

/**
 * Harmonic soft spheres in a box [0, side]^d with soft walls: E = Σ_pairs
 * ½ (1 − r/σ)² over overlapping pairs (σ = r_i + r_j) + Σ_walls ½ (δ/2r_i)²
 * for a sphere reaching δ past a wall. Neighbours come from a cell grid, so
 * one evaluation costs O(n).
 */
function softSpheres(n: number, d: number, radii: Float64Array, side: number) {
  const cell = 2 * Math.max(...radii);
  const cells = Math.max(1, Math.floor(side / cell));
  const width = side / cells;
  const cellOf = (x: Float64Array, i: number) => {
    let c = 0;
    for (let a = d - 1; a >= 0; a--) c = c * cells + Math.min(cells - 1, Math.max(0, Math.floor(x[i * d + a] / width)));
    return c;
  };
  const offsets: number[][] = [];
  for (let o = 0; o < 3 ** d; o++) {
    const off: number[] = [];
    let rest = o;
    for (let a = 0; a < d; a++) {
      off.push((rest % 3) - 1);
      rest = Math.floor(rest / 3);
    }
    offsets.push(off);
  }
  /** Calls visit(i, j) once for every pair closer than `cell` (and some further ones). */
  const eachPair = (x: Float64Array, visit: (i: number, j: number) => void) => {
    const head = new Int32Array(cells ** d).fill(-1);
    const next = new Int32Array(n);
    const own = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      own[i] = cellOf(x, i);
      next[i] = head[own[i]];
      head[own[i]] = i;
    }
    const coords = new Int32Array(d);
    for (let i = 0; i < n; i++) {
      let rest = own[i];
      for (let a = 0; a < d; a++) {
        coords[a] = rest % cells;
        rest = Math.floor(rest / cells);
      }
      for (const off of offsets) {
        let c = 0;
        let inside = true;
        for (let a = d - 1; a >= 0; a--) {
          const v = coords[a] + off[a];
          if (v < 0 || v >= cells) inside = false;
          c = c * cells + v;
        }
        if (!inside) continue;
        for (let j = head[c]; j >= 0; j = next[j]) if (j > i) visit(i, j);
      }
    }
  };
  const walk = (x: Float64Array, g: Float64Array | undefined): number => {
    let e = 0;
    eachPair(x, (i, j) => {
      let s = 0;
      for (let a = 0; a < d; a++) s += (x[i * d + a] - x[j * d + a]) ** 2;
      const sigma = radii[i] + radii[j];
      if (s >= sigma * sigma) return;
      const r = Math.sqrt(s);
      const overlap = 1 - r / sigma;
      e += 0.5 * overlap * overlap;
      if (g && r > 0) {
        const t = -overlap / (sigma * r);
        for (let a = 0; a < d; a++) {
          const f = t * (x[i * d + a] - x[j * d + a]);
          g[i * d + a] += f;
          g[j * d + a] -= f;
        }
      }
    });
    for (let i = 0; i < n; i++) {
      const w = 2 * radii[i];
      for (let a = 0; a < d; a++) {
        const v = x[i * d + a];
        const low = radii[i] - v;
        const high = v + radii[i] - side;
        if (low > 0) {
          e += 0.5 * (low / w) ** 2;
          if (g) g[i * d + a] -= low / (w * w);
        }
        if (high > 0) {
          e += 0.5 * (high / w) ** 2;
          if (g) g[i * d + a] += high / (w * w);
        }
      }
    }
    return e;
  };
  return {
    size: n * d,
    energy: (x: Float64Array) => walk(x, undefined),
    gradient: (x: Float64Array) => {
      const g = new Float64Array(n * d);
      walk(x, g);
      return g;
    },
    name: (i: number) => `n${Math.floor(i / d)}`,
  };
}

/**
 * The node that moves most in a floppy mode of unit springs at the
 * reference positions with the pins held, or undefined when the network is
 * rigid: the smallest eigenvalue of the stiffness matrix is then above
 * 1e-8 of its largest diagonal entry (an inverse-iteration probe of H + δI).
 */
export function floppyNode(positions: Float64Array, d: number, n: number, springs: readonly { p: number; q: number }[], pins: readonly number[]): number | undefined {
  const graph = createGraph(
    Array.from({ length: n }, (_, i) => `n${i}`),
    springs.map((s, k) => ({ name: `s${k}`, from: s.p, to: s.q })),
  );
  const freeIndex = new Int32Array(n * d).fill(-1);
  let free = 0;
  const pinned = new Set(pins);
  for (let i = 0; i < n; i++) if (!pinned.has(i)) for (let a = 0; a < d; a++) freeIndex[i * d + a] = free++;
  const K = new SpringStiffness(graph, d, freeIndex, free, { method: 'cholesky' });
  const lengths = Float64Array.from(springs, (s) => {
    let r = 0;
    for (let a = 0; a < d; a++) r += (positions[s.p * d + a] - positions[s.q * d + a]) ** 2;
    return Math.sqrt(r);
  });
  const A = K.assemble(positions, new Float64Array(springs.length).fill(1), lengths);
  const scale = K.maxDiagonal() || 1;
  const delta = 1e-12 * scale;
  K.shift(delta);
  const plan = K.plan ?? planSolver(A, { method: 'cholesky' });
  // two steps of inverse iteration: a floppy mode grows by 1/δ per step, a stiff one by at most 1e8/scale
  let v = Float64Array.from({ length: free }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  const factor = plan.factor(A);
  for (let step = 0; step < 2; step++) {
    const w = factor.solve(v);
    const size = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    v = w.map((x) => x / size);
    if (step === 1) {
      // Rayleigh quotient of H (without the shift) at the probe
      const Av = new Float64Array(free);
      for (let r = 0; r < free; r++) for (let p = A.rowPtr[r]; p < A.rowPtr[r + 1]; p++) Av[r] += (A.values[p] - (A.colIdx[p] === r ? delta : 0)) * v[A.colIdx[p]];
      const lambda = v.reduce((s, x, i) => s + x * Av[i], 0);
      if (lambda > 1e-8 * scale) return undefined;
    }
  }
  let worst = 0;
  let at = 0;
  for (let r = 0; r < free; r++) if (Math.abs(v[r]) > worst) [worst, at] = [Math.abs(v[r]), r];
  let node = 0;
  for (let i = 0; i < n * d; i++) if (freeIndex[i] === at) node = Math.floor(i / d);
  return node;
}
