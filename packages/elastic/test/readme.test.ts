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
