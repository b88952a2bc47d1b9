import type * as MathJs from 'mathjs';

let loaded: typeof MathJs | undefined;

/**
 * mathjs, loaded on first use. It is by far the heaviest dependency of core
 * (about as long to load as everything else of multimech together), and it
 * serves only physical quantities written with a unit in a config (`"1 kohm"`)
 * and two-terminal laws written as expressions: importing `@multimech/core`,
 * a plugin or the command line does not load it, a config with plain numbers
 * never does. Nothing uses the module's shared default instance: quantities
 * and expressions each have an instance of their own (`quantityMath`,
 * `expressionMath`), so no expression can reach what quantities are read with.
 */
function mathjsModule(): typeof MathJs {
  return (loaded ??= require('mathjs') as typeof MathJs);
}

let quantities: MathJs.MathJsInstance | undefined;

/**
 * The mathjs instance that reads physical quantities in configs (`"1.7 kHz"`):
 * a fresh `create(all)` of its own, handed to no expression, so that no
 * netlist or law can redefine a unit that a config is read with.
 */
export function quantityMath(): MathJs.MathJsInstance {
  return (quantities ??= mathjsModule().create(mathjsModule().all, {}));
}

/**
 * Functions of mathjs that no user expression may call: those that change
 * the instance (`import`, `createUnit`, `config`), evaluate or transform other
 * expressions (`evaluate`, `parse`, `compile`, `simplify`, `derivative`, ...),
 * or build matrices and other unbounded structures (`zeros(5000, 5000)`).
 * Expression laws refuse them by their allow-list first; in the restricted
 * instance they throw besides.
 */
export const DISABLED_MATH_FUNCTIONS = [
  'import',
  'createUnit',
  'splitUnit',
  'unit',
  'evaluate',
  'parse',
  'compile',
  'simplify',
  'simplifyConstant',
  'simplifyCore',
  'rationalize',
  'derivative',
  'resolve',
  'reviver',
  'replacer',
  'chain',
  'help',
  'parser',
  'matrix',
  'sparse',
  'zeros',
  'ones',
  'identity',
  'range',
  'diag',
  'concat',
  'resize',
  'reshape',
  'kron',
  'map',
  'forEach',
  'filter',
  'random',
  'randomInt',
  'pickRandom',
] as const;

/** What expression laws use of their restricted instance: its parser and symbolic derivative, taken before they were disabled for expressions. */
export interface ExpressionMath {
  readonly parse: (text: string) => MathJs.MathNode;
  readonly derivative: (node: MathJs.MathNode, variable: string, options?: { simplify: boolean }) => MathJs.MathNode;
  readonly isFunctionNode: typeof MathJs.isFunctionNode;
  readonly isSymbolNode: typeof MathJs.isSymbolNode;
  readonly isOperatorNode: typeof MathJs.isOperatorNode;
  readonly isConstantNode: typeof MathJs.isConstantNode;
  readonly isParenthesisNode: typeof MathJs.isParenthesisNode;
}

let expressions: ExpressionMath | undefined;

/**
 * The restricted mathjs instance of expression laws: a `create(all)` of its
 * own whose `DISABLED_MATH_FUNCTIONS` throw when an expression calls them.
 * Its parser and derivative are taken (and instantiated) before that, for
 * the project's own use on a tree it has checked; an expression compiled
 * from that tree resolves its functions in the restricted namespace.
 */
export function expressionMath(): ExpressionMath {
  if (expressions) return expressions;
  const math = mathjsModule().create(mathjsModule().all, {});
  const parse = math.parse.bind(math) as (text: string) => MathJs.MathNode;
  const derivative = math.derivative.bind(math) as ExpressionMath['derivative'];
  // instantiate what derivative and compile use, before their names are disabled
  derivative(parse('exp(v) * v ^ 2'), 'v').compile();
  const disabled = Object.fromEntries(
    DISABLED_MATH_FUNCTIONS.map((name) => [
      name,
      () => {
        throw new Error(`function '${name}' is not available in an expression law`);
      },
    ]),
  );
  math.import(disabled, { override: true });
  const m = mathjsModule();
  return (expressions = {
    parse,
    derivative,
    isFunctionNode: m.isFunctionNode,
    isSymbolNode: m.isSymbolNode,
    isOperatorNode: m.isOperatorNode,
    isConstantNode: m.isConstantNode,
    isParenthesisNode: m.isParenthesisNode,
  });
}
