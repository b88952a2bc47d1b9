import {
  InputFileError,
  MultimechError,
  Rng,
  adjointError,
  combineDrives,
  dcActivation,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  layeredTopology,
  gridTopology,
  mseLoss,
  productRule,
} from '@multimech/core';
import { parseSpice, resistiveFromNetlist, resistiveFromTopology, toNetlist, writeSpice } from '@multimech/resistive';
import { denseEquilibrium, maxAbs, maxAbsDiff, randomNetlist } from './random-netlist';

const node = (s: { graph: { nodeNames: readonly string[] } }, name: string) => s.graph.nodeNames.indexOf(name);

describe('hand-solvable circuits', () => {
  it('a loaded voltage divider', () => {
    const s = resistiveFromNetlist(parseSpice('divider\nV1 in 0 10\nR1 in mid 1k\nR2 mid 0 4k\nR3 mid 0 4k\n', 'd.cir'), { outputs: ['mid'] });
    expect(s.boundary.inputs).toEqual([{ name: 'V1', type: 'potential', node: node(s, 'in'), dirichletIndex: 1 }]);
    expect([...s.defaultInputs!]).toEqual([10]);
    const v = s.equilibrium(s.drive(s.defaultInputs!));
    expect(v[node(s, 'in')]).toBe(10);
    expect(v[node(s, 'mid')]).toBeCloseTo((10 * 2) / 3, 13);
    expect(s.readout(v)[0]).toBeCloseTo(20 / 3, 13);
    // scaled inputs scale the state
    expect(s.equilibrium(s.drive([-3]))[node(s, 'mid')]).toBeCloseTo(-2, 13);
  });

  it('a voltage source written ground-first holds its node at minus its value', () => {
    const s = resistiveFromNetlist(parseSpice('neg\nV1 0 x 5\nR1 x y 1\nR2 y 0 1\n', 'n.cir'));
    expect([...s.defaultInputs!]).toEqual([-5]);
    const v = s.equilibrium(s.drive(s.defaultInputs!));
    expect(v[node(s, 'x')]).toBe(-5);
    expect(v[node(s, 'y')]).toBeCloseTo(-2.5, 14);
  });

  it('a current into a resistor ladder (SPICE direction: I a b pushes current from a through the source into b)', () => {
    // 1 mA enters a; a sees 2k || (1k + 1k) = 1k.
    const s = resistiveFromNetlist(parseSpice('ladder\nI1 0 a 1m\nR1 a 0 2k\nR2 a b 1k\nR3 b 0 1k\n', 'l.cir'), { outputs: ['a', 'b', ['a', 'b']] });
    expect(s.boundary.inputs).toEqual([{ name: 'I1', type: 'flow', node: node(s, 'a'), ref: node(s, '0') }]);
    const v = s.equilibrium(s.drive(s.defaultInputs!));
    expect(v[node(s, 'a')]).toBeCloseTo(1, 13);
    expect(v[node(s, 'b')]).toBeCloseTo(0.5, 13);
    const y = s.readout(v);
    expect([...y].map((x) => +x.toFixed(12))).toEqual([1, 0.5, 0.5]);
    expect(s.boundary.outputs.map((o) => o.name)).toEqual(['a', 'b', 'v(a,b)']);
    // between two nodes: withdrawn from a, injected into b
    const t = resistiveFromNetlist(parseSpice('two\nI1 a b 1m\nRa a 0 1k\nRb b 0 1k\n', 't.cir'));
    const w = t.equilibrium(t.drive(t.defaultInputs!));
    expect(w[node(t, 'a')]).toBeCloseTo(-1, 13);
    expect(w[node(t, 'b')]).toBeCloseTo(1, 13);
  });

  it('the energy, its parameter derivative and the local gradient of a one-resistor circuit', () => {
    // V1 = 2 V across R = 4 ohm (g = 0.25): E = ½ g V², ∂E/∂g = ½ V² = 2.
    const s = resistiveFromNetlist(parseSpice('one\nV1 a 0 2\nR1 a b 4\nR2 b 0 4\n', 'o.cir'), { outputs: ['b'] });
    const d = s.drive([2]);
    const v = s.equilibrium(d);
    expect(s.energy(v, d)).toBeCloseTo(0.5 * 0.25 * 1 + 0.5 * 0.25 * 1, 14);
    s.parameterForce(v).forEach((f) => expect(f).toBeCloseTo(0.5, 14));
    s.activationReadings(v).forEach((dv) => expect(dv).toBeCloseTo(1, 14));
    expect([...s.localGradient(Float64Array.of(2, 3), Float64Array.of(5, -7))]).toEqual([10, -21]);
    // C = ½ V_b², V_b = 2 g1/(g1+g2) = 1: dC/dg1 = V_b · 2 g2/(g1+g2)² = 2, dC/dg2 = −V_b · 2 g1/(g1+g2)² = −2
    const grad = exampleGradient(
      { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(1) },
      d,
      [0],
    ).gradient;
    expect(grad[0]).toBeCloseTo(2, 13);
    expect(grad[1]).toBeCloseTo(-2, 13);
  });
});

describe('equilibrium against a dense solve', () => {
  it.each(['cholesky', 'cg', 'auto'] as const)('random netlists, solver %s', (method) => {
    const rng = new Rng(7);
    let worst = 0;
    for (let trial = 0; trial < 8; trial++) {
      const nodes = 5 + rng.int(120);
      const { netlist, outputs } = randomNetlist(rng, nodes, { voltages: 1 + rng.int(3), currents: 1 + rng.int(3), outputs: 2 });
      const s = resistiveFromNetlist(netlist, { outputs, solver: { method } });
      const d = s.drive(s.defaultInputs!);
      const v = s.equilibrium(d);
      const ref = denseEquilibrium(s, d);
      worst = Math.max(worst, maxAbsDiff(v, ref) / maxAbs(ref));
      expect(maxAbs(ref)).toBeGreaterThan(0);
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('generated topologies with flow and potential inputs', () => {
    const rng = new Rng(3);
    for (const type of ['flow', 'potential'] as const) {
      for (const topo of [layeredTopology([4, 3], { inputs: 3, outputs: 2 }), gridTopology(5, 4, { inputs: 2, outputs: 3 })]) {
        const g = Float64Array.from(topo.graph.edgeNames, () => rng.uniform(0.5, 1.5));
        const s = resistiveFromTopology(topo, type, { conductances: g, bounds: { min: 1e-4, max: 10 } });
        const inputs = Float64Array.from(topo.inputNodes, () => rng.uniform(-1, 1));
        const d = s.drive(inputs);
        const v = s.equilibrium(d);
        expect(maxAbsDiff(v, denseEquilibrium(s, d))).toBeLessThan(1e-12 * maxAbs(v));
        if (type === 'potential') topo.inputNodes.forEach((n, i) => expect(v[n]).toBe(inputs[i]));
        else {
          // every source's current is withdrawn at the ground node and returns there through the resistors
          const total = inputs.reduce((a, b) => a + b, 0);
          const ground = topo.groundNodes[0];
          expect(d.injection[ground]).toBeCloseTo(-total, 15);
          topo.inputNodes.forEach((n, i) => expect(d.injection[n]).toBe(inputs[i]));
          expect(Math.abs(s.residual(v, d)[ground])).toBeLessThan(1e-12);
          expect(s.boundary.inputs.map((p) => p.name)).toEqual(topo.inputNodes.map((_, i) => `I${i + 1}`));
        }
        expect(s.boundary.outputs.map((o) => o.node)).toEqual(topo.outputNodes);
      }
    }
  });
});

describe('adjoint gradient against finite differences', () => {
  it('22 random networks of 5-200 nodes with voltage and current inputs and several outputs', () => {
    const rng = new Rng(2024);
    const sizes = [5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 90, 100, 120, 140, 160, 175, 190, 200, 200];
    let worst = 0;
    let worstCosine = 1;
    for (const nodes of sizes) {
      const outputs0 = nodes < 8 ? 1 : 2 + rng.int(3);
      const voltages = 1 + rng.int(nodes < 8 ? 2 : 3);
      const ports = { voltages, currents: 1 + rng.int(Math.min(3, nodes - 2 - outputs0 - voltages)), outputs: outputs0 };
      const { netlist, outputs } = randomNetlist(rng, nodes, ports);
      const s = resistiveFromNetlist(netlist, { outputs, solver: { method: 'cholesky' } });
      const d = s.drive(s.defaultInputs!);
      const y = s.readout(s.equilibrium(d));
      const target = Float64Array.from(y, (v) => v + rng.uniform(-1, 1));
      const exact = exampleGradient(
        { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng },
        d,
        target,
      ).gradient;
      // core's reference: central differences with a Richardson step, error O(h⁴)
      const fd = finiteDifferenceGradient(s, d, mseLoss, target);
      const { relativeError, cosine } = fidelity(exact, fd);
      worst = Math.max(worst, relativeError);
      worstCosine = Math.min(worstCosine, cosine);
      expect(relativeError).toBeLessThan(1e-8);
    }
    console.log(`adjoint vs finite differences over ${sizes.length} networks: worst relative error ${worst.toExponential(2)}, worst cosine 1 - ${(1 - worstCosine).toExponential(2)}`);
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

  it('refuses a floating voltage source, naming it', () => {
    const e = errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nR2 b 0 1\nVx a b 1\n', 'f.cir'), { file: 'f.cir' }));
    expect(e).toBeInstanceOf(InputFileError);
    expect(e.message).toMatch(/^f\.cir:4: voltage source 'Vx' floats between 'a' and 'b': floating voltage sources are not supported/);
  });

  it('refuses two voltage sources on one node', () => {
    const e = errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nV1 a 0 1\nV2 0 a 1\n', 'f.cir'), { file: 'f.cir' }));
    expect(e.message).toBe("f.cir:4: voltage sources 'V1' and 'V2' both hold node 'a'");
  });

  it('names an unknown output node and lists the nodes', () => {
    const e = errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nR2 a b 1\n', 'f.cir'), { file: 'f.cir', outputs: ['b', 'c'] }));
    expect(e.message).toBe("f.cir: output node 'c' is not in the netlist (nodes: a, 0, b)");
  });

  it('names the nodes with no path to ground', () => {
    const e = errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nR2 b c 1\nI1 0 c 1\n', 'f.cir'), { file: 'f.cir' }));
    expect(e.message).toContain('f.cir: ');
    expect(e.message).toContain('no path to ground');
    expect(e.message).toContain('b, c');
  });

  it('refuses a netlist without ground or without resistors', () => {
    expect(errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a b 1\n', 'f.cir'), { file: 'f.cir' })).message).toContain('no ground node');
    expect(errorOf(() => resistiveFromNetlist(parseSpice('f\nI1 a 0 1\n', 'f.cir'), { file: 'f.cir' })).message).toContain('no resistors');
  });

  it('refuses conductances outside given bounds, naming the resistor', () => {
    const e = errorOf(() => resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nR2 a 0 1m\n', 'f.cir'), { file: 'f.cir', bounds: { min: 1e-3, max: 10 } }));
    expect(e.message).toMatch(/^f\.cir:3: conductance of 'R2' .* outside the bounds \[0\.001, 10\]/);
  });

  it('setParameters refuses non-finite and non-positive conductances, naming the edge', () => {
    const s = resistiveFromNetlist(parseSpice('f\nR1 a 0 1\nRmid a b 2\nR3 b 0 1\n', 'f.cir'));
    expect(errorOf(() => s.setParameters([1, NaN, 1])).message).toBe("conductance of 'Rmid' must be a finite positive number, got NaN");
    expect(errorOf(() => s.setParameters([1, 1, 0])).message).toContain("'R3'");
    expect(errorOf(() => s.setParameters([1, 1])).message).toContain('expected 3 conductance values (one per edge), got 2');
    expect(errorOf(() => s.drive([1])).message).toContain('expected 0 input values');
    expect([...s.parameters]).toEqual([1, 0.5, 1]);
  });
});

describe('toNetlist', () => {
  it('exports a trained netlist network that reads back to the same equilibrium', () => {
    const rng = new Rng(11);
    const { netlist, outputs } = randomNetlist(rng, 30, { voltages: 2, currents: 2, outputs: 3 });
    const s = resistiveFromNetlist(netlist, { outputs });
    s.setParameters(s.parameters.map((g) => g * rng.uniform(0.5, 2)));
    const text = writeSpice(toNetlist(s));
    const back = resistiveFromNetlist(parseSpice(text, 'back.cir'), { outputs });
    expect(back.parameterNames).toEqual(s.parameterNames);
    expect(maxAbsDiff(back.parameters, s.parameters)).toBeLessThan(1e-15 * maxAbs(s.parameters));
    const v = s.equilibrium(s.drive(s.defaultInputs!));
    const w = back.equilibrium(back.drive(back.defaultInputs!));
    expect(maxAbsDiff(back.readout(w), s.readout(v))).toBeLessThan(1e-12 * maxAbs(v));
    expect(maxAbsDiff(w, v)).toBeLessThan(1e-12 * maxAbs(v));
  });

  it('exports generated networks with their sources', () => {
    for (const type of ['flow', 'potential'] as const) {
      const topo = layeredTopology([3], { inputs: 2, outputs: 2 });
      const s = resistiveFromTopology(topo, type, { conductances: new Float64Array(topo.graph.from.length).fill(0.5), bounds: { min: 0.01, max: 1 } });
      const netlist = toNetlist(s, [1, -2]);
      expect(netlist.elements.filter((e) => e.kind !== 'R').map((e) => `${e.name} ${e.nodes.join(' ')} ${e.value}`)).toEqual(
        type === 'flow' ? ['I1 0 in0 1', 'I2 0 in1 -2'] : ['V1 in0 0 1', 'V2 in1 0 -2'],
      );
      expect(netlist.elements[0]).toEqual({ kind: 'R', name: 'Rin0-h0', nodes: ['in0', 'h0'], value: 2, line: 2 });
      const back = resistiveFromNetlist(parseSpice(writeSpice(netlist), 'x.cir'), { outputs: ['out0', 'out1'] });
      const y = s.readout(s.equilibrium(s.drive([1, -2])));
      const z = back.readout(back.equilibrium(back.drive(back.defaultInputs!)));
      expect(maxAbsDiff(y, z)).toBeLessThan(1e-13);
      expect(maxAbs(y)).toBeGreaterThan(0.1);
    }
  });
});

describe('one factorization per update', () => {
  it('refactors once after setParameters however many solves follow', () => {
    const { netlist, outputs } = randomNetlist(new Rng(5), 40, { voltages: 2, currents: 1, outputs: 2 });
    const s = resistiveFromNetlist(netlist, { outputs });
    const d = s.drive(s.defaultInputs!);
    const before = s.network.factorizations;
    s.equilibrium(d);
    s.equilibria([d, combineDrives(2, d, 0, d)]);
    s.linearResponse(s.equilibrium(d), [new Float64Array(s.graph.nodeNames.length).fill(1)]);
    expect(s.network.factorizations).toBe(before + 1);
    s.setParameters(s.parameters);
    s.equilibrium(d);
    expect(s.network.factorizations).toBe(before + 2);
  });
});
