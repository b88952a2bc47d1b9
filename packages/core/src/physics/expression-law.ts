import type { EvalFunction, MathNode } from 'mathjs';
import { MultimechError, NumericalError } from '../support/errors';
import { significant as shown } from '../support/format';
import { expressionMath, type ExpressionMath } from '../support/mathjs';
import type { TwoTerminalLaw } from './two-terminal-law';

/** Options of `expressionLaw`. */
export interface ExpressionLawOptions {
  /** Named constants the expression may use besides `v` (case-sensitive). */
  readonly parameters?: Readonly<Record<string, number>>;
  /** The voltage range [lo, hi] on which the law is checked to be finite and monotone non-decreasing, and outside which it is refused. */
  readonly range: readonly [number, number];
  /** The element's name, for messages. */
  readonly name: string;
  /** Where the law was written (`file:line`): it opens the messages of a law refused where it is used. */
  readonly source?: string;
  /** What sets the range, for the advice to widen it (default `its range`; a netlist's is `.options lawrange`). */
  readonly rangeSetting?: string;
}

/**
 * A two-terminal law made from an expression: it keeps the expression, the
 * parameters the expression uses and its checked range, so that it can be
 * written back (a netlist's `B` card, `.param` and `.options lawrange`).
 */
export interface ExpressionLaw extends TwoTerminalLaw {
  readonly expression: string;
  /** The parameters that the expression uses (a subset of those it was given). */
  readonly parameters: Readonly<Record<string, number>>;
  readonly range: readonly [number, number];
}

/** Whether a law is an expression law (it can be written back as its expression). */
export function isExpressionLaw(law: TwoTerminalLaw): law is ExpressionLaw {
  return typeof (law as Partial<ExpressionLaw>).expression === 'string' && law.range !== undefined;
}


/** Points at which the law is checked on its range (evenly spaced, ends included). */
const CHECK_POINTS = 2001;
/** Relative tolerance of each step of the adaptive quadrature of the co-content. */
const QUAD_TOLERANCE = 1e-13;
const QUAD_MAX_DEPTH = 40;

// 10-point Gauss–Legendre nodes and weights on [-1, 1] (positive half; symmetric).
const GL_X = [0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717];
const GL_W = [0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881];

function gaussLegendre(f: (v: number) => number, a: number, b: number): number {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  let s = 0;
  for (let k = 0; k < 5; k++) s += GL_W[k] * (f(c - h * GL_X[k]) + f(c + h * GL_X[k]));
  return s * h;
}

/**
 * ∫ₐᵇ f by adaptive 10-point Gauss–Legendre: an interval is halved until the
 * two halves agree with the whole to QUAD_TOLERANCE relative (exact for
 * polynomials up to degree 19; about 1e-12 relative on an exponential over
 * tens of e-folds). A non-finite value is returned as is at once.
 */
function integrate(f: (v: number) => number, a: number, b: number): number {
  const step = (lo: number, hi: number, whole: number, depth: number): number => {
    const mid = 0.5 * (lo + hi);
    const left = gaussLegendre(f, lo, mid);
    const right = gaussLegendre(f, mid, hi);
    const sum = left + right;
    if (!Number.isFinite(sum) || depth >= QUAD_MAX_DEPTH || Math.abs(sum - whole) <= QUAD_TOLERANCE * Math.abs(sum) + 1e-300) return sum;
    return step(lo, mid, left, depth + 1) + step(mid, hi, right, depth + 1);
  };
  return a === b ? 0 : step(a, b, gaussLegendre(f, a, b), 0);
}

/** The longest expression a law may be, in characters. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** How deep an expression may nest: each operator, function call or bracket inside another is one level. */
export const MAX_EXPRESSION_DEPTH = 64;
/** The largest derivative (in nodes) that is simplified: simplifying takes about 0.1 s at this size, and grows fast beyond (10 s at 460 nodes). */
const SIMPLIFY_LIMIT = 100;

/**
 * The functions an expression law may call, each with the numbers of
 * arguments it takes: scalar functions of real numbers that have a symbolic
 * derivative. Nothing else is callable (no `evaluate`, `createUnit`,
 * `import`, matrices such as `zeros(5000)`).
 */
export const LAW_FUNCTIONS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  exp: [1], log: [1, 2], log10: [1], sqrt: [1], cbrt: [1], nthRoot: [2], pow: [2], abs: [1],
  sin: [1], cos: [1], tan: [1], sec: [1], csc: [1], cot: [1],
  asin: [1], acos: [1], atan: [1], asec: [1], acsc: [1], acot: [1],
  sinh: [1], cosh: [1], tanh: [1], sech: [1], csch: [1], coth: [1],
  asinh: [1], acosh: [1], atanh: [1], asech: [1], acsch: [1], acoth: [1],
});

/** The operators an expression law may use, by mathjs's name for them. */
const LAW_OPERATORS: Readonly<Record<string, string>> = { add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^', unaryMinus: '-', unaryPlus: '+' };

/** What a node of another kind is, for the refusal ("an assignment"). */
const NODE_KINDS: Readonly<Record<string, string>> = {
  AccessorNode: 'a property access',
  ArrayNode: 'a matrix',
  AssignmentNode: 'an assignment',
  BlockNode: 'a block of several expressions',
  ConditionalNode: 'a conditional',
  FunctionAssignmentNode: 'a function definition',
  IndexNode: 'an index',
  ObjectNode: 'an object',
  RangeNode: 'a range',
  RelationalNode: 'a comparison',
};

/** The deepest bracket nesting of a text: ( [ { each open one level. */
function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') deepest = Math.max(deepest, ++depth);
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/**
 * The expression parsed once and checked: at most MAX_EXPRESSION_LENGTH
 * characters and MAX_EXPRESSION_DEPTH levels deep (brackets are counted
 * before parsing, so that no nesting reaches the parser's recursion), made
 * only of numbers, symbols, brackets, the operators + - * / ^ and the
 * LAW_FUNCTIONS with their numbers of arguments. Symbols are checked by the
 * caller (v and the parameters). Anything else is a MultimechError that
 * names it, and what a law may use.
 */
function checkedExpression(expression: string, where: string, math: ExpressionMath): MathNode {
  const length = expression.length;
  if (length > MAX_EXPRESSION_LENGTH) {
    throw new MultimechError(`${where}: the expression is ${length.toLocaleString('en-US')} characters long, more than the ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')} a law may have`);
  }
  const tooDeep = (how: string) =>
    new MultimechError(`${where}: the expression nests ${how} levels deep, more than the ${MAX_EXPRESSION_DEPTH} a law may have (each operator, function or bracket inside another is one level)`);
  const brackets = bracketDepth(expression);
  if (brackets > MAX_EXPRESSION_DEPTH) throw tooDeep(`${brackets}`);
  let root: MathNode;
  try {
    root = math.parse(expression);
  } catch (e) {
    throw new MultimechError(`${where}: cannot parse '${expression}': ${String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
  const allowed = 'a law may use v, its parameters, numbers, + - * / ^, brackets and scalar functions such as exp, log, sqrt, sinh, tanh, atan, abs';
  const refuse = (what: string): never => {
    throw new MultimechError(`${where}: ${what} is not allowed in '${expression}' (${allowed})`);
  };
  // iteratively, deepest first: no recursion however the tree is shaped
  const stack: [MathNode, number][] = [[root, 1]];
  let deepest = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_EXPRESSION_DEPTH) throw tooDeep(`more than ${MAX_EXPRESSION_DEPTH}`);
    if (math.isConstantNode(node)) {
      if (typeof node.value !== 'number') refuse(`the constant ${JSON.stringify(node.value) ?? String(node.value)} (not a number)`);
    } else if (math.isSymbolNode(node) || math.isParenthesisNode(node)) {
      if (math.isParenthesisNode(node)) stack.push([node.content, depth + 1]);
    } else if (math.isOperatorNode(node)) {
      if (!Object.prototype.hasOwnProperty.call(LAW_OPERATORS, node.fn)) refuse(`the operator '${node.op}'`);
      for (const arg of node.args) stack.push([arg, depth + 1]);
    } else if (math.isFunctionNode(node)) {
      const name = math.isSymbolNode(node.fn) ? node.fn.name : undefined;
      if (name === undefined || !Object.prototype.hasOwnProperty.call(LAW_FUNCTIONS, name)) refuse(`the function '${name ?? node.fn.toString()}'`);
      const arities = LAW_FUNCTIONS[name!];
      if (!arities.includes(node.args.length)) {
        refuse(`${name}() with ${node.args.length} argument${node.args.length === 1 ? '' : 's'} (it takes ${arities.join(' or ')})`);
      }
      for (const arg of node.args) stack.push([arg, depth + 1]);
    } else {
      refuse(`${NODE_KINDS[node.type] ?? `a ${node.type}`} ('${node.toString()}')`);
    }
  }
  return root;
}

/** Points at which a drop outside the range is probed, between the range's end and the drop. */
const PROBE_POINTS = 201;

/**
 * A two-terminal law written as a mathjs expression of the drop `v` (volts),
 * e.g. `IS*(exp(v/vt)-1)` with parameters { IS, vt }: current(v) evaluates
 * it, conductance(v) evaluates its symbolic derivative (mathjs `derivative`),
 * coContent(v) = ∫₀ᵛ i by adaptive Gauss–Legendre quadrature (see
 * `integrate`). There is no Newton step limit: the network's Newton solver
 * backtracks on its energy, which is convex where the law is monotone.
 *
 * The expression is evaluated by a restricted mathjs instance of its own
 * (`expressionMath`: no `import`, `createUnit`, `evaluate`, `parse`,
 * matrix constructors, ...), so no law can change how another reads its
 * units or quantities. Refused with a MultimechError naming the element: an
 * expression longer than MAX_EXPRESSION_LENGTH characters or nesting deeper
 * than MAX_EXPRESSION_DEPTH; one that does not parse; one made of anything
 * but numbers, symbols, brackets, + - * / ^ and the LAW_FUNCTIONS (exp,
 * sinh, sqrt, ...); one with symbols other than `v` and the parameters;
 * one whose current or conductance is
 * not a finite real number somewhere on `range`; one that is not monotone
 * non-decreasing there (di/dv < 0 at one of 2001 evenly spaced points); one
 * that is flat there (di/dv = 0 at all of them: a constant current, not an
 * element whose current rises with its drop). A law whose slope vanishes
 * only somewhere (v³ at 0) is accepted: the network that uses it puts a
 * conductance in parallel, as SPICE puts gmin (`withParallelConductance`).
 *
 * The law holds on `range` only (its `range`): outside it, coContent is +∞
 * (a wall that keeps Newton's line search on the energy inside) and current
 * and conductance throw a NumericalError that names the element (and
 * `source`), the drop, and either that the law is not monotone (or not
 * finite) between the range and that drop, or that the range should be
 * widened. Inside it, a negative di/dv between the checked points, or a
 * value that is not finite, is refused the same way: no huge number or NaN
 * leaves the law.
 */
export function expressionLaw(expression: string, options: ExpressionLawOptions): ExpressionLaw {
  const { name, range } = options;
  const given = options.parameters ?? {};
  const where = `law of '${name}'`;
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new MultimechError(`${where}: the range must be two finite voltages lo < hi, got [${lo}, ${hi}]`);
  }
  if (!(lo <= 0 && hi >= 0)) {
    throw new MultimechError(`${where}: the range [${lo}, ${hi}] must contain 0 V (the co-content is taken from 0, and the network starts from rest)`);
  }
  for (const [key, value] of Object.entries(given)) {
    if (key === 'v') throw new MultimechError(`${where}: a parameter may not be named 'v' (the law's variable)`);
    if (!Number.isFinite(value)) throw new MultimechError(`${where}: parameter '${key}' must be a finite number, got ${value}`);
  }
  // mathjs is loaded here, by the first expression law (see `expressionMath`)
  const math = expressionMath();
  const node = checkedExpression(expression, where, math);
  const unknown = new Set<string>();
  const parameters: Record<string, number> = {};
  node.traverse((n, path, parent) => {
    if (!math.isSymbolNode(n) || (parent && math.isFunctionNode(parent) && path === 'fn')) return;
    if (n.name === 'v') return;
    if (Object.prototype.hasOwnProperty.call(given, n.name)) parameters[n.name] = given[n.name];
    else unknown.add(n.name);
  });
  if (unknown.size > 0) {
    const known = ['v', ...Object.keys(given)].join(', ');
    throw new MultimechError(`${where}: unknown symbol${unknown.size > 1 ? 's' : ''} ${[...unknown].map((s) => `'${s}'`).join(', ')} in '${expression}' (the law may use: ${known})`);
  }
  let currentCode: EvalFunction;
  let conductanceCode: EvalFunction;
  try {
    currentCode = node.compile();
    // simplified where that is cheap (simplifying a large derivative can take minutes): the same result, fewer operations
    const raw = math.derivative(node, 'v', { simplify: false });
    let size = 0;
    raw.traverse(() => size++);
    conductanceCode = (size <= SIMPLIFY_LIMIT ? math.derivative(node, 'v') : raw).compile();
  } catch (e) {
    throw new MultimechError(`${where}: cannot differentiate '${expression}': ${String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
  const scope: Record<string, number> = { ...given, v: 0 };
  const evaluator = (code: EvalFunction, what: string) => (v: number): number => {
    scope.v = v;
    let x: unknown;
    try {
      x = code.evaluate(scope);
    } catch (e) {
      throw new MultimechError(`${where}: cannot evaluate ${what} of '${expression}' at v = ${v}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof x !== 'number') throw new MultimechError(`${where}: ${what} of '${expression}' is not a real number at v = ${v} (got ${String(x)})`);
    return x;
  };
  const rawCurrent = evaluator(currentCode, 'the current');
  const rawConductance = evaluator(conductanceCode, 'di/dv');
  let rising = false;
  for (let k = 0; k < CHECK_POINTS; k++) {
    const v = k === CHECK_POINTS - 1 ? hi : lo + ((hi - lo) * k) / (CHECK_POINTS - 1);
    const i = rawCurrent(v);
    const g = rawConductance(v);
    if (!Number.isFinite(i) || !Number.isFinite(g)) {
      throw new MultimechError(`${where} is not finite on [${lo}, ${hi}]: i = ${i}, di/dv = ${g} at v = ${shown(v)}`);
    }
    if (g < 0) throw new MultimechError(`${where} is not monotone on [${lo}, ${hi}]: di/dv = ${shown(g)} at v = ${shown(v)}`);
    if (g > 0) rising = true;
  }
  if (!rising) {
    throw new MultimechError(
      `${where} is not strictly increasing on [${lo}, ${hi}]: di/dv = 0 everywhere there (a constant current of ${shown(rawCurrent(lo))} A); ` +
        'a two-terminal law must carry more current as its drop rises (a constant current is a current source, an I card)',
    );
  }

  const opening = `${options.source ? `${options.source}: ` : ''}${where}`;
  const setting = options.rangeSetting ?? 'its range';
  /** The first point between the range's end and v where the law is not finite or not monotone, as a clause; undefined if none. */
  const trouble = (from: number, to: number): string | undefined => {
    for (let k = 1; k <= PROBE_POINTS; k++) {
      const x = from + ((to - from) * k) / PROBE_POINTS;
      let i: number;
      let g: number;
      try {
        i = rawCurrent(x);
        g = rawConductance(x);
      } catch (e) {
        return `it cannot be evaluated there (${(e as Error).message})`;
      }
      if (!Number.isFinite(i) || !Number.isFinite(g)) return `the law is not finite there (i = ${shown(i)} A, di/dv = ${shown(g)} S at v = ${shown(x)} V)`;
      if (g < 0) return `the law is not monotone there (di/dv = ${shown(g)} S at v = ${shown(x)} V): a law must rise on every drop the network reaches, so widening ${setting} will not help`;
    }
    return undefined;
  };
  const outside = (v: number): never => {
    const end = v > hi ? hi : lo;
    const why = Number.isFinite(v) ? trouble(end, v) : undefined;
    throw new NumericalError(
      `${opening}: the drop reached ${shown(v)} V, outside the range [${lo}, ${hi}] V on which the law was checked; ` +
        (why ?? `the law is monotone up to there: widen ${setting} to cover it`),
    );
  };
  const inside = (v: number) => v >= lo && v <= hi;
  const current = (v: number): number => {
    if (!inside(v)) return outside(v);
    const i = rawCurrent(v);
    if (!Number.isFinite(i)) throw new NumericalError(`${opening}: the current is ${i} at a drop of ${shown(v)} V`);
    return i;
  };
  const conductance = (v: number): number => {
    if (!inside(v)) return outside(v);
    const g = rawConductance(v);
    if (!Number.isFinite(g)) throw new NumericalError(`${opening}: di/dv is ${g} at a drop of ${shown(v)} V`);
    if (g < 0) {
      throw new NumericalError(
        `${opening}: di/dv = ${shown(g)} S at a drop of ${shown(v)} V: the law is not monotone there (between the ${CHECK_POINTS} points on [${lo}, ${hi}] at which it was checked)`,
      );
    }
    return g;
  };
  const coContent = (v: number): number => {
    if (!inside(v)) return Infinity;
    const F = integrate(rawCurrent, 0, v);
    if (!Number.isFinite(F)) throw new NumericalError(`${opening}: the co-content is ${F} at a drop of ${shown(v)} V`);
    return F;
  };
  return { current, conductance, coContent, expression, parameters, range: [lo, hi] };
}
