import {
  MultimechError,
  Rng,
  Topology,
  adjointError,
  createGraph,
  dcActivation,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  gridTopology,
  layeredTopology,
  mseLoss,
  productRule,
  randomTopology,
  transportOf,
} from '@multimech/core';
import { Matrix, solve } from 'ml-matrix';
import { FlowSubstrate, flowFromTopology } from '@multimech/flow';

const pipeline = (s: FlowSubstrate, rng = new Rng(1)) => ({ substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng });

/** Two tubes in series: inflow at a, tube 1 a→b, tube 2 b→reservoir. */
const series: Topology = {
  graph: createGraph(['a', 'b', 'res'], [
    { name: 't1', from: 0, to: 1 },
    { name: 't2', from: 1, to: 2 },
  ]),
  inputNodes: [0],
  outputNodes: [1],
  groundNodes: [2],
};

describe('two Hagen–Poiseuille tubes in series', () => {
  // water, SI units: μ = 1 mPa·s; tube 1: r = 1 mm, L = 10 cm; tube 2: r = 0.5 mm, L = 5 cm; Q = 1 mL/s
  const mu = 1e-3;
  const r = [1e-3, 0.5e-3];
  const L = [0.1, 0.05];
  const Q = 1e-6;
  // textbook resistances R = 8 μ L / (π r⁴): 2.546e8 and 2.037e9 Pa·s/m³
  const R = r.map((ri, i) => (8 * mu * L[i]) / (Math.PI * ri ** 4));
  const make = () =>
    flowFromTopology(series, 'flow', { parameter: 'radius', initial: r, viscosity: mu, length: L, bounds: { min: 1e-5, max: 1e-2 }, outputs: ['a', ['a', 'b']] });

  it('gives the textbook pressures p_b = Q R₂, p_a = Q (R₁ + R₂)', () => {
    const s = make();
    expect(R[0]).toBeCloseTo(2.5465e8, -4);
    expect(R[1]).toBeCloseTo(2.0372e9, -5);
    expect(s.boundary.inputs).toEqual([{ name: 'Q1', type: 'flow', node: 0, ref: 2 }]);
    expect(s.boundary.dirichletNames).toEqual(['reservoir']);
    const p = s.equilibrium(s.drive([Q]));
    expect(p[2]).toBe(0);
    expect(p[1] / (Q * R[1]) - 1).toBeCloseTo(0, 13);
    expect(p[0] / (Q * (R[0] + R[1])) - 1).toBeCloseTo(0, 13);
    expect(p[0]).toBeCloseTo(2291.83, 1); // Pa
    expect(s.boundary.outputs.map((o) => o.name)).toEqual(['a', 'p(a,b)']);
    const y = s.readout(p);
    expect(y[1] / (Q * R[0]) - 1).toBeCloseTo(0, 13);
    // the whole inflow passes through both tubes
    for (const q of s.transport.flows(p)) expect(q / Q - 1).toBeCloseTo(0, 13);
  });

  it('exposes k = π r⁴ / (8 μ L), the cross-sections π r² and the lengths', () => {
    const s = make();
    const k = s.transport.hydraulicConductance();
    k.forEach((kk, i) => expect(kk * R[i] - 1).toBeCloseTo(0, 14));
    s.transport.area().forEach((a, i) => expect(a / (Math.PI * r[i] ** 2) - 1).toBeCloseTo(0, 14));
    expect([...s.transport.length()]).toEqual(L);
    expect([...s.transport.fixedNodes]).toEqual([2]);
    expect(transportOf(s)).toBe(s.transport);
    expect(s.capabilities.has('transport')).toBe(true);
    expect(s.parameterName).toBe('radius');
  });

  it('in conductance mode the same tubes (k given) give the same pressures, and the radii come back from k', () => {
    const k = R.map((x) => 1 / x);
    const s = flowFromTopology(series, 'flow', { parameter: 'conductance', initial: k, viscosity: mu, length: L, bounds: { min: 1e-12, max: 1 } });
    const p = s.equilibrium(s.drive([Q]));
    expect(p[0] / (Q * (R[0] + R[1])) - 1).toBeCloseTo(0, 13);
    s.radii().forEach((ri, i) => expect(ri / r[i] - 1).toBeCloseTo(0, 14));
    s.transport.area().forEach((a, i) => expect(a / (Math.PI * r[i] ** 2) - 1).toBeCloseTo(0, 14));
    expect(s.parameterName).toBe('conductance');
  });

  it('∂E/∂r = (4k/r)·½Δp² and dC/dr = (4k/r)·Δp*·Δu by hand', () => {
    const s = make();
    const d = s.drive([Q]);
    const p = s.equilibrium(d);
    const k = s.transport.hydraulicConductance();
    const dp = [p[0] - p[1], p[1]];
    const force = s.parameterForce(p);
    // E = ½ Σ c r⁴ Δp² with c = π/(8 μ L): ∂E/∂r = 2 c r³ Δp² = 2 (k/r) Δp²
    force.forEach((f, i) => expect(f / ((2 * k[i] * dp[i] ** 2) / r[i]) - 1).toBeCloseTo(0, 13));
    // C = ½ (p_a − y)²; p_a = Q (1/k₁ + 1/k₂): dC/dr_i = (p_a − y) · Q · (−1/k_i²) · 4k_i/r_i
    const y = 2000;
    const g = exampleGradient(pipeline(s), d, [y, 0]);
    // the second output (p_a − p_b = Q/k₁ towards 0) adds (Q/k₁) · Q · (−1/k₁²)·4k₁/r₁ to tube 1
    const expected = [
      (p[0] - y) * Q * (-4 / (k[0] * r[0])) + (Q / k[0]) * Q * (-4 / (k[0] * r[0])),
      (p[0] - y) * Q * (-4 / (k[1] * r[1])),
    ];
    g.gradient.forEach((gi, i) => expect(gi / expected[i] - 1).toBeCloseTo(0, 11));
  });
});

/** The equilibrium by a dense solve of the grounded weighted Laplacian with weights w (ml-matrix). */
function denseEquilibrium(s: FlowSubstrate, w: ArrayLike<number>, injection: Float64Array, fixed: Float64Array): Float64Array {
  const n = s.graph.nodeNames.length;
  const Lap = Matrix.zeros(n, n);
  for (let k = 0; k < w.length; k++) {
    const a = s.graph.from[k];
    const b = s.graph.to[k];
    Lap.set(a, a, Lap.get(a, a) + w[k]);
    Lap.set(b, b, Lap.get(b, b) + w[k]);
    Lap.set(a, b, Lap.get(a, b) - w[k]);
    Lap.set(b, a, Lap.get(b, a) - w[k]);
  }
  const held = new Map<number, number>();
  s.boundary.dirichlet.forEach((node, i) => held.set(node, fixed[i]));
  const free = [...Array(n).keys()].filter((i) => !held.has(i));
  const A = new Matrix(free.length, free.length);
  const rhs = new Matrix(free.length, 1);
  free.forEach((i, row) => {
    let b = injection[i];
    for (const [dn, v] of held) b -= Lap.get(i, dn) * v;
    rhs.set(row, 0, b);
    free.forEach((j, col) => A.set(row, col, Lap.get(i, j)));
  });
  const x = solve(A, rhs);
  const state = new Float64Array(n);
  for (const [dn, v] of held) state[dn] = v;
  free.forEach((i, row) => (state[i] = x.get(row, 0)));
  return state;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('random networks', () => {
  const random = (rng: Rng, nodes: number) =>
    randomTopology(nodes, Math.min(nodes - 1, 2.2 + 2 * rng.next()), { inputs: 2 + rng.int(2), outputs: 3 }, rng);

  it('conductance mode is the resistive calculation with g = k (against a dense Laplacian solve)', () => {
    const rng = new Rng(21);
    let worst = 0;
    for (let trial = 0; trial < 6; trial++) {
      const topo = random(rng, 8 + rng.int(40));
      const k = Float64Array.from(topo.graph.edgeNames, () => rng.uniform(0.2, 3));
      for (const type of ['flow', 'potential'] as const) {
        const s = flowFromTopology(topo, type, { parameter: 'conductance', initial: k, bounds: { min: 1e-3, max: 10 }, viscosity: 7, length: 0.3 });
        const d = s.drive(Float64Array.from(topo.inputNodes, () => rng.uniform(-2, 2)));
        const p = s.equilibrium(d);
        const ref = denseEquilibrium(s, k, d.injection, d.fixed);
        expect(maxAbs(ref)).toBeGreaterThan(0.01);
        worst = Math.max(worst, maxAbsDiff(p, ref) / maxAbs(ref));
        // and its gradient is Δp*·Δu, unaffected by μ and L
        const target = s.readout(p).map((v) => v + rng.uniform(-1, 1));
        const g = exampleGradient(pipeline(s, rng), d, target).gradient;
        const fd = finiteDifferenceGradient(s, d, mseLoss, target);
        expect(fidelity(g, fd).relativeError).toBeLessThan(1e-8);
      }
    }
    expect(worst).toBeLessThan(1e-11);
  });

  it('radius mode: the chain-rule gradient matches finite differences in r to 1e-8, and maps to the k-gradient by 4k/r', () => {
    const rng = new Rng(5);
    let worst = 0;
    let worstCosine = 1;
    const sizes = [8, 12, 20, 35, 60];
    for (const nodes of sizes) {
      const topo = random(rng, nodes);
      const m = topo.graph.from.length;
      const mu = Float64Array.from({ length: m }, () => rng.uniform(0.5, 2));
      const L = Float64Array.from({ length: m }, () => rng.uniform(0.2, 5));
      const r = Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5));
      const names = topo.graph.nodeNames;
      const outputs: (string | [string, string])[] = [names[topo.outputNodes[0]], [names[topo.outputNodes[1]], names[topo.outputNodes[2]]]];
      const type = nodes % 2 === 0 ? 'flow' : 'potential';
      const s = flowFromTopology(topo, type, { parameter: 'radius', initial: r, viscosity: mu, length: L, bounds: { min: 0.01, max: 10 }, outputs });
      const d = s.drive(Float64Array.from(topo.inputNodes, () => rng.uniform(-2, 2)));
      const y = s.readout(s.equilibrium(d));
      const target = Float64Array.from(y, (v) => v + rng.uniform(-1, 1));
      const exact = exampleGradient(pipeline(s, rng), d, target).gradient;
      const fd = finiteDifferenceGradient(s, d, mseLoss, target);
      const f = fidelity(exact, fd);
      worst = Math.max(worst, f.relativeError);
      worstCosine = Math.min(worstCosine, f.cosine);
      expect(f.relativeError).toBeLessThan(1e-8);

      // the same tubes parametrised by k: same state, and dC/dr = (4k/r) dC/dk
      const k = s.transport.hydraulicConductance();
      const c = flowFromTopology(topo, type, { parameter: 'conductance', initial: k, viscosity: mu, length: L, bounds: { min: 1e-6, max: 1e3 }, outputs });
      expect(maxAbsDiff(c.equilibrium(d), s.equilibrium(d))).toBeLessThan(1e-12 * maxAbs(s.equilibrium(d)));
      const gk = exampleGradient(pipeline(c, rng), d, target).gradient;
      const mapped = gk.map((g, j) => ((4 * k[j]) / r[j]) * g);
      expect(fidelity(mapped, exact).relativeError).toBeLessThan(1e-12);
      c.radii().forEach((rr, j) => expect(rr / r[j] - 1).toBeCloseTo(0, 13));
    }
    console.log(`flow, radius mode: chain-rule gradient vs finite differences over ${sizes.length} random networks: worst relative error ${worst.toExponential(2)}, worst cosine 1 - ${(1 - worstCosine).toExponential(2)}`);
  });

  it('the tube flows conserve volume: Σ Q out of a free node = its injection, and the reservoirs take the rest', () => {
    const rng = new Rng(8);
    for (const topo of [gridTopology(6, 5, { inputs: 3, outputs: 2 }), layeredTopology([5, 4], { inputs: 3, outputs: 2 }), random(rng, 40)]) {
      const m = topo.graph.from.length;
      for (const type of ['flow', 'potential'] as const) {
        const s = flowFromTopology(topo, type, {
          parameter: 'radius',
          initial: Float64Array.from({ length: m }, () => rng.uniform(0.5, 1.5)),
          viscosity: 2,
          length: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
          bounds: { min: 0.1, max: 3 },
        });
        const inputs = Float64Array.from(topo.inputNodes, () => rng.uniform(-1, 1));
        const d = s.drive(inputs);
        const p = s.equilibrium(d);
        const q = s.transport.flows(p);
        const net = new Float64Array(topo.graph.nodeNames.length);
        for (let j = 0; j < m; j++) {
          net[topo.graph.from[j]] += q[j];
          net[topo.graph.to[j]] -= q[j];
        }
        const scale = maxAbs(q);
        expect(scale).toBeGreaterThan(1e-3);
        const held = new Set(s.boundary.dirichlet);
        let throughReservoirs = 0;
        net.forEach((x, i) => {
          if (held.has(i)) throughReservoirs += x;
          else expect(Math.abs(x - d.injection[i])).toBeLessThan(1e-12 * scale);
        });
        // flow inputs: what the sources inject leaves by the reference reservoir; reservoirs alone: no net flow
        const injected = type === 'flow' ? inputs.reduce((a, b) => a + b, 0) : 0;
        expect(Math.abs(throughReservoirs + injected)).toBeLessThan(1e-12 * Math.max(scale, 1));
      }
    }
  });

  it('one factorization per parameter update in radius mode', () => {
    const topo = random(new Rng(2), 30);
    const m = topo.graph.from.length;
    const s = flowFromTopology(topo, 'flow', { parameter: 'radius', initial: new Float64Array(m).fill(1), bounds: { min: 0.1, max: 3 } });
    const d = s.drive([1, 2, 3].slice(0, topo.inputNodes.length));
    const before = s.network.factorizations;
    const p = s.equilibrium(d);
    s.linearResponse(p, [s.outputForce(p, [1, 1, 1])]);
    expect(s.network.factorizations).toBe(before + 1);
    s.setParameters(new Float64Array(m).fill(2));
    // r doubled: k × 16, pressures under an inflow ÷ 16
    const p2 = s.equilibrium(d);
    expect(s.network.factorizations).toBe(before + 2);
    expect(maxAbsDiff(p2.map((x) => 16 * x), p)).toBeLessThan(1e-12 * maxAbs(p));
  });
});

describe('bad input', () => {
  const errorOf = (f: () => unknown): MultimechError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(MultimechError);
      return e as MultimechError;
    }
    throw new Error('expected a MultimechError');
  };
  const base = { parameter: 'radius' as const, initial: [1, 1], bounds: { min: 0.1, max: 3 } };

  it('names the tube with a non-positive viscosity, length or radius', () => {
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, viscosity: [1, -2] })).message).toBe(
      "viscosity of tube 't2' must be a finite positive number, got -2",
    );
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, length: 0 })).message).toBe("length of tube 't1' must be a finite positive number, got 0");
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, length: [1, 2, 3] })).message).toBe(
      'flow network: expected 2 length values (one per tube), got 3',
    );
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, initial: [1, 0] })).message).toBe("radius of 't2' must be a finite positive number, got 0");
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, initial: [1] })).message).toBe(
      'flow network: expected 2 initial radius values (one per tube), got 1',
    );
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, initial: [1, 5] })).message).toBe("parameter of 't2' (5) lies outside its bounds [0.1, 3]");
  });

  it('setParameters refuses a non-positive radius, naming the tube and the parameter', () => {
    const s = flowFromTopology(series, 'flow', base);
    expect(errorOf(() => s.setParameters([1, -1])).message).toBe("radius of 't2' must be a finite positive number, got -1");
    expect(errorOf(() => s.setParameters([NaN, 1])).message).toBe("radius of 't1' must be a finite positive number, got NaN");
    expect([...s.parameters]).toEqual([1, 1]);
  });

  it('names unknown output nodes and refuses a difference of a node with itself', () => {
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, outputs: ['z'] })).message).toBe("unknown node 'z' (nodes: a, b, res)");
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, outputs: [['a', 'a']] })).message).toBe("output p(a,a) compares node 'a' with itself");
  });

  it('names the nodes with no path to a reservoir', () => {
    const floating: Topology = {
      graph: createGraph(['a', 'b', 'c', 'res'], [
        { name: 't1', from: 0, to: 3 },
        { name: 't2', from: 1, to: 2 },
      ]),
      inputNodes: [0],
      outputNodes: [1],
      groundNodes: [3],
    };
    expect(errorOf(() => flowFromTopology(floating, 'flow', base)).message).toMatch(/no path to ground .* b, c/);
  });

  it('refuses an unknown parameter mode', () => {
    expect(errorOf(() => flowFromTopology(series, 'flow', { ...base, parameter: 'diameter' as never })).message).toBe(
      `flow network: parameter must be 'conductance' or 'radius', got "diameter"`,
    );
  });
});
