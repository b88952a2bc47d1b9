import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Rng } from '@multimech/core';
import { elasticFromTopology, packingSpringNetwork } from '@multimech/elastic';
import { drawNetwork, networkPicture, projectionOf } from '@multimech/elastic';
import { STACK_LINE, runCli } from './run-cli';

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

describe('network drawings of a 3-D elastic substrate', () => {
  const topology = packingSpringNetwork({ dimension: 3, nodes: 24, coordination: 7 }, { sources: 1, targets: 1 }, new Rng(5));
  const substrate = elasticFromTopology(topology, {
    parameter: 'stiffness',
    stiffness: new Float64Array(topology.graph.from.length).fill(1),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
  });
  const picture = networkPicture(substrate, [0.2], '3-D packing');
  const svg = drawNetwork(picture);
  const springs = svg.match(/<line class="spring"[^>]*>/g) ?? [];
  const attribute = (line: string, name: string) => new RegExp(`\\s${name}="([^"]+)"`).exec(line)?.[1];

  it('projects with z up along the axis of least horizontal extent, depth from 0 (near) to 1 (far)', () => {
    const view = projectionOf(picture);
    const depths = Array.from({ length: 24 }, (_, i) => view.project(picture.reference.subarray(3 * i, 3 * i + 3)).depth);
    expect(Math.min(...depths)).toBe(0);
    expect(Math.max(...depths)).toBe(1);
    // raising a point raises it in the drawing and brings it nearer (the view is from above)
    const low = view.project([1, 1, 0]);
    const high = view.project([1, 1, 1]);
    expect(high.y - low.y).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 12);
    expect(high.x).toBeCloseTo(low.x, 12);
    expect(view.description).toMatch(/^3-D, z up, seen along [xy] turned 30° and from 20° above/);
    // a plane network is drawn as it is
    expect(projectionOf({ dimension: 2, reference: Float64Array.of(0, 0, 1, 2) }).project([1, 2])).toEqual({ x: 1, y: 2, depth: 0 });
  });

  it('draws every spring once, far to near: at one stiffness, far springs paler and thinner', () => {
    expect(springs).toHaveLength(topology.graph.from.length);
    expect(svg.match(/class="pin"/g)).toHaveLength(3);
    expect(svg.match(/class="source"/g)).toHaveLength(2);
    expect(svg.match(/class="target"/g)).toHaveLength(2);
    expect(svg).toContain('class="view"');
    // every spring has stiffness 1: colour and width differ only by depth
    const widths = springs.map((l) => Number(attribute(l, 'stroke-width')));
    const lightness = springs.map((l) => {
      const c = attribute(l, 'stroke')!;
      return [1, 3, 5].reduce((sum, i) => sum + parseInt(c.slice(i, i + 2), 16), 0);
    });
    // drawn far to near: widths grow and colours darken along the document
    for (let k = 1; k < springs.length; k++) {
      expect(widths[k]).toBeGreaterThanOrEqual(widths[k - 1] - 0.011);
      expect(lightness[k]).toBeLessThanOrEqual(lightness[k - 1] + 3);
    }
    expect(Math.max(...widths) / Math.min(...widths)).toBeGreaterThan(1.5);
    expect(Math.max(...lightness) - Math.min(...lightness)).toBeGreaterThan(150);
    const coordinates = [...svg.matchAll(/\s(?:c?[xy][12]?|r)="([^"]*)"/g)].map((m) => Number(m[1]));
    expect(coordinates.length).toBeGreaterThan(4 * springs.length);
    expect(coordinates.filter((v) => !Number.isFinite(v))).toEqual([]);
  });

  it('multimech train writes the drawings of a 3-D network, with the mean coordination in the notes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mm-network-3d-'));
    try {
      const file = path.join(dir, 'packing-3d.json');
      writeFileSync(
        file,
        JSON.stringify({
          seed: 2,
          substrate: { kind: 'elastic', dimension: 3, network: { generator: 'random', nodes: 24, coordination: 7 }, mass: 1, damping: 0.1 },
          task: { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2, inputs: { encoding: 'current', scale: 0.1 } },
          error: { kind: 'adjoint' },
          training: { epochs: 2 },
        }),
      );
      const r = await runCli(['train', file, '--out', path.join(dir, 'run')]);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(0);
      const after = readFileSync(path.join(dir, 'run', 'network-after.svg'), 'utf8');
      expect(after).toContain('3-D, z up');
      expect(after).toContain('mean coordination Z = 7.000');
      expect(after).toContain('(84 springs, 24 nodes)');
      expect(after).toMatch(/lowest resonance ω₀ = \d\.\d+/);
      expect(readFileSync(path.join(dir, 'run', 'network-before.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
