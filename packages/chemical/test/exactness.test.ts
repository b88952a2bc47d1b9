import { Rng, crossEntropyLoss, fidelity, finiteDifferenceGradient, mseLoss, randomTopology, type Loss } from '@multimech/core';
import { flowFromTopology } from '@multimech/flow';
import { createChemicalError, type ChemicalErrorConfig } from '../src';
import { adjointGradient, gradientOf, randomFlowNetwork, type FlowCase } from './networks';

/**
 * The exact case (PHYSICS.md §4): with D = γk, no advection, at steady
 * state, c − c₀ = (λ/γ) u and the chemical update is the adjoint gradient,
 * whatever λ, γ and c₀, for either input type and either trainable
 * parameter (conductance or radius), one species or two.
 */

const SIZES = [5, 7, 9, 12, 16, 21, 28, 36, 47, 60, 78, 100];

interface Case extends FlowCase {
  readonly label: string;
  readonly config: ChemicalErrorConfig;
  readonly loss: Loss;
}

function makeCase(i: number): Case {
  const rng = new Rng(500 + i);
  const nodes = SIZES[i];
  const inputs = 1 + rng.int(Math.min(4, nodes - 3));
  const outputs = 2 + rng.int(Math.min(3, nodes - inputs - 3));
  const meanDegree = Math.min(nodes - 1, 2.5 + 2 * rng.next());
  const inputType = i % 2 === 0 ? 'flow' : 'potential';
  const parameter = i % 3 === 2 ? 'radius' : 'conductance';
  const net = randomFlowNetwork(900 + i, { nodes, meanDegree, inputs, outputs, inputType, parameter });
  const config: ChemicalErrorConfig = {
    lambda: [1, 0.01, 30][i % 3],
    gamma: [1, 5, 0.2, 1][i % 4],
    baseline: i % 2 === 0 ? 0 : 2.5,
    ...(i % 4 === 3 ? { species: 'two' as const } : {}),
  };
  const loss = i % 5 === 4 ? crossEntropyLoss(5) : mseLoss;
  const label =
    `${nodes} nodes, ${net.substrate.graph.from.length} tubes, ${inputs} ${inputType} inputs, ${outputs} outputs, ${parameter}, ` +
    `λ=${config.lambda} γ=${config.gamma} c₀=${config.baseline}${config.species ? ', two species' : ''}, ${loss.kind}`;
  return { ...net, label, config, loss };
}

const cases = SIZES.map((_, i) => makeCase(i));
let worst = 0;

describe('chemical signalling with D ∝ k at steady state equals the adjoint gradient', () => {
  it.each(cases.map((c, i) => [i, c.label] as const))('network %i (%s)', (i) => {
    const c = cases[i];
    const exact = adjointGradient(c, c.loss);
    const chemical = gradientOf(c, createChemicalError(c.config), c.loss);
    const { relativeError, cosine } = fidelity(chemical.gradient, exact);
    expect(relativeError).toBeLessThanOrEqual(1e-8);
    expect(cosine).toBeGreaterThan(1 - 1e-12);
    expect(Math.hypot(...exact)).toBeGreaterThan(1e-6);
    worst = Math.max(worst, relativeError);
  });

  it('covered 5 to 100 nodes, both input types, both parameters, several inputs and outputs; worst error within 1e-8', () => {
    expect(Math.min(...cases.map((c) => c.substrate.graph.nodeNames.length))).toBe(5);
    expect(Math.max(...cases.map((c) => c.substrate.graph.nodeNames.length))).toBe(100);
    expect(new Set(cases.flatMap((c) => c.substrate.boundary.inputs.map((p) => p.type)))).toEqual(new Set(['flow', 'potential']));
    expect(new Set(cases.map((c) => c.substrate.parameterName))).toEqual(new Set(['conductance', 'radius']));
    expect(Math.max(...cases.map((c) => c.substrate.boundary.inputs.length))).toBeGreaterThan(2);
    expect(Math.min(...cases.map((c) => c.substrate.boundary.outputs.length))).toBeGreaterThanOrEqual(2);
    expect(worst).toBeLessThanOrEqual(1e-8);
  });

  it('matches finite differences of the loss on a 20-node network', () => {
    const c = randomFlowNetwork(42, { nodes: 20, meanDegree: 3.5, inputs: 3, outputs: 3, inputType: 'potential' });
    const chemical = gradientOf(c, createChemicalError({ lambda: 0.1, gamma: 3, baseline: 1 })).gradient;
    const fd = finiteDifferenceGradient(c.substrate, c.drive, mseLoss, c.target);
    expect(fidelity(chemical, fd).relativeError).toBeLessThanOrEqual(1e-8);
  });

  it('is exact for difference outputs p(a) − p(b) (sources +λe at a and −λe at b)', () => {
    const rng = new Rng(77);
    const topology = randomTopology(30, 3.5, { inputs: 3, outputs: 4 }, rng);
    const names = topology.graph.nodeNames;
    const [a, b, c2, d] = topology.outputNodes.map((n) => names[n]);
    const substrate = flowFromTopology(topology, 'potential', {
      parameter: 'conductance',
      initial: Float64Array.from(topology.graph.from, () => rng.uniform(0.5, 2)),
      bounds: { min: 1e-6, max: 1e6 },
      outputs: [[a, b], [c2, d]],
    });
    const net = { substrate, drive: substrate.drive([0.7, -0.4, 1]), target: Float64Array.of(0.3, -0.2) };
    const exact = adjointGradient(net);
    const chemical = gradientOf(net, createChemicalError({ lambda: 2 })).gradient;
    expect(fidelity(chemical, exact).relativeError).toBeLessThanOrEqual(1e-8);
  });

  it('reads c − c₀ = (λ/γ) u: the concentration drops are λ/γ times the error-state drops', () => {
    const c = cases[6];
    const error = createChemicalError({ lambda: 0.5, gamma: 4, baseline: 3 });
    const state = c.substrate.equilibrium(c.drive);
    const force = c.substrate.outputForce(state, mseLoss.gradient(c.substrate.readout(state), c.target));
    const [u] = c.substrate.linearResponse(state, [force]);
    const du = c.substrate.errorReadings(state, u);
    const reading = error.measure({
      substrate: c.substrate,
      activation: { drive: c.drive, carrier: { type: 'dc' }, state, readings: c.substrate.activationReadings(state) },
      errorForce: force,
      loss: { evaluate: () => ({ value: 0, force }) },
      rng: new Rng(0),
    });
    // Readings are (γ/λ) Δc, so they equal Δu.
    expect(fidelity(reading.readings, du).relativeError).toBeLessThanOrEqual(1e-10);
  });
});
