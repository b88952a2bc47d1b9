import { COUNT_RANGE, SEED_RANGE, bounded, ConfigError, ConfigProblem, decodeOrThrow, integer, nonEmptyString, oneOf, positiveInteger, reportErrors, strictObject } from '@multimech/core';
import { DEFAULT_COMPARISON_SEEDS, comparisonMechanismCodec, schemaReferenceCodec, type ComparisonMechanism } from '@multimech/trainer';
import { isLeft } from 'fp-ts/lib/Either';
import * as t from 'io-ts';

/**
 * The config of a sweep: an experiment config (`base`), config paths to
 * sweep over a grid or at random, seeds, and optionally several mechanisms
 * as in a comparison. Pure data and decoding; the base and every run's
 * experiment config are decoded against the plugins when the sweep is
 * planned (`planSweep`).
 */

/** A bound of a range: a number, or a number with a unit (`"1 kHz"`) that the setting's codec reads. */
const boundCodec = new t.Type<number | string, number | string, unknown>(
  'a number, or a number with its unit such as "1.7 kHz"',
  (u): u is number | string => (typeof u === 'number' && Number.isFinite(u)) || (typeof u === 'string' && splitUnit(u) !== undefined),
  (u, c) => ((typeof u === 'number' && Number.isFinite(u)) || (typeof u === 'string' && splitUnit(u) !== undefined) ? t.success(u) : t.failure(u, c)),
  (v) => v,
);

/** `"1.7 kHz"` → { value: 1.7, unit: "kHz" }; a number → its value and no unit; undefined when the text does not start with a number. */
export function splitUnit(bound: number | string): { readonly value: number; readonly unit: string } | undefined {
  if (typeof bound === 'number') return { value: bound, unit: '' };
  const m = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/.exec(bound);
  if (!m) return undefined;
  const value = Number(m[1]);
  return Number.isFinite(value) ? { value, unit: m[2] } : undefined;
}

/** A range of a swept setting: drawn from at random, or `steps` values from `min` to `max` in a grid. */
export const rangeCodec = strictObject(
  'a range ({ "min", "max", "log"?, "integer"?, "steps"? })',
  { min: boundCodec, max: boundCodec },
  { log: t.boolean, integer: t.boolean, steps: bounded(positiveInteger, COUNT_RANGE) },
);
export type ParameterRange = t.TypeOf<typeof rangeCodec>;

/** What a swept path takes: a list of values (each written as in the experiment config), or a range. */
export type ParameterSpec = { readonly values: readonly unknown[] } | { readonly range: ParameterRange };

export const sweepSectionCodec = strictObject(
  'the search ({ "mode", "parameters", "samples"?, "seed"? })',
  { mode: oneOf('grid', 'random'), parameters: t.UnknownRecord },
  { samples: bounded(positiveInteger, COUNT_RANGE), seed: bounded(integer, SEED_RANGE, 'a seed is a safe integer') },
);

export const sweepCodec = strictObject(
  'a sweep config ({ "base", "sweep", "seeds"?, "mechanisms"?, "name"?, "description"? })',
  { base: t.UnknownRecord, sweep: sweepSectionCodec },
  {
    name: nonEmptyString,
    description: t.string,
    seeds: t.array(integer, 'a list of integer seeds'),
    mechanisms: t.array(comparisonMechanismCodec, 'a list of mechanisms'),
    $schema: schemaReferenceCodec,
  },
);
export type SweepConfig = t.TypeOf<typeof sweepCodec>;

/** The seed of the random search when `sweep.seed` is absent. */
export const DEFAULT_SWEEP_SEED = 1;

/** A sweep config decoded and checked. */
export interface ResolvedSweep {
  readonly config: SweepConfig;
  readonly mode: 'grid' | 'random';
  /** The swept paths, in the order written, each with its values or range. */
  readonly parameters: readonly { readonly path: string; readonly spec: ParameterSpec }[];
  /** Random search: how many points, and the seed they are drawn with. */
  readonly samples?: number;
  readonly samplingSeed: number;
  /** `seeds`, or `[base.seed]`, or the comparison's default seeds. */
  readonly seeds: readonly number[];
  readonly mechanisms?: readonly ComparisonMechanism[];
}

/** How a swept path is shown in messages: `sweep.parameters["error.amplitude"]`. */
export function parameterPath(path: string): string {
  return `sweep.parameters[${JSON.stringify(path)}]`;
}

const MECHANISM_SECTIONS = ['activation', 'error', 'rule'] as const;

function rangeProblems(path: string, range: ParameterRange, mode: 'grid' | 'random'): ConfigProblem[] {
  const at = parameterPath(path);
  const problems: ConfigProblem[] = [];
  const min = splitUnit(range.min)!;
  const max = splitUnit(range.max)!;
  if (min.unit !== max.unit) problems.push({ path: at, message: `min and max must be written in one unit, got ${JSON.stringify(range.min)} and ${JSON.stringify(range.max)}` });
  else if (min.value > max.value) problems.push({ path: `${at}.max`, message: `expected a maximum of at least min (${JSON.stringify(range.min)}), got ${JSON.stringify(range.max)}` });
  if (range.log && min.value <= 0) problems.push({ path: `${at}.min`, message: `a log range needs a positive min, got ${JSON.stringify(range.min)}` });
  if (range.integer && (min.unit !== '' || max.unit !== '')) problems.push({ path: `${at}.integer`, message: 'an integer range takes plain numbers, without a unit' });
  if (mode === 'grid' && range.steps === undefined) {
    problems.push({ path: at, message: 'a range in a grid needs "steps" (how many values from min to max); or give the values as a list' });
  }
  if (mode === 'random' && range.steps !== undefined) problems.push({ path: `${at}.steps`, message: '"steps" applies to a grid only: a random search draws "sweep.samples" points' });
  return problems;
}

/**
 * Decodes a sweep config, refusing (with JSON paths) unknown keys, an empty
 * grid (no parameter, or a parameter without values), a range that is
 * empty or cannot be drawn from, `samples` where it does not apply,
 * duplicated seeds or mechanism names, and a mechanism's sections given in
 * `base` beside `mechanisms`. Whether each path is a setting of the config,
 * and each value one its codec accepts, is checked when the sweep is
 * planned.
 */
export function decodeSweep(raw: unknown, source?: string): ResolvedSweep {
  const config = decodeOrThrow(sweepCodec, raw, '', source);
  const problems: ConfigProblem[] = [];
  const { mode } = config.sweep;
  const parameters: { path: string; spec: ParameterSpec }[] = [];
  const entries = Object.entries(config.sweep.parameters);
  if (entries.length === 0) problems.push({ path: 'sweep.parameters', message: 'expected at least one config path to sweep, such as "error.amplitude": [0.001, 0.01] (the grid is empty)' });
  for (const [path, spec] of entries) {
    const at = parameterPath(path);
    if (!/^[A-Za-z$_][\w$-]*(\.[\w$-]+)*$/.test(path)) {
      problems.push({ path: at, message: 'expected a dot path into the experiment config, such as "error.amplitude" or "optimizer.learningRate"' });
    } else if (Array.isArray(spec)) {
      if (spec.length === 0) problems.push({ path: at, message: 'expected at least one value, got [] (the grid would be empty)' });
      else parameters.push({ path, spec: { values: spec } });
    } else if (typeof spec === 'object' && spec !== null) {
      const r = rangeCodec.decode(spec);
      if (isLeft(r)) problems.push(...reportErrors(r.left, at));
      else {
        const found = rangeProblems(path, r.right, mode);
        problems.push(...found);
        if (found.length === 0) parameters.push({ path, spec: { range: r.right } });
      }
    } else {
      problems.push({ path: at, message: `expected a list of values or a range { "min", "max", "log"?, "integer"?, "steps"? }, got ${JSON.stringify(spec)}` });
    }
  }
  const paths = entries.map(([p]) => p);
  for (const p of paths) {
    const outer = paths.find((q) => q !== p && p.startsWith(`${q}.`));
    if (outer) problems.push({ path: parameterPath(p), message: `lies inside the swept path "${outer}": sweep one or the other` });
  }
  if (mode === 'random' && config.sweep.samples === undefined) problems.push({ path: 'sweep.samples', message: 'expected the number of points a random search draws (a positive integer)' });
  if (mode === 'grid' && config.sweep.samples !== undefined) problems.push({ path: 'sweep.samples', message: 'applies to "mode": "random" only (a grid runs every combination)' });
  if (mode === 'grid' && config.sweep.seed !== undefined) problems.push({ path: 'sweep.seed', message: 'applies to "mode": "random" only (the seed the points are drawn with; the runs\' seeds are "seeds")' });

  if (config.mechanisms !== undefined) {
    if (config.mechanisms.length === 0) problems.push({ path: 'mechanisms', message: 'expected at least one mechanism, got [] (leave "mechanisms" out to sweep the base\'s own)' });
    const firstByName = new Map<string, number>();
    config.mechanisms.forEach((m, i) => {
      const first = firstByName.get(m.name);
      if (first === undefined) firstByName.set(m.name, i);
      else problems.push({ path: `mechanisms[${i}].name`, message: `duplicate mechanism name '${m.name}' (also mechanisms[${first}].name); names must be unique` });
    });
    for (const section of MECHANISM_SECTIONS) {
      if (config.base[section] !== undefined) problems.push({ path: `base.${section}`, message: `with "mechanisms", each mechanism gives its own ${section} section: leave it out of base` });
    }
  }
  if (config.seeds !== undefined) {
    if (config.seeds.length === 0) problems.push({ path: 'seeds', message: 'expected at least one seed, got []' });
    config.seeds.forEach((s, i) => {
      const first = config.seeds!.indexOf(s);
      if (first !== i) problems.push({ path: `seeds[${i}]`, message: `duplicate seed ${s} (also seeds[${first}])` });
    });
    if (config.base.seed !== undefined) problems.push({ path: 'base.seed', message: 'give the seeds in "seeds" only (base.seed is the single seed when "seeds" is absent)' });
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  const baseSeed = config.base.seed;
  const seeds = config.seeds ?? (typeof baseSeed === 'number' ? [baseSeed] : DEFAULT_COMPARISON_SEEDS);
  return {
    config,
    mode,
    parameters,
    ...(mode === 'random' ? { samples: config.sweep.samples } : {}),
    samplingSeed: config.sweep.seed ?? DEFAULT_SWEEP_SEED,
    seeds,
    ...(config.mechanisms ? { mechanisms: config.mechanisms } : {}),
  };
}
