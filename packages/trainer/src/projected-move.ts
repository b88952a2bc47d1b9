import type { ParameterBounds } from '@multimech/core';

/**
 * Moves parameter `k` by `move`, projected onto its bounds (the stated
 * policy: saturation), and records the move actually made as its momentum.
 * Returns whether the bound held it: the optimizer's step and the
 * imperfect hardware step take their moves through here.
 */
export function takeProjectedMove(theta: Float64Array, velocity: Float64Array, k: number, move: number, bounds: ParameterBounds): boolean {
  let next = theta[k] + move;
  let held = false;
  if (next < bounds.min[k]) {
    next = bounds.min[k];
    held = true;
  } else if (next > bounds.max[k]) {
    next = bounds.max[k];
    held = true;
  }
  velocity[k] = next - theta[k];
  theta[k] = next;
  return held;
}
