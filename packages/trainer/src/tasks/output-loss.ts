import { Loss, MAX_GAIN, SIGNAL_RANGE, bounded, crossEntropyLoss, finiteNumber, mseLoss, oneOf, onlyWith, positiveNumber, refine, strictObject } from '@multimech/core';
import * as t from 'io-ts';

/**
 * How classes become output targets: MSE to target potentials (`high` for
 * the true class, `low` for the others), or softmax cross-entropy on the
 * output potentials with sharpness κ (PHYSICS.md §1).
 */
export const classLossCodec = refine(
  strictObject(
    'a classification loss',
    {},
    {
      kind: oneOf('mse', 'cross-entropy'),
      kappa: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_GAIN }, 'κ times an output must stay finite in the loss'),
      low: bounded(finiteNumber, SIGNAL_RANGE, 'a target must keep the loss finite'),
      high: bounded(finiteNumber, SIGNAL_RANGE, 'a target must keep the loss finite'),
    },
  ),
  (v) => onlyWith(v, 'kind', v.kind ?? 'cross-entropy', { kappa: ['cross-entropy'], low: ['mse'], high: ['mse'] }),
);
export type ClassLossConfig = t.TypeOf<typeof classLossCodec>;

/** A classification loss with every default filled in: MSE to targets low and high (0, 1), or cross-entropy with sharpness κ (20). */
export type ClassLossSettings = { readonly kind: 'mse'; readonly low: number; readonly high: number } | { readonly kind: 'cross-entropy'; readonly kappa: number };

/** The defaults of a classification loss (cross-entropy, κ = 20; MSE to 0 and 1). */
export function classLossSettings(config: ClassLossConfig | undefined): ClassLossSettings {
  return (config?.kind ?? 'cross-entropy') === 'mse'
    ? { kind: 'mse', low: config?.low ?? 0, high: config?.high ?? 1 }
    : { kind: 'cross-entropy', kappa: config?.kappa ?? 20 };
}

export interface ClassLoss {
  readonly loss: Loss;
  target(label: number, classes: number): Float64Array;
  readonly resolved: ClassLossSettings;
}

/** The loss of a config (its defaults filled by `classLossSettings`). */
export function createClassLoss(config: ClassLossConfig | undefined): ClassLoss {
  const resolved = classLossSettings(config);
  if (resolved.kind === 'mse') {
    const { low, high } = resolved;
    return {
      loss: mseLoss,
      resolved,
      target(label, classes) {
        const y = new Float64Array(classes).fill(low);
        y[label] = high;
        return y;
      },
    };
  }
  return {
    loss: crossEntropyLoss(resolved.kappa),
    resolved,
    target(label, classes) {
      const y = new Float64Array(classes);
      y[label] = 1;
      return y;
    },
  };
}

/** How a squared error is scaled over the outputs: summed or averaged, with or without ½. */
export type MseScaling = 'half-sum' | 'sum' | 'half-mean' | 'mean';

export const MSE_SCALINGS: readonly MseScaling[] = ['half-sum', 'sum', 'half-mean', 'mean'];

/** The formula of each scaling, for docs and messages. */
export const MSE_SCALING_FORMULAS: Readonly<Record<MseScaling, string>> = {
  'half-sum': '½ Σ_o (y_o − t_o)²',
  sum: 'Σ_o (y_o − t_o)²',
  'half-mean': '½ · (1/O) Σ_o (y_o − t_o)²',
  mean: '(1/O) Σ_o (y_o − t_o)²',
};

/**
 * The squared error to the targets under a named scaling, over the O
 * outputs: `half-sum` ½Σ (core's `mseLoss` itself, the project's default:
 * the error force is then t − y), `sum` Σ, `half-mean` ½·mean, `mean` mean.
 * The gradient scales with it (`sum`: 2(y − t); `mean`: 2(y − t)/O), so a
 * paper's cost and its learning rate carry over as they are written. The
 * loss names its scaling (`Loss.scaling`), which the trainer reports with
 * the run's figures.
 */
export function scaledMseLoss(scaling: MseScaling): Loss {
  if (scaling === 'half-sum') return { ...mseLoss, scaling };
  const half = scaling === 'half-mean';
  const mean = scaling === 'half-mean' || scaling === 'mean';
  return {
    kind: 'mse',
    scaling,
    value(y, target) {
      let c = 0;
      for (let i = 0; i < y.length; i++) c += (y[i] - target[i]) ** 2;
      if (half) c *= 0.5;
      return mean ? c / y.length : c;
    },
    gradient(y, target) {
      const g = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) {
        const d = half ? y[i] - target[i] : 2 * (y[i] - target[i]);
        g[i] = mean ? d / y.length : d;
      }
      return g;
    },
  };
}
