import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, COUNT_RANGE, MAX_COUNT, PARAMETER_RANGE, type SizeClaim, SolverSettings, bounded, configPathCodec, jsonSchemaOf, withSchema, numberWhere, oneOf, positiveInteger, positiveNumber, range, refine, solverCodec, strictObject, withDefaults } from '@multimech/core';
import type { ElasticParameter } from './elastic-substrate';
import { ExplicitNetwork, explicitNetworkCodec, explicitNetworkProblems } from './explicit-network';

/** A generated spring network. */
export type GeneratedNetworkConfig =
  | { readonly generator: 'triangular'; readonly width: number; readonly height: number }
  | {
      readonly generator: 'random';
      readonly nodes: number;
      readonly coordination: number;
      /** How the points are placed (default `packing`). */
      readonly points?: 'packing' | 'jittered-grid';
      /** `jittered-grid` only: each point's displacement from its grid site, a fraction of the spacing in [0, 0.5). */
      readonly jitter?: number;
      readonly pins?: number;
    };

/** `{ "file": "network.json" }`: an explicit network in a JSON file, read from the config's folder. */
export interface NetworkFileConfig {
  readonly file: string;
}

/** The `network` of an elastic substrate: generated, written out, or in a file. */
export type ElasticNetworkConfig = GeneratedNetworkConfig | ExplicitNetwork | NetworkFileConfig;

/** A value for every node, or `{ "default"?, "nodes": { "<node>": value } }`. */
export type PerNodeSetting = number | { readonly default?: number; readonly nodes: Readonly<Record<string, number>> };

/** The `substrate` section of a config, less its `kind: "elastic"`. */
export interface ElasticConfig {
  readonly dimension: 2 | 3;
  readonly network: ElasticNetworkConfig;
  /** What the springs learn (default `stiffness`). */
  readonly parameter?: ElasticParameter;
  /** Initial stiffness drawn from `init`, bounded by [min, max] (defaults [0.5, 1.5], 0.01, 10). */
  readonly stiffness?: { readonly init?: readonly [number, number]; readonly min?: number; readonly max?: number };
  /** Rest-length bounds as factors of each spring's reference length (defaults 0.5, 1.5); the initial rest lengths are the reference lengths. */
  readonly restLength?: { readonly min?: number; readonly max?: number };
  /**
   * How the task's inputs act on the source pairs. Flow inputs are always `force` dipoles; potential inputs are
   * `displacement` (default: the pair's second node moved along the pair's axis) or `strain` (the pair held at its
   * reference distance plus the input, the allostery form).
   */
  readonly inputs?: 'force' | 'displacement' | 'strain';
  /** What the task's outputs read (default `distance`: the target pairs' change of distance). */
  readonly outputs?: 'distance' | 'displacement';
  readonly solver?: { readonly method?: SolverSettings['method'] };
  /** The equilibrium's minimiser (default `newton`; `fire` is the inertial alternative). */
  readonly minimiser?: 'newton' | 'fire';
  /** Node masses (force · time² / length): with them the network has dynamics with inertia and a lowest resonance. */
  readonly mass?: PerNodeSetting;
  /** Viscous drag per node (force · time / length). */
  readonly damping?: PerNodeSetting;
}

export const elasticDefaults = {
  stiffness: { init: [0.5, 1.5] as readonly [number, number], min: 0.01, max: 10 },
  restLength: { min: 0.5, max: 1.5 },
};

const jitterNumber = numberWhere('a jitter in [0, 0.5) (a fraction of the grid spacing: at 0.5 two neighbouring points may coincide)', (n) => n >= 0 && n < 0.5, { minimum: 0, exclusiveMaximum: 0.5 });

const count = bounded(positiveInteger, COUNT_RANGE, 'no machine holds more');
const generatorCodecs = {
  triangular: strictObject('a triangular lattice { generator, width, height }', { generator: oneOf('triangular'), width: count, height: count }),
  random: strictObject(
    'a random spring network { generator, nodes, coordination, points?, jitter?, pins? }',
    { generator: oneOf('random'), nodes: count, coordination: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_COUNT }) },
    { points: oneOf('packing', 'jittered-grid'), jitter: jitterNumber, pins: count },
  ),
};
const fileCodec = strictObject('a network file { file }', { file: configPathCodec('a spring network file (JSON)') });

/** A stiffness, a mass or a damping in SI units: core's range of physical parameters. */
const parameterBound = bounded(positiveNumber, PARAMETER_RANGE, "it enters the network's energy or dynamics");

const NETWORK_FORMS =
  'a spring network: { "generator": "triangular" | "random", ... }, an explicit network { "nodes", "springs", "pins", "inputs", "outputs" }, or { "file": "network.json" }';

/**
 * `network`: with a `generator`, decoded against the generator it names;
 * with `file`, a file reference; with `nodes` and `springs`, an explicit
 * network.
 */
const elasticNetworkCodec = withSchema(new t.Type<ElasticNetworkConfig, unknown, unknown>(
  NETWORK_FORMS,
  (u): u is ElasticNetworkConfig => [...Object.values(generatorCodecs), fileCodec, explicitNetworkCodec].some((c) => c.is(u)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
    const o = u as Record<string, unknown>;
    if ('generator' in o) {
      const g = o.generator;
      if (g === 'triangular' || g === 'random') return generatorCodecs[g].validate(u, c) as t.Validation<ElasticNetworkConfig>;
      return t.failure(g, [...c, { key: 'generator', type: t.unknown, actual: g }], `expected one of 'triangular', 'random', got ${JSON.stringify(g) ?? 'nothing'}`);
    }
    if ('file' in o) return fileCodec.validate(u, c) as t.Validation<ElasticNetworkConfig>;
    if ('nodes' in o || 'springs' in o) return explicitNetworkCodec.validate(u, c) as t.Validation<ElasticNetworkConfig>;
    return t.failure(u, c, `expected ${NETWORK_FORMS}, got an object with keys ${Object.keys(o).join(', ') || '(none)'}`);
  },
  (a) => a,
), () => ({ oneOf: [...Object.values(generatorCodecs), fileCodec, explicitNetworkCodec].map((c) => jsonSchemaOf(c)) }));

const dimensionCodec = withSchema(new t.Type<2 | 3, unknown, unknown>(
  'a dimension, 2 or 3',
  (u): u is 2 | 3 => u === 2 || u === 3,
  (u, c) => (u === 2 || u === 3 ? t.success(u) : t.failure(u, c)),
  (a) => a,
), { enum: [2, 3] });

/** A per-node setting of values that `value` accepts: one number for every node, or a default and values by node name. */
function perNodeCodec(what: string, value: t.Type<number, number, unknown>): t.Type<PerNodeSetting, unknown, unknown> {
  const byName = strictObject(`${what} by node { default?, nodes }`, { nodes: t.record(t.string, value) }, { default: value });
  return withSchema(new t.Type<PerNodeSetting, unknown, unknown>(
    `${value.name} (every node), or { "default"?, "nodes": { "<node>": ${what} } }`,
    (u): u is PerNodeSetting => value.is(u) || byName.is(u),
    (u, c) => {
      if (typeof u === 'number') return value.validate(u, c);
      if (typeof u === 'object' && u !== null && !Array.isArray(u)) return byName.validate(u, c) as t.Validation<PerNodeSetting>;
      return t.failure(u, c);
    },
    (a) => a,
  ), () => ({ oneOf: [jsonSchemaOf(value), jsonSchemaOf(byName)] }));
}

const fields = strictObject(
  'an elastic substrate { dimension, network, parameter?, stiffness?, restLength?, inputs?, outputs?, solver?, minimiser?, mass?, damping? }',
  { dimension: dimensionCodec, network: elasticNetworkCodec },
  {
    parameter: oneOf('stiffness', 'rest-length', 'both'),
    stiffness: strictObject('stiffness settings { init?, min?, max? }', {}, { init: range, min: parameterBound, max: parameterBound }),
    restLength: strictObject(
      'rest-length bounds { min?, max? } as factors of the reference length',
      {},
      { min: positiveNumber, max: bounded(positiveNumber, { max: 1000 }, 'a spring many times its length apart') },
    ),
    inputs: oneOf('force', 'displacement', 'strain'),
    outputs: oneOf('distance', 'displacement'),
    solver: solverCodec,
    minimiser: oneOf('newton', 'fire'),
    mass: perNodeCodec('mass', parameterBound),
    damping: perNodeCodec('damping', bounded(numberWhere('a non-negative number', (n) => n >= 0, { minimum: 0 }), { min: 0, max: PARAMETER_RANGE.max! })),
  },
);

/** Whether a network config is generated (it names a generator). */
export function isGenerated(network: ElasticNetworkConfig): network is GeneratedNetworkConfig {
  return 'generator' in network;
}

/** The elastic substrate's config codec: the fields, then the cross-field checks at their JSON paths. */
export const elasticConfigCodec: t.Type<ElasticConfig, unknown, unknown> = refine(fields as unknown as t.Type<ElasticConfig, unknown, unknown>, (v) => {
  const problems: { key: string; message: string }[] = [];
  const d = v.dimension;
  const k = { ...elasticDefaults.stiffness, ...v.stiffness };
  const l = { ...elasticDefaults.restLength, ...v.restLength };
  const net = v.network;
  if (isGenerated(net) && net.generator === 'triangular' && d !== 2) {
    problems.push({ key: 'network.generator', message: `a triangular lattice is 2-D, but dimension is ${d}: use generator 'random' in 3-D` });
  }
  if (isGenerated(net) && net.generator === 'random') {
    if (!(net.coordination > 2 * d)) {
      problems.push({
        key: 'network.coordination',
        message: `expected a mean coordination above 2·dimension = ${2 * d} (at or below it the network is floppy), got ${net.coordination}`,
      });
    } else if (net.coordination > net.nodes - 1) {
      problems.push({
        key: 'network.coordination',
        message: `a mean coordination of ${net.coordination} needs more than ${net.nodes} nodes: in a network of ${net.nodes} nodes each has at most ${net.nodes - 1} springs (one to every other node); use at most ${net.nodes - 1} or more nodes`,
      });
    }
    if (net.nodes < d + 2) problems.push({ key: 'network.nodes', message: `expected at least ${d + 2} nodes in ${d}-D, got ${net.nodes}` });
    if (net.jitter !== undefined && (net.points ?? 'packing') !== 'jittered-grid') {
      problems.push({ key: 'network.jitter', message: `applies only with points 'jittered-grid', not '${net.points ?? 'packing'}': remove it` });
    }
    if (net.pins !== undefined && net.pins >= net.nodes) problems.push({ key: 'network.pins', message: `expected fewer pins than the ${net.nodes} nodes, got ${net.pins}` });
    else if (net.pins !== undefined && net.pins < d) {
      problems.push({ key: 'network.pins', message: `expected at least ${d} pins in ${d}-D (fewer leave the network free to turn as a rigid body), got ${net.pins}` });
    }
  }
  if (!isGenerated(net) && !('file' in net)) {
    const bounds = k.min < k.max ? { min: k.min, max: k.max } : { min: 0, max: Infinity };
    for (const p of explicitNetworkProblems(net, { dimension: d, stiffness: bounds, restLength: l, inputs: v.inputs })) problems.push({ key: `network.${p.key}`, message: p.message });
  }
  if (!(k.min < k.max)) problems.push({ key: 'stiffness.max', message: `expected a maximum stiffness above min (${k.min}), got ${k.max}` });
  else if (!(k.init[0] > 0 && k.init[0] >= k.min && k.init[1] <= k.max)) {
    problems.push({ key: 'stiffness.init', message: `expected a range of stiffnesses inside [min, max] = [${k.min}, ${k.max}], got [${k.init.join(', ')}]` });
  }
  if (!(l.min <= 1 && l.max >= 1 && l.min < l.max)) {
    problems.push({ key: 'restLength', message: `expected factors min <= 1 <= max with min < max (the initial rest lengths are the reference lengths), got [${l.min}, ${l.max}]` });
  }
  return problems;
});

/** The elastic section decoded into its settings: the parameter, the stiffness and rest-length bounds, the solver and the minimiser filled in. */
/** The nodes and springs a network's settings will make, counted before it is built (a network file counts when read). */
export function elasticSizes(config: ElasticConfig): SizeClaim[] {
  const net = config.network;
  if (isGenerated(net)) {
    const nodes = net.generator === 'triangular' ? net.width * net.height : net.nodes;
    const springs = net.generator === 'triangular' ? 3 * nodes : (net.nodes * net.coordination) / 2;
    const key = net.generator === 'triangular' ? 'network' : 'network.nodes';
    return [
      { limit: 'nodes', count: nodes, key, what: net.generator === 'triangular' ? 'nodes (width × height)' : 'nodes' },
      { limit: 'edges', count: springs, key: net.generator === 'triangular' ? 'network' : 'network.coordination', what: net.generator === 'triangular' ? 'springs (about 3 × width × height)' : 'springs (nodes × coordination / 2)' },
    ];
  }
  if ('file' in net) return [];
  return [
    { limit: 'nodes', count: net.nodes.length, key: 'network.nodes', what: 'nodes' },
    { limit: 'edges', count: net.springs.length, key: 'network.springs', what: 'springs' },
  ];
}

export interface ElasticSettings extends ElasticConfig {
  readonly parameter: ElasticParameter;
  readonly stiffness: { readonly init: readonly [number, number]; readonly min: number; readonly max: number };
  readonly restLength: { readonly min: number; readonly max: number };
  readonly solver: SolverSettings;
  readonly minimiser: 'newton' | 'fire';
}

export const elasticSettings = withDefaults(
  elasticConfigCodec,
  (c): ElasticSettings => ({
    ...c,
    parameter: c.parameter ?? 'stiffness',
    stiffness: { ...elasticDefaults.stiffness, ...c.stiffness },
    restLength: { ...elasticDefaults.restLength, ...c.restLength },
    solver: { method: c.solver?.method ?? 'auto' },
    minimiser: c.minimiser ?? 'newton',
  }),
);

/** The `substrate` section of an elastic substrate as written (`{ "kind": "elastic", "dimension", "network", ... }`), from its codec. */
export type ElasticSection = WrittenSection<'elastic', ConfigOf<typeof elasticSettings>>;
