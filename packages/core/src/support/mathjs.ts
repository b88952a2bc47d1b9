import type * as MathJs from 'mathjs';

let loaded: typeof MathJs | undefined;

/**
 * mathjs, loaded on first use. It is by far the heaviest dependency of core
 * (about as long to load as everything else of multimech together), and it
 * serves only physical quantities written with a unit in a config (`"1 kohm"`)
 * and two-terminal laws written as expressions: importing `@multimech/core`,
 * a plugin or the command line does not load it, a config with plain numbers
 * never does.
 */
export function mathjs(): typeof MathJs {
  return (loaded ??= require('mathjs') as typeof MathJs);
}
