import { Rng } from '@multimech/core';
import { elasticFromTopology, randomSpringNetwork, triangularLattice } from '@multimech/elastic';

/**
 * FIRE, the alternative minimiser: from the same start it reaches the
 * equilibrium Newton reaches (force balance to rounding), on 2-D lattices and
 * 2-D and 3-D random networks under loads that bend them far from the
 * reference.
 */
describe('FIRE against Newton', () => {
  const counts = { sources: 1, targets: 1 };
  const topologies = [
    ['triangular 6x5', () => triangularLattice(6, 5, counts)],
    ['random 2-D, 25 nodes', () => randomSpringNetwork({ dimension: 2, nodes: 25, coordination: 5 }, counts, new Rng(3))],
    ['random 3-D, 20 nodes', () => randomSpringNetwork({ dimension: 3, nodes: 20, coordination: 7.5 }, counts, new Rng(4))],
  ] as const;

  it.each(topologies)('%s: the same equilibrium, in force balance', (_label, make) => {
    const rng = new Rng(9);
    const topology = make();
    const stiffness = Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 2));
    const build = (minimiser: 'newton' | 'fire') =>
      elasticFromTopology(topology, {
        parameter: 'stiffness',
        stiffness,
        stiffnessBounds: { min: 0.01, max: 10 },
        restLengthBounds: { min: 0.5, max: 1.5 },
        inputs: 'force',
        outputs: 'distance',
        minimiser,
      });
    const newton = build('newton');
    const fire = build('fire');
    expect(fire.minimiser).toBe('fire');
    const drive = newton.drive(Float64Array.of(0.3));
    const a = newton.equilibrium(drive);
    const b = fire.equilibrium(fire.drive(Float64Array.of(0.3)));
    let diff = 0;
    let moved = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      moved = Math.max(moved, Math.abs(a[i] - newton.reference[i]));
    }
    expect(moved).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThan(1e-8);
    const r = fire.residual(b, drive);
    for (const dof of fire.freeDofs) expect(Math.abs(r[dof])).toBeLessThan(1e-9);
  });
});
