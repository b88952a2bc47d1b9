import {
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  mseLoss,
  productRule,
  randomTopology,
  type ActivationMechanism,
  type ErrorMechanism,
  logLogSlope,
} from '@multimech/core';
import { resistiveFromTopology, type ResistiveSubstrate } from '@multimech/resistive';
import { createAcActivation, createFrequencyError } from '../src';
import { rcNetwork } from './networks';

const F2 = 1700; // the error frequency (Hz), the mechanism's default
const F1 = 1000; // the AC activation's frequency (Hz)


const rng = new Rng(9);
const inputs = Float64Array.from({ length: 3 }, () => rng.uniform(-1, 1));
const target = Float64Array.from({ length: 2 }, () => rng.uniform(-0.5, 0.5));

function gradient(substrate: ResistiveSubstrate, activation: ActivationMechanism, error: ErrorMechanism) {
  return exampleGradient({ substrate, activation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) }, substrate.drive(inputs), target);
}


/** ω₂·RC from 1e-3 to 1 (half-decade steps). */
const sweep = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];

function measure(activation: ActivationMechanism) {
  return sweep.map((x) => {
    const substrate = rcNetwork(x);
    const exact = gradient(substrate, dcActivation, adjointError).gradient;
    const fp = gradient(substrate, activation, createFrequencyError({ mode: 'phasor', frequency: F2 }));
    return { x, error: fidelity(fp.gradient, exact).relativeError, quadrature: fp.diagnostics!.quadratureRms };
  });
}

describe('frequency propagation with node capacitances (phasor mode)', () => {
  it('converges to the adjoint gradient as ω₂RC → 0: error slope ≈ 2, quadrature slope ≈ 1 (DC activation)', () => {
    const rows = measure(dcActivation);
    const small = rows.slice(0, 3);
    const errorSlope = logLogSlope(small.map((r) => r.x), small.map((r) => r.error));
    const quadratureSlope = logLogSlope(small.map((r) => r.x), small.map((r) => r.quadrature));
    expect(errorSlope).toBeGreaterThan(1.9);
    expect(errorSlope).toBeLessThan(2.1);
    expect(quadratureSlope).toBeGreaterThan(0.95);
    expect(quadratureSlope).toBeLessThan(1.05);
    expect(rows[0].error).toBeLessThan(1e-5);
    // the error grows monotonically along the whole sweep, and is no longer small at ω₂RC = 1
    for (let i = 1; i < rows.length; i++) expect(rows[i].error).toBeGreaterThan(rows[i - 1].error);
    expect(rows[rows.length - 1].error).toBeGreaterThan(0.01);
  });

  it('with an AC activation at ω₁ the in-phase activation also drifts at second order', () => {
    const rows = measure(createAcActivation({ frequency: F1 }));
    const small = rows.slice(0, 3);
    const errorSlope = logLogSlope(small.map((r) => r.x), small.map((r) => r.error));
    expect(errorSlope).toBeGreaterThan(1.9);
    expect(errorSlope).toBeLessThan(2.1);
    // the activation's own in-phase drift adds to the error's: the AC error exceeds the DC one
    const dc = measure(dcActivation);
    expect(rows[2].error).toBeGreaterThan(dc[2].error);
  });

  it('reports no quadrature and the exact gradient without capacitors', () => {
    const substrate = rcNetwork(0.1);
    const plain = resistiveFromTopology(
      { ...randomTopology(30, 3.5, { inputs: 3, outputs: 2 }, new Rng(5)) },
      'potential',
      { conductances: substrate.parameters, bounds: { min: 1e-6, max: 1e6 } },
    );
    const fp = gradient(plain, dcActivation, createFrequencyError({ mode: 'phasor' }));
    expect(fp.diagnostics?.quadratureRms).toBeUndefined();
    expect(fidelity(fp.gradient, gradient(plain, dcActivation, adjointError).gradient).relativeError).toBeLessThan(1e-12);
  });
});
