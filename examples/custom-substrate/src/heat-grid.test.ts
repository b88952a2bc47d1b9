import { ConfigError, ConfigProblem, Rng, corePlugin, createRegistries, decodeSection, gridTopology } from '@multimech/core';
import { SubstrateFixture, randomDrive, runSubstrateConformance } from '@multimech/conformance';
import { HeatGridSubstrate, heatPlugin } from './index';

function fixtures(): SubstrateFixture[] {
  const rng = new Rng(5);
  const out: SubstrateFixture[] = [];
  for (const [w, h] of [[4, 3], [6, 5]]) {
    for (const type of ['flow', 'potential'] as const) {
      const topology = gridTopology(w, h, { inputs: 2, outputs: 2 });
      const k = Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 1.5));
      const s = new HeatGridSubstrate(topology, type, k, { min: 1e-3, max: 100 });
      out.push({ label: `${w}x${h} grid, ${type === 'flow' ? 'heaters' : 'reservoirs'}`, substrate: s, drive: randomDrive(s, rng) });
    }
  }
  return out;
}

runSubstrateConformance('acme/heat-grid', fixtures);

describe('acme/heat-grid', () => {
  it('a heater next to the sink warms its node by Q/k', () => {
    // 3x1 grid: heater at n0_0, sink at n1_0, sensor at n2_0.
    const topology = gridTopology(3, 1, { inputs: 1, outputs: 1 });
    const s = new HeatGridSubstrate(topology, 'flow', [0.25, 2], { min: 0.01, max: 10 });
    const T = s.equilibrium(s.drive([3]));
    expect(T[0]).toBeCloseTo(3 / 0.25, 12);
    expect(T[1]).toBe(0);
    expect(s.readout(T)[0]).toBeCloseTo(0, 12);
  });

  it('registers with one plugin and builds from a config', () => {
    const registries = createRegistries([corePlugin, heatPlugin]);
    const problems: ConfigProblem[] = [];
    const section = decodeSection(registries.substrates, { kind: 'acme/heat-grid', width: 5, height: 4 }, 'substrate', problems);
    if (!section) throw new ConfigError(problems);
    const s = section.record.create(section.config, { inputs: { count: 2, type: 'flow' }, outputs: { count: 2 }, rng: new Rng(1), baseDir: '.' });
    expect(s.kind).toBe('acme/heat-grid');
    expect(s.parameters).toHaveLength(5 * 3 + 4 * 4);
    const T = s.equilibrium(s.drive([1, 1]));
    expect(Math.min(...s.readout(T))).toBeGreaterThan(0);
    decodeSection(registries.substrates, { kind: 'acme/heat-grid', width: 0, height: 4 }, 'substrate', problems);
    expect(problems.map((p) => p.message)).toEqual(['expected a positive integer, got 0']);
  });
});
