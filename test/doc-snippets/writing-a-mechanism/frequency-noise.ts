// docs/writing-a-mechanism.md, "Measuring fidelity": frequency propagation with noise against its lock-in window.
// snippet start
import { Rng, adjointError, dcActivation, exampleGradient, fidelity, finiteDifferenceGradient, mseLoss, productRule, type ErrorMechanism } from '@multimech/core';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';
import { createFrequencyError } from '@multimech/frequency';

const netlist = parseSpice('bridge\nI1 0 a 1m\nV1 c 0 2\nR1 a b 1k\nR2 b 0 2k\nR3 b c 1.5k\nR4 a c 3k\n.end\n', 'bridge.cir');
const substrate = resistiveFromNetlist(netlist, { file: 'bridge.cir', outputs: ['b'] });
const drive = substrate.drive(substrate.defaultInputs!);
const target = [0.5]; // volts at node b

const gradientOf = (error: ErrorMechanism, seed = 1) =>
  exampleGradient({ substrate, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(seed) }, drive, target).gradient;

// 1. The reference itself, against finite differences of the loss through the equilibrium.
const exact = gradientOf(adjointError);
console.log('adjoint vs finite differences:', fidelity(exact, finiteDifferenceGradient(substrate, drive, mseLoss, target)));

// 2. The mechanism against the reference, as its knob (the lock-in window) grows.
const windows = [10, 40, 160, 640];
const errors = windows.map((periods) => {
  let sum = 0;
  for (let seed = 1; seed <= 8; seed++) {
    sum += fidelity(gradientOf(createFrequencyError({ mode: 'transient', noise: 0.01, periods, seed })), exact).relativeError;
  }
  return sum / 8;
});
windows.forEach((p, i) => console.log(`periods ${p}: mean relative error ${errors[i].toExponential(2)}`));
const slope = Math.log(errors[3] / errors[0]) / Math.log(windows[3] / windows[0]);
console.log(`slope ${slope.toFixed(2)} (expected −0.5)`);
// snippet end

export { errors, slope };
