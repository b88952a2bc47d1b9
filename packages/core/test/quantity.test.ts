import { decodeOrThrow, parseQuantity, positiveQuantity, quantity, strictObject } from '@multimech/core';

describe('physical quantities in configs', () => {
  it.each([
    ['1 kohm', 'resistance', 1000],
    ['2 mS', 'conductance', 0.002],
    ['10 uF', 'capacitance', 1e-5],
    ['1.7 kHz', 'frequency', 1700],
    ['1 mPa s', 'viscosity', 0.001],
    ['3 cm', 'length', 0.03],
    ['0.5 mA', 'current', 0.0005],
    ['5 g', 'mass', 0.005],
    ['2 N/m', 'stiffness', 2],
    ['20 ms', 'time', 0.02],
  ] as const)('%s is %s %d in SI units', (text, q, si) => {
    expect(parseQuantity(text, q)).toBe(si);
  });

  it('refuses another dimension, naming both, and text that is not a quantity', () => {
    expect(parseQuantity('1 kohm', 'conductance')).toBe('expected a conductance in S (such as "2 mS"), got a resistance, "1 kohm"');
    expect(parseQuantity('3 apples', 'length')).toMatch(/^expected a length in m: a number, or a string with its unit such as "3 cm"; cannot read "3 apples"/);
    expect(parseQuantity('ohm', 'resistance')).toMatch(/bare unit/);
  });

  it('decodes numbers and strings alike, with the JSON path and the reason on failure', () => {
    const codec = strictObject('a part', {}, { c: positiveQuantity('capacitance'), v: quantity('voltage') });
    expect(decodeOrThrow(codec, { c: '10 uF', v: '-3 mV' })).toEqual({ c: 1e-5, v: -0.003 });
    expect(decodeOrThrow(codec, { c: 2e-6, v: 1 })).toEqual({ c: 2e-6, v: 1 });
    expect(() => decodeOrThrow(codec, { c: '1 kHz' })).toThrow('c: expected a capacitance in F (such as "10 uF"), got a frequency, "1 kHz"');
    expect(() => decodeOrThrow(codec, { c: '-1 uF' })).toThrow('c: expected a positive capacitance in F (a number, or a string with its unit such as "10 uF"), got "-1 uF"');
    expect(() => decodeOrThrow(codec, { c: 0 })).toThrow(/c: expected a positive capacitance in F/);
    expect(() => decodeOrThrow(codec, { v: true })).toThrow(/v: expected a voltage in V \(a number, or a string with its unit such as "0.5 V"\), got true/);
  });
});
