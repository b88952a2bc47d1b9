// docs/writing-a-mechanism.md, "Measuring fidelity": the bias of acme/nudge against β.
// snippet start
import { Rng, adjointError, dcActivation, exampleGradient, fidelity, mseLoss, productRule, randomTopology, type ErrorMechanism } from '@multimech/core';
import { resistiveFromTopology } from '@multimech/resistive';
import { nudgeError } from './nudge-plugin';

const rng = new Rng(7);
const topology = randomTopology(20, 4, { inputs: 3, outputs: 2 }, rng);
const substrate = resistiveFromTopology(topology, 'potential', {
  conductances: Float64Array.from(topology.graph.from, () => rng.uniform(0.5, 1.5)),
  bounds: { min: 1e-4, max: 10 },
});
const drive = substrate.drive([1, -0.5, 0.3]);
const target = [0.2, -0.1];
const gradientOf = (error: ErrorMechanism) =>
  exampleGradient({ substrate, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(1) }, drive, target).gradient;

const exact = gradientOf(adjointError);
const betas = [0.2, 0.1, 0.05, 0.025];
const errors = betas.map((beta) => {
  const { cosine, relativeError } = fidelity(gradientOf(nudgeError({ beta, iterations: 200 })), exact);
  console.log(`beta ${beta}: cosine ${cosine.toFixed(6)}, relative error ${relativeError.toExponential(2)}`);
  return relativeError;
});
const slope = Math.log(errors[0] / errors[3]) / Math.log(betas[0] / betas[3]);
console.log(`slope ${slope.toFixed(2)} (expected 1: bias O(β))`);
// snippet end

export { errors, slope };
