/**
 * What one measurement costs physically (`ErrorReading.cost`), against
 * figures computed by hand: frequency propagation's window and settling,
 * the equilibria of EP and CL (their time from the slowest relaxation time
 * where the network has dynamics, none where its equilibria are
 * instantaneous), the adjoint marked digital, and the energy a resistive
 * network dissipates (Σ G ΔV² times the time) on a voltage divider; then
 * the trainer's sums over an epoch's updates.
 */
import {
  type ActivationMechanism,
  type ErrorMechanism,
  type PhysicalCost,
  Rng,
  adjointError,
  dcActivation,
  mseLoss,
  settlingTime,
  stateLoss,
  type Substrate,
} from '@multimech/core';
import { createCoupledLearning, createEquilibriumPropagation, contrastivePlugin } from '@multimech/contrastive';
import { acActivation, createFrequencyError, frequencyPlugin } from '@multimech/frequency';
import { parseSpice, resistiveFromNetlist, resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/** V1 = 1 V across R1 = 1 kΩ and R2 = 2 kΩ in series: 1/3 mA, P = V²/(R1 + R2) = 1/3000 W. */
const DIVIDER = 'divider\nV1 a 0 1\nR1 a b 1k\nR2 b 0 2k\n.end\n';
const DIVIDER_POWER = 1 / 3000;
/** Two 1 kΩ resistors and 1 µF at their middle: τ = C/(G1 + G2) = 1e-6/2e-3 = 5e-4 s. */
const RC = 'rc\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\nC1 b 0 1u\n.end\n';
const RC_TAU = 5e-4;
/** The same divider with the RC node's capacitance: P = V²/(R1 + R2) = 1/2000 W at the free state. */
const RC_POWER = 1 / 2000;

const network = (text: string) => resistiveFromNetlist(parseSpice(text, 'net.cir'), { outputs: ['b'] });

/** One measurement's cost at the network's own sources, towards a target of 0.2 V at b. */
function costOf(substrate: Substrate, error: ErrorMechanism, activation: ActivationMechanism = dcActivation): PhysicalCost {
  const drive = substrate.drive(substrate.defaultInputs!);
  const act = activation.activate(substrate, drive);
  const loss = stateLoss(substrate, mseLoss, [0.2]);
  const { force } = loss.evaluate(act.state);
  const cost = error.measure({ substrate, activation: act, errorForce: force, loss, rng: new Rng(1) }).cost;
  expect(cost).toBeDefined();
  return cost!;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('frequency propagation: the lock-in window and its settling', () => {
  it('on a memoryless network, T = periods/f with no settling, or the settle windows given, each a whole window', () => {
    const divider = network(DIVIDER);
    const T = 10 / 1700;
    const plain = costOf(divider, createFrequencyError({ frequency: 1700, periods: 10 }));
    expect(plain.physical).toBe(true);
    expect(plain.equilibria).toBe(1);
    expect(plain.seconds).toBeCloseTo(T, 15);
    expect(plain.note).toMatch(/^lock-in window T = 10 periods of 1700 Hz = 0\.005882 s, no settling/);
    const settled = costOf(divider, createFrequencyError({ frequency: 1700, periods: 10, settle: 3 }));
    expect(settled.seconds).toBeCloseTo(4 * T, 15);
    // with an AC activation the window is periods of the activation's frequency: 10 periods of 1 kHz
    const ac = costOf(divider, createFrequencyError({ frequency: 1700, periods: 10 }), acActivation({ frequency: 1000 }));
    expect(ac.seconds).toBeCloseTo(0.01, 15);
    // transient mode measures over the same window
    expect(costOf(divider, createFrequencyError({ frequency: 1700, periods: 10, mode: 'transient' })).seconds).toBeCloseTo(T, 15);
  });

  it('on a network with dynamics, enough whole windows for τ to decay by e^-16.2: ceil(16.2·5e-4 s / 1 ms) = 9, then the window', () => {
    const rc = network(RC);
    const T = 10 / 1e4;
    const phasor = costOf(rc, createFrequencyError({ frequency: 1e4, periods: 10 }));
    expect(phasor.seconds).toBeCloseTo(10 * T, 15);
    expect(phasor.note).toMatch(/after 9 settling window\(s\) \(slowest relaxation time τ = 0\.0005 s\)/);
    // transient mode integrates those windows itself, and reports what it did: the same time
    const transient = createFrequencyError({ frequency: 1e4, periods: 10, mode: 'transient' });
    expect(costOf(rc, transient).seconds).toBeCloseTo(10 * T, 15);
  });

  it('the energy: the divider dissipates Σ G ΔV² = 1/3000 W over the window (half that of the amplitude for an AC activation)', () => {
    const divider = network(DIVIDER);
    const T = 10 / 1700;
    const sum = (1 / 1000) * (1 / 3) ** 2 + (1 / 2000) * (2 / 3) ** 2;
    expect(relative(sum, DIVIDER_POWER)).toBeLessThan(1e-15);
    expect(relative(costOf(divider, createFrequencyError({ frequency: 1700, periods: 10 })).energy!, DIVIDER_POWER * T)).toBeLessThan(1e-12);
    expect(relative(costOf(divider, createFrequencyError({ frequency: 1700, periods: 10, settle: 3 })).energy!, DIVIDER_POWER * 4 * T)).toBeLessThan(1e-12);
    const ac = costOf(divider, createFrequencyError({ frequency: 1700, periods: 10 }), acActivation({ frequency: 1000 }));
    expect(relative(ac.energy!, 0.5 * DIVIDER_POWER * 0.01)).toBeLessThan(1e-12);
  });
});

describe('equilibrium propagation and coupled learning: equilibria × their settling', () => {
  const variants = ['centred', 'positive', 'negative'] as const;

  it('two equilibria per example in every variant; without dynamics their time is not defined, and no energy is given', () => {
    const divider = network(DIVIDER);
    for (const variant of variants) {
      const cost = costOf(divider, createEquilibriumPropagation({ variant, beta: 1e-7 }));
      expect(cost).toEqual({
        physical: true,
        equilibria: 2,
        note: "instantaneous equilibria: not defined (this 'resistive' network has no dynamics: no capacitance, compliance or mass)",
      });
    }
    const cl = costOf(divider, createCoupledLearning({ eta: 0.01 }));
    expect(cl.equilibria).toBe(2);
    expect(cl.seconds).toBeUndefined();
    expect(cl.energy).toBeUndefined();
  });

  it('with a capacitor, each equilibrium settles for ln(1e7)·τ with τ = RC = 5e-4 s, and dissipates about V²/(R1 + R2) meanwhile', () => {
    const rc = network(RC);
    const each = RC_TAU * Math.log(1e7);
    expect(settlingTime(RC_TAU)).toBeCloseTo(each, 15);
    for (const error of [...variants.map((variant) => createEquilibriumPropagation({ variant, beta: 1e-7 })), createCoupledLearning({ eta: 1e-4 })]) {
      const cost = costOf(rc, error);
      expect(cost.equilibria).toBe(2);
      expect(relative(cost.seconds!, 2 * each)).toBeLessThan(1e-6);
      // the nudged (clamped) states are within β (η) of the free state, where the power is 1/2000 W
      expect(relative(cost.energy!, 2 * each * RC_POWER)).toBeLessThan(1e-3);
      expect(cost.note).toMatch(/^2 equilibria, each settling for ln\(1\/1e-7\) τ with the slowest relaxation time τ = 0\.0005 s$/);
    }
  });
});

describe('the adjoint', () => {
  it('is marked as no physical mechanism: two linear solves per example, no time, no energy', () => {
    const cost = costOf(network(DIVIDER), adjointError);
    expect(cost.physical).toBe(false);
    expect(cost.solves).toBe(2);
    expect(cost.seconds).toBeUndefined();
    expect(cost.energy).toBeUndefined();
    expect(cost.note).toMatch(/^not a physical mechanism/);
  });
});

describe('the trainer sums the cost over each epoch and the run', () => {
  const config = (error: Record<string, unknown>) => ({
    seed: 4,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 4 },
    error,
    optimizer: { learningRate: 0.1, batchSize: 4 },
    training: { epochs: 3 },
  });
  const plugins = [resistivePlugin, frequencyPlugin, contrastivePlugin];

  it('frequency propagation: every example takes one window, so an epoch of 12 examples takes 12 T and an update of 4 takes 4 T', () => {
    const T = 10 / 1700;
    const result = createExperiment(config({ kind: 'frequency', frequency: 1700, periods: 10 }), plugins).trainer.run();
    const [initial, ...epochs] = result.history;
    expect(initial.physicalSeconds).toBeUndefined();
    epochs.forEach((e, i) => {
      expect(e.physicalSeconds).toBeCloseTo(12 * T, 14);
      expect(e.physicalSecondsTotal).toBeCloseTo(12 * T * (i + 1), 14);
      expect(e.energy).toBeGreaterThan(0);
    });
    expect(epochs[2].energyTotal).toBeCloseTo(epochs[0].energy! + epochs[1].energy! + epochs[2].energy!, 12);
    const cost = result.physicalCost!;
    expect(cost.updates).toBe(9);
    expect(cost.secondsPerUpdate).toBeCloseTo(4 * T, 14);
    expect(cost.secondsPerExample).toBeCloseTo(T, 14);
    expect(cost.equilibriaPerExample).toBe(1);
    expect(cost.energyPerUpdate! * 9).toBeCloseTo(cost.energy!, 12);
  });

  it('EP on a memoryless network: no time per epoch, and the run says why', () => {
    const result = createExperiment(config({ kind: 'ep', beta: 1e-3 }), plugins).trainer.run();
    for (const e of result.history) expect(e.physicalSeconds).toBeUndefined();
    expect(result.physicalCost).toEqual({
      physical: true,
      updates: 9,
      equilibriaPerExample: 2,
      note: "instantaneous equilibria: not defined (this 'resistive' network has no dynamics: no capacitance, compliance or mass)",
    });
  });

  it('the adjoint: solves, not seconds', () => {
    const cost = createExperiment(config({ kind: 'adjoint' }), plugins).trainer.run().physicalCost!;
    expect(cost.physical).toBe(false);
    expect(cost.solvesPerExample).toBe(2);
    expect(cost.seconds).toBeUndefined();
  });
});
