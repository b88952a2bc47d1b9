import { Rng, dcActivation, fidelity, mseLoss } from '@multimech/core';
import { createChemicalError, type ChemicalErrorConfig } from '../src';
import { adjointGradient, gradientOf, randomFlowNetwork, type FlowCase } from './networks';

/**
 * The departures real systems have (PHYSICS.md §4), each measured against
 * the exact gradient rather than assumed: diffusivity ∝ tube area (r²)
 * while the conductance goes as r⁴, and advection by the flow (a
 * nonsymmetric operator). Both must be real departures, and both must still
 * point downhill.
 */

const NETWORKS: FlowCase[] = Array.from({ length: 8 }, (_, i) =>
  randomFlowNetwork(700 + i, {
    nodes: 20 + 6 * i,
    meanDegree: 3 + 0.2 * i,
    inputs: 2 + (i % 3),
    outputs: 2 + (i % 2),
    inputType: i % 2 === 0 ? 'potential' : 'flow',
  }),
);

function measure(config: ChemicalErrorConfig) {
  return NETWORKS.map((c) => {
    const g = gradientOf(c, createChemicalError(config));
    return { ...fidelity(g.gradient, adjointGradient(c)), diagnostics: g.diagnostics ?? {} };
  });
}

const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(4)).join(', ');
const area = measure({ diffusivity: 'area' });
const advection = measure({ advection: true });
const both = measure({ diffusivity: 'area', advection: true });
console.log(
  `chemical fidelity on ${NETWORKS.length} random flow networks (cosine / relative error): ` +
    `area law ${fmt(area.map((r) => r.cosine))} / ${fmt(area.map((r) => r.relativeError))}; ` +
    `advection (γ = 1) ${fmt(advection.map((r) => r.cosine))} / ${fmt(advection.map((r) => r.relativeError))}; ` +
    `both ${fmt(both.map((r) => r.cosine))}`,
);

describe('measured departures of chemical signalling from the exact gradient', () => {
  it(`diffusivity ∝ r² is a departure that still points downhill (cosines ${fmt(area.map((r) => r.cosine))})`, () => {
    for (const r of area) {
      expect(r.relativeError).toBeGreaterThan(1e-3);
      expect(r.cosine).toBeGreaterThan(0);
    }
  });

  it(`advection is a departure that still points downhill (cosines ${fmt(advection.map((r) => r.cosine))})`, () => {
    for (const r of advection) {
      expect(r.relativeError).toBeGreaterThan(1e-3);
      expect(r.cosine).toBeGreaterThan(0);
      expect(r.diagnostics.pecletMax).toBeGreaterThan(0);
      expect(r.diagnostics.pecletMedian).toBeLessThanOrEqual(r.diagnostics.pecletMax);
    }
  });

  it(`both together still point downhill (cosines ${fmt(both.map((r) => r.cosine))})`, () => {
    for (const r of both) expect(r.cosine).toBeGreaterThan(0);
  });

  it('the area law is exact when every tube has the same radius, and departs more as the radii spread', () => {
    const errors = [1, 1.2, 1.5, 2, 3].map((ratio) => {
      const c = randomFlowNetwork(31, { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential', parameter: 'radius', spread: [1, ratio] });
      return fidelity(gradientOf(c, createChemicalError({ diffusivity: 'area' })).gradient, adjointGradient(c)).relativeError;
    });
    expect(errors[0]).toBeLessThanOrEqual(1e-10);
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeGreaterThan(errors[i - 1]);
    expect(errors[1]).toBeGreaterThan(1e-3);
  });

  it('the advection error vanishes linearly with the Péclet number (log-log slope 1 against 1/γ)', () => {
    const c = NETWORKS[2];
    const exact = adjointGradient(c);
    const gammas = [1e2, 1e3, 1e4];
    const errors = gammas.map((gamma) => fidelity(gradientOf(c, createChemicalError({ advection: true, gamma })).gradient, exact).relativeError);
    for (let i = 1; i < errors.length; i++) {
      const slope = Math.log(errors[i - 1] / errors[i]) / Math.log(gammas[i] / gammas[i - 1]);
      expect(slope).toBeGreaterThan(0.95);
      expect(slope).toBeLessThan(1.05);
    }
    expect(errors[errors.length - 1]).toBeLessThan(1e-3);
  });

  it('reports the Péclet number of each tube as |Q|/D, which for D = γk is |Δp*|/γ', () => {
    const c = NETWORKS[3];
    const gamma = 0.7;
    const g = gradientOf(c, createChemicalError({ advection: true, gamma }));
    const state = dcActivation.activate(c.substrate, c.drive).state;
    const pe = c.substrate.activationReadings(state).map((dp) => Math.abs(dp) / gamma).sort();
    expect(g.diagnostics!.pecletMax).toBeCloseTo(pe[pe.length - 1], 12);
    const mid = pe.length % 2 ? pe[(pe.length - 1) / 2] : 0.5 * (pe[pe.length / 2 - 1] + pe[pe.length / 2]);
    expect(g.diagnostics!.pecletMedian).toBeCloseTo(mid, 12);
  });

  it('conserves the chemical with advection: what the sources put in leaves through the reservoirs and the sinks', () => {
    for (const c of [NETWORKS[0], NETWORKS[1]]) {
      const { substrate } = c;
      const net = substrate.transport;
      const lambda = 0.8;
      const gamma = 0.3;
      const state = substrate.equilibrium(c.drive);
      const force = substrate.outputForce(state, mseLoss.gradient(substrate.readout(state), c.target));
      const reading = createChemicalError({ advection: true, lambda, gamma }).measure({
        substrate,
        activation: dcActivation.activate(substrate, c.drive),
        errorForce: force,
        loss: { evaluate: () => ({ value: 0, force }) },
        rng: new Rng(0),
      });
      // δ = c − c₀ per node, rebuilt from the readings: (λ/γ)·reading is the drop of δ along each tube; δ = 0 at held nodes.
      const delta = rebuildField(net.graph, net.fixedNodes, reading.readings.map((x) => (lambda / gamma) * x));
      const k = net.hydraulicConductance();
      const Q = net.flows(state);
      const held = new Set(net.fixedNodes);
      let leaving = 0;
      const outflow = new Float64Array(delta.length);
      const inflow = new Float64Array(delta.length);
      net.graph.from.forEach((a, e) => {
        const b = net.graph.to[e];
        const [up, down] = Q[e] >= 0 ? [a, b] : [b, a];
        outflow[up] += Math.abs(Q[e]);
        inflow[down] += Math.abs(Q[e]);
        if (held.has(b) && !held.has(a)) leaving += gamma * k[e] * delta[a] + (Q[e] > 0 ? Q[e] * delta[a] : 0);
        if (held.has(a) && !held.has(b)) leaving += gamma * k[e] * delta[b] + (Q[e] < 0 ? -Q[e] * delta[b] : 0);
      });
      // Free nodes where fluid leaves the network (a negative injection) carry their concentration out with it.
      for (let i = 0; i < delta.length; i++) if (!held.has(i)) leaving += Math.max(inflow[i] - outflow[i], 0) * delta[i];
      let put = 0;
      for (let i = 0; i < delta.length; i++) if (!held.has(i)) put += lambda * force[i];
      expect(Math.abs(leaving - put)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(put), 1e-3));
      expect(Math.abs(put)).toBeGreaterThan(1e-3);
    }
  });
});

/** A node field from its drops along a spanning tree, zero at the held nodes (the graph is connected). */
function rebuildField(graph: { from: Int32Array; to: Int32Array; nodeNames: readonly string[] }, held: Int32Array, drops: Float64Array): Float64Array {
  const n = graph.nodeNames.length;
  const field = new Float64Array(n);
  const known = new Uint8Array(n);
  const queue: number[] = [];
  for (const h of held) {
    known[h] = 1;
    queue.push(h);
  }
  while (queue.length) {
    const i = queue.shift()!;
    graph.from.forEach((a, e) => {
      const b = graph.to[e];
      if (a === i && !known[b]) {
        field[b] = field[a] - drops[e];
        known[b] = 1;
        queue.push(b);
      } else if (b === i && !known[a]) {
        field[a] = field[b] + drops[e];
        known[a] = 1;
        queue.push(a);
      }
    });
  }
  return field;
}
