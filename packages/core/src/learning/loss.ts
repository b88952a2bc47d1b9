import type { Loss } from '../contracts/task';

/** C = ½ Σ (y − target)² (PHYSICS.md §1). */
export const mseLoss: Loss = {
  kind: 'mse',
  value(y, target) {
    let c = 0;
    for (let i = 0; i < y.length; i++) c += 0.5 * (y[i] - target[i]) ** 2;
    return c;
  },
  gradient(y, target) {
    const g = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) g[i] = y[i] - target[i];
    return g;
  },
};

/**
 * Softmax cross-entropy on the output potentials with sharpness κ:
 * C = −Σ t_o log softmax(κ y)_o, so −∂C/∂y_o = κ (t_o − softmax(κ y)_o).
 * The target is a one-hot (or any probability) vector.
 */
export function crossEntropyLoss(kappa: number): Loss {
  const softmax = (y: ArrayLike<number>): Float64Array => {
    let max = -Infinity;
    for (let i = 0; i < y.length; i++) max = Math.max(max, kappa * y[i]);
    const p = new Float64Array(y.length);
    let z = 0;
    for (let i = 0; i < y.length; i++) z += p[i] = Math.exp(kappa * y[i] - max);
    for (let i = 0; i < y.length; i++) p[i] /= z;
    return p;
  };
  return {
    kind: 'cross-entropy',
    value(y, target) {
      let max = -Infinity;
      for (let i = 0; i < y.length; i++) max = Math.max(max, kappa * y[i]);
      let z = 0;
      for (let i = 0; i < y.length; i++) z += Math.exp(kappa * y[i] - max);
      const logZ = max + Math.log(z);
      let c = 0;
      for (let i = 0; i < y.length; i++) if (target[i] !== 0) c -= target[i] * (kappa * y[i] - logZ);
      return c;
    },
    gradient(y, target) {
      const p = softmax(y);
      const g = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) g[i] = kappa * (p[i] - target[i]);
      return g;
    },
  };
}

/** Index of the largest entry. */
export function argmax(y: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < y.length; i++) if (y[i] > y[best]) best = i;
  return best;
}
