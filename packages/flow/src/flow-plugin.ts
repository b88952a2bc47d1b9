import { SettingsError, SubstrateContext, SubstrateRecord, bindSubstrate, definePlugin, settingsProblem, topologyFromConfig } from '@multimech/core';
import { FlowSettings, flowSettings, perTubeValues } from './flow-config';
import { flowFromTopology } from './flow-from-topology';
import { FlowSubstrate } from './flow-substrate';

function createFlow(config: FlowSettings, context: SubstrateContext): FlowSubstrate {
  const topology = topologyFromConfig(config.network, { inputs: context.inputs.count, outputs: context.outputs.count }, context.rng);
  if (config.outputs && config.outputs.length !== context.outputs.count) {
    settingsProblem('substrate', 'outputs', `${config.outputs.length} outputs given, but the task has ${context.outputs.count}`);
  }
  const parameter = config.parameter;
  const [lo, hi] = config.init;
  const initial = new Float64Array(topology.graph.from.length);
  for (let k = 0; k < initial.length; k++) initial[k] = context.rng.uniform(lo, hi);
  return flowFromTopology(topology, context.inputs.type, {
    parameter,
    initial,
    viscosity: perTubeValues(config.viscosity, initial.length, 'viscosity'),
    length: perTubeValues(config.length, initial.length, 'length'),
    bounds: { min: config.min, max: config.max },
    outputs: config.outputs,
    // each at its key in the config: outputs[1]
    onOutputProblems: (problems) => {
      throw new SettingsError(problems.map((p) => ({ section: 'substrate', key: `outputs[${p.index}]`, message: p.message })));
    },
    solver: config.solver,
  });
}

/** The registration record of the flow substrate (kind `flow`). */
export const flowRecord: SubstrateRecord<FlowSettings> = {
  kind: 'flow',
  description:
    'linear flow network of Hagen–Poiseuille tubes: node pressures, trainable hydraulic conductance or tube radius; inflows or pressure reservoirs; carries a chemical',
  configCodec: flowSettings,
  capabilities: ['linear', 'scalar-potential', 'transport'],
  example: { network: { generator: 'layered', hidden: [10] }, parameter: 'conductance', init: [0.5, 1.5], min: 0.0001, max: 10 },
  create: createFlow,
};

/** Registers the flow substrate: `createExperiment(config, [flowPlugin, ...])`. */
export const flowPlugin = definePlugin(({ bind }) => bindSubstrate(bind, flowRecord), '@multimech/flow');
