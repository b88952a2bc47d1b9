import { adjointError, dcActivation, exampleGradient, finiteDifferenceGradient, mseLoss, productRule, Rng } from '@multimech/core';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';

/**
 * The finite-difference reference steps each parameter relative to itself,
 * so a parameter many orders of magnitude below the others (a leak of 2 PΩ,
 * 5e-16 S) is probed at 5e-16 ± 5e-19 S and never made negative. (The loss
 * changes by about 1e-16 under that probe, at rounding level, so the leak's
 * own derivative is not resolved by differences: the adjoint is the
 * reference there.)
 */
describe('finite-difference reference', () => {
  it('probes a conductance of 5e-16 S beside 1e-3 S without leaving the positive range, and resolves the others', () => {
    const s = resistiveFromNetlist(parseSpice('leak\nV1 in 0 1\nR1 in n1 1k\nR2 n1 0 1k\nRleak n1 0 2e15\n.end\n', 'leak.cir'), { outputs: ['n1'] });
    const drive = s.drive(s.defaultInputs!);
    const target = [0.3];
    const fd = finiteDifferenceGradient(s, drive, mseLoss, target);
    const exact = exampleGradient({ substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(1) }, drive, target).gradient;
    expect(s.parameters[s.parameterNames.indexOf('Rleak')]).toBeCloseTo(5e-16, 30);
    expect(Array.from(fd).every(Number.isFinite)).toBe(true);
    for (const name of ['R1', 'R2']) {
      const k = s.parameterNames.indexOf(name);
      expect(Math.abs(exact[k])).toBeGreaterThan(1e-3);
      expect(Math.abs(fd[k] - exact[k])).toBeLessThanOrEqual(1e-6 * Math.abs(exact[k]));
    }
  });
});
