import { readFileSync } from 'fs';
import { join } from 'path';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: its first 40 of 60 epochs. At the end of
 * epoch 30 nine of the 30 edges break and stay at the lower bound; the
 * training loss jumps at that evaluation (0.0487 → 0.130) and is back
 * below its level before the damage two epochs later (README.md).
 */
test('training continues through 9 broken edges, the loss spiking and recovering', () => {
  const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  config.training.epochs = 40;
  const { trainer, substrate } = createExperiment(config, [resistivePlugin, frequencyPlugin], { baseDir: __dirname });
  const r = trainer.run();
  const h = r.history;
  expect(h.map((e) => e.damaged)).toEqual(h.map((_, i) => (i === 30 ? 9 : 0)));
  expect(h[30].trainLoss).toBeGreaterThan(2 * h[29].trainLoss);
  expect(h[40].trainLoss).toBeLessThan(h[29].trainLoss);
  const broken = Array.from(r.parameters.values).filter((x, k) => x === substrate.bounds.min[k]).length;
  expect(broken).toBeGreaterThanOrEqual(9);
  expect(r.damage).toEqual([expect.objectContaining({ epoch: 30, edges: 9, edgesTotal: 9, recoveredAt: expect.any(Number) })]);
  expect(r.damage![0].recoveredAt!).toBe(32);
});
