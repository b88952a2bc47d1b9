import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, COUNT_RANGE, MAX_COUNT, MAX_SIGNAL, SEED_RANGE, bounded, positiveQuantity, decodeOrThrow, withDefaults, finiteNumber, nonNegativeInteger, nonNegativeNumber, oneOf, positiveInteger, positiveNumber, strictObject } from '@multimech/core';

/** The highest frequency a config may give (Hz): a window of whole periods must stay a finite number of seconds and samples. */
export const MAX_FREQUENCY = 1e12;

/**
 * The config of the frequency error mechanism, as written in an experiment
 * config under `error` (every key optional).
 */
export const frequencyErrorConfig = strictObject(
    'a frequency error mechanism ({ "kind": "frequency", "frequency"?, "amplitude"?, "mode"?, "periods"?, "samplesPerPeriod"?, "settle"?, "readout"?, "noise"?, "seed"? })',
    {},
    {
      /** ω₂/2π in Hz, the error signal's frequency (default 1700); a number, or a quantity such as "1.7 kHz". */
      frequency: bounded(positiveQuantity('frequency'), { min: 0, minOpen: true, max: MAX_FREQUENCY }),
      /** β: the error current at each output is β·e (default 1e-3). */
    amplitude: bounded(positiveNumber, { min: 1e-12, max: MAX_SIGNAL }, 'β·e is a drive: it must stay finite in the network, and above the rounding of the readings it is read from'),
      /**
       * 'phasor': the ideal lock-in coefficients of a linear substrate (exact at any β);
       * 'small-signal': the same computation as the β → 0 limit on any substrate (u = H(s*)⁻¹e);
       * 'transient': sample the response in time and demodulate (default 'phasor').
       */
    mode: oneOf('phasor', 'small-signal', 'transient'),
      /** Window length in periods of the activation carrier (of the error signal for a DC activation; default 10). */
    periods: bounded(positiveInteger, COUNT_RANGE),
      /** Samples per period of the highest frequency present (default 32). */
    samplesPerPeriod: bounded(positiveInteger, COUNT_RANGE),
      /**
       * Transient mode on a substrate with dynamics (capacitances, masses):
       * whole windows integrated before the one that is read, so that the
       * start-up transient has died (default: enough for the slowest
       * relaxation time to decay by 1e-7).
       */
      settle: bounded(nonNegativeInteger, { min: 0, max: MAX_COUNT }),
      /**
       * 'lock-in': each edge reads the two lock-in coefficients, for the
       * product rule (default); 'time-series': each edge reads its
       * instantaneous activation drop and error response at samplesPerPeriod
       * instants of the AC activation's period, for rule 'time-average' (the
       * gradient of the time-averaged loss on a nonlinear network, PHYSICS.md §3.2).
       */
    readout: oneOf('lock-in', 'time-series'),
      /** Standard deviation of Gaussian measurement noise on each edge's sampled drop (default 0). */
    noise: bounded(nonNegativeNumber, { min: 0, max: MAX_SIGNAL }, 'a sampled drop plus its noise must stay finite'),
      /** Seed of the noise; otherwise the experiment's random stream. */
      seed: bounded(finiteNumber, SEED_RANGE, 'a seed is a safe integer'),
    },
  );
export type FrequencyErrorConfig = t.TypeOf<typeof frequencyErrorConfig>;

/** How the lock-in coefficients are obtained (see `frequencyErrorConfig`). */
export type FrequencyMode = 'phasor' | 'small-signal' | 'transient';

/** A frequency error config with every default filled in. */
export interface FrequencyErrorSettings {
  readonly frequency: number;
  readonly amplitude: number;
  readonly mode: FrequencyMode;
  readonly periods: number;
  readonly samplesPerPeriod: number;
  readonly readout: 'lock-in' | 'time-series';
  /** Settling windows; undefined: chosen from the slowest relaxation time. */
  readonly settle?: number;
  readonly noise: number;
  readonly seed?: number;
}

/** The frequency error section decoded into its settings, every default filled in. */
export const frequencyErrorSettings = withDefaults(
  frequencyErrorConfig,
  (c): FrequencyErrorSettings => ({
    frequency: c.frequency ?? 1700,
    amplitude: c.amplitude ?? 1e-3,
    mode: c.mode ?? 'phasor',
    periods: c.periods ?? 10,
    samplesPerPeriod: c.samplesPerPeriod ?? 32,
    ...(c.settle !== undefined ? { settle: c.settle } : {}),
    readout: c.readout ?? 'lock-in',
    noise: c.noise ?? 0,
    ...(c.seed !== undefined ? { seed: c.seed } : {}),
  }),
);

/**
 * The `error` section of frequency propagation as written (`{ "kind":
 * "frequency", ... }`), from its codec; `frequency` a number in Hz or a
 * quantity with its unit (`"1.7 kHz"`), as in JSON.
 */
export type FrequencyErrorSection = WrittenSection<'frequency', WithQuantities<ConfigOf<typeof frequencyErrorSettings>, 'frequency'>>;

/** A config with keys `Q` (physical quantities) given as a number in SI units or a string with its unit, as JSON may give them. */
export type WithQuantities<Config, Q extends keyof Config> = Omit<Config, Q> & { readonly [P in Q]?: number | string };

/**
 * Decodes a frequency error config (refusing bad values with their config
 * path under `path`) and fills in the defaults.
 */
export function resolveFrequencyErrorConfig(config: unknown = {}, path = 'error'): FrequencyErrorSettings {
  return decodeOrThrow(frequencyErrorSettings, config, path);
}
