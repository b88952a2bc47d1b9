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
