import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, MAX_SIGNAL, bounded, decodeOrThrow, oneOf, positiveNumber, strictObject, withDefaults } from '@multimech/core';

/** The config of equilibrium propagation, as written under `error` (every key optional). */
export const equilibriumPropagationConfig = strictObject(
  'an equilibrium propagation error mechanism ({ "kind": "ep", "beta"?, "variant"? })',
  {},
  {
    /** β: the nudging strength (default 0.01). */
    beta: bounded(positiveNumber, { min: 1e-12, max: MAX_SIGNAL }, 'β·C nudges the network: it must stay finite, and the difference of the two states must stand above their rounding'),
    /** Which two states are compared: 0 and +β, −β and 0, or −β and +β (default 'centred'). */
    variant: oneOf('positive', 'negative', 'centred'),
  },
);
export type EquilibriumPropagationConfig = t.TypeOf<typeof equilibriumPropagationConfig>;

export type EquilibriumPropagationVariant = 'positive' | 'negative' | 'centred';

/** An equilibrium propagation config with its defaults filled in. */
export interface EquilibriumPropagationSettings {
  readonly beta: number;
  readonly variant: EquilibriumPropagationVariant;
}

/** The EP section decoded into its settings (β = 0.01, centred, by default). */
export const equilibriumPropagationSettings = withDefaults(
  equilibriumPropagationConfig,
  (c): EquilibriumPropagationSettings => ({ beta: c.beta ?? 0.01, variant: c.variant ?? 'centred' }),
);

/** The `error` section of equilibrium propagation as written (`{ "kind": "ep", "beta"?, "variant"? }`), from its codec. */
export type EpSection = WrittenSection<'ep', ConfigOf<typeof equilibriumPropagationSettings>>;

/** Decodes an EP config (refusing bad values with their path under `path`) and fills in the defaults. */
export function resolveEquilibriumPropagationConfig(config: unknown = {}, path = 'error'): EquilibriumPropagationSettings {
  return decodeOrThrow(equilibriumPropagationSettings, config, path);
}
