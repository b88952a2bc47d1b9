import { PortCounts, Rng, Topology, gridTopology, layeredTopology, randomTopology } from '@multimech/core';

/** A topology the fixtures of a substrate plugin can be built on. */
export interface FixtureTopology {
  readonly label: string;
  readonly topology: Topology;
}

/**
 * A small, seeded set of topologies from core's generators, the same on every
 * machine: a grid, a layered network and two random graphs (sparse and
 * denser). A substrate plugin turns each into a fixture.
 */
export function fixtureTopologies(seed = 1, ports: PortCounts = { inputs: 2, outputs: 2 }): FixtureTopology[] {
  const rng = new Rng(seed);
  return [
    { label: 'grid 4x3', topology: gridTopology(4, 3, ports) },
    { label: 'layered [4, 3]', topology: layeredTopology([4, 3], ports) },
    { label: 'random 12 nodes, degree 3', topology: randomTopology(12, 3, ports, rng) },
    { label: 'random 30 nodes, degree 5', topology: randomTopology(30, 5, ports, rng) },
  ];
}
