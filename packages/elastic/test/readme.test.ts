import { Rng, adjointError, dcActivation, exampleGradient, mseLoss, productRule } from '@multimech/core';
import { elasticFromTopology, triangularLattice } from '@multimech/elastic';

it('the README snippet runs and its gradient has one entry per k and per ℓ', () => {
  const topology = triangularLattice(6, 5, { sources: 1, targets: 1 });
  const net = elasticFromTopology(topology, {
    parameter: 'both',
    stiffness: new Float64Array(topology.graph.from.length).fill(1),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
  });
  const drive = net.drive([0.2]);
  const y = net.readout(net.equilibrium(drive));
  expect(Math.abs(y[0])).toBeGreaterThan(0);
  const pipeline = { substrate: net, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(1) };
  const { loss, gradient } = exampleGradient(pipeline, drive, [0.01]);
  expect(loss).toBeCloseTo(0.5 * (y[0] - 0.01) ** 2, 14);
  expect(gradient.length).toBe(2 * topology.graph.from.length);
});

it('the README snippet on masses and damping runs: ω₀ from the lattice, a response at 0.1 ω₀ close to the static one', () => {
  const lattice = triangularLattice(6, 5, { sources: 1, targets: 1 });
  const springs = elasticFromTopology(lattice, {
    parameter: 'stiffness',
    stiffness: new Float64Array(lattice.graph.from.length).fill(1),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
    mass: 1,
    damping: 0.1,
  });
  const state = springs.equilibrium(springs.drive([0.2]));
  const omega0 = springs.lowestResonance!(state);
  const force = springs.outputForce(state, [1]);
  const { real, imag } = springs.phasorResponse(state, [force], 0.1 * omega0);
  const [still] = springs.linearResponse(state, [force]);
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  expect(omega0).toBeGreaterThan(0.1);
  expect(omega0).toBeLessThan(1);
  // about (ω/ω₀)² = 1% from the static response in phase, and a quadrature part of order ωγ/k
  const offset = norm(real[0].map((x, i) => x - still[i])) / norm(still);
  expect(offset).toBeGreaterThan(1e-3);
  expect(offset).toBeLessThan(1e-1);
  expect(norm(imag[0])).toBeGreaterThan(0);
});
