import { type SubstrateContext, type SubstrateRecord, settingsProblem } from '@multimech/core';
import { DeepResistiveNetwork } from './deep-resistive-network';
import { type DrnSubstrateSettings, drnSubstrateSettings } from './drn-substrate-config';
import { DrnSubstrate } from './drn-substrate';

function createDrn(settings: DrnSubstrateSettings, context: SubstrateContext): DrnSubstrate {
  if (context.inputs.type !== 'potential') {
    settingsProblem('substrate', 'kind', "a deep resistive network's inputs are voltage sources, but the task drives its inputs as currents (flows)");
  }
  const net = new DeepResistiveNetwork({ inputs: context.inputs.count, hidden: settings.hidden, outputs: context.outputs.count }, settings.diode).initialize(context.rng, {
    ...(settings.weightGains ? { weightGains: settings.weightGains } : {}),
    biasGain: settings.biasGain,
  });
  return new DrnSubstrate(net, settings.solver, { minibatch: settings.minibatch });
}

/**
 * The registration record of the deep resistive network (kind `drn`,
 * docs/drn.md): layers of trainable conductances, diodes from each hidden
 * node to ground, trainable bias currents, solved by the layered solver.
 */
export const drnRecord: SubstrateRecord<DrnSubstrateSettings> = {
  kind: 'drn',
  description:
    'deep resistive network: input voltage sources, hidden layers with diodes to ground (half excitatory, half inhibitory; ideal or Shockley), linear outputs, trainable conductances and bias currents; solved by the layered solver',
  configCodec: drnSubstrateSettings,
  capabilities: ['scalar-potential'],
  example: { hidden: [100], diode: 'ideal' },
  sizes: (settings, ports) => {
    const layers = [ports.inputs, ...settings.hidden, ports.outputs];
    let conductances = 0;
    for (let k = 0; k + 1 < layers.length; k++) conductances += layers[k] * layers[k + 1];
    const free = layers.slice(1).reduce((a, b) => a + b, 0);
    return [
      { limit: 'nodes', count: layers.reduce((a, b) => a + b, 0) + 1, key: 'hidden', what: `nodes (${ports.inputs} input sources, the hidden layers, ${ports.outputs} outputs and ground)` },
      { limit: 'edges', count: conductances + free, key: 'hidden', what: 'edges (a conductance between every two nodes of adjacent layers, a bias current at every hidden and output node)' },
    ];
  },
  create: createDrn,
};
