import { EvalFunction, MathNode, derivative, isFunctionNode, isSymbolNode, parse } from 'mathjs';
import { MultimechError } from './errors';
import type { TwoTerminalLaw } from './two-terminal-law';

/** Options of `expressionLaw`. */
export interface ExpressionLawOptions {
  /** Named constants the expression may use besides `v` (case-sensitive). */
  readonly parameters?: Readonly<Record<string, number>>;
  /** The voltage range [lo, hi] on which the law is checked to be finite and monotone non-decreasing. */
  readonly range: readonly [number, number];
  /** The element's name, for messages. */
  readonly name: string;
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
 * non-decreasing there (di/dv < 0 at one of 2001 evenly spaced points).
 * Outside `range` the law is used as written, unchecked.
 */
export function expressionLaw(expression: string, options: ExpressionLawOptions): TwoTerminalLaw {
  const { name, range } = options;
  const parameters = options.parameters ?? {};
  const where = `law of '${name}'`;
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new MultimechError(`${where}: the range must be two finite voltages lo < hi, got [${lo}, ${hi}]`);
  }
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'v') throw new MultimechError(`${where}: a parameter may not be named 'v' (the law's variable)`);
    if (!Number.isFinite(value)) throw new MultimechError(`${where}: parameter '${key}' must be a finite number, got ${value}`);
  }
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (e) {
    throw new MultimechError(`${where}: cannot parse '${expression}': ${(e as Error).message.split('\n')[0]}`);
  }
  const unknown = new Set<string>();
  node.traverse((n, path, parent) => {
    if (!isSymbolNode(n) || (parent && isFunctionNode(parent) && path === 'fn')) return;
    if (n.name !== 'v' && !Object.prototype.hasOwnProperty.call(parameters, n.name)) unknown.add(n.name);
  });
  if (unknown.size > 0) {
    const known = ['v', ...Object.keys(parameters)].join(', ');
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
  const scope: Record<string, number> = { ...parameters, v: 0 };
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
  const current = evaluator(currentCode, 'the current');
  const conductance = evaluator(conductanceCode, 'di/dv');
  for (let k = 0; k < CHECK_POINTS; k++) {
    const v = k === CHECK_POINTS - 1 ? hi : lo + ((hi - lo) * k) / (CHECK_POINTS - 1);
    const i = current(v);
    const g = conductance(v);
    if (!Number.isFinite(i) || !Number.isFinite(g)) {
      throw new MultimechError(`${where} is not finite on [${lo}, ${hi}]: i = ${i}, di/dv = ${g} at v = ${v}`);
    }
    if (g < 0) throw new MultimechError(`${where} is not monotone on [${lo}, ${hi}]: di/dv = ${g} at v = ${v}`);
  }
  return { current, conductance, coContent: (v) => integrate(current, 0, v) };
}
