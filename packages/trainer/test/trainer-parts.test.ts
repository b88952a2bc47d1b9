import { Rng } from '@multimech/core';
import { SgdOptimizer, createClassLoss, createInputEncoding, createIrisTask, createRegressionTask, resolveOptimizer, stratifiedSplit } from '../src';

describe('stratified split', () => {
  it('keeps class proportions and is fixed by the seed', () => {
    const labels = [...Array(150).keys()].map((i) => Math.floor(i / 50));
    const a = stratifiedSplit(labels, 45, new Rng(4));
    const b = stratifiedSplit(labels, 45, new Rng(4));
    const c = stratifiedSplit(labels, 45, new Rng(5));
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    expect(a.test.length).toBe(45);
    expect(a.train.length).toBe(105);
    for (let k = 0; k < 3; k++) expect(a.test.filter((i) => labels[i] === k).length).toBe(15);
    expect(new Set([...a.train, ...a.test]).size).toBe(150);
  });
});

describe('Iris task', () => {
  it('encodes 4 features as 9 voltage ports and standardises with training statistics', () => {
    const task = createIrisTask({}, new Rng(1));
    expect(task.inputCount).toBe(9);
    expect(task.inputType).toBe('potential');
    expect(task.train.length + task.test.length).toBe(150);
    for (let f = 0; f < 4; f++) {
      const zs = task.train.map((e) => e.inputs[2 * f]);
      const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(task.train[0].inputs[2 * f + 1]).toBe(-task.train[0].inputs[2 * f]);
    }
    expect(task.train[0].inputs[8]).toBe(1);
  });

  it('offers current inputs and MSE targets', () => {
    const task = createIrisTask({ inputs: { encoding: 'current' }, loss: { kind: 'mse', low: 0.1, high: 0.9 } }, new Rng(1));
    expect(task.inputCount).toBe(4);
    expect(task.inputType).toBe('flow');
    const ex = task.train[0];
    expect(ex.target[ex.label!]).toBe(0.9);
    expect([...ex.target].filter((v) => v === 0.1).length).toBe(2);
  });
});

describe('regression task', () => {
  it('draws a reproducible teacher', () => {
    const a = createRegressionTask({ features: 3, outputs: 2 }, new Rng(9));
    const b = createRegressionTask({ features: 3, outputs: 2 }, new Rng(9));
    expect(a.train[3].target).toEqual(b.train[3].target);
    expect(a.inputCount).toBe(7);
  });
});

describe('projected SGD with momentum', () => {
  it('follows v ← μv − αg, θ ← θ + v and holds parameters at their bounds', () => {
    const opt = new SgdOptimizer(resolveOptimizer({ learningRate: 0.5, momentum: 0.5 }), 3);
    const theta = Float64Array.from([1, 1, 1]);
    const bounds = { min: Float64Array.from([0.1, 0.1, 0.1]), max: Float64Array.from([2, 2, 2]) };
    let r = opt.step(theta, Float64Array.from([1, -1, 10]), bounds);
    expect([...theta]).toEqual([0.5, 1.5, 0.1]);
    expect(r.clamped).toBe(1);
    r = opt.step(theta, Float64Array.from([0, 0, 0]), bounds);
    // momentum carries half of the last (projected) step
    expect(theta[0]).toBeCloseTo(0.25, 12);
    expect(theta[1]).toBeCloseTo(1.75, 12);
    expect(theta[2]).toBeCloseTo(0.1, 12);
    expect(r.clamped).toBe(1);
  });
  it('refuses a non-finite gradient', () => {
    const opt = new SgdOptimizer(resolveOptimizer({}), 1);
    expect(() => opt.step(Float64Array.from([1]), Float64Array.from([NaN]), { min: Float64Array.from([0]), max: Float64Array.from([2]) })).toThrow(/not finite/);
  });
});

describe('encodings and losses', () => {
  it('cross-entropy targets are one-hot', () => {
    expect([...createClassLoss(undefined).target(2, 3)]).toEqual([0, 0, 1]);
  });
  it('voltage encoding without standardisation is ±scale·x plus bias', () => {
    const enc = createInputEncoding({ encoding: 'voltage', scale: 2, bias: 0.5, standardize: false }, ['a', 'b'], []);
    expect([...enc.encode([1, -3])]).toEqual([2, -2, -6, 6, 0.5]);
  });
});

describe('settings that do not apply are refused, not ignored', () => {
  const { decodeOrThrow } = require('@multimech/core');
  const { classLossCodec, inputEncodingCodec } = require('../src');
  it('kappa with an MSE loss', () => {
    expect(() => decodeOrThrow(classLossCodec, { kind: 'mse', kappa: 3 }, 'task.loss')).toThrow(
      "task.loss.kappa: applies only with kind 'cross-entropy', not 'mse': remove it",
    );
  });
  it('a bias with current inputs', () => {
    expect(() => decodeOrThrow(inputEncodingCodec, { encoding: 'current', bias: 1 }, 'task.inputs')).toThrow(
      "task.inputs.bias: applies only with encoding 'voltage', not 'current': remove it",
    );
  });
});

describe('rectified regression teacher', () => {
  it('targets are max(0, Wx + b) of the linear teacher with the same seed', () => {
    const linear = createRegressionTask({ features: 2, outputs: 2, train: 30 }, new Rng(4));
    const rectified = createRegressionTask({ features: 2, outputs: 2, train: 30, teacher: 'rectified' }, new Rng(4));
    let clipped = 0;
    linear.train.forEach((ex, i) =>
      ex.target.forEach((y, o) => {
        expect(rectified.train[i].target[o]).toBe(Math.max(0, y));
        if (y < 0) clipped++;
      }),
    );
    expect(clipped).toBeGreaterThan(0);
  });
});
