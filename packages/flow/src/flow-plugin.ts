import { type EdgeListFileConfig, SettingsError, SubstrateContext, SubstrateRecord, bindSubstrate, definePlugin, edgeListSizes, generatedNetworkSizes, readEdgeListNetwork, settingsProblem, topologyFromConfig } from '@multimech/core';
import { type FlowEdgeListConfig, FlowSettings, flowSettings, isEdgeList, perTubeValues } from './flow-config';
import { flowFromTopology } from './flow-from-topology';
import { FlowSubstrate } from './flow-substrate';

/**
 * A flow network written out as an edge list: each tube's initial
 * parameter exactly as written (a conductance given is the conductance
 * trained, bit for bit; one not given is drawn from `init`), its own bounds
 * where it gives them, the sources, targets and reservoirs as named.
 */
function createFlowFromEdges(config: FlowSettings, network: FlowEdgeListConfig | EdgeListFileConfig, context: SubstrateContext): FlowSubstrate {
  const net = readEdgeListNetwork(network, {
    baseDir: context.baseDir,
    limits: context.limits,
    valueKeys: ['conductance', 'radius'],
    valueKey: config.parameter,
    edge: 'tube',
    bounds: { min: config.min, max: config.max },
    init: config.init,
    ports: { inputs: context.inputs.count, outputs: context.outputs.count },
    section: 'substrate',
    key: 'network',
  });
  const [lo, hi] = config.init;
  const initial = Float64Array.from(net.initial, (value) => value ?? context.rng.uniform(lo, hi));
  return flowFromTopology(net.topology, context.inputs.type, {
    parameter: config.parameter,
    initial,
    viscosity: perTubeValues(config.viscosity, initial.length, 'viscosity'),
    length: perTubeValues(config.length, initial.length, 'length'),
    bounds: { min: net.min, max: net.max },
    outputs: net.targets,
    onOutputProblems: (problems) => net.targetProblems(problems),
    solver: config.solver,
  });
}

function createFlow(config: FlowSettings, context: SubstrateContext): FlowSubstrate {
  if (isEdgeList(config.network)) return createFlowFromEdges(config, config.network, context);
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
    'linear flow network of Hagen–Poiseuille tubes: node pressures, trainable hydraulic conductance or tube radius; inflows or pressure reservoirs; carries a chemical; generated (layered, grid, random) or an edge list (JSON or CSV)',
  configCodec: flowSettings,
  capabilities: ['linear', 'scalar-potential', 'transport'],
  example: { network: { generator: 'layered', hidden: [10] }, parameter: 'conductance', init: [0.5, 1.5], min: 0.0001, max: 10 },
  sizes: (settings, ports) => (isEdgeList(settings.network) ? edgeListSizes(settings.network) : generatedNetworkSizes(settings.network, ports)),
  create: createFlow,
};

/** Registers the flow substrate: `createExperiment(config, [flowPlugin, ...])`. */
export const flowPlugin = definePlugin(({ bind }) => bindSubstrate(bind, flowRecord), '@multimech/flow');
