import { Rng, crossEntropyLoss, gridTopology, layeredTopology, mseLoss, randomTopology, connectedComponents } from '../src';

describe('Rng', () => {
  it('is reproducible and roughly normal', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.normal()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});

describe('losses', () => {
  const y = [0.3, -0.2, 0.7];
  const target = [0, 1, 0];
  for (const loss of [mseLoss, crossEntropyLoss(5)]) {
    it(`${loss.kind} gradient matches central differences`, () => {
      const g = loss.gradient(y, target);
      for (let i = 0; i < y.length; i++) {
        const h = 1e-6;
        const up = [...y];
        const dn = [...y];
        up[i] += h;
        dn[i] -= h;
        expect(g[i]).toBeCloseTo((loss.value(up, target) - loss.value(dn, target)) / (2 * h), 7);
      }
    });
  }
});

describe('generators', () => {
  it('grid has the right counts and ports on the sides', () => {
    const t = gridTopology(5, 4, { inputs: 2, outputs: 3 });
    expect(t.graph.nodeNames.length).toBe(20);
    expect(t.graph.from.length).toBe(4 * 4 + 5 * 3);
    for (const i of t.inputNodes) expect(i % 5).toBe(0);
    for (const o of t.outputNodes) expect(o % 5).toBe(4);
  });

  it('random graph is connected with the asked mean degree', () => {
    const t = randomTopology(300, 4, { inputs: 3, outputs: 2 }, new Rng(1));
    expect((2 * t.graph.from.length) / 300).toBeCloseTo(4, 5);
    expect(new Set(connectedComponents(t.graph)).size).toBe(1);
    expect(new Set([...t.inputNodes, ...t.outputNodes, ...t.groundNodes]).size).toBe(6);
  });

  it('layered graph joins consecutive layers completely', () => {
    const t = layeredTopology([4], { inputs: 3, outputs: 2 });
    expect(t.graph.from.length).toBe(3 * 4 + 4 * 2 + 4);
  });
});
