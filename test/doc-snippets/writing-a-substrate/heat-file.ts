// docs/writing-a-substrate.md, "9. The command line": the code between "snippet start" and "snippet end" is the doc's, word for word.
// snippet start
import { InputFileError, bindSubstrate, createGraph, definePlugin, type NetworkFileFormat, type SubstrateResults } from '@multimech/core';
import { HeatGridSubstrate, heatGridRecord } from 'multimech-example-custom-substrate';

/**
 * A heat network as a text file: `link NAME NODE NODE k` (a thermal
 * conductance, W/K, trained) and `heater NAME NODE W` (a heater's power,
 * drawn from the sink); the node `sink` is held at ambient; `#` starts a comment.
 */
export const heatNetworkFile: NetworkFileFormat = {
  name: 'a heat network',
  extensions: ['.heat'],
  labels: { edge: 'link', parameter: 'k', node: 'T', quantity: 'temperature', unit: 'K' },
  ground: ['sink'],
  read(text, file, outputs) {
    const nodes = ['sink'];
    const node = (name: string) => (nodes.includes(name) ? nodes.indexOf(name) : nodes.push(name) - 1);
    const links: { name: string; from: number; to: number }[] = [];
    const k: number[] = [];
    const heaters: { node: number; watts: number }[] = [];
    text.split('\n').forEach((line, i) => {
      const [card, name, ...rest] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (card === '') return;
      const value = Number(rest[rest.length - 1]);
      if (card === 'link' && rest.length === 3 && value > 0) {
        links.push({ name, from: node(rest[0]), to: node(rest[1]) });
        k.push(value);
      } else if (card === 'heater' && rest.length === 2 && Number.isFinite(value)) {
        heaters.push({ node: node(rest[0]), watts: value });
      } else {
        throw new InputFileError(file, i + 1, `expected 'link NAME NODE NODE k' (k > 0) or 'heater NAME NODE W', got '${line.trim()}'`);
      }
    });
    const unknown = outputs.find((o) => !nodes.includes(o));
    if (unknown !== undefined) throw new InputFileError(file, undefined, `no node '${unknown}' (nodes: ${nodes.join(', ')})`);
    const topology = { graph: createGraph(nodes, links), inputNodes: heaters.map((h) => h.node), outputNodes: outputs.map(node), groundNodes: [0] };
    const substrate = new HeatGridSubstrate(topology, 'flow', k, { min: 1e-3, max: 100 });
    return { substrate, inputs: Float64Array.from(heaters, (h) => h.watts) };
  },
};

/** The trained network written into a results folder as `network.heat`, which `gradient` reads back (the heaters at 0 W). */
export const heatResults: SubstrateResults = {
  networkFile: {
    name: 'network.heat',
    write(substrate, title) {
      if (!(substrate instanceof HeatGridSubstrate)) return undefined;
      const { nodeNames, edgeNames, from, to } = substrate.graph;
      const links = edgeNames.map((name, e) => `link ${name} ${nodeNames[from[e]]} ${nodeNames[to[e]]} ${substrate.parameters[e]}`);
      const heaters = substrate.boundary.inputs.map((port) => `heater ${port.name} ${nodeNames[port.node]} 0`);
      return [`# ${title}`, ...links, ...heaters, ''].join('\n');
    },
  },
};

export const heatFilePlugin = definePlugin(
  ({ bind }) => bindSubstrate(bind, { ...heatGridRecord, networkFile: heatNetworkFile, results: heatResults }),
  'acme/heat-grid with files',
);
// snippet end
