// docs/writing-a-substrate.md, "Steps and tolerances": the code between "snippet start" and "snippet end" is the doc's, word for word; test/writing-a-substrate.test.ts runs it.
import { Rng, gridTopology } from '@multimech/core';
import { randomDrive, runSubstrateConformance, type SubstrateFixture } from '@multimech/conformance';
import { HeatGridSubstrate } from 'multimech-example-custom-substrate';

/** A stiff grid: conductances spread over four decades. */
function makeFixtures(): SubstrateFixture[] {
  const rng = new Rng(3);
  const topology = gridTopology(5, 4, { inputs: 2, outputs: 2 });
  const k = Float64Array.from(topology.graph.edgeNames, () => 10 ** rng.uniform(-2, 2));
  const substrate = new HeatGridSubstrate(topology, 'flow', k, { min: 1e-3, max: 1e3 });
  return [{ label: 'stiff 5x4 grid', substrate, drive: randomDrive(substrate, rng) }];
}

// snippet start
runSubstrateConformance('acme/stiff-grid', makeFixtures, {
  settings: { 'parameter-derivative': { rtol: 1e-5 }, 'hessian-symmetry': { step: 1e-5 } },
});
// snippet end
