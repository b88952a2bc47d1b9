// docs/nonlinear.md, "A trainable nonlinear edge": the snippet from here to "snippet end" is the one in the docs, word for word.
import { Rng, ScalarSubstrate, TwoTerminalLaw, adjointError, boundaryFromTopology, dcActivation, exampleGradient, gridTopology, mseLoss, productRule, uniformBounds } from '@multimech/core';

/** A memristive device: i = k sinh(v/V0), with V0 = 0.5 V and k (A) trained. */
const V0 = 0.5;
const sinhLaw: TwoTerminalLaw = {
  current: (v) => Math.sinh(v / V0),
  conductance: (v) => Math.cosh(v / V0) / V0,
  coContent: (v) => V0 * (Math.cosh(v / V0) - 1),
};

class MemristorGrid extends ScalarSubstrate {
  readonly kind = 'acme/memristor-grid';
  readonly parameterName = 'prefactor';
}

const topology = gridTopology(4, 3, { inputs: 2, outputs: 1 });
const m = topology.graph.from.length;
const grid = new MemristorGrid({
  graph: topology.graph,
  boundary: boundaryFromTopology(topology, 'potential'),
  parameters: Float64Array.from({ length: m }, (_, k) => 1e-3 * (1 + 0.1 * k)),
  bounds: uniformBounds(m, 1e-6, 1),
  edgeLaw: sinhLaw,
});
const drive = grid.drive([1, -0.5]);
const pipeline = { substrate: grid, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(1) };
const { loss, gradient } = exampleGradient(pipeline, drive, [0.2]); // loss 0.0338, gradient[0] −5.70 V²/A
// snippet end

import * as fs from 'fs';
import * as path from 'path';
import {
  Drive,
  NumericalError,
  Topology,
  edgeDrops,
  expressionLaw,
  fidelity,
  finiteDifferenceGradient,
  layeredTopology,
  powerLawMap,
  randomTopology,
  type ParameterMap,
} from '@multimech/core';

/**
 * A turbulent pipe: Blasius friction makes the flow grow as Δp^(4/7) at
 * large drops; below v0 it turns laminar (linear), as real pipes do at low
 * Reynolds numbers, so that the slope stays finite at rest: f(v) =
 * v (v0² + v²)^(−3/14), f' = (v0² + v²)^(−17/14) (v0² + (4/7) v²) > 0,
 * F(v) = (7/11) [(v0² + v²)^(11/14) − v0^(11/7)].
 */
const v0 = 0.05;
const turbulentLaw: TwoTerminalLaw = {
  current: (v) => v * (v0 * v0 + v * v) ** (-3 / 14),
  conductance: (v) => (v0 * v0 + v * v) ** (-17 / 14) * (v0 * v0 + (4 / 7) * v * v),
  coContent: (v) => (7 / 11) * ((v0 * v0 + v * v) ** (11 / 14) - v0 ** (11 / 7)),
};

/** The turbulent law without its laminar core: its slope is infinite at a zero drop. */
const pureTurbulentLaw: TwoTerminalLaw = {
  current: (v) => Math.sign(v) * Math.abs(v) ** (4 / 7),
  conductance: (v) => (4 / 7) * Math.abs(v) ** (-3 / 7),
  coContent: (v) => (7 / 11) * Math.abs(v) ** (11 / 7),
};

class LawNetwork extends ScalarSubstrate {
  readonly kind = 'test/law-network';
  readonly parameterName = 'prefactor';
}

function network(topology: Topology, type: 'flow' | 'potential', law: TwoTerminalLaw, rng: Rng, parameterMap?: ParameterMap): LawNetwork {
  const m = topology.graph.from.length;
  return new LawNetwork({
    graph: topology.graph,
    boundary: boundaryFromTopology(topology, type),
    parameters: Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5)),
    bounds: uniformBounds(m, 1e-3, 100),
    edgeLaw: law,
    parameterMap,
  });
}

/** The drops of every edge of the free state under a drive, and the adjoint drops Δu for the loss at `target`. */
function readings(s: ScalarSubstrate, d: Drive, target: ArrayLike<number>) {
  const state = s.equilibrium(d);
  const y = s.readout(state);
  const force = s.outputForce(state, mseLoss.gradient(y, target));
  const [u] = s.linearResponse(state, [force]);
  return { state, drops: edgeDrops(s.graph, state), du: edgeDrops(s.graph, u) };
}

describe('the docs snippet: a grid of memristive edges', () => {
  it('is the snippet of docs/nonlinear.md, word for word', () => {
    const own = fs.readFileSync(__filename, 'utf8');
    const snippet = own.slice(own.indexOf('\n') + 1, own.indexOf('// snippet end')).trim();
    const docs = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'nonlinear.md'), 'utf8');
    const blocks = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1].trim());
    expect(blocks).toContain(snippet);
  });

  it('is nonlinear, and its loss and gradient are those the snippet prints', () => {
    expect([...grid.capabilities].sort()).toEqual(['scalar-potential']);
    expect(loss).toBeCloseTo(0.0338, 4);
    expect(gradient[0]).toBeCloseTo(-5.70, 2);
  });

  it('the gradient is the product f(Δs*)·Δu, and matches finite differences of the loss to 1e-10', () => {
    const { drops, du } = readings(grid, drive, [0.2]);
    gradient.forEach((g, k) => expect(g).toBeCloseTo(Math.sinh(drops[k] / V0) * du[k], 12));
    const reference = finiteDifferenceGradient(grid, drive, mseLoss, [0.2]);
    expect(fidelity(gradient, reference).relativeError).toBeLessThan(1e-10);
  });
});

describe('the trainable nonlinear edge: the adjoint gradient against finite differences', () => {
  const laws = [
    ['memristive sinh(v/0.5)', sinhLaw],
    ['turbulent pipe v (v0² + v²)^(−3/14)', turbulentLaw],
  ] as const;
  const topologies = (rng: Rng): [string, Topology][] => [
    ['grid 4x3', gridTopology(4, 3, { inputs: 2, outputs: 2 })],
    ['layered [4, 3]', layeredTopology([4, 3], { inputs: 2, outputs: 2 })],
    ['random 12 nodes', randomTopology(12, 3, { inputs: 2, outputs: 2 }, rng)],
  ];

  it.each(laws)('%s: relative error ≤ 1e-9 on every network, while the linear edge’s product Δs*·Δu is off by more than 1e-2', (_, law) => {
    const rng = new Rng(23);
    for (const [label, topology] of topologies(rng)) {
      for (const type of ['potential', 'flow'] as const) {
        const s = network(topology, type, law, rng);
        const d = s.drive([rng.uniform(0.5, 1.5), rng.uniform(-1.5, -0.5)]);
        const target = s.readout(s.equilibrium(d)).map((y) => y + rng.uniform(-0.3, 0.3));
        const exact = exampleGradient({ ...pipeline, substrate: s }, d, target).gradient;
        const reference = finiteDifferenceGradient(s, d, mseLoss, target);
        const { relativeError, cosine } = fidelity(exact, reference);
        expect({ label, type, ok: relativeError <= 1e-9 && cosine > 1 - 1e-12 }).toEqual({ label, type, ok: true });
        // a negative control: reading the drop as the linear edge does is not the gradient here
        const { drops, du } = readings(s, d, target);
        expect(fidelity(drops.map((x, k) => x * du[k]), reference).relativeError).toBeGreaterThan(1e-2);
      }
    }
  });

  it('∂E/∂θ is w′(θ) F(Δs), and the chain rule composes with a parameter map (w = c θ⁴)', () => {
    const rng = new Rng(5);
    const s = network(gridTopology(4, 3, { inputs: 2, outputs: 2 }), 'flow', sinhLaw, rng, powerLawMap(0.3, 4));
    const d = s.drive([0.4, -0.2]);
    const state = s.equilibrium(d);
    const force = s.parameterForce(state);
    const theta = Float64Array.from(s.parameters);
    const probe = Float64Array.from(theta);
    const fd = theta.map((t, k) => {
      const h = 1e-5 * t;
      probe[k] = t + h;
      s.setParameters(probe);
      const up = s.energy(state, d);
      probe[k] = t - h;
      s.setParameters(probe);
      const down = s.energy(state, d);
      probe[k] = t;
      return (up - down) / (2 * h);
    });
    s.setParameters(theta);
    expect(fidelity(force, fd).relativeError).toBeLessThan(1e-9);
    const exact = exampleGradient({ ...pipeline, substrate: s }, d, [0.1, -0.1]).gradient;
    expect(fidelity(exact, finiteDifferenceGradient(s, d, mseLoss, [0.1, -0.1])).relativeError).toBeLessThan(1e-9);
  });

  it('an expression law (core\'s expressionLaw) serves as the edge law: the same gradient as the closed-form sinh to 1e-9', () => {
    const written = expressionLaw('sinh(v / v0)', { parameters: { v0: V0 }, range: [-10, 10], name: 'memristor' });
    const s = new MemristorGrid({
      graph: topology.graph,
      boundary: boundaryFromTopology(topology, 'potential'),
      parameters: grid.parameters,
      bounds: grid.bounds,
      edgeLaw: written,
    });
    const g = exampleGradient({ ...pipeline, substrate: s }, drive, [0.2]).gradient;
    expect(fidelity(g, gradient).relativeError).toBeLessThan(1e-9);
  });

  it('a law whose slope is infinite at rest (the pure Δp^(4/7)) is refused by name at the first solve, not turned into a NaN', () => {
    const s = network(gridTopology(3, 3, { inputs: 1, outputs: 1 }), 'potential', pureTurbulentLaw, new Rng(1));
    expect(() => s.equilibrium(s.drive([1]))).toThrow(NumericalError);
    expect(() => s.equilibrium(s.drive([1]))).toThrow(/^di\/dv of the law of edge 'e\d+' is Infinity at a drop of 0 V: the law is not finite there$/);
  });
});
