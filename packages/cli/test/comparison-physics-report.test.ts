/**
 * What compare shows of the physical cost and of the fidelity during
 * training: a "Physical cost" section in comparison.md and `physicalCost`
 * in summary.json (the frequency mechanism's lock-in window and settling,
 * the adjoint marked as not physical), the training loss against physical
 * time for the mechanisms that define it, and the fidelity over the epochs
 * on log axes.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { physicalTimePoints } from '../src/comparison-physics';
import { runCli, tempDir } from './run-cli';

const COMPARISON = {
  name: 'cost',
  base: {
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
    optimizer: { learningRate: 0.1, batchSize: 4 },
    training: { epochs: 4, fidelity: { every: 2, examples: 2, repeats: 3 } },
  },
  mechanisms: [
    { name: 'adjoint', error: { kind: 'adjoint' } },
    { name: 'frequency', error: { kind: 'frequency', frequency: 1000, periods: 5, noise: 0.001, seed: 3 } },
  ],
  seeds: [1, 2],
};

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('comparison-physics-report')));
afterAll(() => cleanup());

describe('compare: the physical cost and the fidelity during training', () => {
  it('comparison.md and summary.json give the physical seconds per update, the plots draw loss against physical time and the fidelity over the epochs', async () => {
    const config = path.join(dir, 'cost.json');
    writeFileSync(config, JSON.stringify(COMPARISON));
    const out = path.join(dir, 'out');
    const r = await runCli(['compare', config, '--out', out, '--workers', '1']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { physicalCost: { mechanism: string; physical: boolean; secondsPerUpdate?: number }[] };
    const [adjoint, frequency] = summary.physicalCost;
    expect(adjoint).toMatchObject({ mechanism: 'adjoint', physical: false });
    expect(adjoint.secondsPerUpdate).toBeUndefined();
    // a DC activation: one window of 5 periods of the 1 kHz error signal per example (no dynamics, so no settling), 4 examples an update
    expect(frequency).toMatchObject({ mechanism: 'frequency', physical: true });
    expect(frequency.secondsPerUpdate).toBeCloseTo(4 * (5 / 1000), 12);
    const md = readFileSync(path.join(out, 'comparison.md'), 'utf8');
    expect(md).toContain('## Physical cost');
    expect(md).toMatch(/^\| adjoint \| not physical \|/m);
    expect(md).toMatch(/^\| frequency \| 0\.02 \|/m);
    for (const stem of ['loss-vs-physical-time', 'fidelity-during-training', 'fidelity-cosine-during-training']) {
      expect(readFileSync(path.join(out, `${stem}.svg`), 'utf8')).toMatch(/^<svg/);
      expect(md).toContain(`${stem}.svg`);
    }
  });

  it('the loss against physical time: the cumulative time at each epoch, mean over the seeds; epoch 0 (no time yet) and mechanisms without a time left out', () => {
    const history = (seconds: number[] | undefined) =>
      [0, 1, 2].map((epoch) => ({ epoch, trainLoss: 1 / (epoch + 1), ...(seconds ? { physicalSecondsTotal: seconds[epoch] } : {}) }));
    const run = (mechanism: string, seed: number, seconds?: number[]) => ({ mechanism, seed, result: { history: history(seconds), summary: { final_loss: 0, epochs: 2, seconds: 0 }, secondsPerEpoch: 0 } });
    const points = physicalTimePoints(
      [run('f', 1, [0, 2, 4]), run('f', 2, [0, 4, 8]), run('adjoint', 1)] as never,
      (e) => e.trainLoss,
    );
    expect(points.map((p) => [p.mechanism, p.epoch, p.time, p.mean])).toEqual([
      ['f', 1, 3, 0.5],
      ['f', 2, 6, 1 / 3],
    ]);
  });
});
