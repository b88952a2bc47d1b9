import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: its first 40 of 150 epochs. Every update
 * moves each of the 15 conductances by exactly one step of 0.01 up or
 * down (or holds it at a bound), and coupled learning with these steps
 * already classifies most test flowers (the full run: 0.978 at seed 1;
 * README.md).
 */
test('coupled learning with ±1-step updates learns Iris on 15 edges', () => {
  const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  config.training.epochs = 40;
  const { trainer, substrate } = createExperiment(config, [resistivePlugin, contrastivePlugin], { baseDir: __dirname });
  expect(substrate.parameters.length).toBe(15);
  let before = Float64Array.from(substrate.parameters);
  let steps = 0;
  let off = 0;
  trainer.on('step', () => {
    substrate.parameters.forEach((x, k) => {
      const d = Math.abs(x - before[k]);
      const atBound = x === substrate.bounds.min[k] || x === substrate.bounds.max[k];
      if (Math.abs(d - 0.01) > 1e-12 && !atBound) off++;
    });
    before = Float64Array.from(substrate.parameters);
    steps++;
  });
  const r = trainer.run();
  expect(steps).toBe(40 * 11);
  expect(off).toBe(0);
  expect(r.history[0].testAccuracy).toBeLessThan(0.5);
  expect(r.summary.test_accuracy).toBeGreaterThanOrEqual(0.85);
});
