import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, decodeOrThrow, numberWhere, strictObject, withDefaults } from '@multimech/core';

/** The config of coupled learning, as written under `error` (every key optional). */
export const coupledLearningConfig = strictObject(
  'a coupled learning error mechanism ({ "kind": "cl", "eta"? })',
  {},
  {
    /** η: how far the clamped outputs move from the free outputs towards the target (default 0.1). */
    eta: numberWhere('a number in (0, 1]', (n) => n > 0 && n <= 1, { exclusiveMinimum: 0, maximum: 1 }),
  },
);
export type CoupledLearningConfig = t.TypeOf<typeof coupledLearningConfig>;

/** A coupled learning config with its defaults filled in. */
export interface CoupledLearningSettings {
  readonly eta: number;
}

/** The CL section decoded into its settings (η = 0.1 by default). */
export const coupledLearningSettings = withDefaults(coupledLearningConfig, (c): CoupledLearningSettings => ({ eta: c.eta ?? 0.1 }));

/** The `error` section of coupled learning as written (`{ "kind": "cl", "eta"? }`), from its codec. */
export type ClSection = WrittenSection<'cl', ConfigOf<typeof coupledLearningSettings>>;

/** Decodes a CL config (refusing bad values with their path under `path`) and fills in the defaults. */
export function resolveCoupledLearningConfig(config: unknown = {}, path = 'error'): CoupledLearningSettings {
  return decodeOrThrow(coupledLearningSettings, config, path);
}
