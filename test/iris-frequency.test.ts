import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run } from '@multimech/cli';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * The demo's claim: a linear resistive network trained on Iris by frequency
 * propagation reaches at least 0.90 test accuracy on the fixed split.
 */
const config = JSON.parse(readFileSync(join(__dirname, '../examples/iris-frequency/config.json'), 'utf8'));

describe('Iris by frequency propagation', () => {
  it('reaches >= 0.90 test accuracy on the fixed split (the demo config)', () => {
    const { trainer } = createExperiment(config, [resistivePlugin, frequencyPlugin]);
    const { summary, history } = trainer.run();
    expect(summary.test_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss);
  });

  it('is reproducible: the same seed gives the same numbers, another seed other numbers', () => {
    const short = { ...config, training: { epochs: 2 } };
    const a = createExperiment(short, [resistivePlugin, frequencyPlugin]).trainer.run();
    const b = createExperiment(short, [resistivePlugin, frequencyPlugin]).trainer.run();
    const c = createExperiment(short, [resistivePlugin, frequencyPlugin], { seed: 2 }).trainer.run();
    expect([...a.parameters.values]).toEqual([...b.parameters.values]);
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
    expect(a.history[2].trainLoss).not.toEqual(c.history[2].trainLoss);
  });
});

describe('npm start', () => {
  it("runs the demo the README promises: its last line is 'test accuracy: X' with X >= 0.90", async () => {
    const script: string = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).scripts.start;
    const [command, ...args] = script.split(/\s+/);
    expect(command).toBe('multimech');
    const out = mkdtempSync(join(tmpdir(), 'multimech-start-'));
    try {
      const at = args.indexOf('--out');
      expect(at).toBeGreaterThan(0);
      args[at + 1] = join(out, 'demo');
      let stdout = '';
      const code = await run(['node', 'multimech', ...args.map((a) => (a.startsWith('examples/') ? join(__dirname, '..', a) : a))], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        env: {},
      });
      expect(code).toBe(0);
      const last = stdout.trim().split('\n').pop()!;
      expect(last).toMatch(/^test accuracy: \d\.\d{4}$/);
      expect(Number(last.split(': ')[1])).toBeGreaterThanOrEqual(0.9);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
