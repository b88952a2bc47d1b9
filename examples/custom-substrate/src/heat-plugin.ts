import { MultimechError, SubstrateRecord, bindSubstrate, definePlugin, gridTopology, positiveInteger, positiveNumber, range, strictObject } from '@multimech/core';
import { HeatGridSubstrate } from './heat-grid';

/** `{ "kind": "acme/heat-grid", "width": 6, "height": 4, "conductance": { "init": [0.5, 1.5], "min": 0.01, "max": 10 } }` */
export const heatGridConfigCodec = strictObject(
  'an acme/heat-grid substrate { width, height, conductance? }',
  { width: positiveInteger, height: positiveInteger },
  { conductance: strictObject('conductance settings { init, min, max }', {}, { init: range, min: positiveNumber, max: positiveNumber }) },
);

export type HeatGridConfig = typeof heatGridConfigCodec._A;

/** The registration record: kind, config codec, capabilities, and how to build one from a config. */
export const heatGridRecord: SubstrateRecord<HeatGridConfig> = {
  kind: 'acme/heat-grid',
  description: 'a thermal grid: temperatures at the nodes, trainable thermal conductances, heaters as inputs, a heat sink as ground',
  configCodec: heatGridConfigCodec,
  capabilities: ['linear', 'scalar-potential'],
  example: { width: 6, height: 4, conductance: { init: [0.5, 1.5], min: 0.01, max: 10 } },
  create(config, context) {
    const topology = gridTopology(config.width, config.height, { inputs: context.inputs.count, outputs: context.outputs.count });
    const [lo, hi] = config.conductance?.init ?? [0.5, 1.5];
    const min = config.conductance?.min ?? 1e-3;
    const max = config.conductance?.max ?? 100;
    if (!(min < max && min <= lo && hi <= max)) {
      throw new MultimechError(`substrate.conductance: expected min < max and init inside [min, max], got init [${lo}, ${hi}], min ${min}, max ${max}`);
    }
    const k = Float64Array.from(topology.graph.edgeNames, () => context.rng.uniform(lo, hi));
    return new HeatGridSubstrate(topology, context.inputs.type, k, { min, max });
  },
};

/** One call registers the substrate: `createExperiment(config, [heatPlugin, ...])`. */
export const heatPlugin = definePlugin(({ bind }) => bindSubstrate(bind, heatGridRecord));
