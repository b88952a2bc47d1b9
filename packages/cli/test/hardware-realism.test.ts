import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'damage-recovery', 'config.json');

/** The damage example with `change` applied, written into `dir`. */
function variant(dir: string, change: (config: Record<string, any>) => void): string {
  const config = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  delete config.$schema;
  change(config);
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('multimech train with hardware settings', () => {
  it('refuses bad hardware settings with the config path, non-zero, without a stack trace', async () => {
    const { dir, cleanup } = tempDir('hardware');
    try {
      const cases: [(c: Record<string, any>) => void, string][] = [
        [(c) => (c.optimizer.quantize = { step: -1 }), 'optimizer.quantize.step: expected a positive number, got -1'],
        [(c) => (c.optimizer.updateProbability = 0), 'optimizer.updateProbability: expected a probability in (0, 1], got 0'],
        [(c) => (c.training.damage.events[0].epoch = 61), 'training.damage.events[0].epoch: epoch 61 is past the end of training (60 epochs)'],
        [(c) => (c.training.measurement = { bits: 4.5 }), 'training.measurement.bits: expected a positive integer, got 4.5'],
      ];
      for (const [change, message] of cases) {
        const r = await runCli(['train', variant(dir, change), '--out', path.join(dir, 'run')]);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(STACK_LINE);
      }
    } finally {
      cleanup();
    }
  });

  it('writes the damaged column to metrics.csv and the recovery to summary.json and summary.md', async () => {
    const { dir, cleanup } = tempDir('hardware');
    try {
      const file = variant(dir, (c) => {
        c.training.epochs = 8;
        c.training.damage.events[0].epoch = 4;
      });
      const out = path.join(dir, 'run');
      const r = await runCli(['train', file, '--out', out]);
      expect(r.code).toBe(0);
      const lines = readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
      const header = lines[0].split(',');
      const column = header.indexOf('damaged');
      expect(column).toBe(header.indexOf('clamped') + 1);
      expect(lines.slice(1).map((l) => Number(l.split(',')[column]))).toEqual([0, 0, 0, 0, 9, 0, 0, 0, 0]);
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
      expect(summary.damage).toEqual([expect.objectContaining({ epoch: 4, edges: 9, edgesTotal: 9 })]);
      expect(summary.damage[0].lossAfter).toBeGreaterThan(summary.damage[0].lossBefore);
      expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/- damage: 9 edges broken by epoch 4 \(9 in all\): training loss [\d.]+ before, [\d.]+ after/);
    } finally {
      cleanup();
    }
  });
});
