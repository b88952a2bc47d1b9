import { Example, Rng, Task, TaskRecord, finiteNumber, mseLoss, nonNegativeNumber, oneOf, positiveInteger, strictObject } from '@multimech/core';
import * as t from 'io-ts';
import { createInputEncoding, inputEncodingCodec } from './input-encoding';

export const regressionConfigCodec = strictObject(
  'a regression task',
  {},
  {
    features: positiveInteger,
    outputs: positiveInteger,
    train: positiveInteger,
    test: positiveInteger,
    gain: finiteNumber,
    noise: nonNegativeNumber,
    teacher: oneOf('linear', 'rectified'),
    inputs: inputEncodingCodec,
  },
);
export type RegressionConfig = t.TypeOf<typeof regressionConfigCodec>;

/**
 * Regression against a random teacher drawn by the seed: targets
 * y = W x + b (`teacher: "linear"`, the default) or y = max(0, W x + b)
 * (`"rectified"`, a nonlinear map that networks with diodes can represent),
 * plus noise; W and b uniform in ±gain/features, features standard normal.
 * A passive linear network reproduces the linear map when its weights are
 * small, so the relative error can approach zero. Loss: MSE.
 */
export function createRegressionTask(config: RegressionConfig, rng: Rng): Task & { readonly resolvedConfig: object } {
  const f = config.features ?? 3;
  const m = config.outputs ?? 2;
  const nTrain = config.train ?? 40;
  const nTest = config.test ?? 20;
  const gain = config.gain ?? 0.5;
  const noise = config.noise ?? 0;
  const teacher = config.teacher ?? 'linear';
  const shape = teacher === 'rectified' ? (z: number) => Math.max(0, z) : (z: number) => z;
  const W = Array.from({ length: m }, () => Float64Array.from({ length: f }, () => rng.uniform(-gain, gain) / f));
  const b = Float64Array.from({ length: m }, () => rng.uniform(-gain, gain) / f);
  const draw = () => Float64Array.from({ length: f }, () => rng.normal());
  const xsTrain = Array.from({ length: nTrain }, draw);
  const xsTest = Array.from({ length: nTest }, draw);
  const names = Array.from({ length: f }, (_, i) => `x${i}`);
  const encoding = createInputEncoding({ standardize: false, ...config.inputs }, names, xsTrain);
  const example = (x: Float64Array): Example => ({
    inputs: encoding.encode(x),
    target: Float64Array.from(W, (w, o) => shape(w.reduce((s, wi, i) => s + wi * x[i], b[o])) + noise * rng.normal()),
  });
  return {
    kind: 'regression',
    inputCount: encoding.portNames.length,
    inputType: encoding.type,
    inputNames: encoding.portNames,
    outputCount: m,
    outputNames: Array.from({ length: m }, (_, o) => `y${o}`),
    train: xsTrain.map(example),
    test: xsTest.map(example),
    loss: mseLoss,
    resolvedConfig: { kind: 'regression', features: f, outputs: m, train: nTrain, test: nTest, gain, noise, teacher, inputs: encoding.resolved },
  };
}

export const regressionTaskRecord: TaskRecord<RegressionConfig> = {
  kind: 'regression',
  description: 'regression against a random teacher map drawn by the seed (linear, or rectified: max(0, Wx + b))',
  configCodec: regressionConfigCodec,
  create: (config, { rng }) => createRegressionTask(config, rng),
};
