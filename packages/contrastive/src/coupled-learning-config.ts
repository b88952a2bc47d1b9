import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, SEED_RANGE, bounded, boundedNumber, decodeOrThrow, integer, numberWhere, strictObject, withDefaults } from '@multimech/core';

/**
 * `twin`: the free and clamped states come from two physical copies of the
 * network whose components differ (the Penn circuits build them as two
 * networks of transistors on one gate voltage per edge): copy c's parameter
 * of edge k is θ_k·(1 + spread·ξ_ck), ξ uniform in [−1, 1], drawn once per
 * copy and per edge from `seed` and fixed for the run.
 */
export const twinConfig = strictObject(
  'twin-network mismatch ({ "spread", "seed"? })',
  {
    /** The relative half-width of each copy's device variability: 0 makes the copies identical; below 1 so that every component stays positive. */
    spread: boundedNumber('a relative spread', { min: 0, max: 1, maxOpen: true }),
  },
  {
    /** The seed of the two copies' devices (default 1): the same seed builds the same pair of networks. */
    seed: bounded(integer, SEED_RANGE, 'a seed is a safe integer'),
  },
);

/** The config of coupled learning, as written under `error` (every key optional). */
export const coupledLearningConfig = strictObject(
  'a coupled learning error mechanism ({ "kind": "cl", "eta"?, "twin"? })',
  {},
  {
    /** η: how far the clamped outputs move from the free outputs towards the target (default 0.1). */
    eta: numberWhere('a number in (0, 1]', (n) => n > 0 && n <= 1, { exclusiveMinimum: 0, maximum: 1 }),
    /** Free and clamped states from two copies of the network with independent device variability (default: one ideal network). */
    twin: twinConfig,
  },
);
export type CoupledLearningConfig = t.TypeOf<typeof coupledLearningConfig>;

/** Twin-network mismatch with its defaults filled in. */
export interface TwinSettings {
  readonly spread: number;
  readonly seed: number;
}

/** A coupled learning config with its defaults filled in. */
export interface CoupledLearningSettings {
  readonly eta: number;
  /** Present when the free and clamped states come from two mismatched copies. */
  readonly twin?: TwinSettings;
}

/** The seed of the twin copies' devices when `twin.seed` is not given. */
export const DEFAULT_TWIN_SEED = 1;

/** The CL section decoded into its settings (η = 0.1 by default). */
export const coupledLearningSettings = withDefaults(coupledLearningConfig, (c): CoupledLearningSettings => ({
  eta: c.eta ?? 0.1,
  ...(c.twin ? { twin: { spread: c.twin.spread, seed: c.twin.seed ?? DEFAULT_TWIN_SEED } } : {}),
}));

/** The `error` section of coupled learning as written (`{ "kind": "cl", "eta"?, "twin"? }`), from its codec. */
export type ClSection = WrittenSection<'cl', ConfigOf<typeof coupledLearningSettings>>;

/** Decodes a CL config (refusing bad values with their path under `path`) and fills in the defaults. */
export function resolveCoupledLearningConfig(config: unknown = {}, path = 'error'): CoupledLearningSettings {
  return decodeOrThrow(coupledLearningSettings, config, path);
}
