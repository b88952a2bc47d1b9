import { ConfigError, Rng } from '@multimech/core';
import { LEARNING_RATE_RULE, chooseLearningRate, createIrisTask, createRegressionTask, decodeComparison, selectionExperimentConfig, validationTask } from '../src';

const BASE = {
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression' },
    training: { epochs: 8, fidelity: { every: 2 } },
  },
  mechanisms: [{ name: 'adjoint', error: { kind: 'adjoint' } }, { name: 'ep', error: { kind: 'ep' } }],
};

describe('the learning-rate rule', () => {
  it('takes the lowest validation loss averaged over the seeds; a rate that does nothing never wins', () => {
    const trials = [
      // a negligible rate leaves the loss where it started
      { rate: 1e-12, seed: 1, validationLoss: 0.9 },
      { rate: 1e-12, seed: 2, validationLoss: 0.8 },
      { rate: 0.03, seed: 1, validationLoss: 0.3 },
      { rate: 0.03, seed: 2, validationLoss: 0.5 },
      { rate: 0.1, seed: 1, validationLoss: 0.2 },
      { rate: 0.1, seed: 2, validationLoss: 0.7 },
    ];
    const choice = chooseLearningRate(trials);
    expect(choice.rate).toBe(0.03);
    expect(choice.candidates.map((c) => [c.rate, c.seeds, c.failed])).toEqual([
      [1e-12, 2, 0],
      [0.03, 2, 0],
      [0.1, 2, 0],
    ]);
    choice.candidates.forEach((c, i) => expect(c.validationLoss).toBeCloseTo([0.85, 0.4, 0.45][i], 15));
    expect(LEARNING_RATE_RULE).toMatch(/lowest validation loss after the last epoch, averaged over the seeds/);
  });

  it('counts a failed run as +∞ and gives a tie to the smaller rate', () => {
    const failed = chooseLearningRate([
      { rate: 1, seed: 1, validationLoss: 0.01 },
      { rate: 1, seed: 2, validationLoss: Infinity, failure: 'gradient of parameter 3 is not finite (NaN)' },
      { rate: 0.1, seed: 1, validationLoss: 0.5 },
      { rate: 0.1, seed: 2, validationLoss: 0.5 },
    ]);
    expect(failed.rate).toBe(0.1);
    expect(failed.candidates[1]).toEqual({ rate: 1, validationLoss: Infinity, seeds: 2, failed: 1 });
    const tie = chooseLearningRate([
      { rate: 0.2, seed: 1, validationLoss: 0.25, validationAccuracy: 1 },
      { rate: 0.05, seed: 1, validationLoss: 0.25, validationAccuracy: 0.5 },
    ]);
    expect(tie.rate).toBe(0.05);
    expect(tie.candidates[1].validationAccuracy).toBe(1);
  });
});

describe('the validation split', () => {
  it('is carved from the training examples, stratified by class, and leaves the test examples out of reach', () => {
    const task = createIrisTask({}, new Rng(3));
    const split = validationTask(task, 0.2, new Rng(9));
    expect(split.train.length).toBe(84);
    expect(split.test.length).toBe(21);
    for (let c = 0; c < 3; c++) expect(split.test.filter((e) => e.label === c).length).toBe(7);
    expect(new Set([...split.train, ...split.test])).toEqual(new Set(task.train));
    for (const e of task.test) {
      expect(split.train).not.toContain(e);
      expect(split.test).not.toContain(e);
    }
    // the rest is the task's own
    expect(split.loss).toBe(task.loss);
    expect(split.predict!([0.1, 0.9, 0.2])).toBe(1);
    expect(split.inputCount).toBe(task.inputCount);
    // fixed by its generator
    expect(validationTask(task, 0.2, new Rng(9)).test).toEqual(split.test);
  });

  it('draws at random without labels, keeps one example on each side, and refuses a fraction outside (0, 1)', () => {
    const task = createRegressionTask({ features: 2, outputs: 1, train: 10, test: 3 }, new Rng(2));
    const split = validationTask(task, 0.3, new Rng(1));
    expect([split.train.length, split.test.length]).toEqual([7, 3]);
    expect(validationTask(task, 0.01, new Rng(1)).test.length).toBe(1);
    expect(validationTask(task, 0.99, new Rng(1)).train.length).toBe(1);
    expect(() => validationTask(task, 1, new Rng(1))).toThrow('the validation fraction must lie strictly between 0 and 1, got 1');
  });
});

describe('learningRates in a comparison config', () => {
  it('decodes, its grid sorted, and builds each selection run with its rate and epochs and without fidelity', () => {
    const resolved = decodeComparison({ ...BASE, learningRates: { grid: [0.1, 0.01, 0.03], validation: 0.25, epochs: 3 } });
    expect(resolved.learningRates).toEqual({ grid: [0.01, 0.03, 0.1], validation: 0.25, epochs: 3 });
    const run = selectionExperimentConfig(resolved.config, 1, 7, 0.03, resolved.learningRates!);
    expect(run.optimizer).toEqual({ learningRate: 0.03 });
    expect(run.training).toEqual({ epochs: 3 });
    expect(run.seed).toBe(7);
    expect(run.error).toEqual({ kind: 'ep' });
    const whole = selectionExperimentConfig(resolved.config, 0, 7, 0.1, { grid: [0.1], validation: 0.5 });
    expect(whole.training).toEqual({ epochs: 8 });
  });

  it('refuses an empty or repeated grid, a fraction outside (0, 1), and a mechanism that sets its own rate beside it', () => {
    const bad = {
      ...BASE,
      mechanisms: [BASE.mechanisms[0], { ...BASE.mechanisms[1], optimizer: { learningRate: 0.5 } }],
      learningRates: { grid: [0.1, 0.1], validation: 0.5 },
    };
    let error: unknown;
    try {
      decodeComparison(bad, 'c.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: 'learningRates.grid[1]', message: 'duplicate learning rate 0.1 (also learningRates.grid[0])' },
      {
        path: 'mechanisms[1].optimizer.learningRate',
        message: 'with "learningRates" each mechanism\'s learning rate is chosen from learningRates.grid: remove this one, or "learningRates"',
      },
    ]);
    expect(() => decodeComparison({ ...BASE, learningRates: { grid: [], validation: 0.5 } })).toThrow('learningRates.grid: expected at least one learning rate, got []');
    expect(() => decodeComparison({ ...BASE, learningRates: { grid: [0.1], validation: 1 } })).toThrow(/learningRates\.validation: expected a number in \(0, 1\), got 1/);
  });
});
