import {
  Rng,
  ScalarSubstrate,
  TwoTerminalLaw,
  adjointError,
  boundaryFromTopology,
  dcActivation,
  exampleGradient,
  fidelity,
  logLogSlope,
  mseLoss,
  productRule,
  randomTopology,
  uniformBounds,
  type ErrorMechanism,
  type LearningRule,
} from '@multimech/core';
import { contrastiveRule, createEquilibriumPropagation } from '@multimech/contrastive';
import { createFrequencyError } from '@multimech/frequency';

/**
 * Core's trainable nonlinear edge (a scalar substrate whose trainable edges
 * carry k·sinh(v/V0)) under the mechanisms its capabilities allow (it is
 * not 'linear'): frequency propagation with a DC activation, whose lock-in
 * reads the DC part and the ω₂ part of each edge's drop (PHYSICS.md §3.2:
 * exact to O(β²)), its small-signal limit, and centred equilibrium
 * propagation (O(β²)), each against the exact adjoint; and a few steps of
 * gradient descent by transient frequency propagation lower the loss.
 */
const V0 = 0.5;
const sinhLaw: TwoTerminalLaw = {
  current: (v) => Math.sinh(v / V0),
  conductance: (v) => Math.cosh(v / V0) / V0,
  coContent: (v) => V0 * (Math.cosh(v / V0) - 1),
};

class Memristors extends ScalarSubstrate {
  readonly kind = 'test/memristors';
  readonly parameterName = 'prefactor';
}

const rng = new Rng(31);
const topology = randomTopology(14, 3, { inputs: 2, outputs: 2 }, rng);
const m = topology.graph.from.length;
const net = new Memristors({
  graph: topology.graph,
  boundary: boundaryFromTopology(topology, 'potential'),
  parameters: Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5)),
  bounds: uniformBounds(m, 1e-3, 100),
  edgeLaw: sinhLaw,
});
const drive = net.drive([1.2, -0.8]);
const target = net.readout(net.equilibrium(drive)).map((y) => y + rng.uniform(-0.3, 0.3));

function gradient(error: ErrorMechanism, rule: LearningRule = productRule): Float64Array {
  return exampleGradient({ substrate: net, activation: dcActivation, error, rule, loss: mseLoss, rng: new Rng(0) }, drive, target).gradient;
}

const exact = gradient(adjointError);
/** Error amplitudes (A per V of error) of frequency propagation: β·Δu from about 3e-2 V down to 1e-3 V against V0 = 0.5 V, all far above the lock-in's rounding floor (≈1e-10 relative here). */
const FP_BETAS = [0.3, 0.1, 0.03, 0.01];
/** Nudging strengths of equilibrium propagation. */
const EP_BETAS = [1e-2, 3e-3, 1e-3, 3e-4];

describe('the trainable nonlinear edge under the mechanisms it allows', () => {
  it('is not linear, and the error is not small', () => {
    expect(net.capabilities.has('linear')).toBe(false);
    expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(1e-2);
  });

  it('frequency propagation, small-signal mode: the adjoint, to 1e-12', () => {
    expect(fidelity(gradient(createFrequencyError({ mode: 'small-signal', amplitude: 1e-3 })), exact).relativeError).toBeLessThan(1e-12);
  });

  it('frequency propagation, transient mode with a DC activation: the error falls as β² (slope in [1.8, 2.2]), under 1e-7 at the smallest β', () => {
    const errors = FP_BETAS.map((amplitude) => fidelity(gradient(createFrequencyError({ mode: 'transient', amplitude, periods: 1, samplesPerPeriod: 16 })), exact).relativeError);
    const slope = logLogSlope(FP_BETAS, errors);
    expect(slope).toBeGreaterThanOrEqual(1.8);
    expect(slope).toBeLessThanOrEqual(2.2);
    expect(errors[0]).toBeGreaterThan(1e-7);
    expect(errors[errors.length - 1]).toBeLessThan(1e-7);
  });

  it('centred equilibrium propagation: the error falls as β² (slope in [1.8, 2.2])', () => {
    const errors = EP_BETAS.map((beta) => fidelity(gradient(createEquilibriumPropagation({ beta, variant: 'centred' }), contrastiveRule), exact).relativeError);
    const slope = logLogSlope(EP_BETAS, errors);
    expect(slope).toBeGreaterThanOrEqual(1.8);
    expect(slope).toBeLessThanOrEqual(2.2);
  });

  it('twenty steps of gradient descent by transient frequency propagation lower the loss more than tenfold', () => {
    const theta = Float64Array.from(net.parameters);
    const fp = createFrequencyError({ mode: 'transient', amplitude: 1e-3, periods: 1, samplesPerPeriod: 16 });
    const lossNow = () => exampleGradient({ substrate: net, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng }, drive, target).loss;
    try {
      const first = lossNow();
      for (let step = 0; step < 20; step++) {
        const g = gradient(fp);
        const { min, max } = net.bounds;
        net.setParameters(net.parameters.map((p, k) => Math.min(max[k], Math.max(min[k], p - 2 * g[k]))));
      }
      expect(lossNow()).toBeLessThan(first / 10);
    } finally {
      net.setParameters(theta);
    }
  });
});
