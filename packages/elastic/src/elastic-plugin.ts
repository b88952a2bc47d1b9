import { MultimechError, SubstrateContext, SubstrateRecord, bindSubstrate, definePlugin } from '@multimech/core';
import { ElasticConfig, elasticConfigCodec, elasticDefaults } from './elastic-config';
import { elasticFromTopology } from './elastic-from-topology';
import type { ElasticSubstrate } from './elastic-substrate';
import { randomSpringNetwork, triangularLattice } from './elastic-topology';

/** How the task's inputs act: flow inputs are force dipoles; potential inputs displacements unless the config asks for strains. */
function inputMode(config: ElasticConfig, type: 'flow' | 'potential'): 'force' | 'displacement' | 'strain' {
  const wanted = config.inputs ?? (type === 'flow' ? 'force' : 'displacement');
  if ((wanted === 'force') !== (type === 'flow')) {
    throw new MultimechError(
      `substrate.inputs: '${wanted}' needs a task with ${wanted === 'force' ? 'flow (force)' : 'potential (displacement or strain)'} inputs, but the task's inputs are ${type === 'flow' ? 'flows' : 'potentials'}`,
    );
  }
  return wanted;
}

function createElastic(config: ElasticConfig, context: SubstrateContext): ElasticSubstrate {
  const counts = { sources: context.inputs.count, targets: context.outputs.count };
  const net = config.network;
  const topology =
    net.generator === 'triangular'
      ? triangularLattice(net.width, net.height, counts)
      : randomSpringNetwork({ dimension: config.dimension, nodes: net.nodes, coordination: net.coordination, jitter: net.jitter, pins: net.pins }, counts, context.rng);
  const k = { ...elasticDefaults.stiffness, ...config.stiffness };
  const l = { ...elasticDefaults.restLength, ...config.restLength };
  const stiffness = Float64Array.from(topology.graph.edgeNames, () => context.rng.uniform(k.init[0], k.init[1]));
  return elasticFromTopology(topology, {
    parameter: config.parameter ?? 'stiffness',
    stiffness,
    stiffnessBounds: { min: k.min, max: k.max },
    restLengthBounds: { min: l.min, max: l.max },
    inputs: inputMode(config, context.inputs.type),
    outputs: config.outputs ?? 'distance',
    solver: config.solver,
    minimiser: config.minimiser,
  });
}

/** The registration record of the elastic substrate (kind `elastic`). */
export const elasticRecord: SubstrateRecord<ElasticConfig> = {
  kind: 'elastic',
  description:
    'central-force spring network in 2-D or 3-D: node positions, trainable stiffness and/or rest length; force, displacement or strain inputs on source pairs, distance or displacement outputs on target pairs',
  configCodec: elasticConfigCodec,
  capabilities: ['vector-state'],
  create: createElastic,
};

/** Registers the elastic substrate: `createExperiment(config, [elasticPlugin, ...])`. */
export const elasticPlugin = definePlugin(({ bind }) => bindSubstrate(bind, elasticRecord));
