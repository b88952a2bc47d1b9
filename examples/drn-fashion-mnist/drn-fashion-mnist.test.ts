import { run, CLI_PLUGINS } from '@multimech/cli';
import { DeepResistiveNetwork, DrnSubstrate, drnGradient, type DrnMechanism } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const CONFIG = JSON.parse(readFileSync(join(__dirname, 'compare-small.json'), 'utf8'));

/**
 * compare-small.json in a short form: DRN-XS on the first 24 training and 24
 * test images of the committed subset, 2 epochs, the five mechanisms
 * through `multimech compare` (the shared trainer, the `drn` substrate).
 */
describe('examples/drn-fashion-mnist/compare-small.json', () => {
  it.each<[string, boolean, Record<string, unknown>, DrnMechanism]>([
    ['adjoint', false, { kind: 'adjoint' }, { kind: 'adjoint' }],
    ['ep', false, { kind: 'ep', beta: 1, variant: 'centred' }, { kind: 'ep', beta: 1 }],
    ['adjoint', true, { kind: 'adjoint' }, { kind: 'adjoint' }],
    ['ep', true, { kind: 'ep', beta: 1, variant: 'centred' }, { kind: 'ep', beta: 1 }],
  ])("the %s's first update through the shared trainer (minibatch %s) is the scripts' (drnGradient) SGD step", (_name, minibatch, error, mechanism) => {
    const config = {
      ...CONFIG.base,
      substrate: { ...CONFIG.base.substrate, minibatch },
      error,
      ...(error.kind === 'ep' ? { rule: { kind: 'contrastive' } } : {}),
      training: { epochs: 1 },
    };
    const { substrate, task, trainer } = createExperiment(config, CLI_PLUGINS, { baseDir: __dirname });
    expect(substrate).toBeInstanceOf(DrnSubstrate);
    const drn = substrate as DrnSubstrate;
    const theta0 = Float64Array.from(substrate.parameters);
    const step = trainer.step();
    expect(step.examples).toHaveLength(4);
    // the same network and minibatch, by the scripts' batched gradient
    const net = new DeepResistiveNetwork(drn.network.shape, drn.network.diode);
    net.setParameters(theta0);
    const nIn = net.sizes[0];
    const nOut = net.sizes[net.sizes.length - 1];
    const inputs = new Float64Array(4 * nIn);
    const targets = new Float64Array(4 * nOut);
    step.examples.forEach((i, b) => (inputs.set(task.train[i].inputs, b * nIn), targets.set(task.train[i].target, b * nOut)));
    const g = drnGradient(net, { size: 4, inputs, targets }, mechanism);
    expect(step.loss).toBeCloseTo(g.loss, 12);
    net.step(g.gradient, { weights: 0.006, biases: 0.006 });
    const expected = net.parameters;
    const after = substrate.parameters;
    let worst = 0;
    let moved = 0;
    for (let p = 0; p < after.length; p++) {
      worst = Math.max(worst, Math.abs(after[p] - expected[p]));
      moved = Math.max(moved, Math.abs(expected[p] - theta0[p]));
    }
    expect(moved).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-12 * moved);
  });

  it('trains by the adjoint, centred EP, CL and frequency propagation (small-signal and lock-in): every loss falls, frequency propagation is the adjoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'multimech-drn-compare-'));
    try {
      const short = { ...CONFIG, base: { ...CONFIG.base, task: { ...CONFIG.base.task, folder: join(__dirname, '../data/fashion-mnist-small'), train: 24, test: 24 }, training: { epochs: 2 } } };
      delete short.$schema;
      const file = join(out, 'compare-short.json');
      writeFileSync(file, JSON.stringify(short));
      let stdout = '';
      let stderr = '';
      const code = await run(['node', 'multimech', 'compare', file, '--allow-plugins', '--out', join(out, 'results')], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
      });
      // progress lines only: no warning, no error
      expect(stderr).not.toMatch(/warning|error/i);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^mechanism\s+runs\s+test accuracy/m);
      const [head, ...lines] = readFileSync(join(out, 'results', 'runs.csv'), 'utf8').trim().split('\n');
      const columns = head.split(',');
      const rows = lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [columns[i], c])));
      const loss = (m: string) => rows.filter((r) => r.mechanism === m).map((r) => Number(r.train_loss));
      for (const m of ['adjoint', 'ep', 'cl', 'frequency', 'frequency-lock-in']) {
        const l = loss(m);
        expect(l).toHaveLength(3);
        expect(l[2]).toBeLessThan(0.8 * l[0]);
      }
      // frequency propagation's small-signal reading is the adjoint's u = H⁻¹e: the same run to rounding
      loss('frequency').forEach((l, i) => expect(Math.abs(l - loss('adjoint')[i])).toBeLessThan(1e-9 * l));
      // its lock-in at β = 0.001 is within O(β²) of it: the same run to the figures a table shows
      loss('frequency-lock-in').forEach((l, i) => expect(Math.abs(l - loss('adjoint')[i])).toBeLessThan(1e-4 * l));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
