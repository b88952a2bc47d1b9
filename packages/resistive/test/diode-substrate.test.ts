import {
  NumericalError,
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  mseLoss,
  productRule,
} from '@multimech/core';
import {
  DEFAULT_GMIN,
  THERMAL_VOLTAGE,
  ResistiveSubstrate,
  parseSpice,
  resistiveFromNetlist,
  shockleyDiode,
  toNetlist,
  writeSpice,
} from '@multimech/resistive';
import { maxAbs, randomDiodeNetlist, randomNetlist } from './random-netlist';

function netOf(text: string, outputs: string[] = []): ResistiveSubstrate {
  return resistiveFromNetlist(parseSpice(text, 'hard.cir'), { file: 'hard.cir', outputs });
}

/** max |KCL residual| at the free nodes. */
function kcl(s: ResistiveSubstrate, V: Float64Array): number {
  const r = s.residual(V, s.drive(s.defaultInputs!));
  return maxAbs(Float64Array.from(s.network.freeNodes, (node) => r[node]));
}

describe('the Shockley law', () => {
  const law = shockleyDiode({ IS: 1e-14, N: 1.5 });
  const nvt = 1.5 * THERMAL_VOLTAGE;

  it('uses Vt = kT/q at 27 °C and SPICE gmin', () => {
    expect(THERMAL_VOLTAGE).toBeCloseTo(0.025865, 6);
    expect(DEFAULT_GMIN).toBe(1e-12);
    expect(law.current(0.6)).toBeCloseTo(1e-14 * (Math.exp(0.6 / nvt) - 1) + 1e-12 * 0.6, 20);
  });

  it.each([-3, -0.2, 0, 0.3, 0.65, 0.8])('conductance and current are the derivatives of the co-content at %d V', (v) => {
    const h = 1e-6;
    const dF = (law.coContent(v + h) - law.coContent(v - h)) / (2 * h);
    expect(Math.abs(dF - law.current(v))).toBeLessThanOrEqual(1e-6 * Math.abs(law.current(v)) + 1e-20);
    const di = (law.current(v + h) - law.current(v - h)) / (2 * h);
    expect(Math.abs(di - law.conductance(v))).toBeLessThanOrEqual(1e-6 * law.conductance(v));
  });

  it('limits a junction voltage rising past Vcrit logarithmically, as pnjlim', () => {
    const limited = law.limit!(5, 0.1);
    expect(limited).toBeCloseTo(0.1 + nvt * Math.log1p(4.9 / nvt), 12);
    expect(law.limit!(0.3, 0.2)).toBe(0.3); // below Vcrit: no limit
    expect(law.limit!(10, -2)).toBeCloseTo(nvt * Math.log(10 / nvt), 12);
  });

  it('refuses non-positive parameters', () => {
    expect(() => shockleyDiode({ IS: 0, N: 1 })).toThrow(/IS=0/);
    expect(() => shockleyDiode({ IS: 1e-14, N: -1 })).toThrow(/positive/);
  });
});

describe('Newton equilibrium on hard cases', () => {
  const cases: [string, string, (V: (node: string) => number) => void][] = [
    [
      'a reverse-biased diode (only IS and gmin flow)',
      'rev\nV1 in 0 5\nR1 in a 1k\nD1 0 a dm\n.model dm D(IS=1e-14)\n',
      (V) => expect(5 - V('a')).toBeCloseTo(1e3 * (1e-14 + 1e-12 * V('a')), 15),
    ],
    [
      'back-to-back diodes (the middle node hangs on two junctions)',
      'b2b\nV1 in 0 3\nD1 in m dm\nD2 0 m dm\nR1 in 0 1k\n.model dm D(IS=1e-12 N=1.2)\n',
      (V) => expect(V('m')).toBeGreaterThan(2.5),
    ],
    [
      'five diodes in series',
      'series\nV1 in 0 5\nR1 in a 1k\nD1 a b dm\nD2 b c dm\nD3 c d dm\nD4 d e dm\nD5 e 0 dm\n.model dm D(IS=1e-14 N=1)\n',
      (V) => expect(V('a')).toBeGreaterThan(3),
    ],
    [
      'stiff IS from 1e-15 to 1e-9 in parallel branches',
      'stiff\nV1 in 0 2\nR1 in a 100\nD1 a 0 d15\nR2 in b 100\nD2 b 0 d9\nR3 a b 10k\n.model d15 D(IS=1e-15)\n.model d9 D(IS=1e-9 N=1)\n',
      (V) => expect(V('a')).toBeGreaterThan(V('b')),
    ],
    [
      'a large forward drive: 10 V across a diode and 1 kOhm',
      'forward\nV1 in 0 10\nR1 in a 1k\nD1 a 0 dm\n.model dm D(IS=1e-14 N=1)\n',
      (V) => {
        const i = (10 - V('a')) / 1e3;
        expect(V('a')).toBeCloseTo(THERMAL_VOLTAGE * Math.log1p((i - 1e-12 * V('a')) / 1e-14), 12);
      },
    ],
    [
      'a current source forcing 1 A through a diode',
      'current\nI1 0 a 1\nD1 a 0 dm\nR1 a 0 1meg\n.model dm D(IS=1e-15)\n',
      (V) => expect(V('a')).toBeCloseTo(THERMAL_VOLTAGE * Math.log(1 / 1e-15), 4),
    ],
  ];

  it.each(cases)('%s: KCL holds to 1e-12 A from a cold start and a warm one', (_label, text, checkPhysics) => {
    const s = netOf(text);
    const drive = s.drive(s.defaultInputs!);
    const V = s.equilibrium(drive);
    const cold = s.network.lastNewton!;
    expect(cold.iterations).toBeGreaterThan(0);
    expect(cold.iterations).toBeLessThanOrEqual(60);
    expect(cold.residual).toBeLessThanOrEqual(1e-12);
    expect(kcl(s, V)).toBeLessThanOrEqual(1e-12);
    checkPhysics((node) => V[s.graph.nodeNames.indexOf(node)]);
    // a warm start at the last equilibrium returns at once
    s.equilibrium(drive);
    expect(s.network.lastNewton!.iterations).toBeLessThanOrEqual(1);
  });

  it('reports the Newton iterations on the hard cases', () => {
    const counts = cases.map(([label, text]) => {
      const s = netOf(text);
      s.equilibrium(s.drive(s.defaultInputs!));
      return `${label}: ${s.network.lastNewton!.iterations}`;
    });
    expect(counts).toHaveLength(cases.length);
    console.log(`Newton iterations from a cold start:\n  ${counts.join('\n  ')}`);
  });

  it('fails with iterations, residual and the worst node named, never a NaN', () => {
    const s = resistiveFromNetlist(parseSpice(cases[4][1], 'forward.cir'), { newton: { maxIterations: 3 } });
    let error: unknown;
    try {
      s.equilibrium(s.drive(s.defaultInputs!));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NumericalError);
    const message = (error as Error).message;
    expect(message).toMatch(/did not converge \(too many iterations\) after 3 Newton iterations: residual \d\.\d+e-\d+, worst at node 'a'/);
    expect(message).not.toMatch(/NaN/);
  });
});

describe('nonlinear adjoint against finite differences', () => {
  it('12 random diode networks of 6-40 nodes: ΔV*·Δu matches central differences with Richardson to 1e-7', () => {
    const rng = new Rng(2024);
    const errors: number[] = [];
    for (let t = 0; t < 12; t++) {
      const nodes = 6 + rng.int(35);
      const { netlist, outputs } = randomDiodeNetlist(rng, nodes, { voltages: 1 + rng.int(2), currents: rng.int(2), outputs: 1 + rng.int(3), diodes: 2 + rng.int(6) });
      const s = resistiveFromNetlist(netlist, { outputs });
      expect(s.capabilities.has('linear')).toBe(false);
      const drive = s.drive(s.defaultInputs!);
      const y0 = s.readout(s.equilibrium(drive));
      const target = y0.map((v) => v + rng.uniform(-0.5, 0.5));
      const pipeline = { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng };
      const exact = exampleGradient(pipeline, drive, target).gradient;
      const reference = finiteDifferenceGradient(s, drive, mseLoss, target);
      expect(maxAbs(reference)).toBeGreaterThan(0);
      errors.push(fidelity(exact, reference).relativeError);
    }
    console.log(`adjoint vs finite differences on diode networks: worst relative error ${Math.max(...errors).toExponential(2)}`);
    for (const e of errors) expect(e).toBeLessThanOrEqual(1e-7);
  });
});

describe('the Hessian at a state', () => {
  const text = 'fact\nV1 in 0 2\nR1 in a 1k\nD1 a 0 dm\nR2 a b 2k\nD2 b 0 dm\n.model dm D(IS=1e-13)\n';

  it('adds each diode’s small-signal conductance and is shared by every solve at that state', () => {
    const s = netOf(text, ['b']);
    const V = s.equilibrium(s.drive(s.defaultInputs!));
    const before = s.network.factorizations;
    const { matrix, freeDofs } = s.hessian(V);
    const law = shockleyDiode({ IS: 1e-13, N: 1 });
    const a = s.graph.nodeNames.indexOf('a');
    const row = [...freeDofs].indexOf(a);
    const diag = [...Array(matrix.rowPtr[row + 1] - matrix.rowPtr[row]).keys()]
      .map((p) => matrix.rowPtr[row] + p)
      .find((p) => matrix.colIdx[p] === row)!;
    expect(matrix.values[diag]).toBeCloseTo(1e-3 + 1 / 2e3 + law.conductance(V[a]), 15);
    const f1 = new Float64Array(V.length);
    f1[a] = 1;
    s.linearResponse(V, [f1]);
    s.linearResponse(Float64Array.from(V), [f1, f1]);
    expect(s.network.factorizations - before).toBe(1);
    const moved = Float64Array.from(V);
    moved[a] += 0.01;
    s.linearResponse(moved, [f1]);
    expect(s.network.factorizations - before).toBe(2);
  });

  it('linear networks keep the linear capability and one factorization per update', () => {
    const { netlist, outputs } = randomNetlist(new Rng(5), 20, { voltages: 1, currents: 1, outputs: 2 });
    const s = resistiveFromNetlist(netlist, { outputs });
    expect(s.capabilities.has('linear')).toBe(true);
    const before = s.network.factorizations;
    const V = s.equilibrium(s.drive(s.defaultInputs!));
    s.linearResponse(V, [V]);
    s.linearResponse(new Float64Array(V.length), [V]);
    expect(s.network.factorizations - before).toBe(1);
  });
});

describe('toNetlist with diodes', () => {
  it('writes the diodes and their models, and reads back to the same equilibrium', () => {
    const s = netOf('d\nV1 in 0 3\nR1 in a 1k\nD1 a b DM\nD2 b 0 dm2\nR2 b 0 500\n.model DM D(IS=2e-14 N=1.3)\n.model dm2 D(IS=5e-15)\n', ['b']);
    s.setParameters([2e-3, 1.5e-3]);
    const text = writeSpice(toNetlist(s));
    expect(text).toContain('D1 a b DM');
    expect(text).toContain('.model DM D(IS=2e-14 N=1.3)');
    expect(text).toContain('.model dm2 D(IS=5e-15 N=1)');
    const back = resistiveFromNetlist(parseSpice(text, 'back.cir'), { outputs: ['b'] });
    const V = s.equilibrium(s.drive(s.defaultInputs!));
    const W = back.equilibrium(back.drive(back.defaultInputs!));
    for (let i = 0; i < V.length; i++) expect(Math.abs(W[back.graph.nodeNames.indexOf(s.graph.nodeNames[i])] - V[i])).toBeLessThanOrEqual(1e-13);
  });
});

describe('bad diode input', () => {
  it('a node reached only through diodes is grounded; a node reached by nothing is named', () => {
    expect(() => netOf('ok\nV1 in 0 1\nR1 in 0 1k\nD1 in m dm\nD2 m 0 dm\n.model dm D()\n')).not.toThrow();
    expect(() => netOf('bad\nV1 in 0 1\nR1 in 0 1k\nR2 x y 1k\nD1 y x dm\n.model dm D()\n')).toThrow(/hard\.cir: no path to ground .* from node\(s\) x, y/);
  });
});
