/**
 * The short deep-resistive-network run CI makes: DRN-XS's settings on the
 * committed Fashion-MNIST subset (300 training, 100 test images, 5 epochs),
 * by the exact adjoint, centred EP (β = 1) and frequency propagation's
 * small-signal and lock-in readings and coupled learning (η = 0.1), through scripts/train-drn.js on the built packages
 * (npx tsc -b, which npm install runs).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/train-drn.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

interface Epoch {
  epoch: number;
  trainLoss: number | null;
  testError: number;
  testLoss: number;
}

describe('scripts/train-drn.js on the Fashion-MNIST subset', () => {
  const result = run('examples/drn-fashion-mnist/subset.json', '--json');
  const histories = result.status === 0 ? (JSON.parse(result.stdout) as { label: string; history: Epoch[] }[]) : [];

  it('trains by the five mechanisms from the same network', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(histories.map((h) => h.label)).toEqual(['adjoint', 'EP centred, β = 1', 'frequency (small-signal)', 'frequency (lock-in, β = 0.001, 8 samples)', 'CL, η = 0.1']);
    for (const h of histories) expect(h.history).toHaveLength(6);
    // one initial network: the same test error before training
    expect(new Set(histories.map((h) => h.history[0].testError)).size).toBe(1);
    expect(histories[0].history[0].testError).toBeGreaterThan(0.8);
  });

  it('each brings the test error below 45% in 5 epochs (90% is chance), and the training loss falls', () => {
    for (const { history } of histories) {
      expect(history[5].testError).toBeLessThan(0.45);
      expect(history[5].trainLoss!).toBeLessThan(0.8 * history[1].trainLoss!);
    }
  });

  it('frequency propagation\'s small-signal reading trains as the adjoint does, to rounding, its lock-in (β = 0.001) nearly so; centred EP with β = 1 close to it', () => {
    const [adjoint, ep, frequency, lockIn] = histories.map((h) => h.history);
    for (let e = 1; e <= 5; e++) expect(Math.abs(frequency[e].testLoss - adjoint[e].testLoss)).toBeLessThan(1e-8);
    for (let e = 1; e <= 5; e++) expect(Math.abs(lockIn[e].testLoss - adjoint[e].testLoss)).toBeLessThan(1e-3);
    expect(Math.abs(ep[5].testError - adjoint[5].testError)).toBeLessThan(0.1);
  });

  it('refuses a config whose data folder is missing, whose network is malformed (one line per problem) or whose loss is not MSE', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drn-'));
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/drn-fashion-mnist/subset.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ ...config, task: { ...config.task, folder: 'nowhere' } }));
    const missing = run(path.join(dir, 'a.json'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`multimech: error: ${path.join('nowhere', 'train-images-idx3-ubyte')}: missing: an IDX data set needs this file (or train-images-idx3-ubyte.gz) in the folder\n`);
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...config, network: { hidden: [0] } }));
    const bad = run(path.join(dir, 'b.json'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`multimech: error: ${path.join(dir, 'b.json')}: invalid configuration\n  network.hidden[0]: expected a positive integer, got 0\n`);
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ ...config, task: { ...config.task, folder: path.join(ROOT, 'examples/data/fashion-mnist-small'), loss: { kind: 'cross-entropy' } } }));
    const crossEntropy = run(path.join(dir, 'c.json'));
    expect(crossEntropy.status).toBe(1);
    expect(crossEntropy.stderr).toBe(
      `multimech: error: a deep resistive network trains on the MSE loss (the layered solver's nudge is quadratic), but task 'images' has loss 'cross-entropy': give the task { "loss": { "kind": "mse" } }\n`,
    );
  });
});

describe('the DRN configs of examples/', () => {
  // the script's own loader (decoding only: no data is read); compare-*.json are comparison configs of the shared trainer (their own test)
  const { loadRun } = require(path.join(ROOT, 'scripts/train-drn.js')) as { loadRun: (file: string) => { taskSettings: Record<string, any>; run: Record<string, any> } };
  const configs = ['drn-fashion-mnist', 'drn-mnist'].flatMap((d) => fs.readdirSync(path.join(ROOT, 'examples', d)).filter((f) => f.endsWith('.json') && !f.startsWith('compare')).map((f) => path.join('examples', d, f)));

  it('every one decodes', () => {
    expect(configs.sort()).toEqual([
      'examples/drn-fashion-mnist/drn-1h.json',
      'examples/drn-fashion-mnist/drn-xs.json',
      'examples/drn-fashion-mnist/subset.json',
      'examples/drn-mnist/drn-1h.json',
      'examples/drn-mnist/drn-xs.json',
    ]);
    for (const c of configs) expect(() => loadRun(path.join(ROOT, c))).not.toThrow();
  });

  it.each(['examples/drn-mnist/drn-xs.json', 'examples/drn-fashion-mnist/drn-xs.json'])('%s holds the published DRN-XS settings', (c) => {
    const { taskSettings, run } = loadRun(path.join(ROOT, c));
    expect(taskSettings.inputs).toEqual({ encoding: 'pairs', scale: 100 });
    expect(taskSettings.loss).toEqual({ kind: 'mse', low: 0, high: 1 });
    expect(run.network).toMatchObject({ hidden: [100], diode: 'ideal' });
    expect(run.training).toMatchObject({ epochs: 10, batchSize: 4, learningRates: { weights: 0.006, biases: 0.006 }, decay: 0.99 });
    expect(run.training.mechanisms).toContainEqual({ kind: 'ep', beta: 1, variant: 'centred' });
    expect(run.training.mechanisms).toContain('adjoint');
  });
});
