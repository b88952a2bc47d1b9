import { readFileSync } from 'fs';
import { join } from 'path';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The demo's claim: a linear resistive network trained on Iris by frequency
 * propagation reaches at least 0.90 test accuracy on the fixed split.
 */
const config = JSON.parse(readFileSync(join(__dirname, '../examples/iris-frequency/config.json'), 'utf8'));

describe('Iris by frequency propagation', () => {
  it('reaches >= 0.90 test accuracy on the fixed split (the demo config)', () => {
    const { trainer } = createExperiment(config, [resistivePlugin, frequencyPlugin]);
    const { summary, history } = trainer.run();
    expect(summary.test_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss);
  });

  it('is reproducible: the same seed gives the same numbers, another seed other numbers', () => {
    const short = { ...config, training: { epochs: 2 } };
    const a = createExperiment(short, [resistivePlugin, frequencyPlugin]).trainer.run();
    const b = createExperiment(short, [resistivePlugin, frequencyPlugin]).trainer.run();
    const c = createExperiment(short, [resistivePlugin, frequencyPlugin], { seed: 2 }).trainer.run();
    expect([...a.parameters.values]).toEqual([...b.parameters.values]);
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
    expect(a.history[2].trainLoss).not.toEqual(c.history[2].trainLoss);
  });
});
