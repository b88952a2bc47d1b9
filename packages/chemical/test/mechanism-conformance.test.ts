import { Rng, corePlugin, createRegistries } from '@multimech/core';
import { SubstrateFixture, fixtureTopologies, randomDrive, runMechanismConformance } from '@multimech/conformance';
import { flowFromTopology } from '@multimech/flow';
import { chemicalErrorRecord, chemicalPlugin } from '../src';

/**
 * Chemical signalling runs the mechanism suite on flow networks (it needs
 * 'transport'): the conformance fixture topologies as flow networks,
 * trained by conductance and by radius, with flow and pressure inputs. With
 * D = γk at steady state the chemical update is the exact gradient whatever
 * λ, γ, c₀ and the number of species (PHYSICS.md §4).
 */
function flowFixtures(): SubstrateFixture[] {
  const rng = new Rng(17);
  return fixtureTopologies(9).flatMap(({ label, topology }) =>
    (['conductance', 'radius'] as const).flatMap((parameter) =>
      (['flow', 'potential'] as const).map((type) => {
        const s = flowFromTopology(topology, type, {
          parameter,
          initial: Float64Array.from(topology.graph.from, () => rng.uniform(0.5, 2)),
          bounds: { min: 1e-3, max: 1e3 },
        });
        return { label: `${label}, ${parameter}, ${type} inputs`, substrate: s, drive: randomDrive(s, rng) };
      }),
    ),
  );
}

runMechanismConformance('chemical', {
  record: chemicalErrorRecord,
  registries: createRegistries([corePlugin, chemicalPlugin]),
  fixtures: flowFixtures,
  claims: [
    { label: 'D = γk at steady state: exact whatever the source strength λ', knob: 'lambda', values: [0.01, 1, 30], exact: true },
    { label: 'D = γk at steady state: exact whatever γ', knob: 'gamma', values: [0.2, 1, 5], exact: true },
    { label: 'two species: exact whatever the baseline c₀', knob: 'baseline', values: [0, 2.5], section: { species: 'two' }, exact: true },
  ],
});
