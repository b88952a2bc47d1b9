import type { Rng, Substrate } from '@multimech/core';

/** The largest magnitude of an array (0 when empty). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x + a·y, a new array. */
export function axpy(x: Float64Array, a: number, y: Float64Array): Float64Array {
  return x.map((xi, i) => xi + a * y[i]);
}

/** The number of dofs of a substrate's states. */
export function dofCount(s: Substrate): number {
  return s.graph.nodeNames.length * s.dofPerNode;
}

/** A random field on the free dofs (uniform in [−scale, scale]), zero elsewhere. */
export function randomFree(free: Int32Array, dofs: number, scale: number, rng: Rng): Float64Array {
  const v = new Float64Array(dofs);
  for (const dof of free) v[dof] = scale * rng.uniform(-1, 1);
  return v;
}
