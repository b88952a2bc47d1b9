import { Rng } from '@multimech/core';
import { SubstrateFixture, fixtureTopologies, randomDrive, runSubstrateConformance } from '@multimech/conformance';
import { parseSpice, resistiveFromNetlist, resistiveFromTopology } from '@multimech/resistive';
import { randomDiodeNetlist, randomNetlist } from './random-netlist';

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

/**
 * A junction's scale is N·Vt ≈ 40 mV; the suite's finite-difference probes
 * shrink to the scale the law shows along them (conformance's `lawScale`),
 * so they resolve junctions at volts as well. The fixtures run at a few
 * hundred millivolts with leaky junctions (IS ≥ 1e-9 A), where the diodes
 * are strongly nonlinear and E stays far above its rounding (a junction
 * straight across a 5 V source adds a constant co-content so large that
 * nearby energies differ below E's last digit).
 */
function diodeFixtures(): SubstrateFixture[] {
  const rng = new Rng(11);
  const out: SubstrateFixture[] = [];
  const clipper = resistiveFromNetlist(
    parseSpice('clipper\nV1 in 0 0.4\nI1 0 b 50u\nR1 in a 1k\nD1 a 0 dm\nR2 a b 2k\nD2 b c dm\nD3 0 c dm\nR3 c 0 10k\n.model dm D(IS=1e-8 N=1.5)\n.end', 'clipper.cir'),
    { outputs: ['b', ['a', 'c']] },
  );
  out.push({ label: 'diode clipper netlist', substrate: clipper, drive: clipper.drive(clipper.defaultInputs!), target: Float64Array.of(0.1, 0.05) });
  for (const nodes of [12, 30]) {
    const { netlist, outputs } = randomDiodeNetlist(rng, nodes, { voltages: 1, currents: 1, outputs: 2, diodes: 5 }, { volts: 0.4, minIS: 1e-9 });
    const s = resistiveFromNetlist(netlist, { outputs });
    out.push({ label: `random diode netlist, ${nodes} nodes`, substrate: s, drive: s.drive(s.defaultInputs!) });
  }
  return out;
}

runSubstrateConformance('resistive with diodes', diodeFixtures, {
  skip: [{ id: 'superposition', reason: 'nonlinear: superposition does not hold' }],
});
