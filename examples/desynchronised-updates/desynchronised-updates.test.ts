import { readFileSync } from 'fs';
import { join } from 'path';
import { contrastivePlugin } from '@multimech/contrastive';
import { resistivePlugin } from '@multimech/resistive';
import { decodeSweep, planSweep } from '@multimech/sweep';
import { createExperiment } from '@multimech/trainer';

/**
 * The sweep in a short form: it plans (4 probabilities × 3 seeds), and at
 * seed 1 the runs at p = 0.1 and p = 1, 20 epochs each, end within a few
 * flowers of each other: updating a tenth of the edges at a time, without
 * a global clock, loses nothing (the full sweep: README.md).
 */
test('desynchronised updates at p = 0.1 learn Iris as well as synchronous ones', () => {
  const plugins = [resistivePlugin, contrastivePlugin];
  const raw = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  const plan = planSweep(decodeSweep(raw, 'config.json'), { plugins: () => plugins, versions: {}, baseDir: __dirname });
  expect(plan.runs.length).toBe(12);
  const accuracy = (p: number) => {
    const run = plan.runs.find((r) => r.seed === 1 && r.point['optimizer.updateProbability'] === p)!;
    const config = { ...run.config, training: { epochs: 20 } };
    const { trainer } = createExperiment(config, plugins, { baseDir: __dirname });
    const drawn: number[] = [];
    trainer.on('step', (s) => drawn.push(s.updated ?? 30));
    const r = trainer.run();
    return { accuracy: r.summary.test_accuracy!, drawn: drawn.reduce((a, b) => a + b, 0) / (drawn.length * 30) };
  };
  const sync = accuracy(1);
  const desync = accuracy(0.1);
  expect(sync.drawn).toBe(1);
  expect(Math.abs(desync.drawn - 0.1)).toBeLessThan(0.02);
  expect(sync.accuracy).toBeGreaterThan(0.85);
  expect(desync.accuracy).toBeGreaterThan(sync.accuracy - 0.07);
});
