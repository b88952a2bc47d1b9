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
import { NewtonNudgedSolver, contrastiveRule, createCoupledLearning, createEquilibriumPropagation } from '../src';
import { diodeCase, largestEigenvalue, outputResponse, springCase, type NonlinearCase, type SpringShape } from './nonlinear-networks';
import { logLogSlope } from './networks';

/** β as fractions of 1/λmax(G) at the free state, the network's own scale. */
const STRENGTHS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];
const ETAS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];

function gradient(c: NonlinearCase, error: ErrorMechanism, loss: Loss, target: ArrayLike<number>, rule: LearningRule = contrastiveRule): Float64Array {
  return exampleGradient({ substrate: c.substrate, activation: dcActivation, error, rule, loss, rng: new Rng(1) }, c.drive, target).gradient;
}

/** EP's relative error against the adjoint gradient at each β, and its log-log slope. */
function epBias(c: NonlinearCase, variant: 'positive' | 'negative' | 'centred', loss: Loss = mseLoss, target: ArrayLike<number> = c.target) {
  const scale = 1 / largestEigenvalue(outputResponse(c.substrate, c.free));
  const exact = gradient(c, adjointError, loss, target, productRule);
  const errors = STRENGTHS.map((s) => fidelity(gradient(c, createEquilibriumPropagation({ beta: s * scale, variant }), loss, target), exact).relativeError);
  return { errors, slope: logLogSlope(STRENGTHS, errors) };
}

function expectSlopes(label: string, c: NonlinearCase) {
  const centred = epBias(c, 'centred');
  const positive = epBias(c, 'positive');
  const negative = epBias(c, 'negative');
  console.log(
    `${label}: relative error at β·λmax(G) = 1e-1 … 1e-3\n` +
      `  centred ${centred.errors.map((e) => e.toExponential(2)).join(' ')} (slope ${centred.slope.toFixed(3)})\n` +
      `  positive ${positive.errors.map((e) => e.toExponential(2)).join(' ')} (slope ${positive.slope.toFixed(3)})\n` +
      `  negative ${negative.errors.map((e) => e.toExponential(2)).join(' ')} (slope ${negative.slope.toFixed(3)})`,
  );
  expect(centred.slope).toBeGreaterThanOrEqual(1.8);
  expect(centred.slope).toBeLessThanOrEqual(2.2);
  expect(positive.slope).toBeGreaterThanOrEqual(0.8);
  expect(positive.slope).toBeLessThanOrEqual(1.2);
  expect(negative.slope).toBeGreaterThanOrEqual(0.8);
  expect(negative.slope).toBeLessThanOrEqual(1.2);
  // At β·λmax(G) = 1e-3 centred EP is the gradient to about β², one-sided EP to about β.
  expect(centred.errors[4]).toBeLessThan(1e-4);
  expect(positive.errors[4]).toBeLessThan(1e-2);
  expect(positive.errors[4]).toBeGreaterThan(1e-5);
}

const springShapes: (SpringShape & { seed: number })[] = [
  { seed: 1, network: 'triangular', parameter: 'stiffness', outputs: 'distance' },
  { seed: 2, network: 'random-2d', parameter: 'both', outputs: 'displacement' },
  { seed: 3, network: 'random-3d', parameter: 'rest-length', outputs: 'distance' },
];

describe('equilibrium propagation on nonlinear networks, against the adjoint gradient', () => {
  it.each([
    { seed: 1, outputs: 2 },
    { seed: 3, outputs: 3 },
    { seed: 4, outputs: 2, difference: true },
  ])('diode networks: centred EP biased O(β²), positive and negative O(β) (seed $seed, $outputs outputs)', ({ seed, outputs, difference }) => {
    expectSlopes(`diode network seed ${seed}${difference ? ' (a difference output)' : ''}`, diodeCase(seed, outputs, difference));
  });

  it.each(springShapes)('spring networks: the same slopes ($network, $parameter, $outputs outputs)', ({ seed, ...shape }) => {
    expectSlopes(`spring network ${shape.network} (${shape.parameter}, ${shape.outputs})`, springCase(seed, shape));
  });

  it('softmax cross-entropy on a diode network: centred EP still O(β²), through Newton in the outputs inside Newton in the state', () => {
    const c = diodeCase(2, 3);
    const target = [0, 1, 0];
    const loss = crossEntropyLoss(2);
    const centred = epBias({ ...c, loss: stateLoss(c.substrate, loss, target) }, 'centred', loss, target);
    console.log(`diode network seed 2, cross-entropy (κ = 2): centred ${centred.errors.map((e) => e.toExponential(2)).join(' ')} (slope ${centred.slope.toFixed(3)})`);
    expect(centred.slope).toBeGreaterThanOrEqual(1.8);
    expect(centred.slope).toBeLessThanOrEqual(2.2);
    expect(centred.errors[4]).toBeLessThan(1e-4);
  });
});

describe('coupled learning on nonlinear networks, against the adjoint gradient', () => {
  it.each([
    ['a diode network', () => diodeCase(5, 1)],
    ['a spring network (distance output)', () => springCase(4, { network: 'triangular', parameter: 'both', outputs: 'distance', targets: 1 })],
  ])('%s with one output: the gradient over the output’s response G, cosine → 1 as η → 0', (label, make) => {
    const c = make();
    const exact = gradient(c, adjointError, mseLoss, c.target, productRule);
    const G = outputResponse(c.substrate, c.free)[0][0];
    const estimates = ETAS.map((eta) => gradient(c, createCoupledLearning({ eta }), mseLoss, c.target));
    const errors = estimates.map((g) => fidelity(g.map((x) => x * G), exact).relativeError);
    const cosines = estimates.map((g) => fidelity(g, exact).cosine);
    console.log(`CL on ${label}: relative error of G·ĝ ${errors.map((e) => e.toExponential(2)).join(' ')} (slope ${logLogSlope(ETAS, errors).toFixed(3)}); 1 − cosine at η = 1e-3: ${(1 - cosines[4]).toExponential(2)}`);
    for (let i = 1; i < ETAS.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]);
    expect(logLogSlope(ETAS, errors)).toBeGreaterThanOrEqual(0.8);
    expect(logLogSlope(ETAS, errors)).toBeLessThanOrEqual(1.2);
    expect(errors[4]).toBeLessThan(1e-2);
    expect(cosines[4]).toBeGreaterThan(0.9999);
  });

  it.each([
    ['a diode network', () => diodeCase(3, 3)],
    ['a spring network (distance outputs)', () => springCase(3, springShapes[2])],
    ['a spring network (displacement outputs)', () => springCase(2, springShapes[1])],
  ])('%s with several outputs: tends to Jᵀ G⁻¹ ∂C/∂y, not to the gradient', (label, make) => {
    const c = make();
    const { substrate, free } = c;
    const solver = new NewtonNudgedSolver(substrate, free, c.drive, c.loss);
    // The G⁻¹-weighted adjoint: error force −Σ_j (G⁻¹ ∂C/∂y)_j f_j, f_j the output forces at the free state.
    const weighted = solveSmall(outputResponse(substrate, free), solver.outputGradient);
    const [u] = substrate.linearResponse(free, [substrate.outputForce(free, weighted)]);
    const limit = substrate.localGradient(substrate.activationReadings(free), substrate.errorReadings(free, u));
    const exact = gradient(c, adjointError, mseLoss, c.target, productRule);
    const estimates = ETAS.map((eta) => gradient(c, createCoupledLearning({ eta }), mseLoss, c.target));
    const errors = estimates.map((g) => fidelity(g, limit).relativeError);
    const cosine = fidelity(estimates[4], exact).cosine;
    console.log(`CL on ${label}: relative error against Jᵀ G⁻¹ ∂C/∂y ${errors.map((e) => e.toExponential(2)).join(' ')} (slope ${logLogSlope(ETAS, errors).toFixed(3)}); cosine with the gradient ${cosine.toFixed(4)}`);
    for (let i = 1; i < ETAS.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]);
    expect(logLogSlope(ETAS, errors)).toBeGreaterThanOrEqual(0.8);
    expect(logLogSlope(ETAS, errors)).toBeLessThanOrEqual(1.2);
    expect(errors[4]).toBeLessThan(1e-2);
    expect(cosine).toBeLessThan(0.9999);
  });
});

/** x = A⁻¹b for a small dense symmetric positive definite matrix (Cholesky). */
function solveSmall(A: number[][], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const L = A.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}
