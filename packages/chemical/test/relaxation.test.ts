import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { Rng, dcActivation, fidelity, mseLoss } from '@multimech/core';
import { createChemicalError, type ChemicalErrorConfig } from '../src';
import { gradientOf, randomFlowNetwork } from './networks';

/**
 * Updates made before the chemical reaches its steady state: the edges read
 * c after a finite time. The error against the steady-state update must
 * fall as the time grows, and the integration must follow the true
 * transient V dδ/dt = σ − L_D δ.
 */

const net = randomFlowNetwork(11, { nodes: 40, meanDegree: 3.5, inputs: 3, outputs: 3, inputType: 'potential' });
const TIMES = [0.3, 1, 3, 10, 30, 100, 300, 1000];

/** Readings of the chemical mechanism at the network's free state. */
function readings(config: ChemicalErrorConfig) {
  const { substrate, drive, target } = net;
  const activation = dcActivation.activate(substrate, drive);
  const force = substrate.outputForce(activation.state, mseLoss.gradient(substrate.readout(activation.state), target));
  const r = createChemicalError(config).measure({ substrate, activation, errorForce: force, loss: { evaluate: () => ({ value: 0, force }) }, rng: new Rng(0) });
  return { ...r, force };
}

describe('chemical updates before steady state (relaxation)', () => {
  it('approaches the steady-state update monotonically as the relaxation time grows, within 1e-6 at a long time', () => {
    for (const advection of [false, true]) {
      const steady = gradientOf(net, createChemicalError({ advection })).gradient;
      const errors = TIMES.map((time) => fidelity(gradientOf(net, createChemicalError({ advection, relaxation: { time } })).gradient, steady).relativeError);
      const residuals = TIMES.map((time) => gradientOf(net, createChemicalError({ advection, relaxation: { time } })).diagnostics!.relaxationResidual);
      for (let i = 1; i < TIMES.length; i++) {
        expect(errors[i]).toBeLessThan(errors[i - 1]);
        expect(residuals[i]).toBeLessThan(residuals[i - 1]);
      }
      expect(errors[0]).toBeGreaterThan(0.5);
      expect(residuals[0]).toBeGreaterThan(0.3);
      expect(residuals[0]).toBeLessThan(1);
      expect(errors[TIMES.length - 1]).toBeLessThan(1e-6);
      expect(residuals[TIMES.length - 1]).toBeLessThan(1e-6);
    }
  });

  it.each(['unit', 'tubes'] as const)('follows the exact transient (%s node volumes): implicit Euler error falls as 1/steps', (volumes) => {
    const time = volumes === 'unit' ? 3 : 30;
    const exact = exactRelaxation(time, volumes);
    const steps = [25, 50, 100, 200];
    const errors = steps.map((s) => fidelity(readings({ relaxation: { time, steps: s, volumes } }).readings, exact).relativeError);
    for (let i = 1; i < steps.length; i++) {
      const slope = Math.log(errors[i - 1] / errors[i]) / Math.log(2);
      expect(slope).toBeGreaterThan(0.9);
      expect(slope).toBeLessThan(1.1);
    }
    expect(errors[steps.length - 1]).toBeLessThan(2e-2);
  });

  it('relaxes more slowly with the tubes’ own volumes than with unit volumes when the tubes hold more than a unit each', () => {
    const area = net.substrate.transport.area();
    expect(Math.min(...area)).toBeGreaterThan(1); // tubes of length 1 hold π r² > 1
    const unit = readings({ relaxation: { time: 10, volumes: 'unit' } }).diagnostics!.relaxationResidual;
    const tubes = readings({ relaxation: { time: 10, volumes: 'tubes' } }).diagnostics!.relaxationResidual;
    expect(tubes).toBeGreaterThan(unit);
  });
});

/**
 * Readings (γ/λ)Δδ(T) of the exact solution of V dδ/dt = σ − L δ, δ(0) = 0,
 * with L the diffusion operator D = k on the free nodes: in the variables
 * y = V^½ δ, dy/dt = V^-½σ − S y with S = V^-½ L V^-½ symmetric, so
 * y(T) = S⁻¹ (I − e^{−S T}) V^-½ σ, summed over S's eigenvectors.
 */
function exactRelaxation(time: number, volumes: 'unit' | 'tubes'): Float64Array {
  const t = net.substrate.transport;
  const { force } = readings({});
  const held = new Set(t.fixedNodes);
  const free = net.substrate.graph.nodeNames.map((_, i) => i).filter((i) => !held.has(i));
  const row = new Map(free.map((node, r) => [node, r]));
  const n = free.length;
  const k = t.hydraulicConductance();
  const area = t.area();
  const L = Matrix.zeros(n, n);
  const volume = new Float64Array(net.substrate.graph.nodeNames.length);
  t.graph.from.forEach((a, e) => {
    const b = t.graph.to[e];
    volume[a] += 0.5 * area[e];
    volume[b] += 0.5 * area[e];
    const ra = row.get(a);
    const rb = row.get(b);
    if (ra !== undefined) L.set(ra, ra, L.get(ra, ra) + k[e]);
    if (rb !== undefined) L.set(rb, rb, L.get(rb, rb) + k[e]);
    if (ra !== undefined && rb !== undefined) {
      L.set(ra, rb, L.get(ra, rb) - k[e]);
      L.set(rb, ra, L.get(rb, ra) - k[e]);
    }
  });
  const v = free.map((node) => (volumes === 'unit' ? 1 : volume[node]));
  const S = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S.set(i, j, L.get(i, j) / Math.sqrt(v[i] * v[j]));
  const eig = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const W = eig.eigenvectorMatrix;
  const mu = eig.realEigenvalues;
  const b = free.map((node, r) => force[node] / Math.sqrt(v[r]));
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let proj = 0;
    for (let i = 0; i < n; i++) proj += W.get(i, j) * b[i];
    const gain = (1 - Math.exp(-mu[j] * time)) / mu[j];
    for (let i = 0; i < n; i++) y[i] += W.get(i, j) * gain * proj;
  }
  const delta = new Float64Array(net.substrate.graph.nodeNames.length);
  free.forEach((node, r) => (delta[node] = y[r] / Math.sqrt(v[r])));
  return Float64Array.from(t.graph.from, (a, e) => delta[a] - delta[t.graph.to[e]]);
}
