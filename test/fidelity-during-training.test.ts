/**
 * Fidelity during training (`training.fidelity`): every N epochs, the
 * mechanism's estimate against the exact gradient at the current
 * parameters, split into bias (the error of the mean of R repeated
 * measurements) and variance (their spread). The exact adjoint has neither;
 * a noiseless mechanism's bias is its error; a noisy one has variance, and
 * averaging its repeats removes part of its error. Measuring does not move
 * the run's random streams.
 */
import { contrastivePlugin } from '@multimech/contrastive';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment, measureFidelity } from '@multimech/trainer';

const plugins = [resistivePlugin, frequencyPlugin, contrastivePlugin];

const config = (error: Record<string, unknown>, fidelity?: Record<string, unknown>) => ({
  seed: 6,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } },
  task: { kind: 'regression', features: 2, outputs: 2, train: 12, test: 4 },
  error,
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs: 5, ...(fidelity ? { fidelity } : {}) },
});

const NOISY = { kind: 'frequency', amplitude: 0.01, noise: 1e-3, periods: 4, samplesPerPeriod: 8 };

describe('fidelity during training', () => {
  it('is measured every N epochs, epoch 0 included, with the defaults filled in', () => {
    const experiment = createExperiment(config({ kind: 'adjoint' }, { every: 2 }), plugins);
    expect(experiment.resolvedConfig.training).toEqual({ epochs: 5, fidelity: { every: 2, examples: 10, repeats: 4 } });
    const result = experiment.trainer.run();
    expect(result.history.map((e) => e.fidelity !== undefined)).toEqual([true, false, true, false, true, false]);
    expect(result.fidelity!.map((f) => f.epoch)).toEqual([0, 2, 4]);
  });

  it('the adjoint against itself: cosine 1, no error, no bias, no variance', () => {
    const result = createExperiment(config({ kind: 'adjoint' }, { every: 1, examples: 6, repeats: 3 }), plugins).trainer.run();
    expect(result.fidelity).toHaveLength(6);
    for (const f of result.fidelity!) {
      expect(f.examples).toBe(6);
      expect(f.repeats).toBe(3);
      expect(f.cosine).toBeCloseTo(1, 12);
      expect(f.relativeError).toBeLessThan(1e-12);
      expect(f.bias).toBeLessThan(1e-12);
      expect(f.varianceRms!).toBeLessThan(1e-12);
    }
  });

  it('a noiseless, biased mechanism (positive EP, a large β): its bias is its error, its variance zero', () => {
    const result = createExperiment(config({ kind: 'ep', variant: 'positive', beta: 0.05 }, { every: 2, examples: 6, repeats: 3 }), plugins).trainer.run();
    for (const f of result.fidelity!) {
      expect(f.relativeError).toBeGreaterThan(1e-3);
      expect(Math.abs(f.bias - f.relativeError)).toBeLessThan(1e-12 * f.relativeError + 1e-15);
      expect(f.varianceRms!).toBeLessThan(1e-12 * f.relativeError);
    }
  });

  it('a noisy mechanism (frequency propagation with noise): variance, and a bias below its error', () => {
    const result = createExperiment(config(NOISY, { every: 5, examples: 6, repeats: 8 }), plugins).trainer.run();
    expect(result.fidelity!.map((f) => f.epoch)).toEqual([0, 5]);
    for (const f of result.fidelity!) {
      expect(f.varianceRms!).toBeGreaterThan(0.01);
      // the repeats' mean averages part of the noise away; frequency propagation is exact on a linear network, so what is left is noise too
      expect(f.bias).toBeLessThan(0.6 * f.relativeError);
      expect(f.bias).toBeGreaterThan(0);
      expect(f.cosine).toBeLessThan(1);
    }
  });

  it('per example, the mean square of the repeats\' errors is bias² + variance², which bounds their mean error', () => {
    const { trainer } = createExperiment(config(NOISY), plugins);
    const example = trainer.parts.task.train.slice(2, 3);
    const f = measureFidelity(trainer.parts, example, 5)!;
    // for one example, relativeError is the mean of ‖g_r − g*‖/‖g*‖, whose square is at most the mean square, bias² + variance²
    expect(f.examples).toBe(1);
    expect(f.relativeError ** 2).toBeLessThanOrEqual(f.bias ** 2 + f.varianceRms! ** 2 + 1e-15);
    expect(f.relativeError).toBeGreaterThan(0.8 * Math.sqrt(f.bias ** 2 + f.varianceRms! ** 2));
  });

  it('measuring does not change the run: the same losses and parameters with and without it, noise included', () => {
    const plain = createExperiment(config(NOISY), plugins).trainer.run();
    const measured = createExperiment(config(NOISY, { every: 1, repeats: 3 }), plugins).trainer.run();
    expect(measured.history.map((e) => e.trainLoss)).toEqual(plain.history.map((e) => e.trainLoss));
    expect(Array.from(measured.parameters.values)).toEqual(Array.from(plain.parameters.values));
    // a mechanism with a noise generator of its own is restored too
    const own = { ...NOISY, seed: 11 };
    const a = createExperiment(config(own), plugins).trainer.run();
    const b = createExperiment(config(own, { every: 2, repeats: 2 }), plugins).trainer.run();
    expect(Array.from(b.parameters.values)).toEqual(Array.from(a.parameters.values));
  });
});
