import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { flowPlugin } from '@multimech/flow';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: its first 800 of 4,000 steps (one example
 * each, in the order of order.txt). Coupled learning takes the training
 * cost (½Σ(y − t)², averaged over the 40 examples) from 0.0218 down more
 * than a hundredfold, the test cost with it, and the fall goes on at every
 * checked stretch: the published curve's shape, orders of magnitude in
 * straight descent (the full run ends near 1e-10; README.md).
 */
test('coupled learning in the random regular flow network learns the linear teacher online', () => {
  const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  config.training.steps = 800;
  const { trainer } = createExperiment(config, [flowPlugin, contrastivePlugin], { baseDir: __dirname });
  const { history } = trainer.run();
  expect(history.map((e) => e.steps)).toEqual(Array.from({ length: 21 }, (_, i) => 40 * i));
  const train = history.map((e) => e.trainLoss);
  expect(train[0]).toBeCloseTo(0.0218, 4);
  expect(train[20]).toBeLessThan(train[0] / 100);
  expect(history[20].testLoss).toBeLessThan(history[0].testLoss / 100);
  // falling over every stretch of 200 steps
  for (let i = 5; i <= 20; i += 5) expect(train[i]).toBeLessThan(train[i - 5] / 2);
});
