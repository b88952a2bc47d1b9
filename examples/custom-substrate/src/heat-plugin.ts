import { SubstrateRecord, bindSubstrate, definePlugin, gridTopology, positiveInteger, positiveNumber, range, refine, strictObject, withDefaults } from '@multimech/core';
import { HeatGridSubstrate } from './heat-grid';

/** `{ "kind": "acme/heat-grid", "width": 6, "height": 4, "conductance": { "init": [0.5, 1.5], "min": 0.01, "max": 10 } }` */
export const heatGridConfigCodec = strictObject(
  'an acme/heat-grid substrate { width, height, conductance? }',
  { width: positiveInteger, height: positiveInteger },
  { conductance: strictObject('conductance settings { init, min, max }', {}, { init: range, min: positiveNumber, max: positiveNumber }) },
);

export type HeatGridConfig = typeof heatGridConfigCodec._A;

/** The section as the substrate uses it: every default filled in. */
export interface HeatGridSettings {
  readonly width: number;
  readonly height: number;
  readonly conductance: { readonly init: readonly [number, number]; readonly min: number; readonly max: number };
}

/**
 * Decoded once, into settings: the fields, the defaults (init [0.5, 1.5],
 * min 1e-3, max 100), then the check across fields, reported at its key.
 */
export const heatGridSettings = refine(
  withDefaults(
    heatGridConfigCodec,
    (c): HeatGridSettings => ({
      width: c.width,
      height: c.height,
      conductance: { init: c.conductance?.init ?? [0.5, 1.5], min: c.conductance?.min ?? 1e-3, max: c.conductance?.max ?? 100 },
    }),
  ),
  ({ conductance: { init, min, max } }) =>
    min < max && min <= init[0] && init[1] <= max
      ? []
      : [{ key: 'conductance', message: `expected min < max and init inside [min, max], got init [${init[0]}, ${init[1]}], min ${min}, max ${max}` }],
);

/** The registration record: kind, config codec, capabilities, and how to build one from its settings. */
export const heatGridRecord: SubstrateRecord<HeatGridSettings> = {
  kind: 'acme/heat-grid',
  description: 'a thermal grid: temperatures at the nodes, trainable thermal conductances, heaters as inputs, a heat sink as ground',
  configCodec: heatGridSettings,
  capabilities: ['linear', 'scalar-potential'],
  example: { width: 6, height: 4, conductance: { init: [0.5, 1.5], min: 0.01, max: 10 } },
  create(settings, context) {
    const topology = gridTopology(settings.width, settings.height, { inputs: context.inputs.count, outputs: context.outputs.count });
    const [lo, hi] = settings.conductance.init;
    const k = Float64Array.from(topology.graph.edgeNames, () => context.rng.uniform(lo, hi));
    return new HeatGridSubstrate(topology, context.inputs.type, k, { min: settings.conductance.min, max: settings.conductance.max });
  },
};

/** One call registers the substrate: `createExperiment(config, [heatPlugin, ...])`. */
export const heatPlugin = definePlugin(({ bind }) => bindSubstrate(bind, heatGridRecord), 'acme/heat-grid');
