/**
 * Expression laws are data, not code: they are parsed once, checked against
 * an allow-list (numbers, v and the parameters, + - * / ^, brackets and
 * scalar functions), bounded in length and nesting, and evaluated by a
 * restricted mathjs instance of their own. Quantities in configs are read by
 * another instance, which no expression can reach.
 */
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, MultimechError, expressionLaw, parseQuantity, positiveQuantity } from '@multimech/core';
import { DISABLED_MATH_FUNCTIONS, expressionMath } from '../src/support/mathjs';

const opts = { range: [-1, 1] as const, name: 'B9', parameters: { k: 2 } };
const refusal = (expression: string): string => {
  try {
    expressionLaw(expression, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(MultimechError);
    return (e as Error).message;
  }
  throw new Error(`'${expression}' was accepted`);
};

describe('what an expression law may contain', () => {
  it.each([
    ['createUnit("kHz", "1 Hz", {override: true})', "the function 'createUnit'"],
    ['v + 0*evaluate("createUnit(\\"kHz\\", \\"1 Hz\\")")', "the function 'evaluate'"],
    ['v + 0*parse("v")', "the function 'parse'"],
    ['import({v: 1}, {override: true})', "the function 'import'"],
    ['v + 0*simplify("v")', "the function 'simplify'"],
    ['v + 0*derivative("v^2", "v")', "the function 'derivative'"],
    ['v + 0*compile("v")', "the function 'compile'"],
    ['v + sum(zeros(5000, 5000))', "the function 'sum'"],
    ['v + 0*size(zeros(5000))', "the function 'size'"],
    ['v + 0*matrix([1])', "the function 'matrix'"],
    ['[v, v]', "a matrix ('[v, v]')"],
    ['v > 0 ? v : 0', 'a conditional'],
    ['k = 3', 'an assignment'],
    ['f(x) = x', 'a function definition'],
    ['exp.constructor', 'a property access'],
    ['v; v', 'a block of several expressions'],
    ['v mod 2', "the operator 'mod'"],
    ['"v"', 'the constant "v" (not a number)'],
    ['exp(v, v)', 'exp() with 2 arguments (it takes 1)'],
  ])('refuses %s, naming %s', (expression, what) => {
    const message = refusal(expression);
    expect(message.startsWith(`law of 'B9': ${what}`)).toBe(true);
    expect(message).toContain('is not allowed in');
    expect(message).toContain('a law may use v, its parameters, numbers, + - * / ^, brackets and scalar functions such as exp');
    expect(message.length).toBeLessThan(400);
  });

  it('still accepts what laws are written with', () => {
    for (const e of ['k*(exp(v/0.025)-1)*1e-14 + 1e-3*v', 'sinh(v / k)', 'atan(v) + v^3', 'pow(v, 3) + 2v', 'nthRoot(v + 2, 3)', 'log(v + 2, 10) + v', '-(-v)', '+v']) {
      expect(() => expressionLaw(e, opts)).not.toThrow();
    }
  });

  it(`refuses an expression longer than ${MAX_EXPRESSION_LENGTH} characters or nested deeper than ${MAX_EXPRESSION_DEPTH} levels, naming the limit`, () => {
    const long = Array.from({ length: 20000 }, () => 'v').join('+');
    expect(refusal(long)).toBe("law of 'B9': the expression is 39,999 characters long, more than the 1,000 a law may have");
    expect(() => expressionLaw(Array.from({ length: 300 }, () => '1e-3*v').join('+').slice(0, MAX_EXPRESSION_LENGTH + 1), opts)).toThrow(/more than the 1,000 a law may have/);
    const brackets = `${'('.repeat(400)}v${')'.repeat(400)}`;
    expect(refusal(brackets)).toBe(
      "law of 'B9': the expression nests 400 levels deep, more than the 64 a law may have (each operator, function or bracket inside another is one level)",
    );
    // a flat sum of 100 terms is 100 operators deep
    expect(refusal(Array.from({ length: 100 }, () => 'v').join('+'))).toMatch(/^law of 'B9': the expression nests more than 64 levels deep, more than the 64 a law may have/);
    expect(() => expressionLaw(Array.from({ length: 60 }, () => 'v/60').join('+'), opts)).not.toThrow();
  });

  it('takes bounded time on the deepest expressions it accepts (its derivative is simplified only where that is cheap)', () => {
    const start = Date.now();
    expect(() => expressionLaw(`${'atan(3*v+'.repeat(31)}v${')'.repeat(31)}`, opts)).not.toThrow();
    expect(Date.now() - start).toBeLessThan(10000);
  });
});

describe('the restricted instance', () => {
  it('throws for every disabled function an expression might still reach, and its own parser and derivative work', () => {
    const math = expressionMath();
    for (const name of ['createUnit', 'evaluate', 'import', 'parse', 'zeros', 'matrix', 'range', 'identity', 'ones', 'diag', 'simplify', 'derivative', 'compile', 'reviver', 'resolve']) {
      expect(DISABLED_MATH_FUNCTIONS).toContain(name);
      expect(() => math.parse(`${name}(1)`).compile().evaluate({})).toThrow(`function '${name}' is not available in an expression law`);
    }
    expect(math.derivative(math.parse('v^3'), 'v').compile().evaluate({ v: 2 })).toBe(12);
  });

  it('shares nothing with the instance that reads quantities: a unit redefined there leaves "1.7 kHz" at 1700 Hz', () => {
    const math = expressionMath();
    expect(() => math.parse('createUnit("kHz", "1 Hz", {override: true})').compile().evaluate({})).toThrow(/not available/);
    expect(parseQuantity('1.7 kHz', 'frequency')).toBe(1700);
    expect(positiveQuantity('frequency').decode('1.7 kHz')).toEqual({ _tag: 'Right', right: 1700 });
  });
});
