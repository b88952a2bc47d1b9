import {
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  mseLoss,
  productRule,
  type ActivationMechanism,
  type ErrorMechanism,
} from '@multimech/core';
import { createAcActivation, createFrequencyError } from '../src';
import { randomNetwork, type NetworkCase } from './networks';

/**
 * The core claim (PHYSICS.md §3.1): on a linear network, frequency
 * propagation's update is the exact gradient, whether the lock-in is ideal
 * (phasor) or run on the sampled response (transient).
 */

const SIZES = [5, 6, 7, 8, 10, 12, 15, 18, 22, 27, 33, 40, 48, 57, 68, 80, 95, 110, 125, 140, 155, 170, 185, 200];

interface Case extends NetworkCase {
  readonly label: string;
  readonly activation: ActivationMechanism;
}

function makeCase(i: number): Case {
  const rng = new Rng(1000 + i);
  const nodes = SIZES[i];
  const inputs = 1 + rng.int(Math.min(4, nodes - 3));
  const outputs = 1 + rng.int(Math.min(3, nodes - inputs - 2));
  const meanDegree = Math.min(nodes - 1, 2.5 + 2 * rng.next());
  const inputType = i % 2 === 0 ? 'flow' : 'potential';
  const activation = i % 4 < 2 ? createAcActivation() : dcActivation;
  const net = randomNetwork(2000 + i, { nodes, meanDegree, inputs, outputs, inputType });
  const label = `${nodes} nodes, ${net.substrate.graph.from.length} edges, ${inputs} ${inputType} inputs, ${outputs} outputs, ${activation.kind} activation`;
  return { ...net, label, activation };
}

const cases = SIZES.map((_, i) => makeCase(i));

function gradient(c: Case, error: ErrorMechanism): Float64Array {
  const pipeline = { substrate: c.substrate, activation: c.activation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) };
  return exampleGradient(pipeline, c.drive, c.target).gradient;
}

/** Core's finite-difference reference (central differences with a Richardson step, error O(h⁴)). */
function finiteDifferences(c: Case): Float64Array {
  return finiteDifferenceGradient(c.substrate, c.drive, mseLoss, c.target);
}

const worst = { phasorAdjoint: 0, transientAdjoint: 0, phasorFd: 0, transientFd: 0, adjointFd: 0 };
let checked = 0;

describe('frequency propagation against the adjoint and finite differences', () => {
  it.each(cases.map((c, i) => [i, c.label] as const))('network %i (%s)', (i) => {
    const c = cases[i];
    const adjoint = gradient(c, adjointError);
    const phasor = gradient(c, createFrequencyError({ mode: 'phasor' }));
    const transient = gradient(c, createFrequencyError({ mode: 'transient' }));
    const fd = finiteDifferences(c);
    const errors = {
      phasorAdjoint: fidelity(phasor, adjoint).relativeError,
      transientAdjoint: fidelity(transient, adjoint).relativeError,
      phasorFd: fidelity(phasor, fd).relativeError,
      transientFd: fidelity(transient, fd).relativeError,
      adjointFd: fidelity(adjoint, fd).relativeError,
    };
    for (const key of Object.keys(errors) as (keyof typeof errors)[]) {
      expect(errors[key]).toBeLessThanOrEqual(1e-8);
      worst[key] = Math.max(worst[key], errors[key]);
    }
    // The gradient is not trivially small: every edge sees it, and it is the loss's own slope.
    expect(Math.hypot(...adjoint)).toBeGreaterThan(1e-6);
    checked++;
  });

  it('covered every network, both input types and both activations, with the worst error within 1e-8', () => {
    expect(checked).toBe(SIZES.length);
    expect(new Set(cases.map((c) => c.activation.kind))).toEqual(new Set(['dc', 'ac']));
    expect(new Set(cases.flatMap((c) => c.substrate.boundary.inputs.map((p) => p.type)))).toEqual(new Set(['flow', 'potential']));
    expect(Math.max(...cases.map((c) => c.substrate.boundary.outputs.length))).toBeGreaterThan(1);
    expect(Math.max(...cases.map((c) => c.substrate.boundary.inputs.length))).toBeGreaterThan(1);
    expect(Math.max(...Object.values(worst))).toBeLessThanOrEqual(1e-8);
  });
});
