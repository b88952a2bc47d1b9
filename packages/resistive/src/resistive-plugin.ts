import {
  DEFAULT_LIMITS,
  InputFileError,
  fromSectionFile,
  edgeListSizes,
  generatedNetworkSizes,
  readConfigFile,
  NetworkFileFormat,
  SubstrateContext,
  SettingsError,
  SubstrateRecord,
  bindSubstrate,
  definePlugin,
  readEdgeListNetwork,
  settingsProblem,
  topologyFromConfig,
} from '@multimech/core';
import { parseSpice } from './parse-spice';
import { type ResistiveEdgeListConfig, ResistiveSettings, isEdgeList, resistiveSettings } from './resistive-config';
import type { EdgeListFileConfig } from '@multimech/core';
import { resistiveFromNetlist } from './resistive-from-netlist';
import { resistiveFromTopology } from './resistive-from-topology';
import { ResistiveSubstrate } from './resistive-substrate';
import { toNetlist } from './to-netlist';
import { writeSpice } from './write-spice';
import { drnRecord } from './drn-record';

/** What makes a netlist's network nonlinear, as a message names it: `has diodes (D1, D2) and a B element (B1)`; nothing for a linear one. */
export function nonlinearElements(substrate: ResistiveSubstrate): string | undefined {
  const group = (what: string, names: readonly string[]) => (names.length === 0 ? [] : [names.length === 1 ? `a ${what} (${names[0]})` : `${what}s (${names.join(', ')})`]);
  const parts = [...group('diode', substrate.diodes.map((d) => d.name)), ...group('B element', substrate.laws.map((l) => l.name))];
  return parts.length > 0 ? `has ${parts.join(' and ')}` : undefined;
}

/** SPICE netlists as network files: read for `multimech gradient`, written into a results folder. */
export const spiceNetworkFile: NetworkFileFormat = {
  name: 'a SPICE netlist',
  extensions: ['.cir', '.net', '.sp', '.spice', '.ckt'],
  labels: { edge: 'resistor', parameter: 'G', node: 'V', quantity: 'voltage', unit: 'V' },
  ground: ['0', 'gnd'],
  read(text, file, outputs) {
    const substrate = resistiveFromNetlist(parseSpice(text, file), { file, outputs });
    const nonlinearity = nonlinearElements(substrate);
    return {
      substrate,
      inputs: substrate.defaultInputs ?? new Float64Array(substrate.boundary.inputs.length),
      ...(nonlinearity ? { nonlinearity } : {}),
    };
  },
};

/**
 * The network of a netlist file the config names: read (inside the
 * config's folder unless the run trusts it, at most limits.fileBytes), parsed
 * and built. Every problem names the chain: the key that named the file,
 * then the file and its line (`substrate.network.netlist: net.cir:4: ...`).
 */
function fromNetlistFile(config: ResistiveSettings, network: { netlist: string; outputs: readonly (string | readonly [string, string])[] }, context: SubstrateContext): ResistiveSubstrate {
  const file = network.netlist;
  return fromSectionFile('substrate', 'network.netlist', file, () => buildFromNetlist(config, network, context));
}

function buildFromNetlist(config: ResistiveSettings, network: { netlist: string; outputs: readonly (string | readonly [string, string])[] }, context: SubstrateContext): ResistiveSubstrate {
  const file = network.netlist;
  const limits = context.limits ?? DEFAULT_LIMITS;
  const text = readConfigFile(context.baseDir, file, 'the netlist', limits);
  const c = config.conductance;
  const netlist = parseSpice(text, file);
  const nodes = new Set(netlist.elements.flatMap((e) => e.nodes)).size;
  if (netlist.elements.length > limits.edges || nodes > limits.nodes) {
    const [count, limit, what] = netlist.elements.length > limits.edges ? [netlist.elements.length, limits.edges, 'edges'] : [nodes, limits.nodes, 'nodes'];
    throw new InputFileError(file, undefined, `${count.toLocaleString('en-US')} ${what === 'edges' ? 'elements' : 'nodes'} exceed the limit of ${limit.toLocaleString('en-US')} ${what} (limits.${what}; raise it in the config's "limits" if the machine can hold them)`);
  }
  const bounds = c.min !== undefined || c.max !== undefined ? { min: c.min ?? 1e-4, max: c.max ?? 10 } : undefined;
  const substrate = resistiveFromNetlist(netlist, {
    file,
    outputs: network.outputs,
    bounds,
    solver: config.solver,
    // each at its key in the config: network.outputs[1]. An output a voltage source holds is left to the network as
    // built: the error mechanism's own check names it in its terms (EP, CL), and exampleGradient refuses it for any other
    onOutputProblems: (problems) => {
      const refused = problems.filter((p) => !(p.kind === 'held' && p.dirichletIndex !== 0));
      if (refused.length > 0) throw new SettingsError(refused.map((p) => ({ section: 'substrate', key: `network.outputs[${p.index}]`, message: `${file}: ${p.message}` })));
    },
  });
  const ports = substrate.boundary.inputs;
  const list = ports.map((p) => p.name).join(', ') || 'none';
  if (ports.length !== context.inputs.count) {
    throw new InputFileError(file, undefined, `the netlist has ${ports.length} sources (${list}) but the task has ${context.inputs.count} inputs`);
  }
  const wrong = ports.filter((p) => p.type !== context.inputs.type);
  if (wrong.length > 0) {
    const want = context.inputs.type === 'flow' ? 'current sources (I)' : 'voltage sources (V)';
    throw new InputFileError(file, undefined, `the task drives its inputs as ${want}, but ${wrong.map((p) => `'${p.name}'`).join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not`);
  }
  if (substrate.boundary.outputs.length !== context.outputs.count) {
    settingsProblem('substrate', 'network.outputs', `${substrate.boundary.outputs.length} outputs given, but the task has ${context.outputs.count}`);
  }
  return substrate;
}

/**
 * A resistive network written out as an edge list: each resistor's
 * conductance exactly as written (no R = 1/G round trip; one not given is
 * drawn from `conductance.init`), its own bounds where it gives them, the
 * sources (voltage or current sources, as the task drives its inputs),
 * targets and ground nodes as named.
 */
function fromEdgeList(config: ResistiveSettings, network: ResistiveEdgeListConfig | EdgeListFileConfig, context: SubstrateContext): ResistiveSubstrate {
  const c = config.conductance;
  const net = readEdgeListNetwork(network, {
    baseDir: context.baseDir,
    limits: context.limits,
    valueKeys: ['conductance'],
    valueKey: 'conductance',
    edge: 'resistor',
    bounds: { min: c.min!, max: c.max! },
    init: c.init!,
    ports: { inputs: context.inputs.count, outputs: context.outputs.count },
    section: 'substrate',
    key: 'network',
  });
  const [lo, hi] = c.init!;
  const conductances = Float64Array.from(net.initial, (value) => value ?? context.rng.uniform(lo, hi));
  return resistiveFromTopology(net.topology, context.inputs.type, {
    conductances,
    bounds: { min: net.min, max: net.max },
    outputs: net.targets,
    onOutputProblems: (problems) => net.targetProblems(problems),
    solver: config.solver,
  });
}

function createResistive(config: ResistiveSettings, context: SubstrateContext): ResistiveSubstrate {
  const network = config.network;
  if ('netlist' in network) return fromNetlistFile(config, network, context);
  if (isEdgeList(network)) return fromEdgeList(config, network, context);
  const topology = topologyFromConfig(network, { inputs: context.inputs.count, outputs: context.outputs.count }, context.rng, 'substrate', 'network');
  const [lo, hi] = config.conductance.init!;
  const conductances = new Float64Array(topology.graph.from.length);
  for (let k = 0; k < conductances.length; k++) conductances[k] = context.rng.uniform(lo, hi);
  return resistiveFromTopology(topology, context.inputs.type, {
    conductances,
    bounds: { min: config.conductance.min!, max: config.conductance.max! },
    solver: config.solver,
  });
}

/** The registration record of the resistive substrate (kind `resistive`). */
export const resistiveRecord: SubstrateRecord<ResistiveSettings> = {
  kind: 'resistive',
  description: 'resistive network: node voltages, trainable conductances, optional fixed diodes (netlists); generated (layered, grid, random), read from a SPICE netlist, or an edge list (JSON or CSV)',
  configCodec: resistiveSettings,
  capabilities: ['linear', 'scalar-potential', 'dynamics'],
  example: { network: { generator: 'layered', hidden: [20] }, conductance: { init: [0.5, 1.5], min: 0.0001, max: 10 } },
  sizes: (settings, ports) => ('netlist' in settings.network ? [] : isEdgeList(settings.network) ? edgeListSizes(settings.network) : generatedNetworkSizes(settings.network, ports)),
  create: createResistive,
  networkFile: spiceNetworkFile,
  results: {
    networkFile: { name: 'network.cir', write: (substrate, title) => (substrate instanceof ResistiveSubstrate ? writeSpice(toNetlist(substrate, undefined, title)) : undefined) },
  },
};

/** Registers the resistive substrates (`resistive`, and the deep resistive network `drn`): `createExperiment(config, [resistivePlugin, ...])`. */
export const resistivePlugin = definePlugin(({ bind }) => {
  bindSubstrate(bind, resistiveRecord);
  bindSubstrate(bind, drnRecord);
}, '@multimech/resistive');
