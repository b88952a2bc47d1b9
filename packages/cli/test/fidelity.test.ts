import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { logLogSlope } from '../src/fidelity-command';
import { runCli, tempDir } from './run-cli';

const example = (name: string) => path.join(__dirname, '../../../examples', name, 'config.json');

describe('multimech fidelity', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('fidelity')));
  afterAll(() => cleanup());

  it("measures centred EP's β² slope and writes the CSV, the plot and the summary", async () => {
    const out = path.join(dir, 'ep');
    const r = await runCli(['fidelity', example('fidelity-ep'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/measured slope: \d\.\d{3} \(expected 2\)/);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.measured_slope).toBeGreaterThan(1.8);
    expect(summary.measured_slope).toBeLessThan(2.2);
    const rows = readFileSync(path.join(out, 'fidelity.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('value,relative_error,cosine');
    expect(rows).toHaveLength(6);
    expect(readFileSync(path.join(out, 'fidelity.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(readFileSync(path.join(out, 'fidelity.svg'), 'utf8')).toContain('theory (slope 2)');
  });

  it('measures the −½ slope of lock-in noise against the window', async () => {
    const out = path.join(dir, 'noise');
    const r = await runCli(['fidelity', example('fidelity-noise'), '--out', out]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.measured_slope).toBeGreaterThan(-0.65);
    expect(summary.measured_slope).toBeLessThan(-0.35);
  });

  it('refuses a sweep of something that is not a mechanism setting, and a bad value at its index', async () => {
    const bad = path.join(dir, 'bad.json');
    const config = JSON.parse(readFileSync(example('fidelity-ep'), 'utf8'));
    writeFileSync(bad, JSON.stringify({ ...config, sweep: { path: 'substrate.network.nodes', values: [10, 20] } }));
    let r = await runCli(['fidelity', bad, '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sweep.path: expected a mechanism setting such as "error.beta"');
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
    writeFileSync(bad, JSON.stringify({ ...config, sweep: { path: 'error.variant', values: [1, 2] } }));
    r = await runCli(['fidelity', bad, '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/experiment\.error\.variant: .*\(sweep\.values\[0\]\)/);
  });

  it('fits the slope of exact power laws', () => {
    const points = [1, 10, 100].map((value) => ({ value, relativeError: 3 * value ** -0.5, cosine: 1 }));
    expect(logLogSlope(points)).toBeCloseTo(-0.5, 12);
    expect(logLogSlope([{ value: 1, relativeError: 0, cosine: 1 }, { value: 2, relativeError: 0, cosine: 1 }])).toBeUndefined();
  });
});
