import type { EvalFunction, MathNode } from 'mathjs';
import { MultimechError, NumericalError } from '../support/errors';
import { significant as shown } from '../support/format';
import { mathjs } from '../support/mathjs';
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
 * Refused with a MultimechError naming the element: an expression that does
 * not parse; one with symbols other than `v` and the parameters (functions
 * such as exp, sinh, sqrt are allowed); one whose current or conductance is
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
  // mathjs is loaded here, by the first expression law (see `mathjs`)
  const { derivative, isFunctionNode, isSymbolNode, parse } = mathjs();
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (e) {
    throw new MultimechError(`${where}: cannot parse '${expression}': ${(e as Error).message.split('\n')[0]}`);
  }
  const unknown = new Set<string>();
  const parameters: Record<string, number> = {};
  node.traverse((n, path, parent) => {
    if (!isSymbolNode(n) || (parent && isFunctionNode(parent) && path === 'fn')) return;
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
    conductanceCode = derivative(node, 'v').compile();
  } catch (e) {
    throw new MultimechError(`${where}: cannot differentiate '${expression}': ${(e as Error).message.split('\n')[0]}`);
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
