import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: seed 1 over 3 of its 10 epochs, the
 * quasistatic reference (quasistatic.json) and config.json (the sweep's
 * base) at ratios 0.1 and 10. At 0.1 the loss follows the quasistatic run's (within 30%)
 * in a third of its physical time per example; at 10 the parameters move
 * before the copies relax and the loss does not fall (README.md has the
 * sweep).
 */
test('continuous-time coupled learning: near the quasistatic run at ratio 0.1, no learning at ratio 10', () => {
  const plugins = [resistivePlugin, contrastivePlugin];
  const read = (file: string) => JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
  const quasistatic = createExperiment({ ...read('quasistatic.json'), training: { epochs: 3 } }, plugins, { baseDir: __dirname }).trainer.run();
  const base = read('config.json');
  const continuous = (ratio: number) => createExperiment({ ...base, training: { epochs: 3, continuous: { ratio } } }, plugins, { baseDir: __dirname }).trainer.run();
  const [slow, fast] = [0.1, 10].map(continuous);
  const last = (r: typeof slow) => r.history[r.history.length - 1].trainLoss;
  const first = quasistatic.history[0].trainLoss;
  console.log(
    `cl-continuous, train loss after 3 epochs (from ${first.toExponential(3)}): quasistatic ${last(quasistatic).toExponential(3)}, ratio 0.1 ${last(slow).toExponential(3)}, ratio 10 ${last(fast).toExponential(3)}; ` +
      `physical time per example: quasistatic ${quasistatic.physicalCost!.secondsPerExample!.toExponential(3)} s, ratio 0.1 ${slow.physicalCost!.secondsPerExample!.toExponential(3)} s`,
  );
  expect(slow.history[0].trainLoss).toBe(first);
  expect(last(quasistatic)).toBeLessThan(0.35 * first);
  expect(last(slow)).toBeLessThan(1.3 * last(quasistatic));
  expect(last(fast)).toBeGreaterThan(0.8 * first);
  expect(slow.physicalCost!.secondsPerExample!).toBeLessThan(quasistatic.physicalCost!.secondsPerExample! / 3);
});

test('the sweep, the example and its quasistatic reference describe one run but for the ratio and the seeds', () => {
  const read = (file: string) => JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
  const { $schema: _, name: __, description: ___, seed, ...config } = read('config.json');
  const sweep = read('sweep.json');
  expect(seed).toBe(1);
  expect(sweep.base).toEqual(config);
  expect(sweep.sweep.parameters['training.continuous.ratio']).toEqual([0.01, 0.1, 0.3, 1, 3, 10]);
  const quasistatic = read('quasistatic.json');
  expect({ ...quasistatic.training, continuous: config.training.continuous }).toEqual(config.training);
  for (const key of ['substrate', 'task', 'error', 'rule', 'optimizer']) expect(quasistatic[key]).toEqual(config[key]);
});
