import { readFileSync } from 'fs';
import { join } from 'path';
import { Rng, dcActivation, exampleGradient, productRule } from '@multimech/core';
import { flowPlugin } from '@multimech/flow';
import { createExperiment } from '@multimech/trainer';
import { chemicalPlugin, createChemicalError } from '../src';

/**
 * The published anchor (PHYSICS.md §4): a linear flow network trained on
 * Iris by chemical signalling reaches 93% test accuracy. The example config
 * must reach at least that at its own seed, and other seeds (each draws its
 * own split of the flowers as well as its own network) must do about as
 * well: seeds 1 to 10 give 0.956, 0.933, 0.911, 1.000, 0.933, 0.956, 0.978,
 * 0.978, 1.000, 1.000 (mean 0.964; docs/mechanisms.md).
 */
const config = JSON.parse(readFileSync(join(__dirname, '../../../examples/iris-chemical/config.json'), 'utf8'));

describe('Iris by chemical signalling on a flow network', () => {
  it('reaches >= 0.93 test accuracy at the example config’s seed, with concentrations that never go negative', () => {
    const { trainer, substrate, task } = createExperiment(config, [flowPlugin, chemicalPlugin]);
    expect(substrate.kind).toBe('flow');
    expect(substrate.graph.from.length).toBe(130);
    const { summary, history } = trainer.run();
    expect(summary.test_accuracy).toBeGreaterThanOrEqual(0.93);
    expect(summary.train_accuracy).toBeGreaterThanOrEqual(0.95);
    expect(history[history.length - 1].trainLoss).toBeLessThan(0.2 * history[0].trainLoss);
    // Two species on a zero baseline: no concentration goes negative on any training example of the trained network.
    const { kind, ...settings } = config.error;
    expect(kind).toBe('chemical');
    const pipeline = { substrate, activation: dcActivation, error: createChemicalError(settings), rule: productRule, loss: task.loss, rng: new Rng(0) };
    for (const ex of task.train) {
      const { diagnostics } = exampleGradient(pipeline, substrate.drive(ex.inputs), ex.target);
      expect(diagnostics!.negativeCount).toBe(0);
    }
  });

  it('is not one lucky seed: seeds 2 and 3 (their own splits) reach 0.933 and 0.911, the three together 0.933 on average', () => {
    const accuracy = (seed: number) => createExperiment(config, [flowPlugin, chemicalPlugin], { seed }).trainer.run().summary.test_accuracy!;
    const [a1, a2, a3] = [config.seed, 2, 3].map(accuracy);
    expect(config.seed).toBe(1);
    // accuracies on 45 test flowers: 43, 42 and 41 right
    expect([a1, a2, a3].map((a) => Math.round(a * 45))).toEqual([43, 42, 41]);
    expect(Math.min(a2, a3)).toBeGreaterThanOrEqual(0.9);
    expect((a1 + a2 + a3) / 3).toBeGreaterThanOrEqual(0.93);
  });
});
