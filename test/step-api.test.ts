import { adjointError, dcActivation, exampleGradient, productRule } from '@multimech/core';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { type StepEvent, type TrainerCheckpoint, checkCheckpoint, createExperiment } from '@multimech/trainer';

/** A noisy frequency-propagation run: the minibatch order and the measurement noise both draw from the trainer's generator. */
const config = (training: Record<string, unknown> = { epochs: 4 }, optimizer: Record<string, unknown> = {}) => ({
  seed: 5,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 13, test: 6 },
  error: { kind: 'frequency', mode: 'transient', amplitude: 1e-2, noise: 1e-4, periods: 4, samplesPerPeriod: 16 },
  optimizer: { learningRate: 0.1, batchSize: 4, ...optimizer },
  training,
});
const plugins = [resistivePlugin, frequencyPlugin];
const build = (c: object) => createExperiment(c, plugins).trainer;
/** A step event as a plain record without its wall-clock part. */
const figures = (s: StepEvent) => ({ ...s });

describe('the step API', () => {
  it('step() and evaluate() called in turn give the numbers, events and rows of run() to the bit', () => {
    const a = build(config());
    const steps: StepEvent[] = [];
    a.on('step', (s) => steps.push(s));
    const whole = a.run();

    const b = build(config());
    const own: StepEvent[] = [];
    b.on('step', (s) => own.push(s));
    expect(b.stepsPerEpoch).toBe(4);
    expect(b.stepBudget).toBe(16);
    const rows = [b.evaluate()];
    const returned: StepEvent[] = [];
    while (b.stepsTaken < b.stepBudget) {
      returned.push(b.step());
      if (b.stepsTaken % b.stepsPerEpoch === 0) rows.push(b.evaluate());
    }
    expect(returned.map(figures)).toEqual(steps.map(figures));
    expect(own).toEqual(returned);
    expect(rows.map((r) => [r.epoch, r.steps, r.train.loss, r.test.loss, r.train.relativeError, r.test.relativeError])).toEqual(
      whole.history.map((e) => [e.epoch, e.steps, e.trainLoss, e.testLoss, e.trainRelativeError, e.testRelativeError]),
    );
    expect(Array.from(b.parts.substrate.parameters)).toEqual(Array.from(whole.parameters.values));
    // evaluate(examples) is the old figures of a set
    expect(b.evaluate(b.parts.task.test).loss).toBe(rows[rows.length - 1].test.loss);
  });

  it('a step reports its epoch and place, its minibatch (an epoch covers every example once), its loss before the update and its learning rate', () => {
    const trainer = build(config({ epochs: 2 }));
    const events = Array.from({ length: 8 }, () => trainer.step());
    expect(events.map((e) => [e.epoch, e.step, e.steps])).toEqual([
      [1, 1, 1], [1, 2, 2], [1, 3, 3], [1, 4, 4],
      [2, 1, 5], [2, 2, 6], [2, 3, 7], [2, 4, 8],
    ]);
    for (const epoch of [0, 1]) {
      const seen = events.slice(4 * epoch, 4 * epoch + 4).flatMap((e) => e.examples);
      expect([...seen].sort((x, y) => x - y)).toEqual([...Array(13).keys()]);
    }
    expect(events.map((e) => e.examples.length)).toEqual([4, 4, 4, 1, 4, 4, 4, 1]);
    expect(events.every((e) => e.learningRate === 0.1)).toBe(true);
    expect(events.every((e) => e.physicalCost?.physical === true && e.physicalCost.seconds! > 0)).toBe(true);
    // it is not bounded by the budget: run() is
    trainer.step();
    expect(trainer.stepsTaken).toBe(9);
  });

  it("a step's gradient norm is that of the minibatch's mean exact gradient, and without momentum its step is α times it", () => {
    const c = { ...config({ epochs: 1 }, { momentum: 0, learningRate: 0.01 }), error: { kind: 'adjoint' } };
    const trainer = build(c);
    const { substrate, task } = trainer.parts;
    const pipeline = { substrate, activation: dcActivation, error: adjointError, rule: productRule, loss: task.loss, rng: trainer.parts.rng };
    const before = Float64Array.from(substrate.parameters);
    // the step draws its order first; the same minibatch, measured by hand at the parameters before it
    const event = trainer.step();
    const after = Float64Array.from(substrate.parameters);
    substrate.setParameters(before);
    const mean = new Float64Array(before.length);
    let loss = 0;
    for (const i of event.examples) {
      const r = exampleGradient(pipeline, substrate.drive(task.train[i].inputs), task.train[i].target);
      loss += r.loss / event.examples.length;
      r.gradient.forEach((g, k) => (mean[k] += g / event.examples.length));
    }
    substrate.setParameters(after);
    const norm = Math.hypot(...mean);
    expect(event.loss).toBeCloseTo(loss, 14);
    expect(Math.abs(event.gradientNorm / norm - 1)).toBeLessThan(1e-12);
    expect(event.clamped).toBe(0);
    expect(Math.abs(event.stepNorm / (0.01 * event.gradientNorm) - 1)).toBeLessThan(1e-12);
    expect(event.physicalCost).toEqual({ physical: false, equilibria: 0, solves: expect.any(Number), note: expect.any(String) });
  });

  it('a run stopped inside an epoch (a budget in steps, evaluated every 3 steps) continues from its checkpoint to the numbers of the whole run', () => {
    const training = (steps: number) => ({ steps, evaluate: { every: 3, unit: 'steps' } });
    const whole = build(config(training(18))).run();
    expect(whole.history.map((e) => e.steps)).toEqual([0, 3, 6, 9, 12, 15, 18]);

    const first = build(config(training(9)));
    first.run();
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as TrainerCheckpoint;
    expect(saved).toMatchObject({ epoch: 2, steps: 9 });
    expect([...saved.sampler!.order!].sort((x, y) => x - y)).toEqual([...Array(13).keys()]);

    const second = build(config(training(18)));
    second.restore(saved);
    const continued = second.run();
    const strip = (h: readonly { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(continued.history)).toEqual(strip(whole.history));
    expect(Array.from(continued.parameters.values)).toEqual(Array.from(whole.parameters.values));
    expect(continued.summary).toMatchObject({ steps: 18, epochs: 4.5 });

    // the shuffled epoch's order is part of the state: without it the checkpoint does not fit
    const { sampler: _sampler, ...withoutOrder } = saved;
    expect(() => build(config(training(18))).restore(withoutOrder)).toThrow(/sampler.order: a checkpoint in the middle of a shuffled epoch must hold that epoch's order/);
    expect(() => build(config(training(8))).restore(saved)).toThrow(/it has 9 updates done, more than the 8 configured/);
    expect(() => build(config(training(18))).restore({ ...saved, history: saved.history.slice(0, 3) })).toThrow(/history: its last evaluation is after 6 updates, not the 9 made/);
  });

  it("checkCheckpoint checks a checkpoint inside an epoch whole: its updates, the shuffled epoch's order, a sequence's position, the evaluations", () => {
    const training = (steps: number, extra = {}) => ({ steps, evaluate: { every: 3, unit: 'steps' }, ...extra });
    const first = build(config(training(9)));
    first.run();
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as TrainerCheckpoint;
    const parts = build(config(training(18))).parts;
    expect(checkCheckpoint(saved, parts)).toEqual(saved);
    const check = (value: unknown, p = parts) => () => checkCheckpoint(value, p);
    expect(check({ ...saved, steps: 12 })).toThrow(/^steps: expected 8 to 11 updates \(epoch 2 of 4 updates each, as epoch says\), got 12$/);
    expect(check({ ...saved, steps: 9.5 })).toThrow(/^steps: expected a whole number of updates ≥ 0, got 9.5$/);
    expect(check(saved, build(config(training(8))).parts)).toThrow(/it has 9 updates done, more than the 8 configured/);
    expect(check({ ...saved, sampler: { order: [0, 1, 2] } })).toThrow(/sampler.order: a checkpoint in the middle of a shuffled epoch must hold that epoch's order, a permutation of the 13/);
    expect(check({ ...saved, sampler: { ...saved.sampler, turn: 1 } })).toThrow(/^sampler.turn: unknown key/);
    expect(check({ ...saved, history: saved.history.slice(0, 3) })).toThrow(/^history\[2\].steps: expected 9 \(the last evaluation is at the checkpoint's updates\), got 6$/);
    const swapped = [saved.history[0], saved.history[2], saved.history[1], saved.history[3]];
    expect(check({ ...saved, history: swapped })).toThrow(/^history\[2\].steps: expected a whole number of updates after 6/);

    // a sequence: where the next example is read, and the sequence's length
    const sequence = { sampling: { kind: 'sequence', indices: [3, 0, 0, 12, 7] } };
    const inSequence = build(config(training(9, sequence), { batchSize: 2 }));
    inSequence.run();
    const atSeven = JSON.parse(JSON.stringify(inSequence.checkpoint())) as TrainerCheckpoint;
    expect(atSeven.sampler).toEqual({ position: 3, length: 5 });
    const seqParts = build(config(training(18, sequence), { batchSize: 2 })).parts;
    expect(checkCheckpoint(atSeven, seqParts)).toEqual(atSeven);
    expect(check({ ...atSeven, sampler: { position: 4, length: 5 } }, seqParts)).toThrow(/^sampler.position: expected 3 \(after 9 updates of 2 in a sequence of 5\), got 4$/);
    const longer = build(config(training(18, { sampling: { kind: 'sequence', indices: [3, 0, 0, 12, 7, 1] } }), { batchSize: 2 })).parts;
    expect(check(atSeven, longer)).toThrow(/^sampler.length: expected 6 \(the sequence's indices\), got 5: the checkpoint was written with another sequence$/);
  });
});
