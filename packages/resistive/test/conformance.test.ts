import { Rng } from '@multimech/core';
import { SubstrateFixture, fixtureTopologies, randomDrive, runSubstrateConformance } from '@multimech/conformance';
import { parseSpice, resistiveFromNetlist, resistiveFromTopology } from '@multimech/resistive';
import { randomNetlist } from './random-netlist';

function fixtures(): SubstrateFixture[] {
  const rng = new Rng(42);
  const out: SubstrateFixture[] = [];
  const ladder = resistiveFromNetlist(
    parseSpice('ladder\nV1 in 0 5\nI1 0 b 2m\nR1 in a 1k\nR2 a 0 2k\nR3 a b 1k\nR4 b 0 3.3k\nR5 b c 470\nR6 c 0 10k\n.end', 'ladder.cir'),
    { outputs: ['c', ['a', 'b']] },
  );
  out.push({ label: 'ladder netlist', substrate: ladder, drive: ladder.drive(ladder.defaultInputs!), target: Float64Array.of(1, -0.5) });
  for (const [nodes, method] of [[25, 'cholesky'], [60, 'cg']] as const) {
    const { netlist, outputs } = randomNetlist(rng, nodes, { voltages: 2, currents: 2, outputs: 3 });
    const s = resistiveFromNetlist(netlist, { outputs, solver: { method } });
    out.push({ label: `random netlist, ${nodes} nodes, ${method}`, substrate: s, drive: s.drive(s.defaultInputs!) });
  }
  for (const { label, topology } of fixtureTopologies(7)) {
    for (const type of ['flow', 'potential'] as const) {
      const g = Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 1.5));
      const s = resistiveFromTopology(topology, type, { conductances: g, bounds: { min: 1e-4, max: 10 } });
      out.push({ label: `${label}, ${type} inputs`, substrate: s, drive: randomDrive(s, rng) });
    }
  }
  return out;
}

runSubstrateConformance('resistive', fixtures);
