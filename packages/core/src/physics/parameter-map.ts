import { MultimechError } from '../support/errors';

/**
 * How each trainable edge's parameter θ sets its weight w, the prefactor of
 * the edge's current (a conductance): w(θ) and dw/dθ per edge. That is all
 * the chain rule needs, `dC/dθ = (dw/dθ) dC/dw` and
 * `∂E/∂θ = (dw/dθ) ∂E/∂w` (PHYSICS.md §1, the radius of a tube), so a
 * scalar substrate whose parameter is not the weight itself differs from one
 * whose parameter is only by this map.
 */
export interface ParameterMap {
  /** What the map is, for messages: 'identity', 'w = c θ^4'. */
  readonly description: string;
  /** w per edge at θ (a new array). */
  weights(theta: Float64Array): Float64Array;
  /** dw/dθ per edge at θ (a new array). */
  slopes(theta: Float64Array): Float64Array;
}

/** θ is the weight itself (conductances): w = θ, dw/dθ = 1. */
export const identityMap: ParameterMap = {
  description: 'identity',
  weights: (theta) => Float64Array.from(theta),
  slopes: (theta) => new Float64Array(theta.length).fill(1),
};

/**
 * w = c θ^p with one positive coefficient c per edge (or one for every
 * edge) and dw/dθ = p w/θ: Hagen–Poiseuille's `k = π r⁴/(8 μ L)` is
 * `powerLawMap(π/(8 μ L), 4)`.
 */
export function powerLawMap(coefficients: number | ArrayLike<number>, exponent: number): ParameterMap {
  if (!(Number.isFinite(exponent) && exponent !== 0)) throw new MultimechError(`power-law parameter map: the exponent must be a finite non-zero number, got ${exponent}`);
  const single = typeof coefficients === 'number';
  const c = single ? Float64Array.of(coefficients) : Float64Array.from(coefficients);
  c.forEach((x, k) => {
    if (!(Number.isFinite(x) && x > 0)) {
      throw new MultimechError(`power-law parameter map: the coefficient${single ? '' : ` of edge ${k}`} must be a finite positive number, got ${x}`);
    }
  });
  const at = (theta: Float64Array, k: number) => {
    if (!single && theta.length !== c.length) {
      throw new MultimechError(`power-law parameter map: ${c.length} coefficients (one per edge), but ${theta.length} parameters`);
    }
    return single ? c[0] : c[k];
  };
  const weights = (theta: Float64Array) => theta.map((x, k) => at(theta, k) * x ** exponent);
  return {
    description: `w = c θ^${exponent}`,
    weights,
    slopes: (theta) => {
      const w = weights(theta);
      return w.map((x, k) => (exponent * x) / theta[k]);
    },
  };
}
