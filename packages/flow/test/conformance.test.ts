import { Rng } from '@multimech/core';
import { SubstrateFixture, fixtureTopologies, randomDrive, runSubstrateConformance } from '@multimech/conformance';
import { FlowParameter, flowFromTopology } from '@multimech/flow';

/**
 * Every fixture topology in both parameter modes and with both input types;
 * radius-mode fixtures give each tube its own viscosity and length. The
 * layered fixtures read one node and one pressure difference.
 */
function fixtures(): SubstrateFixture[] {
  const rng = new Rng(17);
  const out: SubstrateFixture[] = [];
  for (const { label, topology } of fixtureTopologies(9)) {
    const m = topology.graph.from.length;
    const names = topology.graph.nodeNames;
    for (const parameter of ['conductance', 'radius'] as FlowParameter[]) {
      for (const type of ['flow', 'potential'] as const) {
        const radius = parameter === 'radius';
        const s = flowFromTopology(topology, type, {
          parameter,
          initial: Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5)),
          viscosity: radius ? Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)) : 1,
          length: radius ? Float64Array.from({ length: m }, () => rng.uniform(0.2, 3)) : 1,
          bounds: { min: 0.05, max: 5 },
          outputs: label.startsWith('layered') ? [names[topology.outputNodes[0]], [names[topology.outputNodes[1]], names[topology.inputNodes[0]]]] : undefined,
        });
        out.push({ label: `${label}, ${parameter}, ${type} inputs`, substrate: s, drive: randomDrive(s, rng) });
      }
    }
  }
  return out;
}

runSubstrateConformance('flow', fixtures);
