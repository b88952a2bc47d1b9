import { mkdtempSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runCli } from './run-cli';

const config = path.join(__dirname, '../../../examples/elastic-allostery/config.json');

describe('network drawings of a 2-D elastic substrate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mm-network-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('multimech train writes the network before and after training, one line per spring, the colours changed', async () => {
    const out = path.join(dir, 'run');
    const r = await runCli(['train', config, '--out', out]);
    expect(r.code).toBe(0);
    for (const f of ['network-before.svg', 'network-before.png', 'network-after.svg', 'network-after.png']) expect(existsSync(path.join(out, f))).toBe(true);
    const before = readFileSync(path.join(out, 'network-before.svg'), 'utf8');
    const after = readFileSync(path.join(out, 'network-after.svg'), 'utf8');
    // a 6 x 5 triangular lattice: 5·5 horizontal + 4·(6 + 5) diagonal springs
    const springs = (svg: string) => svg.match(/<line class="spring"[^>]*>/g) ?? [];
    expect(springs(before)).toHaveLength(69);
    expect(springs(after)).toHaveLength(69);
    expect(before.match(/class="pin"/g)).toHaveLength(6);
    expect(before.match(/class="source"/g)).toHaveLength(2);
    expect(before.match(/class="target"/g)).toHaveLength(4);
    const colours = (svg: string) => springs(svg).map((l) => /stroke="(#[0-9a-f]{6})"/.exec(l)![1]);
    const changed = colours(before).filter((c, k) => c !== colours(after)[k]).length;
    expect(changed).toBeGreaterThan(20);
    const png = readFileSync(path.join(out, 'network-after.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1000);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('(network-after.svg)');
  });
});
