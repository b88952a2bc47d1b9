import {
  ConfigError,
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  mseLoss,
  productRule,
  type Drive,
  type ErrorMechanism,
  logLogSlope,
} from '@multimech/core';
import { resistiveFromNetlist, type ResistiveSubstrate } from '@multimech/resistive';
import { randomDiodeNetlist, randomNetlist } from '../../resistive/test/random-netlist';
import { createAcActivation, createFrequencyError } from '../src';

/**
 * PHYSICS.md §3.2: on a memoryless nonlinear network (diodes), DC activation
 * and an error current β e cos(ω₂t) read by lock-in give the gradient to
 * O(β²); on a linear network, exactly at any β; a one-sided static nudge
 * only to O(β).
 */

interface Case {
  readonly substrate: ResistiveSubstrate;
  readonly drive: Drive;
  readonly target: Float64Array;
}

function diodeCase(seed: number): Case {
  const rng = new Rng(seed);
  const { netlist, outputs } = randomDiodeNetlist(rng, 8 + rng.int(6), { voltages: 2, currents: 1, outputs: 2, diodes: 4 }, { volts: 2, minIS: 1e-12 });
  return withTarget(resistiveFromNetlist(netlist, { outputs }), rng);
}

function linearCase(seed: number): Case {
  const rng = new Rng(seed);
  const { netlist, outputs } = randomNetlist(rng, 8 + rng.int(6), { voltages: 2, currents: 1, outputs: 2 });
  return withTarget(resistiveFromNetlist(netlist, { outputs }), rng);
}

/** Targets half a volt or so off the free outputs, so the error is not small. */
function withTarget(substrate: ResistiveSubstrate, rng: Rng): Case {
  const drive = substrate.drive(substrate.defaultInputs!);
  const y = substrate.readout(substrate.equilibrium(drive));
  return { substrate, drive, target: Float64Array.from(y, (v) => v + rng.uniform(-0.5, 0.5)) };
}

function gradient(c: Case, error: ErrorMechanism): Float64Array {
  const pipeline = { substrate: c.substrate, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) };
  return exampleGradient(pipeline, c.drive, c.target).gradient;
}

const transient = (beta: number) => createFrequencyError({ mode: 'transient', amplitude: beta, periods: 1, samplesPerPeriod: 16 });

/** The one-sided nudge: the static response to the DC error current β·e, (Δs(β) − Δs*)/β per edge, times Δs*. */
function oneSided(c: Case, beta: number): Float64Array {
  const { substrate, drive, target } = c;
  const free = substrate.equilibrium(drive);
  const e = substrate.outputForce(free, mseLoss.gradient(substrate.readout(free), target));
  const nudged = substrate.equilibrium({ fixed: drive.fixed, injection: drive.injection.map((q, i) => q + beta * e[i]) });
  const a = substrate.activationReadings(free);
  const b = substrate.activationReadings(nudged);
  return a.map((ak, k) => (ak * (b[k] - ak)) / beta);
}


// β in amperes per volt of error: 1.5 decades, small against the diodes' N·Vt
// (β·Δu ≲ 1 mV) and well above the lock-in's rounding floor (≈1e-11 relative).
const BETAS = [3e-5, 1e-5, 3e-6, 1e-6];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const diodes = SEEDS.map(diodeCase);
const exact = diodes.map((c) => gradient(c, adjointError));
const fpErrors = diodes.map((c, i) => BETAS.map((b) => fidelity(gradient(c, transient(b)), exact[i]).relativeError));
const nudgeErrors = diodes.map((c, i) => BETAS.map((b) => fidelity(oneSided(c, b), exact[i]).relativeError));
const mean = (rows: number[][]) => BETAS.map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);

describe('nonlinear frequency propagation on random diode networks', () => {
  it('really is nonlinear there: every network lacks the linear capability and the error is visible', () => {
    for (const c of diodes) expect(c.substrate.capabilities.has('linear')).toBe(false);
    expect(Math.max(...fpErrors.map((r) => r[0]))).toBeGreaterThan(1e-6);
  });

  it('small-signal mode is the adjoint, with no β dependence', () => {
    diodes.forEach((c, i) => {
      for (const amplitude of [1e-6, 1e-2]) {
        expect(fidelity(gradient(c, createFrequencyError({ mode: 'small-signal', amplitude })), exact[i]).relativeError).toBeLessThan(1e-12);
      }
    });
  });

  it('transient mode: the gradient error falls as β² (log-log slope in [1.8, 2.2])', () => {
    const slope = logLogSlope(BETAS, mean(fpErrors));
    expect(slope).toBeGreaterThanOrEqual(1.8);
    expect(slope).toBeLessThanOrEqual(2.2);
    // Network by network, where the error at the smallest β stays 100× above the rounding floor.
    const measurable = fpErrors.filter((r) => r[r.length - 1] > 1e-9);
    expect(measurable.length).toBeGreaterThanOrEqual(5);
    const slopes = measurable.map((r) => logLogSlope(BETAS, r));
    for (const s of slopes) {
      expect(s).toBeGreaterThanOrEqual(1.8);
      expect(s).toBeLessThanOrEqual(2.2);
    }
  });

  it('a one-sided static nudge on the same networks errs as β (slope in [0.8, 1.2])', () => {
    const slope = logLogSlope(BETAS, mean(nudgeErrors));
    expect(slope).toBeGreaterThanOrEqual(0.8);
    expect(slope).toBeLessThanOrEqual(1.2);
    // and it is worse than frequency propagation at every β
    mean(nudgeErrors).forEach((e, j) => expect(e).toBeGreaterThan(mean(fpErrors)[j]));
  });

  it('on linear networks the same transient error is flat, at rounding level for every β', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const c = linearCase(seed);
      expect(c.substrate.capabilities.has('linear')).toBe(true);
      const reference = gradient(c, adjointError);
      for (const beta of [...BETAS, 1e-2]) expect(fidelity(gradient(c, transient(beta)), reference).relativeError).toBeLessThanOrEqual(1e-8);
    }
  });

  it('reads the activation in the same run: the DC part of each drop is Δs* to O(β²)', () => {
    const c = diodes[0];
    const state = c.substrate.equilibrium(c.drive);
    const e = c.substrate.outputForce(state, mseLoss.gradient(c.substrate.readout(state), c.target));
    const a = c.substrate.activationReadings(state);
    const offset = (beta: number) => {
      const r = transient(beta).measure({ substrate: c.substrate, activation: dcActivation.activate(c.substrate, c.drive), errorForce: e, loss: { evaluate: () => ({ value: 0, force: e }) }, rng: new Rng(0) });
      return fidelity(r.activationReadings!, a).relativeError;
    };
    const [big, small] = [offset(3e-5), offset(3e-6)];
    expect(big).toBeGreaterThan(1e-12);
    expect(big / small).toBeGreaterThan(70); // 10× less β: ~100× less offset
  });
});

describe('what frequency propagation refuses on a nonlinear substrate', () => {
  const c = diodes[0];
  const run = (error: ErrorMechanism, activation = dcActivation) =>
    exampleGradient({ substrate: c.substrate, activation, error, rule: productRule, loss: mseLoss, rng: new Rng(0) }, c.drive, c.target);

  it('refuses phasor mode, pointing to small-signal and transient', () => {
    expect(() => run(createFrequencyError({ mode: 'phasor' }))).toThrow(ConfigError);
    expect(() => run(createFrequencyError())).toThrow(
      /error\.mode: 'phasor' is the ideal lock-in of a linear network .* use 'small-signal' .* or 'transient'/,
    );
  });

  it('refuses an AC activation: the product of the coefficients is not the gradient; names the time-average rule', () => {
    for (const mode of ['small-signal', 'transient'] as const) {
      expect(() => run(createFrequencyError({ mode }), createAcActivation({ frequency: 1000 }))).toThrow(
        /activation\.kind: frequency propagation on a nonlinear substrate needs a DC activation: with the inputs at 1000 Hz the product of the two lock-in coefficients is not the gradient there.*'time-average' rule/,
      );
    }
  });
});
