import { MAX_SIGNAL, SIGNAL_RANGE, bounded, finiteNumber, oneOf, onlyWith, positiveNumber, refine, strictObject } from '@multimech/core';
import * as t from 'io-ts';

/**
 * How a feature vector becomes the values of the input ports.
 *
 * - `voltage`: every feature drives two potential ports, +s·x and −s·x, and
 *   one more port holds the bias potential. A passive network can then weigh
 *   a feature with either sign (PHYSICS.md §1: on Iris this is what works).
 * - `current`: every feature injects the flow s·x at its own port.
 * - `raw-voltage`, `raw-current`: every feature drives one port of its own,
 *   a potential (voltage source, pressure reservoir) or a flow (current
 *   source, inflow), at s·x: the data as given (not standardised unless
 *   `standardize` says so), for networks whose sources are the features.
 *
 * Features are standardised with the training set's mean and standard
 * deviation before scaling, unless `standardize` is false (the default of
 * the raw encodings).
 */
export const INPUT_ENCODINGS = ['voltage', 'current', 'raw-voltage', 'raw-current'] as const;
export type InputEncodingKind = (typeof INPUT_ENCODINGS)[number];

export const inputEncodingCodec = refine(
  strictObject(
    'an input encoding',
    {},
    {
      encoding: oneOf(...INPUT_ENCODINGS),
      // a drive's magnitude: scale × a standardised feature (a few units), and the bias
      scale: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_SIGNAL / 100 }, 'a drive is scale × a feature, and must stay finite in the network'),
      bias: bounded(finiteNumber, SIGNAL_RANGE, 'a drive must stay finite in the network'),
      standardize: t.boolean,
    },
  ),
  (v) => onlyWith(v, 'encoding', v.encoding ?? 'voltage', { bias: ['voltage'] }),
);
export type InputEncodingConfig = t.TypeOf<typeof inputEncodingCodec>;

/** An input encoding with every default filled in (`bias` only for voltage inputs, which have one). */
export interface InputEncodingSettings {
  readonly encoding: InputEncodingKind;
  readonly scale: number;
  readonly bias?: number;
  readonly standardize: boolean;
}

/** The defaults of an input encoding: voltage, scale 1, bias 1, standardized (a task may change the last; the raw encodings are not standardized unless they say so). */
export function inputEncodingSettings(config: InputEncodingConfig | undefined, standardize = true): InputEncodingSettings {
  const encoding = config?.encoding ?? 'voltage';
  const raw = encoding === 'raw-voltage' || encoding === 'raw-current';
  return {
    encoding,
    scale: config?.scale ?? 1,
    ...(encoding === 'voltage' ? { bias: config?.bias ?? 1 } : {}),
    standardize: config?.standardize ?? (raw ? false : standardize),
  };
}

export interface InputEncoding {
  readonly type: 'flow' | 'potential';
  readonly portNames: readonly string[];
  encode(features: ArrayLike<number>): Float64Array;
  /** The settings in force, as a config would give them (no `bias` for current inputs, which have none). */
  readonly resolved: InputEncodingSettings;
}

/** The encoding of its settings (or of a config, its defaults filled by `inputEncodingSettings`), standardised on `trainFeatures`. */
export function createInputEncoding(
  config: InputEncodingConfig | InputEncodingSettings | undefined,
  featureNames: readonly string[],
  trainFeatures: readonly ArrayLike<number>[],
): InputEncoding {
  const resolved = inputEncodingSettings(config);
  const f = featureNames.length;
  const mean = new Float64Array(f);
  const std = new Float64Array(f).fill(1);
  if (resolved.standardize && trainFeatures.length > 1) {
    for (const x of trainFeatures) for (let i = 0; i < f; i++) mean[i] += x[i] / trainFeatures.length;
    const v = new Float64Array(f);
    for (const x of trainFeatures) for (let i = 0; i < f; i++) v[i] += (x[i] - mean[i]) ** 2 / (trainFeatures.length - 1);
    for (let i = 0; i < f; i++) std[i] = v[i] > 0 ? Math.sqrt(v[i]) : 1;
  }
  const s = resolved.scale;
  if (resolved.encoding === 'voltage') {
    const portNames = [...featureNames.flatMap((n) => [`${n}+`, `${n}-`]), 'bias'];
    return {
      type: 'potential',
      portNames,
      resolved,
      encode(x) {
        const out = new Float64Array(2 * f + 1);
        for (let i = 0; i < f; i++) {
          const z = (s * (x[i] - mean[i])) / std[i];
          out[2 * i] = z;
          out[2 * i + 1] = -z;
        }
        out[2 * f] = resolved.bias!;
        return out;
      },
    };
  }
  // one port per feature: a flow (current), or a potential (raw-voltage); unstandardised, s·x exactly
  return {
    type: resolved.encoding === 'raw-voltage' ? 'potential' : 'flow',
    portNames: [...featureNames],
    resolved,
    encode(x) {
      const out = new Float64Array(f);
      for (let i = 0; i < f; i++) out[i] = resolved.standardize ? (s * (x[i] - mean[i])) / std[i] : s * x[i];
      return out;
    },
  };
}
