import { type ConfigOf, type WrittenSection, COUNT_RANGE, Example, Rng, type SizeClaim, Task, TaskRecord, bounded, finiteNumber, mseLoss, nonNegativeNumber, oneOf, positiveInteger, strictObject, withDefaults } from '@multimech/core';
import * as t from 'io-ts';
import { InputEncodingSettings, createInputEncoding, inputEncodingCodec, inputEncodingSettings } from './input-encoding';

/**
 * The scale of the targets against the inputs: a passive network's outputs
 * stay within the range of its drives, so targets a hundred times larger
 * are out of reach already, and beyond that the error a mechanism injects
 * (β times the output error) overwhelms a nonlinear network.
 */
const TARGET_SCALE = { min: -100, max: 100 };
const PASSIVE = "a passive network's outputs stay within its drives";

export const regressionConfigCodec = strictObject(
  'a regression task',
  {},
  {
    features: bounded(positiveInteger, COUNT_RANGE),
    outputs: bounded(positiveInteger, COUNT_RANGE),
    train: bounded(positiveInteger, COUNT_RANGE),
    test: bounded(positiveInteger, COUNT_RANGE),
    gain: bounded(finiteNumber, TARGET_SCALE, PASSIVE),
    noise: bounded(nonNegativeNumber, { min: 0, max: TARGET_SCALE.max }, PASSIVE),
    teacher: oneOf('linear', 'rectified'),
    inputs: inputEncodingCodec,
  },
);
export type RegressionConfig = t.TypeOf<typeof regressionConfigCodec>;

/** The regression task's settings, every default filled in (3 features, 2 outputs, 40/20 examples, gain 0.5, no noise, a linear teacher, inputs not standardised). */
export interface RegressionSettings {
  readonly features: number;
  readonly outputs: number;
  readonly train: number;
  readonly test: number;
  readonly gain: number;
  readonly noise: number;
  readonly teacher: 'linear' | 'rectified';
  readonly inputs: InputEncodingSettings;
}

function regressionSettingsOf(c: RegressionConfig): RegressionSettings {
  return {
    features: c.features ?? 3,
    outputs: c.outputs ?? 2,
    train: c.train ?? 40,
    test: c.test ?? 20,
    gain: c.gain ?? 0.5,
    noise: c.noise ?? 0,
    teacher: c.teacher ?? 'linear',
    inputs: inputEncodingSettings(c.inputs, false),
  };
}

/** The regression section decoded into its settings. */
export const regressionSettings = withDefaults(regressionConfigCodec, regressionSettingsOf);

/** The `task` section of regression as written (`{ "kind": "regression", ... }`), from its codec. */
export type RegressionSection = WrittenSection<'regression', ConfigOf<typeof regressionSettings>>;

/**
 * Regression against a random teacher drawn by the seed: targets
 * y = W x + b (`teacher: "linear"`, the default) or y = max(0, W x + b)
 * (`"rectified"`, a nonlinear map that networks with diodes can represent),
 * plus noise; W and b uniform in ±gain/features, features standard normal.
 * A passive linear network reproduces the linear map when its weights are
 * small, so the relative error can approach zero. Loss: MSE.
 */
export function createRegressionTask(config: RegressionConfig, rng: Rng): Task & { readonly resolvedConfig: object } {
  return regressionTask(regressionSettingsOf(config), rng);
}

/** The regression task of its settings (see `createRegressionTask`). */
export function regressionTask(settings: RegressionSettings, rng: Rng): Task & { readonly resolvedConfig: object } {
  const { features: f, outputs: m, train: nTrain, test: nTest, gain, noise, teacher } = settings;
  const shape = teacher === 'rectified' ? (z: number) => Math.max(0, z) : (z: number) => z;
  const W = Array.from({ length: m }, () => Float64Array.from({ length: f }, () => rng.uniform(-gain, gain) / f));
  const b = Float64Array.from({ length: m }, () => rng.uniform(-gain, gain) / f);
  const draw = () => Float64Array.from({ length: f }, () => rng.normal());
  const xsTrain = Array.from({ length: nTrain }, draw);
  const xsTest = Array.from({ length: nTest }, draw);
  const names = Array.from({ length: f }, (_, i) => `x${i}`);
  const encoding = createInputEncoding(settings.inputs, names, xsTrain);
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

/** What a regression task's data hold: its examples, and their numbers (the inputs as encoded, the outputs, the teacher's weights). */
export function regressionSizes(s: RegressionSettings): SizeClaim[] {
  const examples = s.train + s.test;
  const inputs = s.inputs.encoding === 'voltage' ? 2 * s.features + 1 : s.features;
  return [
    { limit: 'examples', count: examples, key: s.train >= s.test ? 'train' : 'test', what: 'examples (train + test)' },
    { limit: 'values', count: examples * (inputs + s.outputs + s.features), key: 'features', what: 'data values (examples × (inputs as encoded + features + outputs))' },
    { limit: 'values', count: s.outputs * s.features, key: 'outputs', what: "teacher weights (outputs × features)" },
  ];
}

export const regressionTaskRecord: TaskRecord<RegressionSettings> = {
  kind: 'regression',
  description: 'regression against a random teacher map drawn by the seed (linear, or rectified: max(0, Wx + b))',
  configCodec: regressionSettings,
  sizes: regressionSizes,
  create: (settings, { rng }) => regressionTask(settings, rng),
};
