import {
  PARAMETER_RANGE,
  type ParameterBounds,
  Rng,
  bounded,
  numberWhere,
  oneOf,
  positiveNumber,
  nonNegativeNumber,
  finiteNumber,
  refine,
  strictObject,
  onlyWith,
  withSchema,
} from '@multimech/core';
import * as t from 'io-ts';
import { takeProjectedMove } from '../projected-move';

/** The largest magnitude of a parameter value a setting gives (PARAMETER_RANGE's upper end). */
export const MAX_PARAMETER = 1e15;

/**
 * The imperfections of a physical machine's parameter updates, each off
 * unless configured (docs/hardware-realism.md). They act on the ideal
 * step v = μv − α·ĝ of the momentum optimizer, edge by edge, in this order:
 * the update probability (an edge not drawn does not move), the sign or
 * quantised step, the device's variability factor, the bias; then the
 * projection onto the bounds (saturation), and after every update the
 * drift of every edge. Edges a damage event froze never move.
 */

/** A number, or one of a few words: `"auto"`, `"initial"`, `"min"`. */
export function numberOrWord<W extends string>(what: string, words: readonly W[], ok: (n: number) => boolean, schema: Record<string, unknown> = {}): t.Type<number | W, number | W, unknown> {
  const name = `${what} or ${words.map((w) => `"${w}"`).join(' or ')}`;
  const codec = new t.Type<number | W, number | W, unknown>(
    name,
    (u): u is number | W => (typeof u === 'number' && Number.isFinite(u) && ok(u)) || (typeof u === 'string' && (words as readonly string[]).includes(u)),
    (u, c) => ((typeof u === 'number' && Number.isFinite(u) && ok(u)) || (typeof u === 'string' && (words as readonly string[]).includes(u)) ? t.success(u as number | W) : t.failure(u, c)),
    (a) => a,
  );
  return withSchema(codec, { anyOf: [{ type: 'number', ...schema }, { type: 'string', enum: [...words] }] });
}

/** A probability in (0, 1]. */
export const probabilityCodec = numberWhere('a probability in (0, 1]', (p) => p > 0 && p <= 1, { exclusiveMinimum: 0, maximum: 1 });

/** `optimizer.quantize`: every move is a whole number of `step`s. */
export const quantizeCodec = strictObject(
  'quantised updates ({ "step", "rounding"?: "nearest" | "stochastic" })',
  { step: bounded(positiveNumber, PARAMETER_RANGE, 'the smallest change a device can make to its parameter') },
  { rounding: oneOf('nearest', 'stochastic') },
);

/** `optimizer.sign`: every edge moves by one `step` in the direction of its update, or not at all below `threshold`. */
export const signCodec = strictObject(
  'sign updates ({ "step", "threshold"? })',
  { step: bounded(positiveNumber, PARAMETER_RANGE, 'the change one step of the device makes') },
  { threshold: bounded(nonNegativeNumber, { min: 0, max: MAX_PARAMETER }, 'an ideal step below it leaves the edge where it is') },
);

/** `optimizer.variability`: a fixed factor per edge on the size of its moves. */
export const variabilityCodec = refine(
  strictObject(
    'device-to-device variability ({ "distribution": "lognormal" | "uniform", "spread" })',
    { distribution: oneOf('lognormal', 'uniform'), spread: bounded(positiveNumber, { min: 0, minOpen: true, max: 3 }, 'the spread of the factors: a log-standard deviation (lognormal) or a half-width (uniform)') },
  ),
  (v) => (v.distribution === 'uniform' && v.spread >= 1 ? [{ key: 'spread', message: `a uniform factor 1 ± spread must stay positive: expected a spread in (0, 1), got ${v.spread}` }] : []),
);

/** `optimizer.bias`: a constant drift added to every update, and an asymmetry between moves up and down. */
export const biasCodec = refine(
  strictObject(
    'an update bias ({ "drift"?, "asymmetry"? })',
    {},
    {
      drift: bounded(finiteNumber, { min: -MAX_PARAMETER, max: MAX_PARAMETER }, 'added to every update of every edge drawn'),
      asymmetry: numberWhere('a number in (-1, 1)', (a) => a > -1 && a < 1, { exclusiveMinimum: -1, exclusiveMaximum: 1 }),
    },
  ),
  (v) => (v.drift === undefined && v.asymmetry === undefined ? [{ key: 'drift', message: 'give "drift" (added to every update) or "asymmetry" (moves up × (1 + a), down × (1 − a)), or remove "bias"' }] : []),
);

/** `optimizer.drift`: what the parameters do between updates. */
export const driftCodec = refine(
  strictObject(
    'parameter drift ({ "kind": "relax" | "random-walk", "rate"?, "toward"?, "std"? })',
    { kind: oneOf('relax', 'random-walk') },
    {
      rate: probabilityCodec,
      toward: numberOrWord('a parameter value', ['initial'] as const, (n) => n >= -MAX_PARAMETER && n <= MAX_PARAMETER),
      std: bounded(positiveNumber, PARAMETER_RANGE, 'the standard deviation of the change of every edge between two updates'),
    },
  ),
  (v) => [
    ...onlyWith(v, 'kind', v.kind, { rate: ['relax'], toward: ['relax'], std: ['random-walk'] }),
    ...(v.kind === 'relax' && v.rate === undefined ? [{ key: 'rate', message: "a 'relax' drift needs 'rate': the fraction of the way to 'toward' every edge moves between two updates, in (0, 1]" }] : []),
    ...(v.kind === 'random-walk' && v.std === undefined ? [{ key: 'std', message: "a 'random-walk' drift needs 'std': the standard deviation of every edge's change between two updates" }] : []),
  ],
);

export type QuantizeSettings = t.TypeOf<typeof quantizeCodec>;
export type SignSettings = t.TypeOf<typeof signCodec>;
export type VariabilitySettings = t.TypeOf<typeof variabilityCodec>;
export type BiasSettings = t.TypeOf<typeof biasCodec>;
export type DriftSettings = t.TypeOf<typeof driftCodec>;

/** The optimizer's hardware keys, as the optimizer section gives them. */
export const updateImperfectionFields = {
  /** Every move a whole number of steps (rounded to the nearest or stochastically). */
  quantize: quantizeCodec,
  /** ±1-step updates (the coupled-learning circuits' digital potentiometers). */
  sign: signCodec,
  /** Each edge updates at each step with this probability (desynchronised learning). */
  updateProbability: probabilityCodec,
  /** A fixed random factor per edge on the size of its moves. */
  variability: variabilityCodec,
  /** A constant drift per update, and an asymmetry between moves up and down. */
  bias: biasCodec,
  /** What every edge does between two updates. */
  drift: driftCodec,
};
export const UPDATE_IMPERFECTION_KEYS = Object.keys(updateImperfectionFields) as readonly (keyof typeof updateImperfectionFields)[];

export interface UpdateImperfections {
  readonly quantize?: QuantizeSettings;
  readonly sign?: SignSettings;
  readonly updateProbability?: number;
  readonly variability?: VariabilitySettings;
  readonly bias?: BiasSettings;
  readonly drift?: DriftSettings;
}

/** Problems across the keys: quantised and sign updates are two ways of stepping, not both. */
export function updateImperfectionProblems(v: UpdateImperfections): { key: string; message: string }[] {
  return v.quantize !== undefined && v.sign !== undefined ? [{ key: 'sign', message: 'give either "quantize" (whole numbers of steps) or "sign" (one step each update), not both' }] : [];
}

/** Whether any of the settings is on. */
export function anyUpdateImperfection(v: UpdateImperfections): boolean {
  return UPDATE_IMPERFECTION_KEYS.some((k) => v[k] !== undefined && !(k === 'updateProbability' && v[k] === 1));
}

/**
 * The device factors of `m` edges under `settings`: lognormal exp(s·z) or
 * uniform 1 + s·(2u − 1), drawn once from `rng`.
 */
export function deviceFactors(settings: VariabilitySettings, m: number, rng: Rng): Float64Array {
  const f = new Float64Array(m);
  for (let k = 0; k < m; k++) f[k] = settings.distribution === 'lognormal' ? Math.exp(settings.spread * rng.normal()) : 1 + settings.spread * (2 * rng.next() - 1);
  return f;
}

/** What one update did, edge by edge: how many moved, how many a bound held. */
export interface ImperfectUpdate {
  readonly clamped: number;
  readonly stepNorm: number;
  /** Edges drawn to update (all but frozen ones, without an update probability). */
  readonly updated: number;
}

/**
 * One momentum step with the imperfections, in place: `theta` the
 * parameters, `velocity` the momentum state (the move each edge made at its
 * last update; an edge not drawn keeps its own), `ideal` the edge's ideal
 * step v = μv − α·ĝ computed by the caller. Random draws come from `rng`
 * (the trainer's generator, checkpointed with it) and only for the settings
 * that need them, so that settings off leave every stream as it was.
 */
export function imperfectStep(
  settings: UpdateImperfections,
  theta: Float64Array,
  velocity: Float64Array,
  ideal: (k: number) => number,
  bounds: ParameterBounds,
  rng: Rng,
  context: { readonly factors?: Float64Array; readonly initial: Float64Array; readonly frozen?: Uint8Array },
): ImperfectUpdate {
  const { quantize, sign, updateProbability: p, bias, drift } = settings;
  const { factors, frozen } = context;
  let clamped = 0;
  let norm = 0;
  let updated = 0;
  for (let k = 0; k < theta.length; k++) {
    if (frozen?.[k]) {
      velocity[k] = 0;
      continue;
    }
    if (p !== undefined && p < 1 && !(rng.next() < p)) continue;
    updated++;
    const v = ideal(k);
    let move = v;
    if (sign) {
      move = v !== 0 && Math.abs(v) >= (sign.threshold ?? 0) ? Math.sign(v) * sign.step : 0;
    } else if (quantize) {
      const n = v / quantize.step;
      const whole = quantize.rounding === 'stochastic' ? Math.floor(n) + (rng.next() < n - Math.floor(n) ? 1 : 0) : Math.round(n);
      move = whole * quantize.step;
    }
    if (factors) move *= factors[k];
    if (bias) {
      if (bias.asymmetry !== undefined) move *= move > 0 ? 1 + bias.asymmetry : 1 - bias.asymmetry;
      if (bias.drift !== undefined) move += bias.drift;
    }
    if (takeProjectedMove(theta, velocity, k, move, bounds)) clamped++;
    norm += velocity[k] ** 2;
  }
  if (drift) {
    for (let k = 0; k < theta.length; k++) {
      if (frozen?.[k]) continue;
      const target = drift.kind === 'relax' ? (drift.toward === undefined || drift.toward === 'initial' ? context.initial[k] : drift.toward) : 0;
      let next = drift.kind === 'relax' ? theta[k] + drift.rate! * (target - theta[k]) : theta[k] + drift.std! * rng.normal();
      next = Math.min(bounds.max[k], Math.max(bounds.min[k], next));
      theta[k] = next;
    }
  }
  return { clamped, stepNorm: Math.sqrt(norm), updated };
}
