import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { flowPlugin } from '@multimech/flow';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: its first 100 of 300 steps. Coupled
 * learning takes the allosteric cost (½Σ over the four targets) from 0.112
 * down by more than a million, falling by a similar factor over every
 * stretch: the exponential descent over orders of magnitude of the
 * published curve (the full run reaches the solver's precision near
 * 1e-27; README.md).
 */
test('coupled learning in the 10 x 10 grid learns the allosteric task', () => {
  const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  config.training.steps = 100;
  const { trainer } = createExperiment(config, [flowPlugin, contrastivePlugin], { baseDir: __dirname });
  const { history } = trainer.run();
  const cost = history.map((e) => e.trainLoss);
  expect(history.map((e) => e.steps)).toEqual(Array.from({ length: 21 }, (_, i) => 5 * i));
  expect(cost[0]).toBeCloseTo(0.112, 3);
  expect(cost[20]).toBeLessThan(cost[0] / 1e6);
  for (let i = 4; i <= 20; i += 4) expect(cost[i]).toBeLessThan(cost[i - 4] / 5);
});
