import { Graph, MultimechError } from '@multimech/core';
import { planSolver } from '@multimech/sparse';
import type { SpringStiffness } from './spring-stiffness';

/** Refuses two nodes at one place (within 1e-9 of the network's size), naming both. */
export function checkOverlaps(x: Float64Array, d: number, names: readonly string[]): void {
  const n = names.length;
  let size = 0;
  for (let a = 0; a < d; a++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) [lo, hi] = [Math.min(lo, x[i * d + a]), Math.max(hi, x[i * d + a])];
    size = Math.max(size, hi - lo);
  }
  const tol = 1e-9 * (size || 1);
  const order = [...Array(n).keys()].sort((i, j) => x[i * d] - x[j * d]);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n && x[order[q] * d] - x[order[p] * d] <= tol; q++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (x[order[p] * d + a] - x[order[q] * d + a]) ** 2;
      if (Math.sqrt(s) <= tol) {
        throw new MultimechError(`nodes '${names[order[p]]}' and '${names[order[q]]}' overlap (both at [${Array.from({ length: d }, (_, a) => x[order[p] * d + a]).join(', ')}])`);
      }
    }
  }
}

/** Every free node needs a spring; springs must be able to hold every free dof (Maxwell count). */
export function checkSprings(graph: Graph, d: number, heldIndex: Int32Array, free: number): void {
  const { from, to, nodeNames } = graph;
  const degree = new Int32Array(nodeNames.length);
  let acting = 0;
  for (let k = 0; k < from.length; k++) {
    degree[from[k]]++;
    degree[to[k]]++;
    const freeEnd = [from[k], to[k]].some((node) => Array.from({ length: d }, (_, a) => heldIndex[node * d + a]).some((h) => h < 0));
    if (freeEnd) acting++;
  }
  const bare = nodeNames.filter((_, i) => degree[i] === 0 && Array.from({ length: d }, (__, a) => heldIndex[i * d + a]).some((h) => h < 0));
  if (bare.length > 0) {
    throw new MultimechError(
      `node(s) ${bare.slice(0, 10).join(', ')}${bare.length > 10 ? ', ...' : ''} have no spring: their free dofs are free of any stiffness`,
    );
  }
  if (acting < free) {
    throw new MultimechError(
      `the network is floppy: ${free} free dofs but only ${acting} springs act on them, so at least ${free - acting} dofs are free of any spring stiffness; pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line) or add springs`,
    );
  }
}

/**
 * Rigidity at the reference positions: H of the stress-free reference
 * (Σ k êêᵀ blocks) must be positive definite. A zero-energy (floppy) mode,
 * such as a rigid-body motion that too few pins leave free, is reported
 * with the node that moves most in it.
 */
export function checkRigid(
  stiffnessMatrix: SpringStiffness,
  reference: Float64Array,
  stiffness: Float64Array,
  referenceDistance: Float64Array,
  freeDofs: Int32Array,
): void {
  const free = freeDofs.length;
  if (free === 0) return;
  const A = stiffnessMatrix.assemble(reference, stiffness, referenceDistance);
  const scale = stiffnessMatrix.maxDiagonal();
  const plan = stiffnessMatrix.plan?.method === 'cholesky' ? stiffnessMatrix.plan : planSolver(A, { method: 'cholesky' });
  const b = Float64Array.from({ length: free }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  let x: Float64Array | undefined;
  try {
    x = plan.factor(A).solve(b);
  } catch {
    x = undefined;
  }
  let worst = 0;
  let at = 0;
  if (x) for (let i = 0; i < free; i++) if (!(Math.abs(x[i]) <= worst)) [worst, at] = [Math.abs(x[i]), i];
  if (!x || !(worst * scale <= 1e10 * 2)) {
    const { graph, dim } = stiffnessMatrix;
    const where = x ? ` (it moves node '${graph.nodeNames[Math.floor(freeDofs[at] / dim)]}' most)` : '';
    throw new MultimechError(
      `the network is not rigid: its stiffness matrix at the reference positions is singular, a zero-energy (floppy) mode${where}; ` +
        `pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line) or add springs`,
    );
  }
}

/**
 * The rigid motions of a d-dimensional network at `positions` (node-major),
 * as columns over the dofs: d translations, then the rotations (one in 2-D,
 * three in 3-D) about the centroid, in units of the network's size.
 */
function rigidMotions(positions: Float64Array, d: number): Float64Array[] {
  const n = positions.length / d;
  const centre = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) centre[a] += positions[i * d + a] / n;
  let size = 0;
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) size = Math.max(size, Math.abs(positions[i * d + a] - centre[a]));
  size ||= 1;
  const modes: Float64Array[] = [];
  for (let a = 0; a < d; a++) {
    const t = new Float64Array(n * d);
    for (let i = 0; i < n; i++) t[i * d + a] = 1;
    modes.push(t);
  }
  // a rotation in the plane (p, q): the node at r moves by (−r_q, r_p)
  const planes: [number, number][] = d === 2 ? [[0, 1]] : [[1, 2], [2, 0], [0, 1]];
  for (const [p, q] of planes) {
    const r = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      r[i * d + p] = -(positions[i * d + q] - centre[q]) / size;
      r[i * d + q] = (positions[i * d + p] - centre[p]) / size;
    }
    modes.push(r);
  }
  return modes;
}

/**
 * The network must be held in place by what holds dofs at given positions
 * (pins: every coordinate of a node; displacement inputs: one coordinate):
 * no rigid motion (translation, rotation) may leave all of them unmoved, so
 * in 2-D at least 3 held coordinates not all on one node (two pinned
 * nodes), in 3-D at least three pinned nodes not on one line. Strain inputs
 * do not count: they set two nodes apart, not where the network is. The
 * refusal names the held nodes (or says there are none) and whether the
 * network may slide or turn.
 */
export function checkAnchored(graph: Graph, d: number, positions: Float64Array, anchored: readonly number[]): void {
  const modes = rigidMotions(positions, d);
  const r = modes.length;
  // the Gram matrix of the modes on the anchored dofs: rank r when no rigid motion leaves them all unmoved
  const a = Array.from({ length: r }, (_, i) => Array.from({ length: r }, (__, j) => anchored.reduce((s, dof) => s + modes[i][dof] * modes[j][dof], 0)));
  const scale = Math.max(1, ...a.map((row, i) => row[i]));
  // symmetric elimination with diagonal pivoting (r ≤ 6)
  const remaining = new Set(modes.keys());
  const pivots: number[] = [];
  for (;;) {
    let pivot = -1;
    for (const i of remaining) if (pivot < 0 || a[i][i] > a[pivot][pivot]) pivot = i;
    if (pivot < 0 || !(a[pivot][pivot] > 1e-9 * scale)) break;
    remaining.delete(pivot);
    pivots.push(pivot);
    for (const i of remaining) {
      const f = a[i][pivot] / a[pivot][pivot];
      for (const j of remaining) a[i][j] -= f * a[pivot][j];
    }
  }
  if (remaining.size === 0) return;
  // a rigid motion that leaves the anchored dofs unmoved: mode f plus the pivots' share, by back-substitution
  const f = Math.min(...remaining);
  const v = new Float64Array(r);
  v[f] = 1;
  for (let k = pivots.length - 1; k >= 0; k--) {
    const p = pivots[k];
    let sum = 0;
    for (let j = 0; j < r; j++) if (j !== p) sum += a[p][j] * v[j];
    // row p after its own elimination step holds only later pivots and the free modes
    v[p] = -sum / a[p][p];
  }
  let translation = 0;
  let rotation = 0;
  for (let j = 0; j < r; j++) (j < d ? (translation += v[j] ** 2) : (rotation += v[j] ** 2));
  const nodes = [...new Set(anchored.map((dof) => Math.floor(dof / d)))].map((i) => `'${graph.nodeNames[i]}'`);
  const held = nodes.length === 0 ? 'nothing holds it in place (it has no pins)' : `it is held only at ${nodes.length === 1 ? 'node' : 'nodes'} ${nodes.join(', ')}`;
  const motion = nodes.length === 0 ? 'slide and turn' : rotation > 1e-6 * translation ? 'turn' : 'slide';
  throw new MultimechError(
    `the network can move as a rigid body: ${held}, which leaves it free to ${motion}; ` +
      'pin more nodes (2-D: at least 2, 3-D: at least 3 not on a line; a strain input does not hold the network in place)',
  );
}
