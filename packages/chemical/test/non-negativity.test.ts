import { MultimechError, Rng, dcActivation, fidelity, mseLoss } from '@multimech/core';
import { createChemicalError, type ChemicalErrorConfig } from '../src';
import { randomFlowNetwork, type FlowCase } from './networks';

/**
 * Concentrations cannot go negative. With one species the baseline c₀ must
 * cover the most negative signal; a violation is reported (or refused),
 * never clipped. Two species carry the positive and negative parts of the
 * source, each non-negative, and read the same as one species on a baseline
 * large enough.
 */

const net = randomFlowNetwork(24, { nodes: 35, meanDegree: 3.5, inputs: 3, outputs: 4, inputType: 'potential' });

function measure(config: ChemicalErrorConfig, c: FlowCase = net) {
  const { substrate, drive, target } = c;
  const activation = dcActivation.activate(substrate, drive);
  const force = substrate.outputForce(activation.state, mseLoss.gradient(substrate.readout(activation.state), target));
  const reading = createChemicalError(config).measure({
    substrate,
    activation,
    errorForce: force,
    loss: { evaluate: () => ({ value: 0, force }) },
    rng: new Rng(0),
  });
  return { ...reading, diagnostics: reading.diagnostics!, force };
}

const SETTINGS: readonly ChemicalErrorConfig[] = [{}, { advection: true }, { relaxation: { time: 5 } }, { advection: true, relaxation: { time: 5, steps: 10 } }];

describe('non-negative concentrations', () => {
  it('has signals of both signs in this network (so one species on a zero baseline must go negative)', () => {
    const { force } = measure({});
    expect(Math.min(...force)).toBeLessThan(0);
    expect(Math.max(...force)).toBeGreaterThan(0);
  });

  it.each(SETTINGS.map((s) => [JSON.stringify(s), s] as const))('reports a violation on a zero baseline, none on the required one (%s)', (_, settings) => {
    const zero = measure({ ...settings, baseline: 0 }).diagnostics;
    expect(zero.negativeCount).toBeGreaterThan(0);
    expect(zero.negativeMin).toBeLessThan(0);
    expect(zero.requiredBaseline).toBeCloseTo(-zero.negativeMin, 12);
    const covered = measure({ ...settings, baseline: zero.requiredBaseline }).diagnostics;
    expect(covered.negativeCount).toBe(0);
    expect(covered.negativeMin).toBe(0);
    expect(measure({ ...settings, baseline: 2 * zero.requiredBaseline }).diagnostics.negativeCount).toBe(0);
    // Just short of the requirement, the lowest node still goes negative: the count is not a rounding artefact.
    const short = measure({ ...settings, baseline: 0.99 * zero.requiredBaseline }).diagnostics;
    expect(short.negativeCount).toBeGreaterThan(0);
    expect(short.negativeCount).toBeLessThanOrEqual(zero.negativeCount);
    expect(short.negativeMin).toBeCloseTo(-0.01 * zero.requiredBaseline, 10);
  });

  it('never clips: the readings on a zero baseline are the same as on a covering one', () => {
    const zero = measure({ baseline: 0 });
    const covered = measure({ baseline: zero.diagnostics.requiredBaseline + 1 });
    expect(fidelity(zero.readings, covered.readings).relativeError).toBeLessThanOrEqual(1e-12);
  });

  it("refuses a violation with nonNegative: 'error', saying how large the baseline must be or to use two species", () => {
    const required = measure({}).diagnostics.requiredBaseline;
    let error: unknown;
    try {
      measure({ nonNegative: 'error', baseline: 0.5 * required });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MultimechError);
    const message = (error as Error).message;
    expect(message).toMatch(/^chemical concentration fell to -\d\.\d{3}e?-?\d* at node 'n\d+' \(\d+ node\(s\) went negative, baseline c₀ = /);
    expect(message).toContain(`the baseline c₀ (error.baseline) must be at least ${required.toPrecision(4)} to cover the most negative signal`);
    expect(message).toContain("or use two species (error.species = 'two')");
    expect(() => measure({ nonNegative: 'error', baseline: required * 1.01 })).not.toThrow();
    expect(() => measure({ nonNegative: 'error', species: 'two' })).not.toThrow();
  });

  it.each(SETTINGS.map((s) => [JSON.stringify(s), s] as const))(
    'two species read the same as one species on a large baseline, and never go negative (%s)',
    (_, settings) => {
      const one = measure({ ...settings, baseline: 10 * measure(settings).diagnostics.requiredBaseline });
      expect(one.diagnostics.negativeCount).toBe(0);
      const two = measure({ ...settings, species: 'two' });
      expect(two.diagnostics.negativeCount).toBe(0);
      expect(two.diagnostics.negativeMin).toBe(0);
      expect(two.diagnostics.requiredBaseline).toBeLessThanOrEqual(1e-15);
      expect(fidelity(two.readings, one.readings).relativeError).toBeLessThanOrEqual(1e-10);
    },
  );

  it('reports a negative baseline itself as a violation, even with two species', () => {
    const d = measure({ species: 'two', baseline: -0.1 }).diagnostics;
    expect(d.negativeCount).toBeGreaterThanOrEqual(net.substrate.transport.fixedNodes.length);
    expect(d.negativeMin).toBeLessThanOrEqual(-0.1);
  });
});
