import { Loss, crossEntropyLoss, finiteNumber, mseLoss, oneOf, onlyWith, positiveNumber, refine, strictObject } from '@multimech/core';
import * as t from 'io-ts';

/**
 * How classes become output targets: MSE to target potentials (`high` for
 * the true class, `low` for the others), or softmax cross-entropy on the
 * output potentials with sharpness κ (PHYSICS.md §1).
 */
export const classLossCodec = refine(
  strictObject('a classification loss', {}, { kind: oneOf('mse', 'cross-entropy'), kappa: positiveNumber, low: finiteNumber, high: finiteNumber }),
  (v) => onlyWith(v, 'kind', v.kind ?? 'cross-entropy', { kappa: ['cross-entropy'], low: ['mse'], high: ['mse'] }),
);
export type ClassLossConfig = t.TypeOf<typeof classLossCodec>;

export interface ClassLoss {
  readonly loss: Loss;
  target(label: number, classes: number): Float64Array;
  readonly resolved: Record<string, string | number>;
}

export function createClassLoss(config: ClassLossConfig | undefined): ClassLoss {
  const kind = config?.kind ?? 'cross-entropy';
  if (kind === 'mse') {
    const low = config?.low ?? 0;
    const high = config?.high ?? 1;
    return {
      loss: mseLoss,
      resolved: { kind, low, high },
      target(label, classes) {
        const y = new Float64Array(classes).fill(low);
        y[label] = high;
        return y;
      },
    };
  }
  const kappa = config?.kappa ?? 20;
  return {
    loss: crossEntropyLoss(kappa),
    resolved: { kind, kappa },
    target(label, classes) {
      const y = new Float64Array(classes);
      y[label] = 1;
      return y;
    },
  };
}
