import { Rng, adjointError, exampleGradient, fidelity, mseLoss, productRule, type ErrorMechanism, logLogSlope } from '@multimech/core';
import { createAcActivation, createFrequencyError } from '../src';
import { randomNetwork } from './networks';

/**
 * PHYSICS.md §3.3: measurement noise of standard deviation σ per sample
 * gives lock-in coefficients with noise σ√(2/N); with N ∝ T, the gradient
 * error falls as T^(-1/2).
 */

const net = randomNetwork(77, { nodes: 8, meanDegree: 3, inputs: 2, outputs: 2, inputType: 'flow' });
const activation = createAcActivation({ frequency: 1000 });
const WINDOWS = [4, 16, 64, 256]; // periods of 1 kHz; each holds whole periods of 1.25 kHz
const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);
const settings = { frequency: 1250, amplitude: 0.05, noise: 0.004, samplesPerPeriod: 8 };

function gradient(error: ErrorMechanism): Float64Array {
  const pipeline = { substrate: net.substrate, activation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) };
  return exampleGradient(pipeline, net.drive, net.target).gradient;
}

const exact = gradient(adjointError);

function meanError(mode: 'phasor' | 'transient', periods: number): number {
  let sum = 0;
  for (const seed of SEEDS) sum += fidelity(gradient(createFrequencyError({ ...settings, mode, periods, seed })), exact).relativeError;
  return sum / SEEDS.length;
}


describe('frequency propagation with measurement noise', () => {
  const transient = WINDOWS.map((p) => meanError('transient', p));
  const phasor = WINDOWS.map((p) => meanError('phasor', p));

  it('has a gradient error that falls as the window grows, with slope -1/2 on log-log (transient lock-in)', () => {
    for (let i = 1; i < WINDOWS.length; i++) expect(transient[i]).toBeLessThan(transient[i - 1]);
    expect(transient[0]).toBeGreaterThan(1e-3); // the noise is visible ...
    expect(transient[0]).toBeLessThan(0.3); // ... but small enough that its square does not matter
    const slope = logLogSlope(WINDOWS, transient);
    expect(slope).toBeGreaterThanOrEqual(-0.65);
    expect(slope).toBeLessThanOrEqual(-0.35);
  });

  it('models the same noise in phasor mode: same slope, and the same size as the sampled lock-in', () => {
    // With one seed per run, phasor mode draws the same deviates at every window, scaled by √(2/N): the slope checks N ∝ T.
    const slope = logLogSlope(WINDOWS, phasor);
    expect(slope).toBeGreaterThanOrEqual(-0.65);
    expect(slope).toBeLessThanOrEqual(-0.35);
    // The size: rms gradient error over many seeds on the shortest window (σ√(1/N) instead of σ√(2/N) would give 0.71).
    const rms = (mode: 'phasor' | 'transient') => {
      let sum = 0;
      for (let seed = 100; seed < 164; seed++) {
        sum += fidelity(gradient(createFrequencyError({ ...settings, mode, periods: 4, seed })), exact).relativeError ** 2;
      }
      return Math.sqrt(sum / 64);
    };
    const ratio = rms('phasor') / rms('transient');
    expect(ratio).toBeGreaterThan(0.88);
    expect(ratio).toBeLessThan(1.13);
  });

  it('reproduces a noisy run from its seed, and differs between seeds', () => {
    const a = gradient(createFrequencyError({ ...settings, mode: 'transient', periods: 4, seed: 5 }));
    const b = gradient(createFrequencyError({ ...settings, mode: 'transient', periods: 4, seed: 5 }));
    const c = gradient(createFrequencyError({ ...settings, mode: 'transient', periods: 4, seed: 6 }));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(fidelity(a, c).relativeError).toBeGreaterThan(1e-4);
  });
});
