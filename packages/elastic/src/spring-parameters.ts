import { MultimechError, ParameterBounds } from '@multimech/core';

/** What the springs learn: their stiffness k, their rest length ℓ, or both (θ = [k…, ℓ…]). */
export type ElasticParameter = 'stiffness' | 'rest-length' | 'both';

/** One finite positive value per spring, or a clear error naming the spring. */
function perSpring(values: ArrayLike<number>, what: string, names: readonly string[]): Float64Array {
  if (values.length !== names.length) throw new MultimechError(`elastic network: expected ${names.length} ${what} values (one per spring), got ${values.length}`);
  const out = Float64Array.from(values);
  out.forEach((v, k) => {
    if (!(Number.isFinite(v) && v > 0)) throw new MultimechError(`${what} of spring '${names[k]}' must be a finite positive number, got ${v}`);
  });
  return out;
}

function checkBounds(bounds: ParameterBounds, names: readonly string[], theta: Float64Array): ParameterBounds {
  if (bounds.min.length !== names.length || bounds.max.length !== names.length) {
    throw new MultimechError(`parameter bounds: expected ${names.length} minima and maxima, got ${bounds.min.length} and ${bounds.max.length}`);
  }
  names.forEach((name, k) => {
    const [lo, hi] = [bounds.min[k], bounds.max[k]];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo < hi)) throw new MultimechError(`bounds of '${name}' must be finite with 0 < min < max, got [${lo}, ${hi}]`);
    if (theta[k] < lo || theta[k] > hi) throw new MultimechError(`parameter '${name}' (${theta[k]}) lies outside its bounds [${lo}, ${hi}]`);
  });
  return { min: Float64Array.from(bounds.min), max: Float64Array.from(bounds.max) };
}

/**
 * The springs' stiffness k and rest length ℓ, and the trainable parameters
 * θ they are read from and written to: θ = k, θ = ℓ, or θ = [k…, ℓ…]
 * (parameters named `k:spring` and `l:spring` then), with one pair of
 * bounds per parameter.
 */
export class SpringParameters {
  /** Stiffness k per spring (live). */
  readonly stiffness: Float64Array;
  /** Rest length ℓ per spring (live). */
  readonly restLength: Float64Array;
  readonly names: readonly string[];
  readonly bounds: ParameterBounds;
  /** θ (live). */
  readonly theta: Float64Array;

  constructor(
    readonly parameter: ElasticParameter,
    private readonly edgeNames: readonly string[],
    stiffness: ArrayLike<number>,
    /** Rest lengths, or undefined for `referenceLength`. */
    restLength: ArrayLike<number> | undefined,
    referenceLength: Float64Array,
    bounds: ParameterBounds,
  ) {
    this.stiffness = perSpring(stiffness, 'stiffness', edgeNames);
    this.restLength = restLength ? perSpring(restLength, 'rest length', edgeNames) : Float64Array.from(referenceLength);
    if (!['stiffness', 'rest-length', 'both'].includes(parameter)) {
      throw new MultimechError(`elastic network: parameter must be 'stiffness', 'rest-length' or 'both', got ${JSON.stringify(parameter)}`);
    }
    this.names = parameter === 'both' ? [...edgeNames.map((e) => `k:${e}`), ...edgeNames.map((e) => `l:${e}`)] : [...edgeNames];
    this.theta = new Float64Array(this.names.length);
    const m = this.stiffness.length;
    if (parameter === 'stiffness') this.theta.set(this.stiffness);
    else if (parameter === 'rest-length') this.theta.set(this.restLength);
    else {
      this.theta.set(this.stiffness);
      this.theta.set(this.restLength, m);
    }
    this.bounds = checkBounds(bounds, this.names, this.theta);
  }

  /** Stores θ, and the stiffness or rest lengths it sets; refuses a wrong length or a value that is not finite and positive. */
  set(theta: ArrayLike<number>): void {
    const m = this.stiffness.length;
    const parameter = this.parameter;
    if (theta.length !== this.theta.length) {
      throw new MultimechError(`expected ${this.theta.length} ${parameter} values (${parameter === 'both' ? 'k then ℓ per spring' : 'one per spring'}), got ${theta.length}`);
    }
    for (let i = 0; i < theta.length; i++) {
      if (!(Number.isFinite(theta[i]) && theta[i] > 0)) {
        const what = parameter === 'both' ? (i < m ? 'stiffness' : 'rest length') : parameter === 'stiffness' ? 'stiffness' : 'rest length';
        throw new MultimechError(`${what} of spring '${this.edgeNames[i % m]}' must be a finite positive number, got ${theta[i]}`);
      }
    }
    if (parameter === 'stiffness') this.stiffness.set(theta);
    else if (parameter === 'rest-length') this.restLength.set(theta);
    else {
      for (let k = 0; k < m; k++) {
        this.stiffness[k] = theta[k];
        this.restLength[k] = theta[m + k];
      }
    }
    this.theta.set(theta);
  }

  /** Whether θ_j is a rest length (rather than a stiffness). */
  isRestLength(j: number): boolean {
    return this.parameter === 'rest-length' || (this.parameter === 'both' && j >= this.stiffness.length);
  }
}
