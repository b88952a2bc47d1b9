import { readFileSync } from 'fs';
import { join } from 'path';
import { chemicalPlugin } from '@multimech/chemical';
import { flowPlugin } from '@multimech/flow';
import { frequencyPlugin } from '@multimech/frequency';
import { decodeSweep, planSweep } from '@multimech/sweep';
import { createExperiment } from '@multimech/trainer';

/**
 * The sweep in a short form: it plans (4 steps × 4 bit depths × 2
 * mechanisms × 2 seeds), and at seed 1, 20 epochs: with 8 bits and steps
 * of 0.01 both mechanisms learn; with 3 bits the output layer's small
 * activation drops all read zero on the shared full scale and neither
 * learns at all (the full sweep: README.md).
 */
test('frequency propagation and chemical signalling under quantised steps and a finite ADC', () => {
  const plugins = [flowPlugin, frequencyPlugin, chemicalPlugin];
  const raw = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  const plan = planSweep(decodeSweep(raw, 'config.json'), { plugins: () => plugins, versions: {}, baseDir: __dirname });
  expect(plan.runs.length).toBe(64);
  const run = (mechanism: string, step: number, bits: number) => {
    const spec = plan.runs.find((r) => r.seed === 1 && r.mechanism === mechanism && r.point['optimizer.quantize.step'] === step && r.point['training.measurement.bits'] === bits)!;
    const config = { ...spec.config, training: { ...(spec.config.training as object), epochs: 20 } };
    return createExperiment(config, plugins, { baseDir: __dirname }).trainer.run();
  };
  for (const mechanism of ['frequency', 'chemical']) {
    const fine = run(mechanism, 0.01, 8);
    expect([mechanism, fine.summary.test_accuracy! >= 0.85]).toEqual([mechanism, true]);
    const coarse = run(mechanism, 0.01, 3);
    const h = coarse.history;
    expect([mechanism, h[h.length - 1].trainLoss > 0.95 * h[0].trainLoss]).toEqual([mechanism, true]);
  }
});
