import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { runCli } from './run-cli';

/**
 * A third-party plugin named in the config's `plugins` list is loaded by the
 * command line: here the copy-me heat-grid example, trained from a config.
 */
describe('plugins named in a config', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'multimech-plugins-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (plugins: unknown) => ({
    plugins,
    substrate: { kind: 'acme/heat-grid', width: 4, height: 3 },
    task: { kind: 'regression', features: 2, outputs: 2, train: 8, test: 4, inputs: { encoding: 'current' } },
    error: { kind: 'adjoint' },
    optimizer: { learningRate: 0.3, batchSize: 4 },
    training: { epochs: 3 },
  });

  it('trains a substrate from a plugin module given by path', async () => {
    const example = relative(dir, join(__dirname, '../../../examples/custom-substrate/src/index.ts'));
    writeFileSync(join(dir, 'heat.json'), JSON.stringify(config([example])));
    const r = await runCli(['train', join(dir, 'heat.json'), '--out', join(dir, 'out'), '--allow-plugins']);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    const metrics = readFileSync(join(dir, 'out', 'metrics.csv'), 'utf8').trim().split('\n').slice(1);
    expect(metrics).toHaveLength(4);
    expect(Number(metrics[3].split(',')[1])).toBeLessThan(Number(metrics[0].split(',')[1]));
    expect(summary.relative_error).toBeGreaterThan(0);
  });

  it('says which entry cannot be loaded, and which exports no plugin', async () => {
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(config(['./nowhere.js'])));
    let r = await runCli(['train', join(dir, 'missing.json'), '--allow-plugins']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugins[0]: cannot load './nowhere.js'");
    writeFileSync(join(dir, 'empty.js'), 'module.exports = { answer: 42 };');
    writeFileSync(join(dir, 'empty.json'), JSON.stringify(config(['./empty.js'])));
    r = await runCli(['train', join(dir, 'empty.json'), '--allow-plugins']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugins[0]: './empty.js' exports no multimech plugin");
  });
});
