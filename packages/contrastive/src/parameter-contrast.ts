import { type Substrate } from '@multimech/core';

/**
 * The contrastive estimate [∂E/∂θ(high) − ∂E/∂θ(low)] / span, per parameter:
 * each edge measures its own ∂E/∂θ (½ΔV² for a resistor) in the two states.
 */
export function parameterContrast(substrate: Substrate, low: Float64Array, high: Float64Array, span: number): Float64Array {
  const a = substrate.parameterForce(low);
  const b = substrate.parameterForce(high);
  const g = new Float64Array(a.length);
  for (let k = 0; k < g.length; k++) g[k] = (b[k] - a[k]) / span;
  return g;
}
