import { MAX_SIGNAL, SIGNAL_RANGE, bounded, finiteNumber, oneOf, onlyWith, positiveNumber, refine, strictObject } from '@multimech/core';
import * as t from 'io-ts';

/**
 * How a feature vector becomes the values of the input ports.
 *
 * - `voltage`: every feature drives two potential ports, +s·x and −s·x, and
 *   one more port holds the bias potential. A passive network can then weigh
 *   a feature with either sign (PHYSICS.md §1: on Iris this is what works).
 * - `current`: every feature injects the flow s·x at its own port.
 *
 * Features are standardised with the training set's mean and standard
 * deviation before scaling, unless `standardize` is false.
 */
export const inputEncodingCodec = refine(
  strictObject(
    'an input encoding',
    {},
    {
      encoding: oneOf('voltage', 'current'),
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
  readonly encoding: 'voltage' | 'current';
  readonly scale: number;
  readonly bias?: number;
  readonly standardize: boolean;
}

/** The defaults of an input encoding: voltage, scale 1, bias 1, standardized (a task may change the last). */
export function inputEncodingSettings(config: InputEncodingConfig | undefined, standardize = true): InputEncodingSettings {
  const encoding = config?.encoding ?? 'voltage';
  return {
    encoding,
    scale: config?.scale ?? 1,
    ...(encoding === 'voltage' ? { bias: config?.bias ?? 1 } : {}),
    standardize: config?.standardize ?? standardize,
  };
}

export interface InputEncoding {
  readonly type: 'flow' | 'potential';
  readonly portNames: readonly string[];
  encode(features: ArrayLike<number>): Float64Array;
  /** The settings in force, as a config would give them (no `bias` for current inputs, which have none). */
  readonly resolved: InputEncodingSettings;
}

/** The encoding of a config (its defaults filled by `inputEncodingSettings`), standardised on `trainFeatures`. */
export function createInputEncoding(
  config: InputEncodingConfig | undefined,
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
  return {
    type: 'flow',
    portNames: [...featureNames],
    resolved,
    encode(x) {
      const out = new Float64Array(f);
      for (let i = 0; i < f; i++) out[i] = (s * (x[i] - mean[i])) / std[i];
      return out;
    },
  };
}
