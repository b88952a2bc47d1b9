import { MultimechError, expressionLaw } from '@multimech/core';

describe('expressionLaw', () => {
  const IS = 1e-12;
  const vt = 0.025865;
  const law = expressionLaw('IS*(exp(v/vt)-1)', { parameters: { IS, vt }, range: [-1, 0.9], name: 'B1' });

  it.each([-1, -0.3, -0.01, 0.01, 0.2, 0.5, 0.75, 0.9])('reproduces the Shockley diode (closed form) at %d V', (v) => {
    const i = IS * Math.expm1(v / vt);
    const g = (IS / vt) * Math.exp(v / vt);
    const F = IS * vt * Math.expm1(v / vt) - IS * v;
    expect(Math.abs(law.current(v) - i)).toBeLessThanOrEqual(1e-9 * Math.abs(i));
    expect(Math.abs(law.conductance(v) - g)).toBeLessThanOrEqual(1e-9 * g);
    expect(Math.abs(law.coContent(v) - F)).toBeLessThanOrEqual(1e-9 * Math.abs(F));
    expect(law.coContent(0)).toBe(0);
  });

  it('integrates a cubic exactly and differentiates it symbolically', () => {
    const cubic = expressionLaw('g3*v^3 + g1*v + 0.5', { parameters: { g3: 2, g1: 0.1 }, range: [-2, 2], name: 'B2' });
    for (const v of [-3, -0.7, 0.4, 2.5]) {
      expect(cubic.current(v)).toBeCloseTo(2 * v ** 3 + 0.1 * v + 0.5, 12);
      expect(cubic.conductance(v)).toBeCloseTo(6 * v * v + 0.1, 12);
      expect(Math.abs(cubic.coContent(v) - (0.5 * v ** 4 + 0.05 * v * v + 0.5 * v))).toBeLessThanOrEqual(1e-13 * (1 + v ** 4));
    }
  });

  it('refuses a parse error, an unknown symbol, a non-monotone or non-finite law, naming the element', () => {
    const opts = { range: [-1, 1] as const, name: 'B7' };
    expect(() => expressionLaw('v *', opts)).toThrow(MultimechError);
    expect(() => expressionLaw('v *', opts)).toThrow(/^law of 'B7': cannot parse 'v \*': .+/);
    expect(() => expressionLaw('k*v', opts)).toThrow(/law of 'B7': unknown symbol 'k' in 'k\*v' \(the law may use: v\)/);
    expect(() => expressionLaw('v - v^3', opts)).toThrow("law of 'B7' is not monotone on [-1, 1]: di/dv = -2 at v = -1");
    expect(() => expressionLaw('v - v^3', { ...opts, range: [-0.5, 0.5] })).not.toThrow();
    expect(() => expressionLaw('log(v+1)', opts)).toThrow(/law of 'B7' is not finite on \[-1, 1\]/);
    expect(() => expressionLaw('sqrt(v)', opts)).toThrow(/not a real number at v = -1/);
    expect(() => expressionLaw('v', { ...opts, range: [1, -1] })).toThrow(/lo < hi/);
  });
});
