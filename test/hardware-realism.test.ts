import { Rng, adjointError, dcActivation, exampleGradient, productRule, stateLoss } from '@multimech/core';
import { chemicalPlugin } from '@multimech/chemical';
import { flowPlugin } from '@multimech/flow';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { contrastivePlugin } from '@multimech/contrastive';
import { type StepEvent, type TrainerCheckpoint, adc, checkCheckpoint, createExperiment, deviceFactors, imperfectStep, lsb, measured, withMeasurement } from '@multimech/trainer';

const plugins = [resistivePlugin, frequencyPlugin, flowPlugin, chemicalPlugin, contrastivePlugin];

/** A small regression on a layered resistive network, trained by the adjoint unless `error` says otherwise. */
const config = (optimizer: Record<string, unknown> = {}, training: Record<string, unknown> = {}, error: Record<string, unknown> = { kind: 'adjoint' }) => ({
  seed: 3,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] }, conductance: { init: [0.5, 1.5], min: 0.0001, max: 10 } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 20, test: 8 },
  error,
  optimizer: { learningRate: 0.05, momentum: 0, batchSize: 5, ...optimizer },
  training: training.steps !== undefined ? training : { epochs: 6, ...training },
});
const build = (c: object) => createExperiment(c, plugins).trainer;

/** Each update's parameters before and after, and its event. */
function updates(trainer: ReturnType<typeof build>, n: number): { before: Float64Array; after: Float64Array; event: StepEvent }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const before = Float64Array.from(trainer.parts.substrate.parameters);
    const event = trainer.step();
    out.push({ before, after: Float64Array.from(trainer.parts.substrate.parameters), event });
  }
  return out;
}

const refusal = (c: object) => {
  try {
    createExperiment(c, plugins);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

describe('update imperfections (optimizer.quantize, sign, updateProbability, variability, bias, drift)', () => {
  it('every setting off leaves a run bit-identical to the plain optimizer (an update probability of 1 is off)', () => {
    const plain = build(config()).run();
    const p1 = build(config({ updateProbability: 1 })).run();
    expect(Array.from(p1.parameters.values)).toEqual(Array.from(plain.parameters.values));
    expect(p1.history.map((e) => e.trainLoss)).toEqual(plain.history.map((e) => e.trainLoss));
  });

  it('quantised updates move every edge by a whole number of steps, and nearest rounding stalls steps below half of one', () => {
    const step = 0.001;
    const trainer = build(config({ quantize: { step }, learningRate: 0.5 }));
    const moves = updates(trainer, 12).flatMap(({ before, after }) => Array.from(after, (x, k) => (x - before[k]) / step));
    const inside = moves.filter((n) => Number.isFinite(n));
    expect(inside.length).toBe(12 * trainer.parts.substrate.parameters.length);
    // no bound was reached here: each move is k·step to rounding
    for (const n of inside) expect(Math.abs(n - Math.round(n))).toBeLessThan(1e-9);
    expect(inside.filter((n) => Math.round(n) !== 0).length).toBeGreaterThan(10);
    // a step twenty times larger than any ideal move: nothing moves at all
    const still = build(config({ quantize: { step: 10 }, learningRate: 0.5 }));
    const first = Float64Array.from(still.parts.substrate.parameters);
    updates(still, 4);
    expect(Array.from(still.parts.substrate.parameters)).toEqual(Array.from(first));
  });

  it('stochastic rounding is unbiased: a move of 0.3 step is one step 30% of the time (binomial bounds, fixed seed)', () => {
    const m = 4000;
    const theta = new Float64Array(m).fill(1);
    const velocity = new Float64Array(m);
    const bounds = { min: new Float64Array(m).fill(0), max: new Float64Array(m).fill(10) };
    imperfectStep({ quantize: { step: 0.01, rounding: 'stochastic' } }, theta, velocity, () => 0.003, bounds, new Rng(11), { initial: theta });
    const ups = Array.from(velocity).filter((v) => Math.abs(v - 0.01) < 1e-12).length;
    const zeros = Array.from(velocity).filter((v) => v === 0).length;
    expect(ups + zeros).toBe(m);
    const sd = Math.sqrt(m * 0.3 * 0.7);
    expect(Math.abs(ups - 0.3 * m)).toBeLessThan(4 * sd);
  });

  it('sign updates move each edge by exactly one step in the direction of its update, or not at all below the threshold', () => {
    const step = 0.002;
    const moves = updates(build(config({ sign: { step } })), 8).flatMap(({ before, after }) => Array.from(after, (x, k) => x - before[k]));
    for (const d of moves) expect([step, -step].some((s) => Math.abs(d - s) < 1e-12)).toBe(true);
    // a threshold between the ideal steps: the edges below it stay, the others move one step
    const trainer = build(config({ sign: { step, threshold: 2e-4 } }));
    const { substrate, task } = trainer.parts;
    const pipeline = { substrate, activation: dcActivation, error: adjointError, rule: productRule, loss: task.loss, rng: new Rng(1) };
    const before = Float64Array.from(substrate.parameters);
    const event = trainer.step();
    const after = Float64Array.from(substrate.parameters);
    substrate.setParameters(before);
    const ideal = new Float64Array(before.length);
    for (const i of event.examples) exampleGradient(pipeline, substrate.drive(task.train[i].inputs), task.train[i].target).gradient.forEach((g, k) => (ideal[k] -= (0.05 * g) / event.examples.length));
    substrate.setParameters(after);
    let below = 0;
    ideal.forEach((v, k) => {
      const d = after[k] - before[k];
      if (Math.abs(v) < 2e-4) {
        below++;
        expect(d).toBe(0);
      } else expect(Math.abs(d - Math.sign(v) * step)).toBeLessThan(1e-12);
    });
    expect(below).toBeGreaterThan(0);
    expect(below).toBeLessThan(ideal.length);
  });

  it('an update probability p updates a binomial fraction p of the edges (fixed seed, 4σ bounds), and only those move', () => {
    for (const p of [0.2, 0.5, 0.8]) {
      const trainer = build(config({ updateProbability: p }));
      const m = trainer.parts.substrate.parameters.length;
      const steps = updates(trainer, 24);
      const drawn = steps.reduce((n, s) => n + s.event.updated!, 0);
      const trials = 24 * m;
      expect(Math.abs(drawn - p * trials)).toBeLessThan(4 * Math.sqrt(trials * p * (1 - p)));
      for (const { before, after, event } of steps) {
        const moved = Array.from(after).filter((x, k) => x !== before[k]).length;
        expect(moved).toBeLessThanOrEqual(event.updated!);
      }
    }
  });

  it("device variability is a fixed factor per edge: with sign updates each edge's moves keep one size, and the sizes spread", () => {
    const step = 0.002;
    const trainer = build(config({ sign: { step }, variability: { distribution: 'lognormal', spread: 0.3 } }));
    const m = trainer.parts.substrate.parameters.length;
    const sizes: number[][] = Array.from({ length: m }, () => []);
    for (const { before, after } of updates(trainer, 10)) after.forEach((x, k) => sizes[k].push(Math.abs(x - before[k])));
    const perEdge = sizes.map((s) => s[0] / step);
    sizes.forEach((s) => s.forEach((x) => expect(Math.abs(x / s[0] - 1)).toBeLessThan(1e-9)));
    const logs = perEdge.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / m;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1));
    expect(sd).toBeGreaterThan(0.3 * 0.6);
    expect(sd).toBeLessThan(0.3 * 1.4);
    // the same seed, the same devices; a uniform spread stays in 1 ± spread
    const again = build(config({ sign: { step }, variability: { distribution: 'lognormal', spread: 0.3 } }));
    const first = updates(again, 1)[0];
    expect(Array.from(first.after, (x, k) => Math.abs(x - first.before[k]) / step)).toEqual(perEdge.map((f) => expect.closeTo(f, 12)));
    const uniform = deviceFactors({ distribution: 'uniform', spread: 0.2 }, 1000, new Rng(2));
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...uniform)).toBeLessThan(1.2);
    expect(Math.max(...uniform) - Math.min(...uniform)).toBeGreaterThan(0.39);
  });

  it('a bias adds its drift to every update and scales moves up by 1 + a and down by 1 − a; a relaxing drift pulls every edge towards its value', () => {
    const m = 4;
    const bounds = { min: new Float64Array(m).fill(0), max: new Float64Array(m).fill(10) };
    const theta = Float64Array.from([1, 2, 3, 4]);
    const velocity = new Float64Array(m);
    const ideal = [0.1, -0.1, 0, 0.2];
    imperfectStep({ bias: { drift: 0.01, asymmetry: 0.5 } }, theta, velocity, (k) => ideal[k], bounds, new Rng(1), { initial: theta });
    expect(Array.from(velocity)).toEqual([0.15 + 0.01, -0.05 + 0.01, 0.01, 0.3 + 0.01].map((x) => expect.closeTo(x, 14)));
    const initial = Float64Array.from([1, 1, 1, 1]);
    const t2 = Float64Array.from([2, 3, 1, 0.5]);
    imperfectStep({ drift: { kind: 'relax', rate: 0.25 } }, t2, new Float64Array(m), () => 0, bounds, new Rng(1), { initial });
    expect(Array.from(t2)).toEqual([1.75, 2.5, 1, 0.625]);
    imperfectStep({ drift: { kind: 'relax', rate: 0.5, toward: 0 } }, t2, new Float64Array(m), () => 0, bounds, new Rng(1), { initial });
    expect(Array.from(t2)).toEqual([0.875, 1.25, 0.5, 0.3125]);
    // a random walk: steps of the stated spread, held inside the bounds
    const many = 20000;
    const walk = new Float64Array(many).fill(5);
    const wide = { min: new Float64Array(many).fill(0), max: new Float64Array(many).fill(10) };
    imperfectStep({ drift: { kind: 'random-walk', std: 0.1 } }, walk, new Float64Array(many), () => 0, wide, new Rng(4), { initial: walk });
    const sd = Math.sqrt(walk.reduce((a, x) => a + (x - 5) ** 2, 0) / many);
    expect(Math.abs(sd / 0.1 - 1)).toBeLessThan(0.03);
  });

  it('a bias towards larger parameters in training raises the mean conductance against the plain run', () => {
    const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
    const plain = build(config()).run();
    const biased = build(config({ bias: { drift: 0.002 } })).run();
    // 6 epochs × 4 updates × 0.002 = 0.048 per edge
    expect(mean(biased.parameters.values) - mean(plain.parameters.values)).toBeGreaterThan(0.03);
  });
});

describe('measurement imperfections (training.measurement)', () => {
  it('an ADC reads within half a step inside its range, saturates outside, and has 2^bits − 1 levels', () => {
    for (const bits of [2, 3, 8, 12]) {
      const q = lsb(bits, 2);
      const levels = new Set<number>();
      const n = 2 ** (bits + 3);
      let worst = 0;
      for (let i = 0; i <= n; i++) {
        const x = -2 + (4 * i) / n;
        const y = adc(x, bits, 2);
        worst = Math.max(worst, Math.abs(y - x));
        levels.add(Math.round(y / q));
      }
      expect(worst).toBeLessThanOrEqual(q / 2 + 1e-12);
      expect(worst).toBeGreaterThan(0.9 * (q / 2));
      expect(levels.size).toBe(2 ** bits - 1);
      expect(adc(5, bits, 2)).toBeCloseTo(2, 12);
      expect(adc(-7, bits, 2)).toBeCloseTo(-2, 12);
    }
    expect(adc(0, 4, 1)).toBe(0);
  });

  it('noise has the stated standard deviation; an auto range is the largest magnitude read', () => {
    const n = 20000;
    const zeros = new Float64Array(n);
    const noisy = measured(zeros, { noise: 0.05 }, new Rng(9));
    const sd = Math.sqrt(noisy.reduce((a, x) => a + x * x, 0) / n);
    expect(Math.abs(sd / 0.05 - 1)).toBeLessThan(0.03);
    const values = Float64Array.from([0.1, -0.4, 0.26, 0.03]);
    expect(Array.from(measured(values, { bits: 3 }, new Rng(1)))).toEqual([expect.closeTo(0.4 / 3, 14), -0.4, expect.closeTo(0.4 * (2 / 3), 14), 0]);
  });

  it('the rule combines what the instruments read: the product rule of the measured activation and error readings', () => {
    const trainer = build(config());
    const { substrate, task } = trainer.parts;
    const settings = { bits: 4 };
    const rng = new Rng(3);
    const pipeline = { substrate, activation: dcActivation, error: withMeasurement(adjointError, settings), rule: productRule, loss: task.loss, rng };
    const ex = task.train[0];
    const got = exampleGradient(pipeline, substrate.drive(ex.inputs), ex.target).gradient;
    const a = dcActivation.activate(substrate, substrate.drive(ex.inputs));
    const exact = exampleGradient({ ...pipeline, error: adjointError }, substrate.drive(ex.inputs), ex.target).gradient;
    const loss = stateLoss(substrate, task.loss, ex.target);
    const reading = adjointError.measure({ substrate, activation: a, errorForce: loss.evaluate(a.state).force, loss, rng });
    const product = substrate.localGradient(measured(a.readings, settings, rng), measured(reading.readings, settings, rng));
    expect(Array.from(got)).toEqual(Array.from(product));
    // the measured gradient differs from the exact one, and is the product of the readings through the ADC
    expect(Array.from(got)).not.toEqual(Array.from(exact));
    const cos = got.reduce((s, g, k) => s + g * exact[k], 0) / Math.hypot(...got) / Math.hypot(...exact);
    expect(cos).toBeGreaterThan(0.8);
    expect(cos).toBeLessThan(1);
    const fine = exampleGradient({ ...pipeline, error: withMeasurement(adjointError, { bits: 16 }) }, substrate.drive(ex.inputs), ex.target).gradient;
    const rel = Math.hypot(...fine.map((g, k) => g - exact[k])) / Math.hypot(...exact);
    expect(rel).toBeLessThan(1e-3);
  });

  it('composes with every mechanism: frequency propagation, chemical signalling, EP and CL train with noise and an ADC, their loss falling', () => {
    const fast = { learningRate: 0.5, momentum: 0.9 };
    const measurement = { bits: 8, relativeNoise: 0.05 };
    const flow = { kind: 'flow', network: { generator: 'layered', hidden: [6] }, parameter: 'conductance', init: [0.5, 1.5], min: 0.0001, max: 10 };
    const cases: [string, (m?: object) => object][] = [
      ['frequency', (m) => config(fast, { epochs: 6, ...(m ? { measurement: m } : {}) }, { kind: 'frequency', mode: 'phasor', amplitude: 1e-3 })],
      ['ep', (m) => config(fast, { epochs: 6, ...(m ? { measurement: m } : {}) }, { kind: 'ep', beta: 1e-3 })],
      ['cl', (m) => config(fast, { epochs: 6, ...(m ? { measurement: m } : {}) }, { kind: 'cl', eta: 1e-3 })],
      ['chemical', (m) => ({ ...config(fast, { epochs: 6, ...(m ? { measurement: m } : {}) }, { kind: 'chemical', lambda: 1, gamma: 1, baseline: 0, diffusivity: 'conductance', advection: false, species: 'two' }), substrate: flow })],
    ];
    for (const [name, c] of cases) {
      const exact = build(c()).run();
      const r = build(c(measurement)).run();
      const h = r.history;
      expect([name, h[h.length - 1].trainLoss < 0.5 * h[0].trainLoss]).toEqual([name, true]);
      // the instruments changed what was learnt
      expect([name, Array.from(r.parameters.values).some((x, k) => x !== exact.parameters.values[k])]).toEqual([name, true]);
    }
  });
});

describe('damage (training.damage)', () => {
  it('broken edges are set to their lower bound and stay frozen; the row records them and the loss falls afterwards', () => {
    const trainer = build(config({}, { epochs: 12, damage: { events: [{ epoch: 4, edges: [0, 5] }, { epoch: 6, fraction: 0.25 }] } }));
    const { substrate } = trainer.parts;
    const m = substrate.parameters.length;
    const trace: Float64Array[] = [];
    trainer.on('step', () => trace.push(Float64Array.from(substrate.parameters)));
    const r = trainer.run();
    const spe = trainer.stepsPerEpoch;
    const atFour = trace[4 * spe - 1];
    expect([atFour[0], atFour[5]]).toEqual([substrate.bounds.min[0], substrate.bounds.min[5]]);
    for (const p of trace.slice(4 * spe)) expect([p[0], p[5]]).toEqual([atFour[0], atFour[5]]);
    const h = r.history;
    expect(h.map((e) => e.damaged)).toEqual([0, 0, 0, 0, 2, 0, Math.round(0.25 * (m - 2)), 0, 0, 0, 0, 0, 0]);
    // every edge broken at epoch 6 stays at its bound to the end
    const final = r.parameters.values;
    const atMin = Array.from(final).filter((x, k) => x === substrate.bounds.min[k]).length;
    expect(atMin).toBeGreaterThanOrEqual(2 + Math.round(0.25 * (m - 2)));
    expect(h[12].trainLoss).toBeLessThan(h[6].trainLoss);
    expect(r.damage!.map((d) => [d.epoch, d.edges])).toEqual([
      [4, 2],
      [6, Math.round(0.25 * (m - 2))],
    ]);
    expect(r.damage![1].edgesTotal).toBe(2 + Math.round(0.25 * (m - 2)));
  });

  it('a rate breaks a binomial number of edges per epoch; a fixed value is where they stay', () => {
    const trainer = build(config({}, { epochs: 10, damage: { rate: 0.05, value: 0.5 } }));
    const m = trainer.parts.substrate.parameters.length;
    const r = trainer.run();
    const broken = r.history.reduce((n, e) => n + (e.damaged ?? 0), 0);
    expect(broken).toBeGreaterThan(0);
    // the expected count, working edges shrinking: m (1 − 0.95^10) ≈ 0.40 m
    const expected = m * (1 - 0.95 ** 10);
    expect(Math.abs(broken - expected)).toBeLessThan(4 * Math.sqrt(expected));
    expect(Array.from(r.parameters.values).filter((x) => x === 0.5).length).toBe(broken);
  });

  it('names an edge by its parameter name', () => {
    const trainer = build(config({}, { epochs: 2 }));
    const name = trainer.parts.substrate.parameterNames[3];
    const r = build(config({}, { epochs: 2, damage: { events: [{ epoch: 1, edges: [name] }], value: 'max' } })).run();
    expect(r.parameters.values[3]).toBe(10);
  });
});

describe('checkpoints with hardware settings on', () => {
  const everything = (steps: number) =>
    config(
      { momentum: 0.5, quantize: { step: 0.001, rounding: 'stochastic' }, updateProbability: 0.6, variability: { distribution: 'uniform', spread: 0.3 }, bias: { drift: 1e-4, asymmetry: 0.1 }, drift: { kind: 'random-walk', std: 1e-3 } },
      { steps, evaluate: { every: 3, unit: 'steps' }, measurement: { bits: 6, relativeNoise: 0.1 }, damage: { events: [{ epoch: 2, fraction: 0.2 }], rate: 0.02 } },
      { kind: 'frequency', mode: 'phasor', amplitude: 1e-3 },
    );

  it('a run stopped in the middle continues from its checkpoint (through JSON and checkCheckpoint) to the numbers of the whole run', () => {
    const whole = build(everything(27)).run();
    const first = build(everything(15));
    first.run();
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as TrainerCheckpoint;
    expect(saved.damaged!.length).toBeGreaterThan(0);
    const second = build(everything(27));
    second.restore(checkCheckpoint(saved, second.parts));
    const continued = second.run();
    const strip = (h: readonly { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(continued.history)).toEqual(strip(whole.history));
    expect(Array.from(continued.parameters.values)).toEqual(Array.from(whole.parameters.values));
    // the broken edges are part of the state
    expect(() => checkCheckpoint({ ...saved, damaged: [9999] }, second.parts)).toThrow(/^damaged\[0\]: expected an edge index in \[0, \d+\], got 9999$/);
    expect(() => checkCheckpoint(saved, build(config({}, { steps: 27, evaluate: { every: 3, unit: 'steps' } })).parts)).toThrow(/holds broken edges \(damaged\) for a run without training.damage/);
  });
});

describe('bad hardware settings are refused with the config path', () => {
  it.each([
    [{ quantize: { step: 0 } }, {}, /^optimizer.quantize.step: expected a positive number/],
    [{ quantize: { step: -1 } }, {}, /^optimizer.quantize.step: expected a positive number/],
    [{ sign: { step: 0 } }, {}, /^optimizer.sign.step: expected a positive number/],
    [{ quantize: { step: 0.1 }, sign: { step: 0.1 } }, {}, /^optimizer.sign: give either "quantize"/],
    [{ updateProbability: 0 }, {}, /^optimizer.updateProbability: expected a probability in \(0, 1\], got 0$/],
    [{ updateProbability: 1.5 }, {}, /^optimizer.updateProbability: expected a probability in \(0, 1\], got 1.5$/],
    [{ variability: { distribution: 'uniform', spread: 1 } }, {}, /^optimizer.variability.spread: a uniform factor 1 ± spread must stay positive/],
    [{ drift: { kind: 'relax' } }, {}, /^optimizer.drift.rate: a 'relax' drift needs 'rate'/],
    [{ drift: { kind: 'random-walk', std: 1, rate: 0.1 } }, {}, /^optimizer.drift.rate: applies only with kind 'relax'/],
    [{}, { measurement: { bits: 2.5 } }, /^training.measurement.bits: expected a positive integer/],
    [{}, { measurement: { bits: 0 } }, /^training.measurement.bits: expected a positive integer/],
    [{}, { measurement: { bits: 1 } }, /^training.measurement.bits: expected a positive integer in \[2, 32\]/],
    [{}, { measurement: { range: 1 } }, /^training.measurement.range: applies only with 'bits'/],
    [{}, { measurement: { noise: -1 } }, /^training.measurement.noise: expected a positive number/],
    [{}, { damage: { events: [{ epoch: 7, edges: [0] }] } }, /^training.damage.events\[0\].epoch: epoch 7 is past the end of training \(6 epochs\)$/],
    [{}, { damage: { events: [{ epoch: 2, edges: ['nope'] }] } }, /^training.damage.events\[0\].edges\[0\]: the network has no edge "nope"/],
    [{}, { damage: { events: [{ epoch: 2, fraction: 0 }] } }, /^training.damage.events\[0\].fraction: expected a probability in \(0, 1\], got 0$/],
    [{}, { damage: { events: [{ epoch: 2 }] } }, /^training.damage.events\[0\].edges: give either "edges"/],
    [{}, { damage: { rate: 1 } }, /^training.damage.rate: expected a probability per edge per epoch in \(0, 1\), got 1$/],
    [{}, { damage: { rate: 0.1, value: 50 } }, /^training.damage.value: 50 lies outside the bounds/],
  ])('%j %j', (optimizer, training, message) => {
    expect(refusal(config(optimizer, training))).toMatch(new RegExp(`^\\s*${message.source.replace(/^\^/, '')}`, 'm'));
  });
});
