import {
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  mseLoss,
  productRule,
  type ActivationMechanism,
  type Drive,
  type ErrorMechanism,
  type Substrate,
} from '@multimech/core';
import { createAcActivation, createFrequencyError } from '../src';
import { randomNetwork } from './networks';

const net = randomNetwork(11, { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential' });

function run(error: ErrorMechanism, activation: ActivationMechanism = createAcActivation(), substrate: Substrate = net.substrate) {
  const pipeline = { substrate, activation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) };
  return exampleGradient(pipeline, net.drive, net.target);
}

describe('frequency error mechanism', () => {
  it('gives the same estimate at any amplitude β on a linear network (within 1e-9)', () => {
    // A sampled lock-in reads β·Δu beside an activation of size Δs*, so its rounding is about ε·|Δs*|/(β|Δu|):
    // it resolves 1e-9 down to β = 1e-4 here; the ideal (phasor) lock-in has no such floor.
    const amplitudes = { phasor: [1e-6, 1e-4, 1e-2, 1, 1e3], transient: [1e-4, 1e-2, 1, 1e3] };
    for (const mode of ['phasor', 'transient'] as const) {
      for (const activation of [createAcActivation(), dcActivation]) {
        const reference = run(createFrequencyError({ mode, amplitude: 1e-3 }), activation).gradient;
        for (const amplitude of amplitudes[mode]) {
          const estimate = run(createFrequencyError({ mode, amplitude }), activation).gradient;
          expect(fidelity(estimate, reference).relativeError).toBeLessThanOrEqual(1e-9);
        }
      }
    }
  });

  it('reads the activation in the same run: the sampled in-phase amplitudes are the equilibrium drops', () => {
    const activation = createAcActivation({ frequency: 500 });
    const reading = activation.activate(net.substrate, net.drive);
    const state = net.substrate.equilibrium(net.drive);
    expect(Array.from(reading.state)).toEqual(Array.from(state));
    expect(reading.carrier).toEqual({ type: 'ac', frequency: 500 });
    const [u] = net.substrate.linearResponse(state, [net.substrate.outputForce(state, mseLoss.gradient(net.substrate.readout(state), net.target))]);
    const error = createFrequencyError({ mode: 'transient', frequency: 850, amplitude: 0.1 });
    const measured = error.measure({
      substrate: net.substrate,
      activation: reading,
      errorForce: net.substrate.outputForce(state, mseLoss.gradient(net.substrate.readout(state), net.target)),
      loss: { evaluate: () => ({ value: 0, force: new Float64Array(0) }) },
      rng: new Rng(0),
    });
    expect(fidelity(measured.activationReadings!, reading.readings).relativeError).toBeLessThan(1e-12);
    expect(fidelity(measured.readings, net.substrate.errorReadings(state, u)).relativeError).toBeLessThan(1e-10);
    // 10 periods of 500 Hz hold 17 of 850 Hz; 32 samples per period of 850 Hz.
    expect(measured.diagnostics).toEqual({ quadratureRms: expect.any(Number), samples: 544, window: 0.02 });
    // A resistive network has no phase lag: no quadrature component.
    expect(measured.diagnostics!.quadratureRms).toBeLessThan(1e-12);
  });

  it('solves the network once per sample in transient mode, all against one factorization', () => {
    let solves = 0;
    const counting: Substrate = Object.create(net.substrate, {
      equilibrium: {
        value: (drive: Drive) => {
          solves++;
          return net.substrate.equilibrium(drive);
        },
      },
    });
    net.substrate.setParameters(net.substrate.parameters); // a parameter update: the next solve refactors
    const before = net.substrate.network.factorizations;
    const result = run(createFrequencyError({ mode: 'transient' }), createAcActivation(), counting);
    expect(result.diagnostics).toMatchObject({ samples: 544 });
    expect(solves).toBe(1 + 544); // the activation's own solve, then one per sample
    expect(net.substrate.network.factorizations - before).toBe(1);
  });

  it('reports a quadrature component when the response lags the drive (a non-quasi-static run)', () => {
    // A substrate whose state lags: every sampled drop is delayed by an eighth of a period of the error signal (a phase lag of 45°).
    const lag = 0.125 / 1700;
    let sample = 0;
    const error = createFrequencyError({ mode: 'transient', amplitude: 1 });
    const plan = error.plan({ type: 'dc' });
    const base = net.substrate;
    const state = base.equilibrium(net.drive);
    const force = base.outputForce(state, mseLoss.gradient(base.readout(state), net.target));
    const [u] = base.linearResponse(state, [force]);
    const lagging: Substrate = Object.create(base, {
      equilibrium: {
        value: () => {
          const t = (sample++ * plan.window) / plan.samples;
          const c = Math.cos(2 * Math.PI * 1700 * (t - lag));
          return state.map((s, i) => s + c * u[i]);
        },
      },
    });
    const measured = error.measure({
      substrate: lagging,
      activation: dcActivation.activate(base, net.drive),
      errorForce: force,
      loss: { evaluate: () => ({ value: 0, force: new Float64Array(0) }) },
      rng: new Rng(0),
    });
    // The error signal splits evenly: in-phase cos 45°, quadrature sin 45°, so rms(quadrature)/rms(in-phase) = tan 45° = 1.
    const du = base.errorReadings(state, u);
    expect(measured.diagnostics!.quadratureRms).toBeCloseTo(1, 10);
    measured.readings.forEach((r, k) => expect(r).toBeCloseTo(Math.SQRT1_2 * du[k], 10));
  });

  it('agrees with the adjoint on the 30-node network in both modes and with both activations', () => {
    const exact = run(adjointError).gradient;
    for (const activation of [createAcActivation(), dcActivation]) {
      for (const mode of ['phasor', 'transient'] as const) {
        const { gradient } = run(createFrequencyError({ mode }), activation);
        const { cosine, relativeError } = fidelity(gradient, exact);
        expect(relativeError).toBeLessThan(1e-9);
        expect(cosine).toBeGreaterThan(1 - 1e-12);
      }
    }
  });
});
