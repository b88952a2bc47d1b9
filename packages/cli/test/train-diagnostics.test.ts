import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

/**
 * What a mechanism reports is not lost: the chemical mechanism's Péclet
 * number and its count of negative concentrations reach metrics.csv, one
 * `diag_` column each, beside the count of parameters held at a bound.
 */
test('error-mechanism diagnostics and clamped parameters are columns of metrics.csv', async () => {
  const { dir, cleanup } = tempDir('diagnostics');
  try {
    const config = {
      substrate: { kind: 'flow', network: { generator: 'layered', hidden: [4] } },
      task: { kind: 'regression', features: 2, outputs: 2, train: 8, test: 4 },
      error: { kind: 'chemical', advection: true, baseline: 0 },
      optimizer: { learningRate: 0.2, batchSize: 4 },
      training: { epochs: 2 },
    };
    writeFileSync(path.join(dir, 'chem.json'), JSON.stringify(config));
    const r = await runCli(['train', path.join(dir, 'chem.json'), '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(0);
    const [head, ...rows] = readFileSync(path.join(dir, 'out', 'metrics.csv'), 'utf8').trim().split('\n');
    const columns = head.split(',');
    expect(columns).toEqual(expect.arrayContaining(['clamped', 'diag_pecletMax', 'diag_negativeCount']));
    const at = (row: string, name: string) => row.split(',')[columns.indexOf(name)];
    expect(at(rows[0], 'diag_pecletMax')).toBe(''); // epoch 0 trains nothing
    expect(Number(at(rows[1], 'diag_pecletMax'))).toBeGreaterThan(0);
    // baseline 0 cannot cover errors of both signs: the violation is counted, not clipped
    expect(Number(at(rows[1], 'diag_negativeCount'))).toBeGreaterThan(0);
    expect(Number(at(rows[1], 'clamped'))).toBeGreaterThanOrEqual(0);
    // ... and said where the log ends, with the most negative value and the fix
    const negativeMin = Math.min(...rows.slice(1).map((row) => Number(at(row, 'diag_negativeMin'))));
    const warning = r.stderr.split('\n').find((l) => l.startsWith('multimech: warning: ') && /negative/.test(l));
    expect(warning).toBeDefined();
    expect(warning).toContain(String(Number(negativeMin.toPrecision(4))));
    expect(warning).toMatch(/two species/);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^relative error: /); // the figure stays the last line of stdout
  } finally {
    cleanup();
  }
});
