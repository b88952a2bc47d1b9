import {
  ConfigError,
  Rng,
  TransientIntegrator,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  mseLoss,
  productRule,
  slowestRelaxationTime,
  stateLoss,
  type ErrorMechanism,
  logLogSlope,
} from '@multimech/core';
import { parseSpice, resistiveFromNetlist, type ResistiveSubstrate } from '@multimech/resistive';
import { createAcActivation, createFrequencyError, lockIn } from '../src';
import { rcNetwork } from './networks';

const F2 = 1700;


describe('the transient integrator (BDF2) on an RC node', () => {
  // 1 kΩ and 100 nF to ground: τ = RC = 100 µs; driven by 1 mA
  const s = resistiveFromNetlist(parseSpice('rc\nI1 0 a DC 1m\nR1 a 0 1k\nC1 a 0 100n\n.end\n', 'rc.cir'), { outputs: ['a'] });
  const a = s.graph.nodeNames.indexOf('a');
  const tau = 1e3 * 100e-9;

  it('follows the step response (1 − e^(−t/τ)) with an error that falls as h²', () => {
    const errors = [20, 40, 80, 160].map((perTau) => {
      const integrator = new TransientIntegrator(s, new Float64Array(s.graph.nodeNames.length), { step: tau / perTau });
      const drive = s.drive([1e-3]);
      let worst = 0;
      for (let j = 1; j <= 3 * perTau; j++) {
        integrator.advance(drive);
        const exact = 1e-3 * 1e3 * (1 - Math.exp(-integrator.now / tau));
        worst = Math.max(worst, Math.abs(integrator.state[a] - exact));
      }
      return worst;
    });
    const order = logLogSlope([20, 40, 80, 160].map((p) => 1 / p), errors);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.3);
    expect(errors[3]).toBeLessThan(1e-4); // volts, on a 1 V step
  });

  it('settles on the sinusoidal steady state I/(G + iωC), read by lock-in, to O((ωh)²)', () => {
    const omega = 2 * Math.PI * F2;
    const G = 1e-3;
    const C = 100e-9;
    const den = G * G + (omega * C) ** 2;
    const exact = { re: (1e-3 * G) / den, im: (-1e-3 * omega * C) / den }; // V = I/(G + iωC)
    const errors = [32, 64, 128, 256].map((perPeriod) => {
      const N = 2 * perPeriod; // a window of two periods
      const T = 2 / F2;
      const integrator = new TransientIntegrator(s, new Float64Array(s.graph.nodeNames.length), { step: T / N });
      const series = new Float64Array(N);
      const settle = 8 * N; // 16 periods ≈ 170 τ
      for (let j = 1; j <= settle + N - 1; j++) {
        integrator.advance(s.drive([1e-3 * Math.cos((2 * Math.PI * ((2 * j) % N)) / N)]));
        if (j >= settle) series[j - settle] = integrator.state[a];
      }
      const [r] = lockIn(series, [F2], { channels: 1, window: T, samples: N });
      // x(t) = Re[V e^{iωt}] = re cos − im sin: the lock-in's sine amplitude is −im
      return Math.hypot(r.inPhase[0] - exact.re, r.quadrature[0] + exact.im) / Math.hypot(exact.re, exact.im);
    });
    const order = logLogSlope([32, 64, 128, 256].map((p) => 1 / p), errors);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.2);
    expect(errors[3]).toBeLessThan(2e-4); // (ωh)² = 6e-4 at 256 samples per period
  });

  it('gives the slowest relaxation time RC', () => {
    expect(slowestRelaxationTime(s, s.equilibrium(s.drive([1e-3])))).toBeCloseTo(tau, 12);
  });
});


const rng = new Rng(9);
const inputs = Float64Array.from({ length: 3 }, () => rng.uniform(-1, 1));
const target = Float64Array.from({ length: 2 }, () => rng.uniform(-0.5, 0.5));
const gradient = (s: ResistiveSubstrate, error: ErrorMechanism) =>
  exampleGradient({ substrate: s, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) }, s.drive(inputs), target);

describe('transient frequency propagation on an RC network', () => {
  it('converges to the phasor reading (H + iωC)⁻¹ as the samples per period grow, at second order', () => {
    const s = rcNetwork(0.3);
    const phasor = gradient(s, createFrequencyError({ mode: 'phasor', frequency: F2 }));
    const spp = [16, 32, 64, 128];
    const rows = spp.map((samplesPerPeriod) => {
      const r = gradient(s, createFrequencyError({ mode: 'transient', frequency: F2, samplesPerPeriod, periods: 2 }));
      return { error: fidelity(r.gradient, phasor.gradient).relativeError, diagnostics: r.diagnostics! };
    });
    const order = logLogSlope(spp.map((p) => 1 / p), rows.map((r) => r.error));
    console.log(`transient vs phasor at ${spp.join(', ')} samples per period: ${rows.map((r) => r.error.toExponential(2)).join(', ')} (slope ${order.toFixed(3)})`);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.2);
    expect(rows[3].error).toBeLessThan(1e-3);
    // the quadrature diagnostic means the same as in phasor mode: rms(quadrature)/rms(in-phase)
    expect(rows[3].diagnostics.quadratureRms).toBeCloseTo(phasor.diagnostics!.quadratureRms, 3);
    // the settle time was chosen from the slowest RC time: enough windows for e^(−16)
    const { settleWindows, relaxationTime, window } = rows[3].diagnostics;
    expect(settleWindows).toBe(Math.ceil((16.2 * relaxationTime) / window));
    expect(settleWindows).toBeGreaterThanOrEqual(1);
  });

  it('departs from the adjoint gradient as ω₂RC grows, as the phasor mode does', () => {
    const ratios = [0.01, 0.03, 0.1].map((x) => {
      const s = rcNetwork(x);
      const exact = gradient(s, adjointError).gradient;
      const phasor = fidelity(gradient(s, createFrequencyError({ mode: 'phasor', frequency: F2 })).gradient, exact).relativeError;
      const transient = fidelity(gradient(s, createFrequencyError({ mode: 'transient', frequency: F2, samplesPerPeriod: 256, periods: 2 })).gradient, exact).relativeError;
      return { phasor, transient };
    });
    console.log(`against the adjoint at ω₂RC = 0.01, 0.03, 0.1: transient ${ratios.map((r) => r.transient.toExponential(2)).join(', ')}; phasor ${ratios.map((r) => r.phasor.toExponential(2)).join(', ')}`);
    // both errors grow as (ω₂RC)² and agree with each other (to the integrator's own error)
    expect(logLogSlope([0.01, 0.03, 0.1], ratios.map((r) => r.transient))).toBeGreaterThan(1.8);
    for (const r of ratios) expect(Math.abs(r.transient / r.phasor - 1)).toBeLessThan(0.01);
  });

  it('with an AC activation integrates both signals from rest: the readings at ω₁ and ω₂ converge on the phasor ones at second order', () => {
    const s = rcNetwork(0.3);
    const ac = createAcActivation({ frequency: 1000 });
    const run = (error: ErrorMechanism) => {
      const activation = ac.activate(s, s.drive(inputs));
      const loss = stateLoss(s, mseLoss, target);
      const { force } = loss.evaluate(activation.state);
      return { activation, reading: error.measure({ substrate: s, activation, errorForce: force, loss, rng: new Rng(0) }) };
    };
    const phasor = run(createFrequencyError({ mode: 'phasor', frequency: F2 }));
    const spp = [16, 32, 64];
    const rows = spp.map((samplesPerPeriod) => {
      const { reading } = run(createFrequencyError({ mode: 'transient', frequency: F2, samplesPerPeriod }));
      return {
        activation: fidelity(reading.activationReadings!, phasor.activation.readings).relativeError,
        error: fidelity(reading.readings, phasor.reading.readings).relativeError,
      };
    });
    console.log(
      `AC activation, transient vs phasor at ${spp.join(', ')} samples per period: activation ${rows.map((r) => r.activation.toExponential(2)).join(', ')}; error ${rows.map((r) => r.error.toExponential(2)).join(', ')}`,
    );
    // measured: activation 5.49e-3, 1.33e-3, 3.24e-4; error 2.27e-2, 5.98e-3, 1.51e-3
    for (const key of ['activation', 'error'] as const) {
      const order = logLogSlope(spp.map((p) => 1 / p), rows.map((r) => r[key]));
      expect(order).toBeGreaterThan(1.8);
      expect(order).toBeLessThan(2.3);
      expect(rows[2][key]).toBeLessThan(3e-3);
    }
  });

  it('refuses a settle count that is not a whole number, with its path', () => {
    expect(() => createFrequencyError({ mode: 'transient', settle: -1 })).toThrow(ConfigError);
    expect(() => createFrequencyError({ mode: 'transient', settle: 1.5 })).toThrow(/error\.settle: expected a non-negative integer, got 1\.5/);
  });
});
