import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { flowPlugin } from '@multimech/flow';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The example in a short form: config.json (η = 0.5, seed 1) over 15 of its
 * 30 epochs, at spreads 0, its 0.03 and 0.3. Identical copies and a 3% spread
 * both learn (the loss falls below a third of its start); at 30% the
 * copies' own difference swamps the clamp's and the loss ends above the
 * identical copies' by more than three times (README.md has the sweep).
 */
test('twin-network mismatch: coupled learning survives a small spread and fails at a large one', () => {
  const base = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  const final = (spread: number) => {
    const config = { ...base, error: { ...base.error, twin: { spread } }, training: { epochs: 15 } };
    const { history } = createExperiment(config, [resistivePlugin, contrastivePlugin], { baseDir: __dirname }).trainer.run();
    return { first: history[0].trainLoss, last: history[history.length - 1].trainLoss };
  };
  const [ideal, small, large] = [0, 0.03, 0.3].map(final);
  console.log(`cl-twin, train loss after 15 epochs (from ${ideal.first.toExponential(3)}): spread 0 ${ideal.last.toExponential(3)}, 0.03 ${small.last.toExponential(3)}, 0.3 ${large.last.toExponential(3)}`);
  expect(small.first).toBe(ideal.first);
  expect(ideal.last).toBeLessThan(ideal.first / 3);
  expect(small.last).toBeLessThan(small.first / 3);
  expect(large.last).toBeGreaterThan(3 * ideal.last);
});

test('the sweep and the example describe one run but for the swept settings and the seeds', () => {
  const read = (file: string) => JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
  const { $schema: _, name: __, description: ___, seed, ...config } = read('config.json');
  const sweep = read('sweep.json');
  expect(seed).toBe(1);
  expect({ ...sweep.base, error: config.error }).toEqual(config);
  expect(sweep.sweep.parameters).toEqual({ 'error.eta': [0.1, 0.5], 'error.twin.spread': [0, 0.01, 0.03, 0.1, 0.3] });
});

/**
 * The spread/η law on another example: cl-grid-allostery clamps with
 * η = 0.001, and built as a twin with a spread of only 0.1% (spread/η = 1)
 * it loses its exponential descent: after 100 steps the cost stays above
 * 1e-3 where the ideal network's is below 1e-9.
 */
test('a twin spread as large as η stops the allostery example’s descent', () => {
  const folder = join(__dirname, '..', 'cl-grid-allostery');
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  const last = (spread: number) => {
    const c = { ...config, error: { ...config.error, twin: { spread } }, training: { ...config.training, steps: 100 } };
    const { history } = createExperiment(c, [flowPlugin, contrastivePlugin], { baseDir: folder }).trainer.run();
    return history[history.length - 1].trainLoss;
  };
  const [ideal, twin] = [last(0), last(0.001)];
  console.log(`cl-grid-allostery after 100 steps: identical copies ${ideal.toExponential(2)}, a 0.1% spread ${twin.toExponential(2)}`);
  expect(ideal).toBeLessThan(1e-9);
  expect(twin).toBeGreaterThan(1e-3);
});
