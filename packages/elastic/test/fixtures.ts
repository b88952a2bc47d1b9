import { Rng } from '@multimech/core';
import type { SubstrateFixture } from '@multimech/conformance';
import { ElasticParameter, ElasticSubstrate, elasticFromTopology, randomSpringNetwork, triangularLattice } from '@multimech/elastic';

/** A substrate on a generated topology, with random stiffness and (prestressed) rest lengths within 5% of the reference lengths. */
export function build(
  topology: ReturnType<typeof triangularLattice>,
  parameter: ElasticParameter,
  inputs: 'force' | 'displacement',
  outputs: 'distance' | 'displacement',
  rng: Rng,
): ElasticSubstrate {
  const m = topology.graph.from.length;
  const s = elasticFromTopology(topology, {
    parameter,
    stiffness: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs,
    outputs,
  });
  const theta = Float64Array.from(s.parameters);
  const restStart = parameter === 'both' ? m : parameter === 'rest-length' ? 0 : theta.length;
  for (let j = restStart; j < theta.length; j++) theta[j] *= rng.uniform(0.95, 1.05);
  s.setParameters(theta);
  return s;
}

/** 2-D lattices and random networks and 3-D random networks, every parameter mode, both input and output kinds. */
export function elasticFixtures(seed = 5): SubstrateFixture[] {
  const rng = new Rng(seed);
  const out: SubstrateFixture[] = [];
  const add = (label: string, s: ElasticSubstrate) => {
    const drive = s.drive(Float64Array.from(s.boundary.inputs, () => rng.uniform(0.1, 0.3) * (rng.uniform(0, 1) < 0.5 ? -1 : 1)));
    out.push({ label, substrate: s, drive });
  };
  const counts = { sources: 2, targets: 2 };
  add('triangular 5x4, stiffness, forces, distances', build(triangularLattice(5, 4, counts), 'stiffness', 'force', 'distance', rng));
  add('triangular 4x5, rest-length, displacements, displacements', build(triangularLattice(4, 5, counts), 'rest-length', 'displacement', 'displacement', rng));
  add('random 2-D 20 nodes z=5, both, forces, distances', build(randomSpringNetwork({ dimension: 2, nodes: 20, coordination: 5 }, counts, rng), 'both', 'force', 'distance', rng));
  add('random 3-D 18 nodes z=7.5, both, displacements, distances', build(randomSpringNetwork({ dimension: 3, nodes: 18, coordination: 7.5 }, counts, rng), 'both', 'displacement', 'distance', rng));
  add('random 3-D 16 nodes z=8, stiffness, forces, displacements', build(randomSpringNetwork({ dimension: 3, nodes: 16, coordination: 8 }, counts, rng), 'stiffness', 'force', 'displacement', rng));
  return out;
}
