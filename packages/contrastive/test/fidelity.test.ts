import {
  Rng,
  adjointError,
  crossEntropyLoss,
  dcActivation,
  exampleGradient,
  fidelity,
  mseLoss,
  productRule,
  stateLoss,
  type ErrorMechanism,
  type LearningRule,
  type Loss,
} from '@multimech/core';
import { OutputSubspaceSolver, contrastiveRule, createCoupledLearning, createEquilibriumPropagation } from '../src';
import { logLogSlope, randomNetwork, type NetworkCase, type NetworkShape } from './networks';

const BETAS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];
const ETAS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];

const cases: (NetworkShape & { seed: number })[] = [
  { seed: 1, nodes: 12, meanDegree: 3, inputs: 2, outputs: 2, inputType: 'flow' },
  { seed: 2, nodes: 25, meanDegree: 3.5, inputs: 3, outputs: 3, inputType: 'potential' },
  { seed: 3, nodes: 60, meanDegree: 4, inputs: 3, outputs: 2, inputType: 'potential', difference: true },
  { seed: 4, nodes: 150, meanDegree: 3, inputs: 4, outputs: 3, inputType: 'flow' },
];

function gradient(net: NetworkCase, error: ErrorMechanism, loss: Loss, target: ArrayLike<number>, rule: LearningRule = contrastiveRule): Float64Array {
  return exampleGradient({ substrate: net.substrate, activation: dcActivation, error, rule, loss, rng: new Rng(1) }, net.drive, target).gradient;
}

/** EP's relative error against the adjoint gradient at each β, and its log-log slope. */
function epBias(net: NetworkCase, loss: Loss, target: ArrayLike<number>, variant: 'positive' | 'negative' | 'centred') {
  const exact = gradient(net, adjointError, loss, target, productRule);
  const errors = BETAS.map((beta) => fidelity(gradient(net, createEquilibriumPropagation({ beta, variant }), loss, target), exact).relativeError);
  return { errors, slope: logLogSlope(BETAS, errors) };
}

const oneHot = (n: number, k: number) => Float64Array.from({ length: n }, (_, j) => (j === k ? 1 : 0));

describe('equilibrium propagation against the adjoint gradient', () => {
  it.each(cases)('MSE: centred EP is biased O(β²), positive and negative O(β) ($nodes nodes, $outputs outputs)', ({ seed, ...shape }) => {
    const net = randomNetwork(seed, shape);
    const centred = epBias(net, mseLoss, net.target, 'centred');
    const positive = epBias(net, mseLoss, net.target, 'positive');
    const negative = epBias(net, mseLoss, net.target, 'negative');
    expect(centred.slope).toBeGreaterThanOrEqual(1.8);
    expect(centred.slope).toBeLessThanOrEqual(2.2);
    expect(positive.slope).toBeGreaterThanOrEqual(0.8);
    expect(positive.slope).toBeLessThanOrEqual(1.2);
    expect(negative.slope).toBeGreaterThanOrEqual(0.8);
    expect(negative.slope).toBeLessThanOrEqual(1.2);
    // At β = 1e-3 centred EP is the gradient to about β², one-sided EP to about β.
    expect(centred.errors[4]).toBeLessThan(1e-4);
    expect(positive.errors[4]).toBeLessThan(1e-2);
    expect(positive.errors[4]).toBeGreaterThan(1e-5);
  });

  it.each(cases)('softmax cross-entropy (κ = 2): the same slopes through an o-dimensional Newton ($nodes nodes, $outputs outputs)', ({ seed, ...shape }) => {
    const net = randomNetwork(seed, shape);
    const target = oneHot(shape.outputs, seed % shape.outputs);
    const loss = crossEntropyLoss(2);
    const centred = epBias(net, loss, target, 'centred');
    const positive = epBias(net, loss, target, 'positive');
    expect(centred.slope).toBeGreaterThanOrEqual(1.8);
    expect(centred.slope).toBeLessThanOrEqual(2.2);
    expect(positive.slope).toBeGreaterThanOrEqual(0.8);
    expect(positive.slope).toBeLessThanOrEqual(1.2);
    expect(centred.errors[4]).toBeLessThan(1e-3);
  });
});

describe('coupled learning against the adjoint gradient', () => {
  it('with one output: the gradient divided by the output’s effective resistance, cosine → 1 as η → 0', () => {
    const net = randomNetwork(7, { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 1, inputType: 'potential' });
    const exact = gradient(net, adjointError, mseLoss, net.target, productRule);
    const free = net.substrate.equilibrium(net.drive);
    const [v] = net.substrate.linearResponse(free, [net.substrate.outputForce(free, [1])]);
    const resistance = -net.substrate.readout(v)[0]; // G = O H⁻¹ Oᵀ
    const estimates = ETAS.map((eta) => gradient(net, createCoupledLearning({ eta }), mseLoss, net.target));
    const scaled = estimates.map((g) => g.map((x) => x * resistance));
    const errors = scaled.map((g) => fidelity(g, exact).relativeError);
    const cosines = estimates.map((g) => fidelity(g, exact).cosine);
    expect(cosines[4]).toBeGreaterThan(0.99);
    for (let i = 1; i < ETAS.length; i++) {
      expect(errors[i]).toBeLessThan(errors[i - 1]);
      expect(cosines[i]).toBeGreaterThan(cosines[i - 1]);
    }
    expect(logLogSlope(ETAS, errors)).toBeGreaterThanOrEqual(0.8);
    expect(logLogSlope(ETAS, errors)).toBeLessThanOrEqual(1.2);
    expect(errors[4]).toBeLessThan(1e-2);
  });

  it.each(cases)(
    'with several outputs: tends to Jᵀ G⁻¹ ∂C/∂y (clamping imposes values, not forces), not to the gradient ($nodes nodes, $outputs outputs)',
    ({ seed, ...shape }) => {
      const net = randomNetwork(seed, shape);
      const { substrate, drive, target } = net;
      const free = substrate.equilibrium(drive);
      // The G⁻¹-weighted adjoint: error force −Oᵀ G⁻¹ ∂C/∂y.
      const solver = new OutputSubspaceSolver(substrate, free, stateLoss(substrate, mseLoss, target));
      const forces = substrate.boundary.outputs.map((_, j) => substrate.outputForce(free, oneHot(shape.outputs, j)));
      const columns = substrate.linearResponse(free, forces);
      const G = columns.map((v) => Array.from(substrate.readout(v), (x) => -x));
      const weighted = solveDense(G, solver.outputGradient);
      const [u] = substrate.linearResponse(free, [substrate.outputForce(free, weighted)]);
      const limit = substrate.localGradient(substrate.activationReadings(free), substrate.errorReadings(free, u));
      const exact = gradient(net, adjointError, mseLoss, target, productRule);

      const estimates = ETAS.map((eta) => gradient(net, createCoupledLearning({ eta }), mseLoss, target));
      const errors = estimates.map((g) => fidelity(g, limit).relativeError);
      for (let i = 1; i < ETAS.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]);
      expect(logLogSlope(ETAS, errors)).toBeGreaterThanOrEqual(0.8);
      expect(logLogSlope(ETAS, errors)).toBeLessThanOrEqual(1.2);
      expect(errors[4]).toBeLessThan(1e-2);
      // Not the gradient's direction: its cosine with it stalls below 1 (0.67 to 0.99 on these networks).
      const cosine = fidelity(estimates[4], exact).cosine;
      expect(cosine).toBeLessThan(0.9999);
    },
  );
});

/** x = A⁻¹b for a small dense matrix (Gaussian elimination with partial pivoting). */
function solveDense(A: number[][], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}
