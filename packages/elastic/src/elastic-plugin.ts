import { isLeft } from 'fp-ts/lib/Either';
import {
  ConfigError,
  DEFAULT_LIMITS,
  fromSectionFile,
  parseJsonFile,
  readConfigFile,
  InputFileError,
  NetworkDrawing,
  MultimechError,
  NumericalError,
  SubstrateContext,
  SubstrateRecord,
  bindSubstrate,
  definePlugin,
  duplicateKeyMessage,
  findDuplicateJsonKey,
  SettingsError,
  reportErrors,
  settingsProblem,
  sizeProblems,
  type SectionProblem,
} from '@multimech/core';
import { ElasticSettings, GeneratedNetworkConfig, PerNodeSetting, elasticSettings, elasticSizes, isGenerated } from './elastic-config';
import { elasticFromTopology } from './elastic-from-topology';
import type { ElasticSubstrate } from './elastic-substrate';
import { ElasticTopology, randomSpringNetwork, triangularLattice } from './elastic-topology';
import { ExplicitNetwork, elasticFromNetwork, explicitNetworkCodec, explicitNetworkProblems } from './explicit-network';
import { elasticDrawing } from './network-drawing';
import { packingSpringNetwork } from './packing-spring-network';

/** How the task's inputs act: flow inputs are force dipoles; potential inputs displacements unless the config asks for strains. */
function inputMode(config: ElasticSettings, type: 'flow' | 'potential'): 'force' | 'displacement' | 'strain' {
  const wanted = config.inputs ?? (type === 'flow' ? 'force' : 'displacement');
  if ((wanted === 'force') !== (type === 'flow')) {
    settingsProblem(
      'substrate',
      'inputs',
      `'${wanted}' needs a task with ${wanted === 'force' ? 'flow (force)' : 'potential (displacement or strain)'} inputs, but the task's inputs are ${type === 'flow' ? 'flows' : 'potentials'}`,
    );
  }
  return wanted;
}

/**
 * A per-node setting resolved against the network's node names: a number
 * for every node, or one value per node (`default` where a node is not
 * named). Unknown names and nodes left without a value are a SettingsError
 * at the substrate's `key` (`mass`).
 */
export function perNodeValues(setting: PerNodeSetting | undefined, names: readonly string[], key: string): number | Float64Array | undefined {
  if (setting === undefined || typeof setting === 'number') return setting;
  const index = new Map(names.map((name, i) => [name, i]));
  const problems: SectionProblem[] = [];
  const known = names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
  const values = new Float64Array(names.length).fill(Number.NaN);
  if (setting.default !== undefined) values.fill(setting.default);
  for (const [name, value] of Object.entries(setting.nodes)) {
    const i = index.get(name);
    if (i === undefined) problems.push({ section: 'substrate', key: `${key}.nodes.${name}`, message: `unknown node '${name}' (nodes: ${known})` });
    else values[i] = value;
  }
  const missing = names.filter((_, i) => Number.isNaN(values[i]));
  if (missing.length > 0 && problems.length === 0) {
    problems.push({
      section: 'substrate',
      key,
      message: `no value for node(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, ... (${missing.length} in all)` : ''}: give a "default" or a value for every node`,
    });
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return values;
}

/**
 * The generated network, with a source pair per input of the task and a
 * target pair per output. A network too small for them is refused at
 * `network`, saying what the task asks for.
 */
function generatedTopology(net: GeneratedNetworkConfig, config: ElasticSettings, context: SubstrateContext): ElasticTopology {
  const counts = { sources: context.inputs.count, targets: context.outputs.count };
  try {
    if (net.generator === 'triangular') return triangularLattice(net.width, net.height, counts);
    const options = { dimension: config.dimension, nodes: net.nodes, coordination: net.coordination, pins: net.pins };
    return (net.points ?? 'packing') === 'packing'
      ? packingSpringNetwork(options, counts, context.rng)
      : randomSpringNetwork({ ...options, jitter: net.jitter }, counts, context.rng);
  } catch (e) {
    if (!(e instanceof MultimechError) || e instanceof SettingsError) throw e;
    const asked = `the task asks for ${counts.sources} source pair${counts.sources === 1 ? '' : 's'} (its inputs) and ${counts.targets} target pair${counts.targets === 1 ? '' : 's'} (its outputs: task.targets of an allostery task)`;
    throw new SettingsError([{ section: 'substrate', key: 'network', message: `${e.message}; ${asked}` }]);
  }
}

/** The explicit network of a `{ "file" }` reference: read, parsed and decoded, each problem at its JSON path in the file. */
function readNetworkFile(file: string, config: ElasticSettings, context: SubstrateContext): ExplicitNetwork {
  // inside the config's folder unless the run trusts the config; a regular file of at most limits.fileBytes
  const limits = context.limits ?? DEFAULT_LIMITS;
  const text = readConfigFile(context.baseDir, file, 'the spring network', limits);
  // a syntax error at its line and column (one character shown: a file that is not JSON must not have its content printed), a key given twice refused
  const json = parseJsonFile(text, file);
  const decoded = explicitNetworkCodec.decode(json);
  if (isLeft(decoded)) throw new ConfigError(reportErrors(decoded.left), file);
  const over = sizeProblems('substrate', [
    { limit: 'nodes', count: decoded.right.nodes.length, key: 'nodes', what: 'nodes' },
    { limit: 'edges', count: decoded.right.springs.length, key: 'springs', what: 'springs' },
  ], limits);
  if (over.length > 0) throw new ConfigError(over.map((p) => ({ path: p.key, message: p.message as string })), file);
  const k = config.stiffness;
  const l = config.restLength;
  const problems = explicitNetworkProblems(decoded.right, { dimension: config.dimension, stiffness: k, restLength: l, inputs: config.inputs });
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map((p) => ({ path: p.key.replace(/\.(\d+)(?=\.|$)/g, '[$1]'), message: p.message })),
      file,
    );
  }
  return decoded.right;
}

/**
 * The network of the section: a problem in a network file the section
 * names carries the chain, `config.json: substrate.network.file: net.json:
 * ...` (core's fromSectionFile).
 */
function createElastic(config: ElasticSettings, context: SubstrateContext): ElasticSubstrate {
  const net = config.network;
  if ('file' in net && typeof net.file === 'string') return fromSectionFile('substrate', 'network.file', net.file, () => buildElastic(config, context));
  return buildElastic(config, context);
}

function buildElastic(config: ElasticSettings, context: SubstrateContext): ElasticSubstrate {
  const k = config.stiffness;
  const l = config.restLength;
  const common = {
    parameter: config.parameter,
    stiffnessBounds: { min: k.min, max: k.max },
    restLengthBounds: { min: l.min, max: l.max },
    inputs: inputMode(config, context.inputs.type),
    outputs: config.outputs ?? 'distance',
    solver: config.solver,
    minimiser: config.minimiser,
  } as const;
  const net = config.network;
  if (isGenerated(net)) {
    const topology = generatedTopology(net, config, context);
    const names = topology.graph.nodeNames;
    return elasticFromTopology(topology, {
      ...common,
      stiffness: Float64Array.from(topology.graph.edgeNames, () => context.rng.uniform(k.init[0], k.init[1])),
      mass: perNodeValues(config.mass, names, 'mass'),
      damping: perNodeValues(config.damping, names, 'damping'),
    });
  }
  // an explicit network, inline or in a file: what is wrong with it is reported where it was written
  const file = 'file' in net ? net.file : undefined;
  const explicit = file !== undefined ? readNetworkFile(file, config, context) : (net as ExplicitNetwork);
  const fail = (key: string, message: string): never => {
    if (file !== undefined) throw new InputFileError(file, undefined, key ? `${key}: ${message}` : message);
    return settingsProblem('substrate', key ? `network.${key}` : 'network', message);
  };
  for (const [key, count, task] of [
    ['inputs', explicit.inputs.length, context.inputs.count],
    ['outputs', explicit.outputs.length, context.outputs.count],
  ] as const) {
    if (count !== task) fail(key, `${count} ${key === 'inputs' ? 'source' : 'target'}${count === 1 ? '' : 's'} given, but the task has ${task} ${key === 'inputs' ? 'input' : 'output'}${task === 1 ? '' : 's'}`);
  }
  const names = explicit.nodes.map((n) => n.name);
  const initialStiffness = Float64Array.from(explicit.springs, () => context.rng.uniform(k.init[0], k.init[1]));
  try {
    return elasticFromNetwork(explicit, {
      ...common,
      dimension: config.dimension,
      initialStiffness,
      mass: perNodeValues(config.mass, names, 'mass'),
      damping: perNodeValues(config.damping, names, 'damping'),
    });
  } catch (e) {
    if (e instanceof MultimechError && !(e instanceof ConfigError) && !(e instanceof NumericalError)) fail('', e.message);
    throw e;
  }
}

/** The registration record of the elastic substrate (kind `elastic`). */
export const elasticRecord: SubstrateRecord<ElasticSettings> = {
  kind: 'elastic',
  description:
    'central-force spring network in 2-D or 3-D: node positions, trainable stiffness and/or rest length; force, displacement or strain inputs on source pairs, ' +
    'distance or displacement outputs on target pairs; with node masses and damping, a dynamic response at ω',
  configCodec: elasticSettings,
  sizes: elasticSizes,
  capabilities: ['vector-state', 'dynamics'],
  example: { dimension: 2, network: { generator: 'triangular', width: 6, height: 5 }, parameter: 'stiffness', inputs: 'strain', outputs: 'distance' },
  create: createElastic,
  results: { drawing: elasticDrawing as NetworkDrawing },
};

/** Registers the elastic substrate: `createExperiment(config, [elasticPlugin, ...])`. */
export const elasticPlugin = definePlugin(({ bind }) => bindSubstrate(bind, elasticRecord), '@multimech/elastic');
