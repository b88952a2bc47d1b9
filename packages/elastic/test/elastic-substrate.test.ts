import { MultimechError, NumericalError, Rng, adjointError, createGraph, dcActivation, exampleGradient, fidelity, finiteDifferenceGradient, mseLoss, productRule } from '@multimech/core';
import { ElasticSubstrate, elasticFromTopology, randomSpringNetwork, triangularLattice } from '@multimech/elastic';
import { build } from './fixtures';

function pipeline(s: ElasticSubstrate, seed: number) {
  return { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(seed) };
}

describe('exact gradient', () => {
  it.each([
    [2, 'stiffness'],
    [2, 'both'],
    [3, 'rest-length'],
    [3, 'both'],
  ] as const)('adjoint matches finite differences to 1e-7 on a random %i-D network with pair-distance outputs (%s)', (dimension, parameter) => {
    const rng = new Rng(40 + dimension);
    const topology = randomSpringNetwork({ dimension, nodes: dimension === 2 ? 16 : 14, coordination: dimension === 2 ? 5 : 7.5 }, { sources: 2, targets: 2 }, rng);
    const s = build(topology, parameter, 'force', 'distance', rng);
    const drive = s.drive([0.25, -0.2]);
    const y = s.readout(s.equilibrium(drive));
    const target = y.map((v) => v + 0.05 * rng.uniform(-1, 1));
    const exact = exampleGradient(pipeline(s, 1), drive, target).gradient;
    const reference = finiteDifferenceGradient(s, drive, mseLoss, target);
    const { relativeError, cosine } = fidelity(exact, reference);
    console.log(`elastic ${dimension}-D ${parameter}: adjoint vs finite differences, relative error ${relativeError.toExponential(2)}, cosine ${cosine}`);
    expect(relativeError).toBeLessThan(1e-7);
  });
});

describe('equilibrium', () => {
  const counts = { sources: 1, targets: 1 };

  it('starting exactly at equilibrium returns at once, unchanged', () => {
    const s = build(triangularLattice(4, 3, counts), 'stiffness', 'force', 'distance', new Rng(1));
    s.setParameters(s.parameters); // stress-free reference: the rest state is the equilibrium
    const rest = new ElasticSubstrate({
      dimension: 2,
      graph: s.graph,
      positions: s.reference,
      stiffness: s.stiffness,
      parameter: 'stiffness',
      bounds: s.bounds,
      pins: [0, 1],
    });
    const x = rest.equilibrium(rest.drive([]));
    expect([...x]).toEqual([...rest.reference]);
  });

  it('a warm start converges to the same state as a cold one', () => {
    const s = build(randomSpringNetwork({ dimension: 2, nodes: 20, coordination: 5 }, counts, new Rng(3)), 'stiffness', 'force', 'distance', new Rng(4));
    const a = s.equilibrium(s.drive([0.3]));
    s.equilibrium(s.drive([-0.4]));
    const b = s.equilibrium(s.drive([0.3]));
    s.resetWarmStart();
    const c = s.equilibrium(s.drive([0.3]));
    b.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-12));
    a.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-12));
  });

  /** Node a pinned at the origin, node b free at (1, 0), held sideways by springs to c (1, 1) and d (1, −1), mirror images. */
  function rod(): ElasticSubstrate {
    const graph = createGraph(['a', 'b', 'c', 'd'], [
      { name: 'ab', from: 0, to: 1 },
      { name: 'cb', from: 2, to: 1 },
      { name: 'db', from: 3, to: 1 },
    ]);
    return new ElasticSubstrate({
      dimension: 2,
      graph,
      positions: [0, 0, 1, 0, 1, 1, 1, -1],
      stiffness: [1, 1, 1],
      parameter: 'stiffness',
      bounds: { min: [0.1, 0.1, 0.1], max: [10, 10, 10] },
      pins: [0, 2, 3],
      inputs: [{ type: 'force', node: 1, axis: 0, name: 'push' }],
      outputs: [{ type: 'distance', a: 0, b: 1 }],
    });
  }

  it('a compressing load that softens the transverse stiffness (indefinite H on the way) still converges', () => {
    const s = rod();
    // compressed springs have transverse stiffness k(1 − ℓ/r) < 0: H at the start of the second step is indefinite in y
    const drive = s.drive([-0.9]);
    s.equilibrium(drive);
    const x = s.equilibrium({ injection: drive.injection.map((f, i) => (i === 3 ? 0.05 : f)), fixed: drive.fixed });
    const r = s.residual(x, { injection: drive.injection.map((f, i) => (i === 3 ? 0.05 : f)), fixed: drive.fixed });
    expect(Math.max(Math.abs(r[2]), Math.abs(r[3]))).toBeLessThan(1e-10);
    expect(s.lengths(x)[0]).toBeGreaterThan(0.1);
    // and it is a minimum: H there is positive definite (linearResponse factors it)
    expect(() => s.linearResponse(x, [new Float64Array(8).fill(1)])).not.toThrow();
  });

  it('a load that pushes a spring through zero length is refused with its name, never a NaN', () => {
    const s = rod();
    expect(() => s.equilibrium(s.drive([-3]))).toThrow(NumericalError);
    expect(() => s.equilibrium(s.drive([-3]))).toThrow(/shortest spring is 'ab' at length .*: the load pushes it through zero length/);
  });

  it('every dof held: the equilibrium is the imposed state, H is empty, responses are zero', () => {
    const graph = createGraph(['a', 'b'], [{ name: 'ab', from: 0, to: 1 }]);
    const s = new ElasticSubstrate({ dimension: 2, graph, positions: [0, 0, 1, 0], stiffness: [2], parameter: 'stiffness', bounds: { min: [0.1], max: [10] }, pins: [0], inputs: [{ type: 'displacement', node: 1, axis: 0 }, { type: 'displacement', node: 1, axis: 1 }] });
    const drive = s.drive([0.5, 0]);
    const x = s.equilibrium(drive);
    expect([...x]).toEqual([0, 0, 1.5, 0]);
    expect(s.hessian(x).matrix.rows).toBe(0);
    expect([...s.linearResponse(x, [new Float64Array(4).fill(1)])[0]]).toEqual([0, 0, 0, 0]);
    // the reaction at b: k (r − ℓ) = 2 · 0.5
    expect(s.residual(x, drive)[2]).toBeCloseTo(1, 14);
  });
});

describe('bad input names the item', () => {
  const graph = createGraph(['a', 'b', 'c'], [
    { name: 'ab', from: 0, to: 1 },
    { name: 'bc', from: 1, to: 2 },
    { name: 'ca', from: 2, to: 0 },
  ]);
  const base = { dimension: 2, graph, positions: [0, 0, 1, 0, 0, 1], stiffness: [1, 1, 1], parameter: 'stiffness' as const, bounds: { min: [0.1, 0.1, 0.1], max: [10, 10, 10] }, pins: [0, 1] };

  it('accepts a well-posed triangle', () => {
    expect(() => new ElasticSubstrate(base)).not.toThrow();
  });

  it.each([
    [{ dimension: 4 }, 'elastic network: dimension must be 2 or 3, got 4'],
    [{ positions: [0, 0, 1, 0, 1, 0] }, "nodes 'b' and 'c' overlap (both at [1, 0])"],
    [{ stiffness: [1, -2, 1] }, "stiffness of spring 'bc' must be a finite positive number, got -2"],
    [{ stiffness: [1, 0, 1] }, "stiffness of spring 'bc' must be a finite positive number, got 0"],
    [{ pins: [0] }, 'the network is floppy: 4 free dofs but only 3 springs act on them'],
    [{ pins: [7] }, 'pin: node index 7 is unknown (there are 3 nodes)'],
    [{ restLength: [1, Number.NaN, 1] }, "rest length of spring 'bc' must be a finite positive number, got NaN"],
  ])('%j', (change, message) => {
    expect(() => new ElasticSubstrate({ ...base, ...change } as typeof base)).toThrow(MultimechError);
    expect(() => new ElasticSubstrate({ ...base, ...change } as typeof base)).toThrow(message);
  });

  it('springs to unknown nodes, and dofs free of any spring', () => {
    expect(() => createGraph(['a', 'b'], [{ name: 's1', from: 0, to: 5 }])).toThrow("edge 's1' refers to node index 5, but there are 2 nodes");
    const loose = createGraph(['a', 'b', 'c', 'd'], graph.edgeNames.map((name, k) => ({ name, from: graph.from[k], to: graph.to[k] })));
    expect(() => new ElasticSubstrate({ ...base, graph: loose, positions: [0, 0, 1, 0, 0, 1, 2, 2] })).toThrow("node(s) d have no spring: their free dofs are free of any stiffness");
    // a pinned pair with a 2-spring pendulum: 4 free dofs, 3 springs
    const chain = createGraph(['a', 'b', 'c', 'd'], [
      { name: 'ac', from: 0, to: 2 },
      { name: 'cd', from: 2, to: 3 },
      { name: 'bd', from: 1, to: 3 },
    ]);
    expect(() => new ElasticSubstrate({ ...base, graph: chain, positions: [0, 0, 3, 0, 1, 1, 2, 1] })).toThrow(
      'the network is floppy: 4 free dofs but only 3 springs act on them, so at least 1 dofs are free of any spring stiffness',
    );
  });

  it('a floppy mode that counting misses is found from the singular stiffness matrix', () => {
    // a square on two pins without diagonals shears freely; the doubled top spring makes the count 4 springs for 4 dofs
    const square = createGraph(['a', 'b', 'c', 'd'], [
      { name: 'ac', from: 0, to: 2 },
      { name: 'bd', from: 1, to: 3 },
      { name: 'cd', from: 2, to: 3 },
      { name: 'cd2', from: 2, to: 3 },
    ]);
    expect(() =>
      new ElasticSubstrate({ ...base, graph: square, positions: [0, 0, 1, 0, 0, 1, 1, 1], stiffness: [1, 1, 1, 1], bounds: { min: [0.1, 0.1, 0.1, 0.1], max: [10, 10, 10, 10] } }),
    ).toThrow(/the network is not rigid: its stiffness matrix at the reference positions is singular, a zero-energy \(floppy\) mode/);
  });

  it('a state with coincident nodes gives a NumericalError naming the spring', () => {
    const s = new ElasticSubstrate(base);
    const x = Float64Array.from([0, 0, 1, 0, 1, 0]);
    expect(() => s.residual(x, s.drive([]))).toThrow("spring 'bc' has zero length: nodes 'b' and 'c' coincide");
    expect(() => s.hessian(x)).toThrow(NumericalError);
    expect(() => s.setParameters([1, 1, -1])).toThrow("stiffness of spring 'ca' must be a finite positive number, got -1");
  });
});

describe('generators', () => {
  it('a triangular lattice has the 3w·h − 2w − 2h + 1 springs of unit length, its bottom row pinned', () => {
    const t = triangularLattice(5, 4, { sources: 2, targets: 1 });
    expect(t.graph.from.length).toBe(3 * 5 * 4 - 2 * 5 - 2 * 4 + 1);
    const s = build(t, 'stiffness', 'force', 'distance', new Rng(1));
    for (const r of s.lengths(s.reference)) expect(r).toBeCloseTo(1, 12);
    expect(t.pins).toEqual([0, 1, 2, 3, 4]);
    const used = [...t.sources, ...t.targets].flatMap((p) => [p.a, p.b]);
    expect(new Set(used).size).toBe(6);
    expect(used.some((n) => t.pins.includes(n))).toBe(false);
  });

  it.each([2, 3] as const)('a random %i-D network reaches the mean coordination and is rigid', (dimension) => {
    const t = randomSpringNetwork({ dimension, nodes: 30, coordination: 2 * dimension + 1 }, { sources: 1, targets: 1 }, new Rng(8));
    expect((2 * t.graph.from.length) / 30).toBeCloseTo(2 * dimension + 1, 1);
    expect(() => build(t, 'stiffness', 'force', 'distance', new Rng(2))).not.toThrow();
    expect(() => randomSpringNetwork({ dimension, nodes: 30, coordination: 2 * dimension }, { sources: 1, targets: 1 }, new Rng(8))).toThrow(
      `random spring network: expected a mean coordination above 2·dimension = ${2 * dimension} (at or below it the network is floppy), got ${2 * dimension}`,
    );
    expect(() => randomSpringNetwork({ dimension, nodes: 10, coordination: 20 }, { sources: 1, targets: 1 }, new Rng(8))).toThrow(
      'random spring network: a mean coordination of 20 needs more than 10 nodes (each has at most 9 springs)',
    );
    expect(() => randomSpringNetwork({ dimension, nodes: 30, coordination: 7, jitter: 0.5 }, { sources: 1, targets: 1 }, new Rng(8))).toThrow('expected a jitter in [0, 0.5)');
  });
});

describe('solver machinery: multigrid CG on vector dofs', () => {
  it('the Newton equilibrium with multigrid-preconditioned CG agrees with the one with Cholesky', () => {
    const counts = { sources: 2, targets: 2 };
    const make = (solver: object) => {
      const rng = new Rng(77);
      const topology = triangularLattice(26, 26, counts);
      const m = topology.graph.from.length;
      return elasticFromTopology(topology, {
        parameter: 'stiffness',
        stiffness: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
        stiffnessBounds: { min: 0.01, max: 10 },
        restLengthBounds: { min: 0.5, max: 1.5 },
        inputs: 'force',
        outputs: 'distance',
        solver,
      });
    };
    const direct = make({ method: 'cholesky' });
    const multigrid = make({ method: 'cg', cgPreconditioner: 'amg', cgTolerance: 1e-12 });
    const drive = direct.drive([0.2, -0.15]);
    const xd = direct.equilibrium(drive);
    const xm = multigrid.equilibrium(multigrid.drive([0.2, -0.15]));
    let diff = 0;
    let scale = 0;
    xd.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - xm[i]));
      scale = Math.max(scale, Math.abs(v - direct.reference[i]));
    });
    expect(scale).toBeGreaterThan(1e-3); // the drive moved the network
    expect(diff).toBeLessThan(1e-8 * Math.max(1, scale) + 1e-9);
    const { matrix } = multigrid.hessian(xm);
    expect(matrix.rows).toBeGreaterThan(1200); // large enough for a hierarchy of more than one level
  });
});
