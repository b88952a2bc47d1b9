import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { Rng } from '@multimech/core';
import { elasticFromTopology, floppyNode, packingSpringNetwork, type PackedTopology } from '@multimech/elastic';

/**
 * The packing-like generator: soft discs (spheres) relaxed by FIRE to a
 * jammed-like packing, their contact network, pruned from the most
 * coordinated nodes to the mean coordination asked for.
 */
function minimumDistance(t: PackedTopology): number {
  const d = t.dimension;
  const n = t.graph.nodeNames.length;
  let best = Infinity;
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (t.positions[p * d + a] - t.positions[q * d + a]) ** 2;
      best = Math.min(best, Math.sqrt(s));
    }
  }
  return best;
}

/** Smallest and largest eigenvalue of the stiffness matrix of unit springs at the reference, with the pins held (dense). */
function stiffnessSpectrum(t: PackedTopology): { min: number; max: number } {
  const s = elasticFromTopology(t, {
    parameter: 'stiffness',
    stiffness: new Float64Array(t.graph.from.length).fill(1),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
  });
  const { matrix } = s.hessian(s.reference);
  const H = Matrix.zeros(matrix.rows, matrix.rows);
  for (let i = 0; i < matrix.rows; i++) for (let p = matrix.rowPtr[i]; p < matrix.rowPtr[i + 1]; p++) H.set(i, matrix.colIdx[p], matrix.values[p]);
  const values = new EigenvalueDecomposition(H, { assumeSymmetric: true }).realEigenvalues;
  return { min: Math.min(...values), max: Math.max(...values) };
}

describe('packed spring networks', () => {
  it.each([
    [2, 60, 4.6],
    [2, 60, 5.5],
    [3, 40, 7],
  ] as const)('%i-D, %i nodes, Z = %s: the coordination reached, no overlaps, every node braced, rigid with its pins', (dimension, nodes, z) => {
    const t = packingSpringNetwork({ dimension, nodes, coordination: z }, { sources: 1, targets: 2 }, new Rng(11));
    const degree = new Int32Array(nodes);
    for (let k = 0; k < t.graph.from.length; k++) {
      degree[t.graph.from[k]]++;
      degree[t.graph.to[k]]++;
    }
    const { min, max } = stiffnessSpectrum(t);
    console.log(
      `packing ${dimension}-D, ${nodes} nodes, target Z ${z}: achieved Z ${t.coordination.toFixed(3)} (contacts ${t.contactCoordination.toFixed(2)}, ` +
        `packing fraction ${t.packingFraction.toFixed(3)}), closest nodes ${minimumDistance(t).toFixed(3)} apart, λmin/λmax of H ${(min / max).toExponential(2)}`,
    );
    expect(Math.abs(t.coordination - z)).toBeLessThanOrEqual(2 / nodes + 1e-12);
    expect(t.coordination).toBeCloseTo((2 * t.graph.from.length) / nodes, 12);
    // soft discs of radii 0.417 and 0.583 overlap by a few per cent at most: no two nodes near each other
    expect(minimumDistance(t)).toBeGreaterThan(0.7);
    expect(Math.min(...degree)).toBeGreaterThanOrEqual(dimension + 1);
    expect(min / max).toBeGreaterThan(1e-6);
    expect(t.pins).toHaveLength(dimension);
  });

  it('is reproducible from its seed, and another seed gives another network', () => {
    const make = (seed: number) => packingSpringNetwork({ dimension: 2, nodes: 40, coordination: 5 }, { sources: 1, targets: 1 }, new Rng(seed));
    const [a, b, c] = [make(4), make(4), make(5)];
    expect([...b.positions]).toEqual([...a.positions]);
    expect([...b.graph.from]).toEqual([...a.graph.from]);
    expect([...b.graph.to]).toEqual([...a.graph.to]);
    expect(b.sources).toEqual(a.sources);
    expect([...c.positions]).not.toEqual([...a.positions]);
  });

  it('finds the floppy mode that the rigidity repair puts springs back for', () => {
    // a square on its two bottom pins shears without diagonals; a triangle does not
    const square = Float64Array.from([0, 0, 1, 0, 0, 1, 1, 1]);
    const sides = [{ p: 0, q: 2 }, { p: 1, q: 3 }, { p: 2, q: 3 }];
    expect([2, 3]).toContain(floppyNode(square, 2, 4, sides, [0, 1]));
    expect(floppyNode(square, 2, 4, [...sides, { p: 0, q: 3 }], [0, 1])).toBeUndefined();
    expect(floppyNode(Float64Array.from([0, 0, 1, 0, 0.5, 0.8]), 2, 3, [{ p: 0, q: 2 }, { p: 1, q: 2 }], [0, 1])).toBeUndefined();
  });

  it('refuses a coordination it cannot reach, and explains the bound', () => {
    const counts = { sources: 1, targets: 1 };
    expect(() => packingSpringNetwork({ dimension: 2, nodes: 10, coordination: 20 }, counts, new Rng(1))).toThrow(
      'packed spring network: a mean coordination of 20 needs more than 10 nodes (each has at most 9 springs)',
    );
    expect(() => packingSpringNetwork({ dimension: 3, nodes: 20, coordination: 6 }, counts, new Rng(1))).toThrow(
      'packed spring network: expected a mean coordination above 2·dimension = 6 (at or below it the network is floppy), got 6',
    );
  });
});
