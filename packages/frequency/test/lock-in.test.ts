import { MultimechError, Rng } from '@multimech/core';
import { lockIn, lockInCycles, wholeCycles } from '../src/lock-in';

/** channels × samples of Σ (A cos + B sin) at the given frequencies, plus a DC offset. */
function synthesize(
  window: number,
  samples: number,
  channels: { dc: number; tones: { f: number; cos: number; sin: number }[] }[],
): Float64Array {
  const series = new Float64Array(samples * channels.length);
  for (let n = 0; n < samples; n++) {
    const t = (n * window) / samples;
    channels.forEach((ch, c) => {
      let x = ch.dc;
      for (const tone of ch.tones) x += tone.cos * Math.cos(2 * Math.PI * tone.f * t) + tone.sin * Math.sin(2 * Math.PI * tone.f * t);
      series[n * channels.length + c] = x;
    });
  }
  return series;
}

describe('lockIn', () => {
  const window = 0.01; // 10 periods of 1 kHz, 17 of 1.7 kHz
  const samples = 544;

  it('demodulates a synthetic sum of cosines and sines exactly, channel by channel', () => {
    const rng = new Rng(3);
    const channels = Array.from({ length: 5 }, () => ({
      dc: rng.uniform(-1, 1),
      tones: [
        { f: 1000, cos: rng.uniform(-1, 1), sin: rng.uniform(-1, 1) },
        { f: 1700, cos: rng.uniform(-1, 1), sin: rng.uniform(-1, 1) },
        { f: 2000, cos: rng.uniform(-1, 1), sin: rng.uniform(-1, 1) }, // a harmonic the lock-in must reject
        { f: 2700, cos: rng.uniform(-1, 1), sin: rng.uniform(-1, 1) }, // an intermodulation product
      ],
    }));
    const series = synthesize(window, samples, channels);
    const [dc, r1, r2] = lockIn(series, [0, 1000, 1700], { channels: channels.length, window, samples });
    channels.forEach((ch, c) => {
      expect(Math.abs(dc.inPhase[c] - ch.dc)).toBeLessThan(1e-13);
      expect(dc.quadrature[c]).toBe(0);
      expect(Math.abs(r1.inPhase[c] - ch.tones[0].cos)).toBeLessThan(1e-13);
      expect(Math.abs(r1.quadrature[c] - ch.tones[0].sin)).toBeLessThan(1e-13);
      expect(Math.abs(r2.inPhase[c] - ch.tones[1].cos)).toBeLessThan(1e-13);
      expect(Math.abs(r2.quadrature[c] - ch.tones[1].sin)).toBeLessThan(1e-13);
    });
  });

  it('gives the same readings when the record is fed in blocks', () => {
    const channels = [{ dc: 0.3, tones: [{ f: 1700, cos: 0.7, sin: -0.2 }] }, { dc: -1, tones: [{ f: 1000, cos: 2, sin: 0.5 }] }];
    const series = synthesize(window, samples, channels);
    const whole = lockIn(series, [1000, 1700], { channels: 2, window, samples });
    const sum = [new Float64Array(2), new Float64Array(2)];
    for (const [first, count] of [[0, 100], [100, 300], [400, 144]]) {
      const part = lockIn(series.subarray(first * 2, (first + count) * 2), [1000, 1700], { channels: 2, window, samples, first });
      part.forEach((r, i) => r.inPhase.forEach((v, c) => (sum[i][c] += v)));
    }
    for (let i = 0; i < 2; i++) for (let c = 0; c < 2; c++) expect(Math.abs(sum[i][c] - whole[i].inPhase[c])).toBeLessThan(1e-14);
    expect(Math.abs(whole[0].inPhase[1] - 2)).toBeLessThan(1e-13);
    expect(Math.abs(whole[1].quadrature[0] + 0.2)).toBeLessThan(1e-13);
  });

  it('leaks when read over a non-whole window, which is why such a window is refused', () => {
    // 10.5 periods of 1 kHz: the exact sums no longer hold.
    const T = 0.0105;
    const series = synthesize(T, 1000, [{ dc: 0, tones: [{ f: 1000, cos: 1, sin: 0 }] }]);
    let leak = 0;
    for (let n = 0; n < 1000; n++) leak += (2 / 1000) * series[n] * Math.cos((2 * Math.PI * 1700 * n * T) / 1000);
    expect(Math.abs(leak)).toBeGreaterThan(1e-3);
    expect(() => lockIn(series, [1000], { channels: 1, window: T, samples: 1000 })).toThrow(MultimechError);
    expect(() => lockIn(series, [1000], { channels: 1, window: T, samples: 1000 })).toThrow(/10\.5 periods of 1000 Hz.*whole number/);
  });

  it('refuses sample counts that cannot resolve or separate the references', () => {
    expect(() => lockInCycles([1000], 0.01, 20)).toThrow(/20 samples over 0.01 s cannot resolve 1000 Hz/);
    expect(() => lockInCycles([1000, 1700], 0.01, 30)).toThrow(/30 samples over 0.01 s cannot resolve 1700 Hz/);
    expect(() => lockInCycles([1000, 1000], 0.01, 100)).toThrow(/cannot tell 1000 Hz from 1000 Hz.*same frequency/);
    expect(lockInCycles([0, 1000, 1700], 0.01, 35)).toEqual([0, 10, 17]);
    expect(() => lockIn(new Float64Array(7), [1000], { channels: 2, window: 0.01, samples: 100 })).toThrow(/not a whole number of samples/);
    expect(() => lockIn(new Float64Array(8), [1000], { channels: 2, window: 0.01, samples: 100, first: 98 })).toThrow(/does not fit/);
  });

  it('counts whole cycles within rounding only', () => {
    expect(wholeCycles(1700, 10 / 1000)).toBe(17);
    expect(wholeCycles(1250, 0.01)).toBeUndefined();
    expect(wholeCycles(1000, 0.0100001)).toBeUndefined();
  });
});
