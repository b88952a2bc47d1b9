import { MultimechError } from '@multimech/core';

/** What a lock-in read of every channel at one reference frequency. */
export interface LockInReading {
  readonly frequency: number;
  /** (2/N) Σₙ x(tₙ) cos(2πf tₙ): the cosine amplitude; for f = 0, the mean (1/N) Σₙ x(tₙ). */
  readonly inPhase: Float64Array;
  /** (2/N) Σₙ x(tₙ) sin(2πf tₙ): the sine amplitude; zero for f = 0. */
  readonly quadrature: Float64Array;
}

/** How a sampled series was taken. */
export interface LockInOptions {
  /** Values per sample (one per edge, say); sample n of channel k is `series[n * channels + k]`. */
  readonly channels: number;
  /** Window length T in seconds; it must hold a whole number of periods of every reference frequency. */
  readonly window: number;
  /** N, the number of equally spaced samples over [0, T): tₙ = nT/N. */
  readonly samples: number;
  /**
   * Index of the series' first sample when it is one block of the N (default
   * 0). The lock-in is linear, so the readings of consecutive blocks add up
   * to the reading of the whole record.
   */
  readonly first?: number;
}

/** f·T when it is a whole number (within a relative 1e-9), otherwise undefined. */
export function wholeCycles(frequency: number, window: number): number | undefined {
  const cycles = frequency * window;
  const k = Math.round(cycles);
  return Math.abs(cycles - k) <= 1e-9 * Math.max(1, Math.abs(cycles)) ? k : undefined;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * Whole-cycle counts k = f·T of each reference frequency, refusing a window
 * that does not hold whole periods, a sample count that cannot resolve the
 * references (each needs N > 2k) and two references that are the same.
 */
export function lockInCycles(frequencies: readonly number[], window: number, samples: number): number[] {
  if (!(Number.isFinite(window) && window > 0)) throw new MultimechError(`lock-in: the window must be a positive number of seconds, got ${window}`);
  if (!(Number.isInteger(samples) && samples > 0)) throw new MultimechError(`lock-in: the sample count must be a positive integer, got ${samples}`);
  const cycles = frequencies.map((f) => {
    if (!(Number.isFinite(f) && f >= 0)) throw new MultimechError(`lock-in: reference frequencies must be non-negative numbers of Hz, got ${f}`);
    const k = wholeCycles(f, window);
    if (k === undefined) {
      throw new MultimechError(
        `lock-in: a window of ${fmt(window)} s holds ${fmt(f * window)} periods of ${fmt(f)} Hz; it must hold a whole number of periods of every reference frequency`,
      );
    }
    if (k > 0 && 2 * k >= samples) {
      throw new MultimechError(
        `lock-in: ${samples} samples over ${fmt(window)} s cannot resolve ${fmt(f)} Hz (${k} periods need more than ${2 * k} samples)`,
      );
    }
    return k;
  });
  for (let i = 0; i < cycles.length; i++) {
    for (let j = i + 1; j < cycles.length; j++) {
      if (cycles[i] === cycles[j]) {
        throw new MultimechError(`lock-in: cannot tell ${fmt(frequencies[i])} Hz from ${fmt(frequencies[j])} Hz over ${fmt(window)} s (the same frequency)`);
      }
    }
  }
  return cycles;
}

/**
 * The lock-in amplifier as a pure function over a sampled series: for each
 * reference frequency f, the in-phase and quadrature amplitudes of every
 * channel, `(2/N) Σ x(tₙ) cos(2πf tₙ)` and `(2/N) Σ x(tₙ) sin(2πf tₙ)`
 * (the mean for f = 0), with tₙ = nT/N (PHYSICS.md §3.1).
 *
 * The sums are exact for any sum of cosines and sines whose frequencies
 * are whole multiples of 1/T below the Nyquist limit: the window must hold
 * whole periods of every reference, and the sample count must resolve them;
 * anything else is refused. Phases are taken from integer arithmetic
 * (k·n mod N), so long windows lose no precision.
 */
export function lockIn(series: ArrayLike<number>, frequencies: readonly number[], options: LockInOptions): LockInReading[] {
  const { channels, window, samples } = options;
  const first = options.first ?? 0;
  if (!(Number.isInteger(channels) && channels > 0)) throw new MultimechError(`lock-in: channels must be a positive integer, got ${channels}`);
  if (series.length % channels !== 0) {
    throw new MultimechError(`lock-in: a series of ${series.length} values is not a whole number of samples of ${channels} channels`);
  }
  const count = series.length / channels;
  if (!(Number.isInteger(first) && first >= 0 && first + count <= samples)) {
    throw new MultimechError(`lock-in: a block of ${count} samples from sample ${first} does not fit in a record of ${samples} samples`);
  }
  const cycles = lockInCycles(frequencies, window, samples);
  return frequencies.map((frequency, i) => {
    const k = cycles[i];
    const inPhase = new Float64Array(channels);
    const quadrature = new Float64Array(channels);
    if (k === 0) {
      for (let n = 0; n < count; n++) {
        const base = n * channels;
        for (let c = 0; c < channels; c++) inPhase[c] += series[base + c];
      }
      for (let c = 0; c < channels; c++) inPhase[c] /= samples;
    } else {
      const step = (2 * Math.PI) / samples;
      for (let n = 0; n < count; n++) {
        const phase = step * ((k * (first + n)) % samples);
        const cos = Math.cos(phase);
        const sin = Math.sin(phase);
        const base = n * channels;
        for (let c = 0; c < channels; c++) {
          inPhase[c] += series[base + c] * cos;
          quadrature[c] += series[base + c] * sin;
        }
      }
      for (let c = 0; c < channels; c++) {
        inPhase[c] *= 2 / samples;
        quadrature[c] *= 2 / samples;
      }
    }
    return { frequency, inPhase, quadrature };
  });
}
