import type { SolverMethod } from '@multimech/sparse';
import { oneOf, strictObject, withDefaults } from './codecs';

/** How a substrate solves its equilibria: a symmetric method of @multimech/sparse's planner. */
export interface SolverSettings {
  /** 'auto' (the planner's choice from the measured fill, the default), 'cholesky' or 'cg'. */
  readonly method: Extract<SolverMethod, 'auto' | 'cholesky' | 'cg'>;
}

/** The `solver` section every substrate shares: `{ "method"?: "auto" | "cholesky" | "cg" }`. */
export const solverCodec = withDefaults(
  strictObject('solver settings { method }', {}, { method: oneOf('auto', 'cholesky', 'cg') }),
  (c): SolverSettings => ({ method: c.method ?? 'auto' }),
);
