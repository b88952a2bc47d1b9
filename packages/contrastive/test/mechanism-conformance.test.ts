import { corePlugin, createRegistries } from '@multimech/core';
import { linearFixtures, mechanismChecks, nonlinearFixtures, runMechanismCheck, runMechanismConformance, type FidelityClaim } from '@multimech/conformance';
import { contrastivePlugin, coupledLearningRecord, equilibriumPropagationRecord } from '../src';

/**
 * Equilibrium propagation and coupled learning run the mechanism suite
 * (PHYSICS.md §5): EP's bias is O(β²) centred and O(β) one-sided, on linear
 * networks and (centred) on networks of memristive edges; coupled learning
 * with one output tends to the gradient's direction as O(η) (it is the
 * gradient over the output's effective resistance), and with several it does
 * not (it tends to Jᵀ G⁻¹ ∂C/∂y: clamping imposes values, not forces).
 */
const registries = createRegistries([corePlugin, contrastivePlugin]);
const BETAS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];
const ETAS = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3];

runMechanismConformance('ep', {
  record: equilibriumPropagationRecord,
  registries,
  claims: [
    { label: 'centred: the error falls as β², under 1e-5 at β = 1e-3', knob: 'beta', values: BETAS, section: { variant: 'centred' }, order: 2, exact: true, tolerance: 1e-5 },
    { label: 'positive: the error falls as β', knob: 'beta', values: BETAS, section: { variant: 'positive' }, order: 1 },
    { label: 'negative: the error falls as β', knob: 'beta', values: BETAS, section: { variant: 'negative' }, order: 1 },
  ],
});

runMechanismConformance('ep on nonlinear networks (Newton nudged states)', {
  record: equilibriumPropagationRecord,
  registries,
  fixtures: () => nonlinearFixtures(),
  claims: [{ label: 'centred: the error falls as β²', knob: 'beta', values: [1e-2, 3e-3, 1e-3, 3e-4], section: { variant: 'centred' }, order: 2 }],
});

const oneOutput = () => linearFixtures(1, { inputs: 2, outputs: 1 });
const direction: FidelityClaim = {
  label: "one output: the estimate's direction tends to the gradient's as η",
  knob: 'eta',
  values: ETAS,
  order: 1,
  compare: 'direction',
  fixtures: oneOutput,
};

runMechanismConformance('cl', { record: coupledLearningRecord, registries, claims: [direction] });

describe('what coupled learning does not claim', () => {
  it("with two outputs the direction's error stalls: the order check fails it, with a slope near 0", () => {
    const order = mechanismChecks.find((c) => c.id === 'order')!;
    const result = runMechanismCheck(order, { record: coupledLearningRecord, registries }, { ...direction, label: 'two outputs', fixtures: () => linearFixtures() });
    expect(result.passed).toBe(false);
    const slope = Number(/log-log slope (-?[0-9.]+)/.exec(result.message)![1]);
    expect(Math.abs(slope)).toBeLessThan(0.1);
    // and with one output the same claim holds, with the slope near 1
    const held = runMechanismCheck(order, { record: coupledLearningRecord, registries }, direction);
    expect(held.passed).toBe(true);
    expect(held.figures!.slope as number).toBeGreaterThan(0.9);
    expect(held.figures!.slope as number).toBeLessThan(1.1);
  });
});
