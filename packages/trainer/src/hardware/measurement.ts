import { type ErrorContext, type ErrorMechanism, type ErrorReading, PARAMETER_RANGE, type Rng, bounded, positiveInteger, positiveNumber, refine, strictObject } from '@multimech/core';
import * as t from 'io-ts';
import { MAX_PARAMETER, numberOrWord } from './update-imperfections';

/**
 * `training.measurement`: what each edge's instruments do to what it reads
 * during training (a lock-in's output, a concentration sensor, a voltmeter
 * across a nudged edge), before the learning rule combines the readings:
 * additive Gaussian noise, then an ADC of `bits` bits over ±`range`
 * (`"auto"`: the largest magnitude of the measurement, an auto-ranging
 * instrument). Off unless given; evaluation reads the outputs exactly.
 */
export const measurementCodec = refine(
  strictObject(
    'measurement imperfections ({ "bits"?, "range"?, "noise"?, "relativeNoise"? })',
    {},
    {
      bits: bounded(positiveInteger, { min: 2, max: 32, integer: true }, 'a symmetric ADC has 2^bits − 1 levels, zero among them: 2 bits read −1, 0 or +1 full scale'),
      range: numberOrWord('a full scale in (0, 1e15]', ['auto'] as const, (n) => n > 0 && n <= MAX_PARAMETER, { exclusiveMinimum: 0, maximum: MAX_PARAMETER }),
      noise: bounded(positiveNumber, PARAMETER_RANGE, 'the standard deviation of the noise added to every reading, in the reading\'s units'),
      relativeNoise: bounded(positiveNumber, { min: 0, minOpen: true, max: 10 }, 'the standard deviation of the noise as a fraction of the measurement\'s rms over the edges'),
    },
  ),
  (v) => [
    ...(v.range !== undefined && v.bits === undefined ? [{ key: 'range', message: "applies only with 'bits' (the ADC's resolution): add bits or remove range" }] : []),
    ...(v.bits === undefined && v.range === undefined && v.noise === undefined && v.relativeNoise === undefined ? [{ key: 'bits', message: 'give "bits" (an ADC), "noise" or "relativeNoise", or remove "measurement"' }] : []),
  ],
);
export type MeasurementSettings = t.TypeOf<typeof measurementCodec>;

/**
 * A symmetric mid-tread ADC of `bits` bits over ±`range`: the levels are
 * k·q, |k| ≤ 2^(bits−1) − 1, q = range / (2^(bits−1) − 1); a value is read
 * as the nearest level, and outside ±range as the end level (saturation).
 * Within the range the error is at most q/2.
 */
export function adc(x: number, bits: number, range: number): number {
  const top = 2 ** (bits - 1) - 1;
  const q = range / top;
  const k = Math.round(x / q);
  return (k > top ? top : k < -top ? -top : k) * q;
}

/** The ADC's step (one least significant bit) over ±`range`. */
export function lsb(bits: number, range: number): number {
  return range / (2 ** (bits - 1) - 1);
}

/** What each edge reads of `values`, through the noise and the ADC; a new array. */
export function measured(values: ArrayLike<number>, settings: MeasurementSettings, rng: Rng): Float64Array {
  const out = Float64Array.from(values);
  const n = out.length;
  let std = settings.noise ?? 0;
  if (settings.relativeNoise !== undefined && n > 0) {
    let s2 = 0;
    for (let k = 0; k < n; k++) s2 += out[k] * out[k];
    std = Math.hypot(std, settings.relativeNoise * Math.sqrt(s2 / n));
  }
  if (std > 0) for (let k = 0; k < n; k++) out[k] += std * rng.normal();
  if (settings.bits !== undefined) {
    let range = settings.range;
    if (range === undefined || range === 'auto') {
      range = 0;
      for (let k = 0; k < n; k++) range = Math.max(range, Math.abs(out[k]));
    }
    // an auto range over readings all zero reads zero
    if (range > 0) for (let k = 0; k < n; k++) out[k] = adc(out[k], settings.bits, range);
  }
  return out;
}

/**
 * The error mechanism with its readings measured through `settings`: its
 * `readings`, its `activationReadings` (or, where a mechanism that produces
 * products reads none of its own, the activation's readings, which the
 * product rule would use) and a time series' instants. Noise draws from the
 * context's generator (the trainer's, checkpointed with it).
 */
export function withMeasurement(error: ErrorMechanism, settings: MeasurementSettings | undefined): ErrorMechanism {
  if (!settings) return error;
  const wrapped: ErrorMechanism = {
    kind: error.kind,
    produces: error.produces,
    measure(context: ErrorContext): ErrorReading {
      const r = error.measure(context);
      const own = r.activationReadings ?? (error.produces === 'product' ? context.activation.readings : undefined);
      return {
        ...r,
        readings: measured(r.readings, settings, context.rng),
        ...(own !== undefined ? { activationReadings: measured(own, settings, context.rng) } : {}),
        ...(r.series ? { series: { activation: r.series.activation.map((a) => measured(a, settings, context.rng)), error: r.series.error.map((e) => measured(e, settings, context.rng)) } } : {}),
      };
    },
    ...(error.randomState ? { randomState: () => error.randomState!() } : {}),
    ...(error.restoreRandomState ? { restoreRandomState: (s) => error.restoreRandomState!(s) } : {}),
  };
  return wrapped;
}
