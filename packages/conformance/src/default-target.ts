import type { Rng } from '@multimech/core';
import { maxAbs } from './vectors';

/**
 * The target a fixture without one is checked against: each output moved
 * by a uniform offset of up to half the largest output (or ½), so that the
 * loss and its gradient are not small.
 */
export function defaultTarget(outputs: Float64Array, rng: Rng): Float64Array {
  const scale = maxAbs(outputs) || 1;
  return outputs.map((v) => v + scale * rng.uniform(-0.5, 0.5));
}
