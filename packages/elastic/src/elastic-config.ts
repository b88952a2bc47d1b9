import * as t from 'io-ts';
import { oneOf, positiveInteger, positiveNumber, range, refine, strictObject, unitInterval } from '@multimech/core';
import type { ElasticParameter } from './elastic-substrate';

/** A generated spring network. */
export type ElasticNetworkConfig =
  | { readonly generator: 'triangular'; readonly width: number; readonly height: number }
  | { readonly generator: 'random'; readonly nodes: number; readonly coordination: number; readonly jitter?: number; readonly pins?: number };

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
  readonly solver?: { readonly method?: 'auto' | 'cholesky' | 'cg' };
  /** The equilibrium's minimiser (default `newton`; `fire` is the inertial alternative). */
  readonly minimiser?: 'newton' | 'fire';
}

export const elasticDefaults = {
  stiffness: { init: [0.5, 1.5] as readonly [number, number], min: 0.01, max: 10 },
  restLength: { min: 0.5, max: 1.5 },
};

const networkCodecs = {
  triangular: strictObject('a triangular lattice { generator, width, height }', { generator: oneOf('triangular'), width: positiveInteger, height: positiveInteger }),
  random: strictObject(
    'a random spring network { generator, nodes, coordination, jitter?, pins? }',
    { generator: oneOf('random'), nodes: positiveInteger, coordination: positiveNumber },
    { jitter: unitInterval, pins: positiveInteger },
  ),
};

/** `network: { "generator": "triangular" | "random", ... }`, decoded against the generator it names. */
const elasticNetworkCodec = new t.Type<ElasticNetworkConfig, unknown, unknown>(
  'a spring network: { "generator": "triangular" | "random", ... }',
  (u): u is ElasticNetworkConfig => Object.values(networkCodecs).some((c) => c.is(u)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
    const g = (u as Record<string, unknown>).generator;
    if (g === 'triangular' || g === 'random') return networkCodecs[g].validate(u, c) as t.Validation<ElasticNetworkConfig>;
    return t.failure(g, [...c, { key: 'generator', type: t.unknown, actual: g }], `expected one of 'triangular', 'random', got ${JSON.stringify(g) ?? 'nothing'}`);
  },
  (a) => a,
);

const dimensionCodec = new t.Type<2 | 3, unknown, unknown>(
  'a dimension, 2 or 3',
  (u): u is 2 | 3 => u === 2 || u === 3,
  (u, c) => (u === 2 || u === 3 ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

const fields = strictObject(
  'an elastic substrate { dimension, network, parameter?, stiffness?, restLength?, inputs?, outputs?, solver?, minimiser? }',
  { dimension: dimensionCodec, network: elasticNetworkCodec },
  {
    parameter: oneOf('stiffness', 'rest-length', 'both'),
    stiffness: strictObject('stiffness settings { init?, min?, max? }', {}, { init: range, min: positiveNumber, max: positiveNumber }),
    restLength: strictObject('rest-length bounds { min?, max? } as factors of the reference length', {}, { min: positiveNumber, max: positiveNumber }),
    inputs: oneOf('force', 'displacement', 'strain'),
    outputs: oneOf('distance', 'displacement'),
    solver: strictObject('solver settings { method }', {}, { method: oneOf('auto', 'cholesky', 'cg') }),
    minimiser: oneOf('newton', 'fire'),
  },
);

/** The elastic substrate's config codec: the fields, then the cross-field checks at their JSON paths. */
export const elasticConfigCodec: t.Type<ElasticConfig, unknown, unknown> = refine(fields as unknown as t.Type<ElasticConfig, unknown, unknown>, (v) => {
  const problems: { key: string; message: string }[] = [];
  if (v.network.generator === 'triangular' && v.dimension !== 2) {
    problems.push({ key: 'network.generator', message: `a triangular lattice is 2-D, but dimension is ${v.dimension}: use generator 'random' in 3-D` });
  }
  if (v.network.generator === 'random' && !(v.network.coordination > 2 * v.dimension)) {
    problems.push({
      key: 'network.coordination',
      message: `expected a mean coordination above 2·dimension = ${2 * v.dimension} (below it the network is floppy), got ${v.network.coordination}`,
    });
  }
  const k = { ...elasticDefaults.stiffness, ...v.stiffness };
  if (!(k.min < k.max)) problems.push({ key: 'stiffness.max', message: `expected a maximum stiffness above min (${k.min}), got ${k.max}` });
  else if (!(k.init[0] > 0 && k.init[0] >= k.min && k.init[1] <= k.max)) {
    problems.push({ key: 'stiffness.init', message: `expected a range of stiffnesses inside [min, max] = [${k.min}, ${k.max}], got [${k.init.join(', ')}]` });
  }
  const l = { ...elasticDefaults.restLength, ...v.restLength };
  if (!(l.min <= 1 && l.max >= 1 && l.min < l.max)) {
    problems.push({ key: 'restLength', message: `expected factors min <= 1 <= max with min < max (the initial rest lengths are the reference lengths), got [${l.min}, ${l.max}]` });
  }
  return problems;
});
