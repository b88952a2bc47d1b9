import { InputFileError } from '@multimech/core';
import { Netlist, parseSpice, parseSpiceNumber, writeSpice } from '@multimech/resistive';

const strip = (n: Netlist) => ({ title: n.title, elements: n.elements.map(({ line: _line, ...rest }) => rest) });

/** parse(write(n)) has n's title and elements, and writing is a fixed point after one round. */
function expectRoundTrip(n: Netlist): void {
  const text = writeSpice(n);
  const back = parseSpice(text, 'written.cir');
  expect(strip(back)).toEqual(strip(n));
  for (let i = 0; i < n.elements.length; i++) {
    const [a, b] = [back.elements[i], n.elements[i]];
    if (a.kind !== 'D' && b.kind !== 'D') expect(Object.is(a.value, b.value)).toBe(true);
  }
  expect(writeSpice(back)).toBe(text);
  expect(parseSpice(writeSpice(back), 'again.cir')).toEqual(back);
}

function errorOf(text: string, file = 'bad.cir'): InputFileError {
  try {
    parseSpice(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    return e as InputFileError;
  }
  throw new Error(`expected an InputFileError for:\n${text}`);
}

describe('SPICE numbers', () => {
  it.each([
    ['1k', 1e3],
    ['1K', 1e3],
    ['4.7k', 4.7e3],
    ['4.7u', 4.7e-6],
    ['2.2MEG', 2.2e6],
    ['2.2Meg', 2.2e6],
    ['3m', 3e-3],
    ['3M', 3e-3],
    ['1kohm', 1e3],
    ['10uF', 1e-5],
    ['10uA', 1e-5],
    ['5V', 5],
    ['1megohm', 1e6],
    ['100n', 1e-7],
    ['33p', 33e-12],
    ['7f', 7e-15],
    ['2g', 2e9],
    ['1.5t', 1.5e12],
    ['1e3', 1e3],
    ['1.5E-3k', 1.5],
    ['-2.5', -2.5],
    ['+.5m', 5e-4],
    ['1mil', 25.4e-6],
    ['1e+21', 1e21],
  ])('%s = %d', (text, value) => {
    expect(parseSpiceNumber(text)).toBe(value);
  });

  it.each(['', 'k', 'abc', '1.2.3', '1k5', '--1', '1e999', '1,5'])('refuses %j', (text) => {
    expect(parseSpiceNumber(text)).toBeUndefined();
  });
});

describe('parseSpice', () => {
  it('reads title, comments, continuations, suffixes, case and ground names', () => {
    const n = parseSpice(
      [
        'Divider with a Load',
        '* a comment line',
        'R1 IN Mid 1k ; inline comment',
        'rLoad mid GND',
        '+ 2.2kOhm',
        '+ ; a continuation line holding only a comment',
        '',
        '  * indented comment',
        'V1 in 0 DC 5',
        'Ibias 0 MID dc 10uA',
        'I2 mid gnd 1m',
        '.END',
        '* trailing comment is fine',
        '',
      ].join('\r\n'),
      'divider.cir',
    );
    expect(n.title).toBe('Divider with a Load');
    expect(n.elements).toEqual([
      { kind: 'R', name: 'R1', nodes: ['in', 'mid'], value: 1000, line: 3 },
      { kind: 'R', name: 'rLoad', nodes: ['mid', '0'], value: 2200, line: 4 },
      { kind: 'V', name: 'V1', nodes: ['in', '0'], value: 5, line: 9 },
      { kind: 'I', name: 'Ibias', nodes: ['0', 'mid'], value: 1e-5, line: 10 },
      { kind: 'I', name: 'I2', nodes: ['mid', '0'], value: 1e-3, line: 11 },
    ]);
  });

  it('needs no .end', () => {
    expect(parseSpice('t\nR1 a 0 1', 'x.cir').elements).toHaveLength(1);
  });

  it('round-trips several netlists, exactly', () => {
    const netlists: Netlist[] = [
      parseSpice('ladder\nR1 a b 1k\nR2 b 0 2k\nR3 b c 3.3k\nR4 c 0 4.7k\nI1 0 a 1m\n.end', 'ladder.cir'),
      parseSpice('Mixed Case\nRa IN x 1MEG\nrB x Gnd 10\nVin In 0 dc -3.3\nVref 0 y 1.25\nRc y x 0.1\n', 'mixed.cir'),
      parseSpice('odd values\nR1 n1 0 0.1\nR2 n1 n2 1e-7\nR3 n2 0 123456789.123\nI1 n2 n1 -7e-13\n', 'odd.cir'),
    ];
    netlists.push({
      title: 'built in code',
      elements: [
        { kind: 'R', name: 'Rthird', nodes: ['a', '0'], value: 1 / 3, line: 2 },
        { kind: 'R', name: 'Rpi', nodes: ['a', 'b'], value: Math.PI, line: 3 },
        { kind: 'R', name: 'Rtiny', nodes: ['b', '0'], value: 1.5e-15, line: 4 },
        { kind: 'I', name: 'I1', nodes: ['0', 'b'], value: -Math.E * 1e-9, line: 5 },
        { kind: 'V', name: 'V1', nodes: ['a', '0'], value: 0.1 + 0.2, line: 6 },
      ],
    });
    for (const n of netlists) expectRoundTrip(n);
    expect(writeSpice(netlists[0])).toBe('ladder\nR1 a b 1000\nR2 b 0 2000\nR3 b c 3300\nR4 c 0 4700\nI1 0 a DC 0.001\n.end\n');
  });
});

describe('diodes and .model', () => {
  it('reads D elements and .model cards in any case, with SI suffixes, defaults and optional parentheses', () => {
    const n = parseSpice(
      [
        'diodes',
        'D1 A k DMOD',
        'dLed k 0 led ; inline comment',
        'D3 a gnd plain',
        'R1 a 0 1k',
        '.MODEL dmod d(is=2.5f n=1.8)',
        '.model LED D (IS = 1e-20, N=2)',
        '.model plain D',
        '.end',
      ].join('\n'),
      'd.cir',
    );
    expect(n.elements.slice(0, 3)).toEqual([
      { kind: 'D', name: 'D1', nodes: ['a', 'k'], model: 'DMOD', line: 2 },
      { kind: 'D', name: 'dLed', nodes: ['k', '0'], model: 'led', line: 3 },
      { kind: 'D', name: 'D3', nodes: ['a', '0'], model: 'plain', line: 4 },
    ]);
    expect(n.models).toEqual([
      { name: 'dmod', IS: 2.5e-15, N: 1.8, line: 6 },
      { name: 'LED', IS: 1e-20, N: 2, line: 7 },
      { name: 'plain', IS: 1e-14, N: 1, line: 8 },
    ]);
  });

  it('round-trips diodes and models, exactly', () => {
    const n = parseSpice('d\nV1 in 0 DC 2\nR1 in a 1k\nD1 a 0 Dm\nD2 0 a dm2\n.model Dm D(IS=3.3e-15 N=1.05)\n.model dm2 D(IS=0.1p)\n', 'd.cir');
    expectRoundTrip(n);
    const written = writeSpice(n);
    expect(written).toBe('d\nV1 in 0 DC 2\nR1 in a 1000\nD1 a 0 Dm\nD2 0 a dm2\n.model Dm D(IS=3.3e-15 N=1.05)\n.model dm2 D(IS=1e-13 N=1)\n.end\n');
    expect(parseSpice(written, 'w.cir').models).toEqual([
      { name: 'Dm', IS: 3.3e-15, N: 1.05, line: 6 },
      { name: 'dm2', IS: 1e-13, N: 1, line: 7 },
    ]);
  });

  it('names the diode and its line when its model is not defined', () => {
    let e = errorOf('t\nR1 a 0 1\nD1 a 0 dmod\n');
    expect(e.message).toBe("bad.cir:3: diode 'D1' names model 'dmod', which no .model card defines (the netlist has no .model card); add e.g. '.model dmod D(IS=1e-14 N=1)'");
    e = errorOf('t\nR1 a 0 1\nD1 a 0 dx\n.model d1 D(IS=1e-14)\n.model d2 D(IS=1e-14)\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain('(models: d1, d2)');
  });

  it('refuses a diode without a model, unknown and bad model parameters, other model types and duplicates', () => {
    expect(errorOf('t\nR1 a 0 1\nD1 a 0\n').message).toBe("bad.cir:3: expected 'Dname anode cathode model', got 'D1 a 0'");
    expect(errorOf('t\nD1 a 0 dm 2\n').message).toContain("expected 'Dname anode cathode model'");
    let e = errorOf('t\nD1 a 0 dm\nR1 a 0 1\n.model dm D(IS=1e-14 RS=10)\n');
    expect(e.line).toBe(4);
    expect(e.message).toContain("unknown diode model parameter 'RS' in .model dm (supported: IS saturation current, N emission coefficient)");
    expect(errorOf('t\n.model dm D(IS=-1)\n').message).toContain("IS of .model dm must be a positive number");
    expect(errorOf('t\n.model dm D(N=abc)\n').message).toContain("N of .model dm must be a positive number");
    expect(errorOf('t\n.model dm D(IS)\n').message).toContain("expected KEY=VALUE in .model dm, got 'IS'");
    expect(errorOf('t\n.model dm D(N=1 n=2)\n').message).toContain('parameter N given twice in .model dm');
    expect(errorOf('t\n.model q1 NPN(BF=100)\n').message).toContain("unsupported model type 'NPN' in .model q1");
    expect(errorOf('t\n.model\n').message).toContain("expected '.model NAME D(IS=value N=value)'");
    e = errorOf('t\n.model dm D\n.model DM D(N=2)\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain("duplicate model name 'DM' (first defined on line 2 as 'dm')");
    expect(errorOf('t\nD1 a A dm\n.model dm D\n').message).toBe("bad.cir:2: element 'D1' connects node 'a' to itself");
    expect(errorOf('t\nR1 a 0 1\nd1 a 0 dm\n.model dm D\nD1 a 0 dm\n').message).toContain("duplicate element name 'D1' (first defined on line 3 as 'd1')");
  });
});

describe('parseSpice errors', () => {
  it('malformed lines say what was expected', () => {
    let e = errorOf('t\nR1 a 0 1k\nR2 a 0\n');
    expect(e.file).toBe('bad.cir');
    expect(e.line).toBe(3);
    expect(e.message).toContain("bad.cir:3: expected 'Rname node node value', got 'R2 a 0'");
    e = errorOf('t\nI1 a 0 AC 1\n');
    expect(e.message).toContain("bad.cir:2: expected 'Iname node node [DC] value'");
    e = errorOf('t\n\nV1 a 0 DC 1 2\n');
    expect(e.message).toContain("bad.cir:3: expected 'Vname node node [DC] value'");
    e = errorOf('t\nR1 a 0 DC 1\n');
    expect(e.message).toContain("bad.cir:2: expected 'Rname node node value'");
  });

  it('reads capacitors, refusing a non-positive capacitance and a DC keyword, naming the line', () => {
    expect(parseSpice('t\nR1 a 0 1\n* c\nC5 a 0 1u\n', 'ok.cir').elements[1]).toEqual({ kind: 'C', name: 'C5', nodes: ['a', '0'], value: 1e-6, line: 4 });
    let e = errorOf('t\nR1 a 0 1\n* c\nC5 a 0 0\n');
    expect(e.line).toBe(4);
    expect(e.message).toBe("bad.cir:4: capacitance of 'C5' must be positive, got 0");
    e = errorOf('t\nR1 a 0 1\nC5 a 0 DC 1u\n');
    expect(e.message).toContain("bad.cir:3: expected 'Cname node node value'");
  });

  it('refuses other element letters, naming them and the supported ones', () => {
    const e = errorOf('t\nR1 a 0 1\nL1 a 0 1m\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain("'L1'");
    expect(e.message).toMatch(/R resistor, I DC current source, V DC voltage source, D diode, C capacitor/);
  });

  it('refuses dot-cards other than .end', () => {
    const e = errorOf('t\nR1 a 0 1\n.tran 1n 1u\n');
    expect(e.message).toBe("bad.cir:3: unsupported control card '.tran' (this reader supports .model, .param, .options lawrange=lo,hi and .end)");
  });

  it('refuses bad numbers, naming the element', () => {
    const e = errorOf('t\nR1 a 0 1k\nR2 a 0 1x5\n');
    expect(e.line).toBe(3);
    expect(e.message).toContain("bad number '1x5' for 'R2'");
    expect(errorOf('t\nV1 a 0 DC five\n').message).toContain("bad number 'five' for 'V1'");
  });

  it('refuses non-positive resistances, naming the element', () => {
    expect(errorOf('t\nR1 a 0 1\nRload a 0 0\n').message).toBe("bad.cir:3: resistance of 'Rload' must be positive, got 0");
    expect(errorOf('t\nR7 a 0 -1k\n').message).toContain("resistance of 'R7' must be positive, got -1k");
  });

  it('refuses duplicate element names, case-insensitively', () => {
    const e = errorOf('t\nR1 a 0 1\nR2 a b 1\nr1 b 0 1\n');
    expect(e.line).toBe(4);
    expect(e.message).toContain("duplicate element name 'r1' (first defined on line 2 as 'R1')");
  });

  it('refuses anything after .end', () => {
    const e = errorOf('t\nR1 a 0 1\n.end\nR2 a 0 1\n');
    expect(e.line).toBe(4);
    expect(e.message).toContain('nothing may follow .end (line 3)');
  });

  it('refuses an element joining a node to itself, and a stray continuation line', () => {
    expect(errorOf('t\nR1 a A 1\n').message).toBe("bad.cir:2: element 'R1' connects node 'a' to itself");
    expect(errorOf('t\nR1 0 gnd 1\n').message).toContain("connects node '0' to itself");
    expect(errorOf('t\n+ 1k\n').message).toContain("bad.cir:2: continuation line ('+')");
  });
});
