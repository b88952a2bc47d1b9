import { Rng, combineDrives, exampleGradient, fidelity, finiteDifferenceGradient, mseLoss, zeroDrive, type Drive } from '@multimech/core';
import { resistiveFromNetlist, type ResistiveSubstrate } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { randomDiodeNetlist, randomNetlist } from '../../resistive/test/random-netlist';
import { createAcActivation, createFrequencyError, frequencyPlugin, lockIn, timeAverageRule } from '../src';
import { resistivePlugin } from '@multimech/resistive';

/**
 * PHYSICS.md §3.2, last paragraph: with an AC activation on a nonlinear
 * network the product of the two lock-in coefficients is not the gradient;
 * the time average of each edge's instantaneous product ⟨Δs(t)·Δu(t)⟩ is
 * the gradient of the time-averaged loss. The rule is its own
 * ('time-average'), fed by the frequency mechanism's time-series readout.
 */

const M = 16; // instants per activation period
const ac = createAcActivation({ frequency: 1000 });
const series = createFrequencyError({ mode: 'small-signal', readout: 'time-series', samplesPerPeriod: M });

interface Case {
  readonly substrate: ResistiveSubstrate;
  readonly drive: Drive;
  readonly target: Float64Array;
}

function withTarget(substrate: ResistiveSubstrate, rng: Rng): Case {
  const drive = substrate.drive(substrate.defaultInputs!);
  const y = substrate.readout(substrate.equilibrium(drive));
  return { substrate, drive, target: Float64Array.from(y, (v) => v + rng.uniform(-0.5, 0.5)) };
}
const diodeCase = (seed: number): Case => {
  const rng = new Rng(seed);
  const { netlist, outputs } = randomDiodeNetlist(rng, 8 + rng.int(5), { voltages: 2, currents: 1, outputs: 2, diodes: 4 }, { volts: 2, minIS: 1e-12 });
  return withTarget(resistiveFromNetlist(netlist, { outputs }), rng);
};
const linearCase = (seed: number): Case => {
  const rng = new Rng(seed);
  const { netlist, outputs } = randomNetlist(rng, 8 + rng.int(5), { voltages: 2, currents: 1, outputs: 2 });
  return withTarget(resistiveFromNetlist(netlist, { outputs }), rng);
};

/** The drive at instant j of the period: x cos(2πj/M). */
const instant = (c: Case, j: number) => combineDrives(Math.cos((2 * Math.PI * j) / M), c.drive, 0, zeroDrive(c.drive.injection.length, c.drive.fixed.length));

const timeAverage = (c: Case) => exampleGradient({ substrate: c.substrate, activation: ac, error: series, rule: timeAverageRule, loss: mseLoss, rng: new Rng(0) }, c.drive, c.target);

/** d/dθ of (1/M) Σⱼ C(s(tⱼ)), by finite differences at each instant (their average is the difference of the average). */
function timeAveragedLossGradient(c: Case): Float64Array {
  const g = new Float64Array(c.substrate.parameters.length);
  for (let j = 0; j < M; j++) {
    const d = finiteDifferenceGradient(c.substrate, instant(c, j), mseLoss, c.target);
    for (let k = 0; k < g.length; k++) g[k] += d[k] / M;
  }
  return g;
}

/** ½ a·b from the lock-in coefficients at ω₁ of the same series: what the product rule would use. */
function lockInProduct(c: Case): Float64Array {
  const r = timeAverage(c);
  const s = series.measure({ substrate: c.substrate, activation: ac.activate(c.substrate, c.drive), errorForce: new Float64Array(0), loss: lossOf(c), rng: new Rng(0) }).series!;
  const m = s.activation[0].length;
  const flat = (rows: readonly Float64Array[]) => {
    const x = new Float64Array(rows.length * m);
    rows.forEach((row, j) => x.set(row, j * m));
    return x;
  };
  const [a] = lockIn(flat(s.activation), [1000], { channels: m, window: 1e-3, samples: M });
  const [b] = lockIn(flat(s.error), [1000], { channels: m, window: 1e-3, samples: M });
  expect(r.gradient.length).toBe(m);
  return c.substrate.localGradient(a.inPhase, b.inPhase).map((v) => v / 2);
}

function lossOf(c: Case) {
  return {
    evaluate: (state: Float64Array) => {
      const y = c.substrate.readout(state);
      return { value: mseLoss.value(y, c.target), force: c.substrate.outputForce(state, mseLoss.gradient(y, c.target)) };
    },
  };
}

describe("rule 'time-average' with the time-series readout", () => {
  it('is the gradient of the time-averaged loss on diode networks (≤ 1e-7 against finite differences)', () => {
    for (const seed of [1, 2, 3]) {
      const c = diodeCase(seed);
      const estimate = timeAverage(c).gradient;
      const reference = timeAveragedLossGradient(c);
      expect(fidelity(estimate, reference).relativeError).toBeLessThan(1e-7);
    }
  });

  it('differs from the product of the lock-in coefficients on a diode network, and equals it on a linear one', () => {
    const nonlinear = diodeCase(2);
    expect(fidelity(lockInProduct(nonlinear), timeAverage(nonlinear).gradient).relativeError).toBeGreaterThan(1e-2);
    const linear = linearCase(4);
    expect(fidelity(lockInProduct(linear), timeAverage(linear).gradient).relativeError).toBeLessThan(1e-10);
  });

  it('is refused where it cannot work, and the plain product is refused with an AC activation on diodes, pointing at this rule', () => {
    const text = 'diodes\nV1 in 0 DC 1\nV2 in2 0 DC -1\nV3 in3 0 DC 0.5\nR1 in a 1k\nR4 in2 a 2k\nR5 in3 b 3k\nD1 a 0 dm\nR2 a b 2k\nR3 b 0 1k\n.model dm D(IS=1e-14 N=1)\n.end\n';
    const config = (error: object, extra: object = {}) => ({
      substrate: { kind: 'resistive', network: { netlist: 'n.cir', outputs: ['b'] } },
      task: { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2 },
      activation: { kind: 'ac' },
      error: { kind: 'frequency', ...error },
      training: { epochs: 1 },
      ...extra,
    });
    const plugins = [resistivePlugin, frequencyPlugin];
    const fs = require('fs') as typeof import('fs');
    const dir = fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'multimech-time-average-'));
    try {
      fs.writeFileSync(`${dir}/n.cir`, text);
      const build = (c: object) => createExperiment(c, plugins, { baseDir: dir });
      expect(() => build(config({ mode: 'small-signal' }))).toThrow(/the product of the two lock-in coefficients is not the gradient there.*"readout": "time-series".*"rule": \{ "kind": "time-average" \}/s);
      // the rule follows the readout by default
      const { trainer } = build(config({ mode: 'small-signal', readout: 'time-series' }));
      expect(trainer.parts.rule.kind).toBe('time-average');
      expect(() => build(config({ mode: 'transient', readout: 'time-series' }))).toThrow(/error\.mode: the time-series readout reads each instant's error response as u\(t\) = H\(s\(t\)\)⁻¹e\(t\).*use mode 'small-signal'/);
      expect(() => build(config({ mode: 'small-signal', readout: 'time-series' }, { activation: { kind: 'dc' } }))).toThrow(/activation\.kind: the time-series readout \(error\.readout\) averages over the activation's period: it needs \{ "kind": "ac" \}/);
      expect(() => build(config({ mode: 'small-signal', readout: 'time-series' }, { rule: { kind: 'product' } }))).toThrow(
        /rule\.kind: learning rule 'product' consumes 'product' readings, but error mechanism 'frequency' produces 'time-series' readings \(with these settings\): use rule 'time-average'/,
      );
      expect(() => build(config({ mode: 'small-signal' }, { error: { kind: 'adjoint' } }))).toThrow(/error mechanism 'adjoint' with the AC activation \(1000 Hz\) needs a linear network/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
