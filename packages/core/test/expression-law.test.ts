import { MultimechError, NumericalError, expressionLaw, isExpressionLaw, withParallelConductance } from '@multimech/core';

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
    const cubic = expressionLaw('g3*v^3 + g1*v + 0.5', { parameters: { g3: 2, g1: 0.1 }, range: [-3, 3], name: 'B2' });
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

  it('refuses a flat law, accepts one flat at a point, and needs a range that holds 0 V', () => {
    const opts = { range: [-1, 1] as const, name: 'B3' };
    expect(() => expressionLaw('0*v', opts)).toThrow("law of 'B3' is not strictly increasing on [-1, 1]: di/dv = 0 everywhere there (a constant current of 0 A)");
    expect(() => expressionLaw('k + 0*v', { ...opts, parameters: { k: 1e-3 } })).toThrow(/di\/dv = 0 everywhere there \(a constant current of 0\.001 A\)/);
    const cubic = expressionLaw('v^3', opts);
    expect(cubic.conductance(0)).toBe(0);
    expect(cubic.conductance(0.5)).toBeCloseTo(0.75, 14);
    expect(() => expressionLaw('v', { ...opts, range: [0.5, 2] })).toThrow(/range \[0\.5, 2\] must contain 0 V/);
  });

  it('keeps its expression, the parameters it uses and its range (to be written back)', () => {
    const law = expressionLaw('a*v + b*v^3', { parameters: { a: 2, b: 0.5, unused: 7 }, range: [-3, 2], name: 'B4' });
    expect(isExpressionLaw(law)).toBe(true);
    expect(law.expression).toBe('a*v + b*v^3');
    expect(law.parameters).toEqual({ a: 2, b: 0.5 });
    expect(law.range).toEqual([-3, 2]);
    expect(isExpressionLaw({ current: (v) => v, conductance: () => 1, coContent: (v) => 0.5 * v * v })).toBe(false);
  });

  it('outside its checked range: the co-content is +∞, current and conductance refuse with the drop and what to do', () => {
    const opts = { range: [-5, 5] as const, name: 'B1', source: 'c.cir:4', rangeSetting: '.options lawrange' };
    const soft = expressionLaw('v - v^3/300', opts); // di/dv = 1 - v²/100: monotone for |v| < 10
    expect(soft.range).toEqual([-5, 5]);
    expect(soft.coContent(5)).toBeCloseTo(12.5 - 625 / 1200, 12);
    expect(soft.coContent(5.001)).toBe(Infinity);
    expect(soft.coContent(-7)).toBe(Infinity);
    let error: unknown;
    try {
      soft.conductance(12);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NumericalError);
    const m = /^c\.cir:4: law of 'B1': the drop reached 12 V, outside the range \[-5, 5\] V on which the law was checked; the law is not monotone there \(di\/dv = (\S+) S at v = (\S+) V\): .*widening \.options lawrange will not help$/.exec((error as Error).message);
    expect(m).not.toBeNull();
    // the first of the probed points past the turning point at 10 V
    expect(Number(m![1])).toBeLessThan(0);
    expect(Number(m![2])).toBeGreaterThan(10);
    expect(Number(m![2])).toBeLessThan(10.05);
    // between 5 and 8 V the law still rises: widen the range
    expect(() => soft.current(8)).toThrow("c.cir:4: law of 'B1': the drop reached 8 V, outside the range [-5, 5] V on which the law was checked; the law is monotone up to there: widen .options lawrange to cover it");
    expect(() => soft.current(-8)).toThrow(/the drop reached -8 V, .*widen \.options lawrange/);
    const log = expressionLaw('log(1 + v)', { range: [-0.5, 1], name: 'B2' });
    expect(() => log.current(-2)).toThrow(/^law of 'B2': the drop reached -2 V, outside the range \[-0\.5, 1\] V on which the law was checked; the law is not finite there \(i = -Infinity A, di\/dv = Infinity S at v = -1 V\)$/);
  });

  it('a conductance in parallel (gmin) adds g, g v and ½ g v², and keeps the range', () => {
    const cubic = expressionLaw('v^3', { range: [-2, 2], name: 'B5' });
    const law = withParallelConductance(cubic, 1e-12);
    expect(law.conductance(0)).toBe(1e-12);
    expect(law.current(0.5)).toBe(0.125 + 0.5e-12);
    expect(Math.abs(law.coContent(1) - (0.25 + 0.5e-12))).toBeLessThanOrEqual(1e-16);
    expect(law.range).toEqual([-2, 2]);
    expect(law.coContent(3)).toBe(Infinity);
    expect(withParallelConductance(cubic, 0)).toBe(cubic);
  });
});

