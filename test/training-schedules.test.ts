import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { resistivePlugin } from '@multimech/resistive';
import { LearningRates, type StepEvent, createExperiment } from '@multimech/trainer';

/** 13 training examples, minibatches of 4: 4 updates per epoch (the last of 1 example). */
const config = (training: Record<string, unknown> = { epochs: 3 }, optimizer: Record<string, unknown> = {}, seed = 4) => ({
  seed,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 13, test: 6 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.05, batchSize: 4, ...optimizer },
  training,
});
const plugins = [resistivePlugin];
const stepsOf = (c: object, options = {}) => {
  const { trainer } = createExperiment(c, plugins, options);
  const steps: StepEvent[] = [];
  trainer.on('step', (s) => steps.push(s));
  const result = trainer.run();
  return { trainer, steps, result };
};
const strip = (h: readonly { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'multimech-schedules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sampling', () => {
  it('shuffled epochs are the default: written out, the same numbers to the bit', () => {
    const plain = stepsOf(config());
    const written = stepsOf(config({ epochs: 3, sampling: { kind: 'shuffle' }, evaluate: { every: 1, unit: 'epochs' } }, { schedule: { kind: 'constant' } }));
    expect(strip(written.result.history)).toEqual(strip(plain.result.history));
    expect(Array.from(written.result.parameters.values)).toEqual(Array.from(plain.result.parameters.values));
  });

  it('a given sequence is followed exactly, batchSize at a time, and again from its start when it runs out', () => {
    const indices = [3, 0, 0, 12, 7, 5, 9];
    const { steps, result } = stepsOf(config({ steps: 5, sampling: { kind: 'sequence', indices } }, { batchSize: 2 }));
    expect(steps.map((s) => s.examples)).toEqual([
      [3, 0],
      [0, 12],
      [7, 5],
      [9, 3],
      [0, 0],
    ]);
    expect(result.summary.steps).toBe(5);
    expect(result.summary.epochs).toBe(5 / 7);
  });

  it('a sequence from a file: one index per line (a header line and # comments left out), or a JSON array', () => {
    writeFileSync(path.join(dir, 'order.txt'), '# the order of the published run\nindex\n4\n2\n\n11\n');
    writeFileSync(path.join(dir, 'order.json'), '[4, 2, 11]');
    const text = stepsOf(config({ steps: 3, sampling: { kind: 'sequence', file: 'order.txt' } }, { batchSize: 1 }), { baseDir: dir });
    const json = stepsOf(config({ steps: 3, sampling: { kind: 'sequence', file: 'order.json' } }, { batchSize: 1 }), { baseDir: dir });
    expect(text.steps.map((s) => s.examples)).toEqual([[4], [2], [11]]);
    expect(Array.from(json.result.parameters.values)).toEqual(Array.from(text.result.parameters.values));
  });

  it('with replacement: full minibatches drawn uniformly, the same by seed, others by another seed', () => {
    const a = stepsOf(config({ epochs: 5, sampling: { kind: 'replacement' } }));
    const b = stepsOf(config({ epochs: 5, sampling: { kind: 'replacement' } }));
    const c = stepsOf(config({ epochs: 5, sampling: { kind: 'replacement' } }, {}, 5));
    const drawn = a.steps.map((s) => s.examples);
    expect(drawn).toHaveLength(20);
    expect(drawn.every((m) => m.length === 4 && m.every((i) => Number.isInteger(i) && i >= 0 && i < 13))).toBe(true);
    expect(b.steps.map((s) => s.examples)).toEqual(drawn);
    expect(Array.from(b.result.parameters.values)).toEqual(Array.from(a.result.parameters.values));
    expect(c.steps.map((s) => s.examples)).not.toEqual(drawn);
    // drawn with replacement: over 80 draws of 13 examples, some example comes twice in one epoch
    const epochs = [0, 1, 2, 3, 4].map((e) => drawn.slice(4 * e, 4 * e + 4).flat());
    expect(epochs.some((e) => new Set(e).size < e.length)).toBe(true);
  });
});

describe('budgets and evaluation', () => {
  it('a budget in steps ends inside an epoch; evaluation every 3 steps gives a row at 0, 3, 6, 9 and the end', () => {
    const { trainer, result } = stepsOf(config({ steps: 10, evaluate: { every: 3, unit: 'steps' } }));
    expect(trainer.stepBudget).toBe(10);
    expect(trainer.parts.epochs).toBe(3);
    expect(result.history.map((e) => [e.steps, e.epoch])).toEqual([
      [0, 0],
      [3, 0.75],
      [6, 1.5],
      [9, 2.25],
      [10, 2.5],
    ]);
    expect(result.history.slice(1).every((e) => e.seconds >= 0 && e.trainLoss > 0)).toBe(true);
    expect(result.summary).toMatchObject({ epochs: 2.5, steps: 10, final_loss: result.history[4].trainLoss });
    // the same updates as a run evaluated every epoch: evaluating changes no number
    const plain = stepsOf(config({ steps: 10 }));
    expect(Array.from(plain.result.parameters.values)).toEqual(Array.from(result.parameters.values));
    expect(plain.result.history.map((e) => e.steps)).toEqual([0, 4, 8, 10]);
    expect(plain.result.history[1].trainLoss).toBe(stepsOf(config({ epochs: 1 })).result.history[1].trainLoss);
  });

  it('evaluation every 2 epochs: rows at epochs 0, 2, 4 and at the end (5)', () => {
    const { result } = stepsOf(config({ epochs: 5, evaluate: { every: 2 } }));
    expect(result.history.map((e) => e.epoch)).toEqual([0, 2, 4, 5]);
    const every = stepsOf(config({ epochs: 5 })).result;
    expect(result.history.map((e) => e.trainLoss)).toEqual([0, 2, 4, 5].map((e) => every.history[e].trainLoss));
    // a row's clamped parameters and physical figures cover the updates since the row before
    expect(result.history[1].clamped).toBe(every.history[1].clamped + every.history[2].clamped);
  });
});

describe('learning-rate schedules', () => {
  it('the rate of each epoch: constant, × factor every epoch (multiplied in turn), × factor every N epochs', () => {
    const constant = new LearningRates(0.006);
    expect([0, 1, 9].map((e) => constant.at(e))).toEqual([0.006, 0.006, 0.006]);
    const exponential = new LearningRates(0.006, { kind: 'exponential', factor: 0.99 });
    let lr = 0.006;
    const expected = [lr];
    for (let e = 1; e < 10; e++) expected.push((lr *= 0.99));
    expect(Array.from({ length: 10 }, (_, e) => exponential.at(e))).toEqual(expected);
    expect(exponential.at(9)).toBeCloseTo(0.006 * 0.99 ** 9, 15);
    const step = new LearningRates(0.1, { kind: 'step', factor: 0.5, every: 2 });
    expect(Array.from({ length: 6 }, (_, e) => step.at(e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it("each update trains at its epoch's rate", () => {
    const { steps } = stepsOf(config({ epochs: 3 }, { schedule: { kind: 'exponential', factor: 0.99 } }));
    expect(steps.map((s) => s.learningRate)).toEqual([...Array(4).fill(0.05), ...Array(4).fill(0.05 * 0.99), ...Array(4).fill(0.05 * 0.99 * 0.99)]);
    const decay = stepsOf(config({ epochs: 5 }, { schedule: { kind: 'step', factor: 0.1, every: 2 } })).steps;
    expect([1, 2, 3, 4, 5].map((e) => decay.find((s) => s.epoch === e)!.learningRate)).toEqual([0.05, 0.05, 0.05 * 0.1, 0.05 * 0.1, 0.05 * 0.1 * 0.1]);
  });
});

describe('bad schedules are refused, each at its place', () => {
  const refused = (c: object, options = {}) => {
    try {
      createExperiment(c, plugins, { source: 'c.json', ...options });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('a sequence index outside the training examples: at its config path, or at its file and line', () => {
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence', indices: [1, 2, 13] } }))).toBe(
      'c.json: invalid configuration\n  training.sampling.indices[2]: index 13 is outside the 13 training examples (0 to 12)',
    );
    writeFileSync(path.join(dir, 'far.txt'), '1\n2\n40\n');
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence', file: 'far.txt' } }), { baseDir: dir })).toBe('c.json: training.sampling.file: far.txt:3: index 40 is outside the 13 training examples (0 to 12)');
    writeFileSync(path.join(dir, 'bad.txt'), '1\n2.5\n');
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence', file: 'bad.txt' } }), { baseDir: dir })).toBe('c.json: training.sampling.file: bad.txt:2: expected a training example index (an integer ≥ 0), got "2.5"');
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence', file: 'none.txt' } }), { baseDir: dir })).toBe(
      'c.json: training.sampling.file: none.txt: cannot read the sequence of training example indices (ENOENT)',
    );
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence', indices: [-1] } }))).toMatch(/training.sampling.indices\[0\]: expected a non-negative integer, got -1/);
    expect(refused(config({ epochs: 1, sampling: { kind: 'sequence' } }))).toMatch(/training.sampling.indices: a sequence needs either "indices"/);
    expect(refused(config({ epochs: 1, sampling: { kind: 'replacement', indices: [1] } }))).toMatch(/training.sampling.indices: applies only with kind 'sequence', not 'replacement': remove it/);
  });

  it('a step budget that is not a positive integer, or beside a budget in epochs', () => {
    expect(refused(config({ steps: 2.5 }))).toBe('c.json: invalid configuration\n  training.steps: expected a positive integer, got 2.5');
    expect(refused(config({ steps: 0 }))).toMatch(/training.steps: expected a positive integer, got 0/);
    expect(refused(config({ steps: '10' }))).toMatch(/training.steps: expected a positive integer, got "10"/);
    expect(refused(config({ steps: 10, epochs: 2 }))).toMatch(/training.steps: give the budget either in epochs or in steps, not both/);
    expect(refused(config({ epochs: 2, evaluate: { every: 0 } }))).toMatch(/training.evaluate.every: expected a positive integer, got 0/);
    expect(refused(config({ epochs: 2, evaluate: { every: 2, unit: 'updates' } }))).toMatch(/training.evaluate.unit: expected one of 'steps', 'epochs', got "updates"/);
  });

  it('a schedule without what it needs, or with what it does not take', () => {
    expect(refused(config({ epochs: 2 }, { schedule: { kind: 'exponential' } }))).toMatch(/optimizer.schedule.factor: the 'exponential' schedule needs the factor/);
    expect(refused(config({ epochs: 2 }, { schedule: { kind: 'step', factor: 0.5 } }))).toMatch(/optimizer.schedule.every: a 'step' schedule needs 'every'/);
    expect(refused(config({ epochs: 2 }, { schedule: { kind: 'constant', factor: 0.5 } }))).toMatch(/optimizer.schedule.factor: applies only with kind 'exponential' or 'step', not 'constant': remove it/);
  });
});

it('the resolved config names the new keys only where the config gives them', () => {
  const plain = createExperiment(config({ epochs: 2 }), plugins).resolvedConfig;
  expect(plain.training).toEqual({ epochs: 2 });
  expect(plain.optimizer).toEqual({ kind: 'sgd', learningRate: 0.05, momentum: 0.9, batchSize: 4, bounds: 'project' });
  const given = createExperiment(config({ steps: 7, sampling: { kind: 'replacement' }, evaluate: { every: 3, unit: 'steps' } }, { schedule: { kind: 'exponential', factor: 0.99 } }), plugins).resolvedConfig;
  expect(given.training).toEqual({ steps: 7, sampling: { kind: 'replacement' }, evaluate: { every: 3, unit: 'steps' } });
  expect(given.optimizer).toMatchObject({ schedule: { kind: 'exponential', factor: 0.99 } });
  // and it decodes again to the same run
  const again = createExperiment(given, plugins).trainer.run();
  const first = createExperiment(config({ steps: 7, sampling: { kind: 'replacement' }, evaluate: { every: 3, unit: 'steps' } }, { schedule: { kind: 'exponential', factor: 0.99 } }), plugins).trainer.run();
  expect(Array.from(again.parameters.values)).toEqual(Array.from(first.parameters.values));
});
