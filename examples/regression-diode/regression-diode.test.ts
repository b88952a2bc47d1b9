import { readFileSync } from 'fs';
import { join } from 'path';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * Nonlinear regression by nonlinear frequency propagation: a diode network
 * trained by transient lock-in learns a rectified teacher; the training loss
 * falls more than twentyfold and the test relative error ends below 0.35
 * (it starts near 0.9).
 */
test('the diode network learns the rectified teacher by transient frequency propagation', () => {
  const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  const { trainer, substrate } = createExperiment(config, [resistivePlugin, frequencyPlugin], { baseDir: __dirname });
  expect(substrate.capabilities.has('linear')).toBe(false);
  const { history, summary } = trainer.run();
  expect(history[0].testRelativeError).toBeGreaterThan(0.8);
  expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss / 20);
  expect(summary.relative_error).toBeLessThan(0.35);
});
