import { InputFileError, Rng, adjointError, dcActivation, exampleGradient, fidelity, finiteDifferenceGradient, mseLoss, productRule } from '@multimech/core';
import { THERMAL_VOLTAGE, parseSpice, resistiveFromNetlist, toNetlist, writeSpice } from '@multimech/resistive';

const body = 'V1 in 0 5\nR1 in a 1k\nR2 b 0 2k\nR3 a 0 3k\nR4 a c 500\n';
const diodeText = `with D\n${body}D1 a b dm\nD2 0 c dm\n.model dm D(IS=1e-12 N=1)\n`;
const lawText =
  `with B\n${body}B1 a b I={IS*(exp(v/vt)-1) + gmin*v}\n+ ; the law continues\nB2 0 c I={IS*(exp(v/vt)-1) + gmin*v}\n` +
  `.param IS=1e-12 vt=${THERMAL_VOLTAGE}\n.param gmin=1e-12\n.options lawrange=-6,1\n`;

describe('behavioural (B) elements', () => {
  it('a B element with the Shockley law equals the D element (node voltages to 1e-9)', () => {
    const d = resistiveFromNetlist(parseSpice(diodeText, 'd.cir'), { file: 'd.cir' });
    const b = resistiveFromNetlist(parseSpice(lawText, 'b.cir'), { file: 'b.cir' });
    expect(b.capabilities.has('linear')).toBe(false);
    expect(b.laws.map((l) => l.name)).toEqual(['B1', 'B2']);
    const Vd = d.equilibrium(d.drive(d.defaultInputs!));
    const Vb = b.equilibrium(b.drive(b.defaultInputs!));
    expect(d.graph.nodeNames).toEqual(b.graph.nodeNames);
    const a = d.graph.nodeNames.indexOf('a');
    expect(Vd[a] - Vd[d.graph.nodeNames.indexOf('b')]).toBeGreaterThan(0.5); // D1 conducts
    const diff = Math.max(...Vd.map((v, k) => Math.abs(v - Vb[k])));
    console.log(`B vs D: max |ΔV| = ${diff.toExponential(2)} V`);
    expect(diff).toBeLessThanOrEqual(1e-9);
  });

  it('reads parameters and the law range, and round-trips through writeSpice', () => {
    const n = parseSpice(lawText, 'b.cir');
    expect(n.parameters!.map((p) => [p.name, p.value, p.line])).toEqual([['IS', 1e-12, 10], ['vt', THERMAL_VOLTAGE, 10], ['gmin', 1e-12, 11]]);
    expect(n.lawRange).toEqual([-6, 1]);
    expect(n.elements.find((e) => e.name === 'B1')).toMatchObject({ kind: 'B', nodes: ['a', 'b'], expression: 'IS*(exp(v/vt)-1) + gmin*v', line: 7 });
    const text = writeSpice(n);
    expect(text).toContain('B1 a b I={IS*(exp(v/vt)-1) + gmin*v}\n');
    expect(text).toContain('.options lawrange=-6,1\n');
    const back = parseSpice(text, 'again.cir');
    expect(back.elements.map(({ line, ...e }) => e)).toEqual(n.elements.map(({ line, ...e }) => e));
    expect(back.parameters!.map((p) => [p.name, p.value])).toEqual(n.parameters!.map((p) => [p.name, p.value]));
    expect(back.lawRange).toEqual(n.lawRange);
    expect(writeSpice(back)).toBe(text);
    expect(() => toNetlist(resistiveFromNetlist(back))).toThrow(/behavioural elements \(B1, B2\)/);
  });

  it('a cubic law: the adjoint gradient matches finite differences', () => {
    const text = 'cubic\nV1 in 0 1.5\nR1 in a 1k\nR2 a b 2k\nR3 b 0 1.5k\nR4 a 0 4k\nB1 a b I={g3*v^3 + g1*v}\nB2 b 0 I={g3*v^3}\n.param g3=2e-3 g1=1e-4\n';
    const s = resistiveFromNetlist(parseSpice(text, 'cubic.cir'), { file: 'cubic.cir', outputs: ['a', 'b'] });
    const rng = new Rng(7);
    const drive = s.drive(s.defaultInputs!);
    const V = s.equilibrium(drive);
    const r = s.residual(V, drive);
    const free = Array.from(s.network.freeNodes, (node) => Math.abs(r[node]));
    expect(Math.max(...free)).toBeLessThan(1e-12);
    const target = s.readout(V).map((v) => v + rng.uniform(-0.2, 0.2));
    const pipeline = { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng };
    const exact = exampleGradient(pipeline, drive, target).gradient;
    const reference = finiteDifferenceGradient(s, drive, mseLoss, target);
    const { relativeError } = fidelity(exact, reference);
    console.log(`cubic law: adjoint vs finite differences relative error ${relativeError.toExponential(2)}`);
    expect(Math.max(...reference.map(Math.abs))).toBeGreaterThan(0);
    expect(relativeError).toBeLessThanOrEqual(1e-7);
  });

  const refuse = (card: string, message: RegExp | string) => {
    const text = `bad\nV1 in 0 1\nR1 in a 1k\n${card}\n.param k=2\n.options lawrange=-1,1\n`;
    let error: unknown;
    try {
      parseSpice(text, 'bad.cir');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputFileError);
    const e = error as InputFileError;
    expect(e.line).toBe(4);
    expect(e.message.startsWith("bad.cir:4: law of 'Bx'")).toBe(true);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  };

  it('refuses a law that does not parse, has an unknown symbol or is not monotone, at file:line naming the element', () => {
    refuse('Bx a 0 I={k*(v +}', /^bad\.cir:4: law of 'Bx': cannot parse 'k\*\(v \+': [^\n]+$/);
    refuse('Bx a 0 I={k*v + w}', "bad.cir:4: law of 'Bx': unknown symbol 'w' in 'k*v + w' (the law may use: v, k)");
    refuse('Bx a 0 I={v - v^3}', "bad.cir:4: law of 'Bx' is not monotone on [-1, 1]: di/dv = -2 at v = -1");
  });

  it('refuses malformed B, .param and .options cards', () => {
    expect(() => parseSpice('t\nB1 a 0 v^2\n', 'f.cir')).toThrow("f.cir:2: expected 'Bname node node I={expression of v}', got 'B1 a 0 v^2'");
    expect(() => parseSpice('t\n.param v=1\n', 'f.cir')).toThrow(/f\.cir:2: a parameter may not be named 'v'/);
    expect(() => parseSpice('t\n.param k=x\n', 'f.cir')).toThrow(/f\.cir:2: bad number 'x' for parameter 'k'/);
    expect(() => parseSpice('t\n.options lawrange=1,-1\n', 'f.cir')).toThrow(/f\.cir:2: lawrange must be two numbers lo < hi/);
    expect(() => parseSpice('t\n.options reltol=1e-3\n', 'f.cir')).toThrow(/f\.cir:2: expected '\.options lawrange=lo,hi'/);
  });
});
