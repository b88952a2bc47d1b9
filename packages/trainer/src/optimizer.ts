import { COUNT_RANGE, GAIN_RANGE, NumericalError, ParameterBounds, bounded, oneOf, positiveInteger, positiveNumber, strictObject, numberWhere } from '@multimech/core';
import * as t from 'io-ts';

export const optimizerCodec = strictObject(
  'an optimizer',
  {},
  {
    kind: oneOf('sgd'),
    learningRate: bounded(positiveNumber, GAIN_RANGE, 'a step is the learning rate times a gradient, and must stay finite'),
    momentum: numberWhere('a number in [0, 1)', (x) => x >= 0 && x < 1),
    batchSize: bounded(positiveInteger, COUNT_RANGE),
    bounds: oneOf('project'),
  },
);
export type OptimizerConfig = t.TypeOf<typeof optimizerCodec>;
export type ResolvedOptimizerConfig = Required<OptimizerConfig>;

export function resolveOptimizer(config: OptimizerConfig | undefined): ResolvedOptimizerConfig {
  return {
    kind: config?.kind ?? 'sgd',
    learningRate: config?.learningRate ?? 0.05,
    momentum: config?.momentum ?? 0.9,
    batchSize: config?.batchSize ?? 10,
    bounds: config?.bounds ?? 'project',
  };
}

/**
 * Stochastic gradient descent with momentum, projected onto the parameters'
 * physical bounds (PHYSICS.md §5): v ← μv − α·g; θ ← Π[min,max](θ + v). The
 * projection is the stated policy (`bounds: "project"`); every step reports
 * how many parameters it held at a bound.
 */
export class SgdOptimizer {
  private readonly velocity: Float64Array;

  constructor(
    readonly config: ResolvedOptimizerConfig,
    size: number,
  ) {
    this.velocity = new Float64Array(size);
  }

  /** One update in place; returns the number of parameters held at a bound. */
  step(theta: Float64Array, gradient: Float64Array, bounds: ParameterBounds): { clamped: number; stepNorm: number } {
    const { learningRate: a, momentum: mu } = this.config;
    let clamped = 0;
    let norm = 0;
    for (let k = 0; k < theta.length; k++) {
      const g = gradient[k];
      if (!Number.isFinite(g)) throw new NumericalError(`gradient of parameter ${k} is not finite (${g})`);
      const v = mu * this.velocity[k] - a * g;
      let next = theta[k] + v;
      if (next < bounds.min[k]) {
        next = bounds.min[k];
        clamped++;
      } else if (next > bounds.max[k]) {
        next = bounds.max[k];
        clamped++;
      }
      this.velocity[k] = next - theta[k];
      norm += this.velocity[k] ** 2;
      theta[k] = next;
    }
    return { clamped, stepNorm: Math.sqrt(norm) };
  }

  state(): Float64Array {
    return Float64Array.from(this.velocity);
  }

  restore(velocity: ArrayLike<number>): void {
    this.velocity.set(velocity);
  }
}
