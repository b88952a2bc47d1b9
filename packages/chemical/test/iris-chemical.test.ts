import { readFileSync } from 'fs';
import { join } from 'path';
import { Rng, dcActivation, exampleGradient, productRule } from '@multimech/core';
import { flowPlugin } from '@multimech/flow';
import { createExperiment } from '@multimech/trainer';
import { chemicalPlugin, createChemicalError } from '../src';

/**
 * The published anchor (PHYSICS.md §4): a linear flow network trained on
 * Iris by chemical signalling reaches 93% test accuracy. The example config
 * must reach at least that at its own seed.
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
});
