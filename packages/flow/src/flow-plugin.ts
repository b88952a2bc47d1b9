import { MultimechError, SubstrateContext, SubstrateRecord, bindSubstrate, definePlugin, topologyFromConfig } from '@multimech/core';
import { FlowConfig, flowConfigCodec, flowParameterDefaults, perTubeValues } from './flow-config';
import { flowFromTopology } from './flow-from-topology';
import { FlowSubstrate } from './flow-substrate';

function createFlow(config: FlowConfig, context: SubstrateContext): FlowSubstrate {
  const topology = topologyFromConfig(config.network, { inputs: context.inputs.count, outputs: context.outputs.count }, context.rng);
  if (config.outputs && config.outputs.length !== context.outputs.count) {
    throw new MultimechError(`substrate.outputs: ${config.outputs.length} outputs given, but the task has ${context.outputs.count}`);
  }
  const parameter = config.parameter ?? 'conductance';
  const defaults = flowParameterDefaults[parameter];
  const [lo, hi] = config.init ?? defaults.init;
  const initial = new Float64Array(topology.graph.from.length);
  for (let k = 0; k < initial.length; k++) initial[k] = context.rng.uniform(lo, hi);
  return flowFromTopology(topology, context.inputs.type, {
    parameter,
    initial,
    viscosity: perTubeValues(config.viscosity, initial.length, 'substrate.viscosity'),
    length: perTubeValues(config.length, initial.length, 'substrate.length'),
    bounds: { min: config.min ?? defaults.min, max: config.max ?? defaults.max },
    outputs: config.outputs,
    solver: config.solver,
  });
}

/** The registration record of the flow substrate (kind `flow`). */
export const flowRecord: SubstrateRecord<FlowConfig> = {
  kind: 'flow',
  description:
    'linear flow network of Hagen–Poiseuille tubes: node pressures, trainable hydraulic conductance or tube radius; inflows or pressure reservoirs; carries a chemical',
  configCodec: flowConfigCodec,
  capabilities: ['linear', 'scalar-potential', 'transport'],
  example: { network: { generator: 'layered', hidden: [10] }, parameter: 'conductance', init: [0.5, 1.5], min: 0.0001, max: 10 },
  create: createFlow,
};

/** Registers the flow substrate: `createExperiment(config, [flowPlugin, ...])`. */
export const flowPlugin = definePlugin(({ bind }) => bindSubstrate(bind, flowRecord));
