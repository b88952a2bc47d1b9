import { InputFileError, MultimechError, NumericalError, Rng, TwoTerminalLaw, adjointError, expressionLaw, dcActivation, exampleGradient, fidelity, finiteDifferenceGradient, mseLoss, productRule } from '@multimech/core';
import { ResistiveSubstrate, THERMAL_VOLTAGE, parseSpice, resistiveFromNetlist, toNetlist, writeSpice } from '@multimech/resistive';

const body = 'V1 in 0 5\nR1 in a 1k\nR2 b 0 2k\nR3 a 0 3k\nR4 a c 500\n';
const diodeText = `with D\n${body}D1 a b dm\nD2 0 c dm\n.model dm D(IS=1e-12 N=1)\n`;
const lawText =
  `with B\n${body}B1 a b I={IS*(exp(v/vt)-1) + g0*v}\n+ ; the law continues\nB2 0 c I={IS*(exp(v/vt)-1) + g0*v}\n` +
  `.param IS=1e-12 vt=${THERMAL_VOLTAGE}\n.param g0=0\n.options lawrange=-6,1\n`;

describe('behavioural (B) elements', () => {
  it('a B element with the Shockley law equals the D element, gmin in parallel with both (node voltages to 1e-9)', () => {
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
    expect(n.parameters!.map((p) => [p.name, p.value, p.line])).toEqual([['IS', 1e-12, 10], ['vt', THERMAL_VOLTAGE, 10], ['g0', 0, 11]]);
    expect(n.lawRange).toEqual([-6, 1]);
    expect(n.elements.find((e) => e.name === 'B1')).toMatchObject({ kind: 'B', nodes: ['a', 'b'], expression: 'IS*(exp(v/vt)-1) + g0*v', line: 7 });
    const text = writeSpice(n);
    expect(text).toContain('B1 a b I={IS*(exp(v/vt)-1) + g0*v}\n');
    expect(text).toContain('.options lawrange=-6,1\n');
    const back = parseSpice(text, 'again.cir');
    expect(back.elements.map(({ line, ...e }) => e)).toEqual(n.elements.map(({ line, ...e }) => e));
    expect(back.parameters!.map((p) => [p.name, p.value])).toEqual(n.parameters!.map((p) => [p.name, p.value]));
    expect(back.lawRange).toEqual(n.lawRange);
    expect(writeSpice(back)).toBe(text);
  });

  it('a substrate with B elements round-trips: import, export (laws, the .param values they use, lawrange), import', () => {
    const text = `${lawText}.param unused=3\nR9 c 0 7k\n`;
    const first = resistiveFromNetlist(parseSpice(text, 'b.cir'), { file: 'b.cir' });
    first.setParameters(Float64Array.from(first.parameters, (g, k) => g * (1 + 0.1 * k))); // as after training
    const exported = toNetlist(first, undefined, 'trained');
    const written = writeSpice(exported);
    expect(written).toContain('\nB1 a b I={IS*(exp(v/vt)-1) + g0*v}\nB2 0 c I={IS*(exp(v/vt)-1) + g0*v}\n');
    expect(written).toContain(`\n.param IS=1e-12\n.param vt=${THERMAL_VOLTAGE}\n.param g0=0\n.options lawrange=-6,1\n.end\n`);
    expect(written).not.toContain('unused');
    const again = resistiveFromNetlist(parseSpice(written, 'trained.cir'), { file: 'trained.cir' });
    expect(again.laws.map((l) => [l.name, l.source])).toEqual([['B1', 'trained.cir:8'], ['B2', 'trained.cir:9']]);
    // a conductance g is written as R = 1/g: it reads back to within an ulp
    again.parameters.forEach((g, k) => expect(Math.abs(g - first.parameters[k])).toBeLessThanOrEqual(2e-16 * g));
    const twice = toNetlist(again, undefined, 'trained');
    const valueless = (n: typeof exported) => n.elements.map((e) => ('value' in e ? { ...e, value: undefined } : e));
    expect(valueless(twice)).toEqual(valueless(exported));
    expect({ ...twice, elements: [] }).toEqual({ ...exported, elements: [] }); // title, models, .param, lawrange
    const V1 = first.equilibrium(first.drive(first.defaultInputs!));
    const V2 = again.equilibrium(again.drive(again.defaultInputs!));
    const at = (V: Float64Array, s: ResistiveSubstrate, node: string) => V[s.graph.nodeNames.indexOf(node)];
    expect([...again.graph.nodeNames].sort()).toEqual([...first.graph.nodeNames].sort());
    for (const node of first.graph.nodeNames) expect(Math.abs(at(V2, again, node) - at(V1, first, node))).toBeLessThanOrEqual(1e-12);
    expect(at(V1, first, 'a') - at(V1, first, 'b')).toBeGreaterThan(0.3); // B1 conducts
  });

  it('toNetlist refuses laws it cannot write: not an expression, different ranges, one parameter with two values', () => {
    const graph = { nodeNames: ['0', 'a'], edgeNames: ['R1'], from: Int32Array.of(1), to: Int32Array.of(0) };
    const boundary = { dirichlet: Int32Array.of(0), dirichletNames: ['gnd'], inputs: [{ name: 'I1', type: 'flow' as const, node: 1 }], outputs: [] };
    const make = (...laws: TwoTerminalLaw[]) =>
      new ResistiveSubstrate({ graph, boundary, conductances: [1], bounds: { min: Float64Array.of(1e-3), max: Float64Array.of(1e3) }, laws: laws.map((law, k) => ({ name: `B${k + 1}`, from: 1, to: 0, law })) });
    const cubic = (k: number, range: readonly [number, number] = [-5, 5]) => expressionLaw('k*v^3', { parameters: { k }, range, name: 'x' });
    expect(writeSpice(toNetlist(make(cubic(2), cubic(2))))).toContain('B1 a 0 I={k*v^3}\nB2 a 0 I={k*v^3}\n.param k=2\n.options lawrange=-5,5\n');
    expect(() => toNetlist(make({ current: (v) => v, conductance: () => 1, coContent: (v) => 0.5 * v * v }))).toThrow(
      "toNetlist: the law of 'B1' was not made from an expression (core's expressionLaw), so it cannot be written as a B card",
    );
    expect(() => toNetlist(make(cubic(2), cubic(2, [-1, 1])))).toThrow("toNetlist: 'B1' and 'B2' were checked on different ranges ([-5, 5] and [-1, 1]); a netlist has one .options lawrange");
    expect(() => toNetlist(make(cubic(2), cubic(3)))).toThrow(/^toNetlist: 'B1' and 'B2' give parameter 'k' different values \(2 and 3\)/);
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

  /** The equilibrium of a netlist at its sources, or what was thrown on the way. */
  const solve = (text: string): { V?: Float64Array; error?: unknown; s?: ResistiveSubstrate } => {
    try {
      const s = resistiveFromNetlist(parseSpice(text, 'c.cir'), { file: 'c.cir' });
      return { s, V: s.equilibrium(s.drive(s.defaultInputs!)) };
    } catch (error) {
      return { error };
    }
  };

  it('a law driven past its checked range is refused at file:line with the drop reached and what to do, never a huge number', () => {
    // di/dv = 1 − v²/100 < 0 beyond 10 V; 20 V through 1 ohm pushes B1 there (its range is the default ±5 V)
    const { error } = solve('past\nV1 in 0 20\nR1 in a 1\nB1 a 0 I={v - v^3/300}\n');
    expect(error).toBeInstanceOf(NumericalError);
    const m = /^c\.cir:4: law of 'B1': the drop reached (\S+) V, outside the range \[-5, 5\] V on which the law was checked; the law is not monotone there \(di\/dv = \S+ S at v = (\S+) V\)/.exec(
      (error as Error).message,
    );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(10);
    expect(Number(m![1])).toBeLessThan(20); // a Newton step from inside the range, not a runaway
    expect(Number(m![2])).toBeGreaterThan(10);
    // a rising law whose equilibrium (10 V) lies past the range: widen it, and then it solves
    const linear = 'beyond\nV1 in 0 20\nR1 in a 1\nB1 a 0 I={v}\n';
    expect(solve(linear).error).toEqual(
      new NumericalError("c.cir:4: law of 'B1': the drop reached 10 V, outside the range [-5, 5] V on which the law was checked; the law is monotone up to there: widen .options lawrange to cover it"),
    );
    const wide = solve(`${linear}.options lawrange=-20,20\n`);
    expect(Math.abs(wide.V![wide.s!.graph.nodeNames.indexOf('a')] - 20 / (2 + 1e-12))).toBeLessThanOrEqual(1e-13); // gmin in parallel
  });

  it('laws flat at a point (v³ in series) solve with gmin in parallel; a flat law is refused at its line', () => {
    const series = 'series\nV1 in 0 1\nR1 in a 1k\nR2 a 0 1k\nB1 a b I={v^3}\nB2 b 0 I={v^3}\n';
    const { V, s, error } = solve(series);
    expect(error).toBeUndefined();
    const at = (node: string) => V![s!.graph.nodeNames.indexOf(node)];
    // B1 and B2 carry one current, so b sits halfway: (1 − a)/1k = a/1k + (a/2)³ + gmin·a/2
    const kcl = (a: number) => (1 - a) / 1000 - a / 1000 - (a / 2) ** 3 - 1e-12 * (a / 2);
    let [lo, hi] = [0, 1];
    for (let k = 0; k < 200; k++) [lo, hi] = kcl(0.5 * (lo + hi)) > 0 ? [0.5 * (lo + hi), hi] : [lo, 0.5 * (lo + hi)];
    expect(lo).toBeGreaterThan(0.15);
    expect(Math.abs(at('a') - lo)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(at('b') - lo / 2)).toBeLessThanOrEqual(1e-12);
    const flat = solve(series.replace('B1 a b I={v^3}', 'B1 a b I={0*v}')).error;
    expect(flat).toBeInstanceOf(InputFileError);
    expect((flat as Error).message).toMatch(/^c\.cir:5: law of 'B1' is not strictly increasing on \[-5, 5\]: di\/dv = 0 everywhere there/);
  });

  it('a singular Hessian (v³ in series with gmin 0) and a falling law made in code are refused naming the elements, not as internal errors', () => {
    const series = 'series\nV1 in 0 1\nR1 in a 1k\nR2 a 0 1k\nB1 a b I={v^3}\nB2 b 0 I={v^3}\n';
    const s = resistiveFromNetlist(parseSpice(series, 'c.cir'), { file: 'c.cir', gmin: 0 });
    expect(() => s.equilibrium(s.drive(s.defaultInputs!))).toThrow(
      new NumericalError(
        "the network's Hessian is singular (matrix is not positive definite: pivot 0 at row 1 (elimination step 0)): di/dv = 0 for 'B1' (c.cir:5) at a drop of 0 V, 'B2' (c.cir:6) at a drop of 0 V, " +
          'so a node joined to the rest only through such elements has no small-signal path; a two-terminal law must be strictly increasing (put a conductance in parallel, as gmin, or give the law a slope there)',
      ),
    );
    // a law from code, with no checked range, whose slope 1 − v²/100 turns negative past 10 V (its energy falls without end there,
    // so the drop Newton reaches can be far out: a B card's range stops it at the range's end, see above)
    const graph = { nodeNames: ['0', 'in', 'a'], edgeNames: ['R1'], from: Int32Array.of(1), to: Int32Array.of(2) };
    const boundary = { dirichlet: Int32Array.of(0, 1), dirichletNames: ['gnd', 'V1'], inputs: [{ name: 'V1', type: 'potential' as const, node: 1, dirichletIndex: 1 }], outputs: [] };
    const falling: TwoTerminalLaw = { current: (v) => v - v ** 3 / 300, conductance: (v) => 1 - (v * v) / 100, coContent: (v) => (v * v) / 2 - v ** 4 / 1200 };
    const coded = new ResistiveSubstrate({ graph, boundary, conductances: [1], bounds: { min: Float64Array.of(1e-3), max: Float64Array.of(1e3) }, laws: [{ name: 'Bx', from: 2, to: 0, law: falling }] });
    let error: unknown;
    try {
      coded.equilibrium(coded.drive([20]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NumericalError);
    const m = /^conductance of 'Bx' is (\S+) at a drop of (\S+) V: the law is not monotone there \(a two-terminal law must be strictly increasing\)$/.exec((error as Error).message);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(0);
    expect(Math.abs(Number(m![2]))).toBeGreaterThan(10);
  });

  it('every law gives an equilibrium that satisfies KCL or one MultimechError; never an internal error', () => {
    const laws = ['v^3', 'sinh(v)', 'v + sin(v)', 'exp(v/0.025865) - 1', 'tanh(v)/1e4', '0*v', '1e-3*v^3 - 1e-4*v', 'log(v)'];
    let solved = 0;
    const outcomes: string[] = [];
    for (const law of laws) {
      for (const volts of [1, -30]) {
        const { V, s, error } = solve(`fuzz\nV1 in 0 ${volts}\nR1 in a 1k\nR2 a 0 1k\nB1 a b I={${law}}\nB2 b 0 I={${law}}\n`);
        if (error !== undefined) {
          expect([law, volts, error instanceof MultimechError]).toEqual([law, volts, true]);
          expect((error as Error).message).toMatch(/^c\.cir:\d: law of 'B\d'/);
          outcomes.push(`${law} at ${volts} V: ${(error as Error).message}`);
          continue;
        }
        const r = s!.residual(V!, s!.drive(s!.defaultInputs!));
        for (const node of s!.network.freeNodes) expect(Math.abs(r[node])).toBeLessThanOrEqual(1e-12);
        solved++;
        outcomes.push(`${law} at ${volts} V: solved`);
      }
    }
    expect(solved).toBe(9);
    expect(outcomes.filter((o) => / outside the range /.test(o))).toEqual([
      expect.stringMatching(/^tanh\(v\)\/1e4 at -30 V: c\.cir:\d: law of 'B\d': the drop reached -\S+ V, outside the range \[-5, 5\] V .*: widen \.options lawrange to cover it$/),
    ]);
  });
});

