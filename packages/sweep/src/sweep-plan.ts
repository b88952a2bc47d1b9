import { ConfigError, ConfigProblem, MultimechPlugin, Registries, Rng, corePlugin, createRegistries, decodePluginSections, reportErrors, type PluginSections } from '@multimech/core';
import { EXPERIMENT_SECTIONS, experimentCodec, resolveOptimizer, trainerPlugin } from '@multimech/trainer';
import { isLeft } from 'fp-ts/lib/Either';
import { nearestPaths, pathSegments, settingsPaths, valueAt, withValueAt } from './config-paths';
import { canonicalJson, runKey } from './run-key';
import { ParameterRange, ResolvedSweep, parameterPath, splitUnit } from './sweep-config';
import type { TrainingJob } from './training-job';

/** A point of a sweep: each swept path with its value, as written in the experiment config. */
export type SweepPoint = Readonly<Record<string, unknown>>;

/** A run before it is keyed: its experiment config and seed, and what it is in the sweep (or the comparison). */
export interface RunSpec extends TrainingJob {
  /** The swept values (none in a comparison). */
  readonly point: SweepPoint;
  readonly pointIndex: number;
  /** The mechanism's name and index, when the config lists mechanisms. */
  readonly mechanism?: string;
  readonly mechanismIndex?: number;
  /** What the run is, for people: `error.amplitude=0.01 frequency`. */
  readonly label: string;
}

/** A run of a plan: its spec, its key and its place. Plain data (posted to threads, put on a queue). */
export interface PlannedRun extends RunSpec {
  /** `runKey` of its resolved config and the package versions: its name in the results folder and on the queue. */
  readonly key: string;
  /** Its position in the plan. */
  readonly index: number;
  /** The swept values as the settings' codecs decoded them, where that is a number (`"1.7 kHz"` → 1700): the plots' axes. */
  readonly decoded: Readonly<Record<string, number>>;
}

/** `error.amplitude=0.01, frequency, seed 2` */
export function runTitle(run: Pick<RunSpec, 'label' | 'seed'>): string {
  return `${run.label ? `${run.label}, ` : ''}seed ${run.seed}`;
}

/** `run 3 (error.amplitude=0.01, frequency, seed 2)`: a run named in a message. */
export function describeRun(run: Pick<PlannedRun, 'index' | 'label' | 'seed'>): string {
  return `run ${run.index + 1} (${runTitle(run)})`;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** `error.amplitude=0.01 frequency` */
export function pointLabel(point: SweepPoint, mechanism?: string): string {
  return [...Object.entries(point).map(([p, v]) => `${p}=${text(v)}`), ...(mechanism !== undefined ? [mechanism] : [])].join(' ');
}

/** Rounded to 6 significant digits, so that drawn values read well and hash the same everywhere. */
const tidy = (x: number) => Number(x.toPrecision(6));

/** The values of a grid's range: `steps` values from min to max, evenly (or evenly in log), rounded as asked; repeated values once. */
export function rangeValues(range: ParameterRange): (number | string)[] {
  const min = splitUnit(range.min)!;
  const max = splitUnit(range.max)!;
  const n = range.steps ?? 1;
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = n === 1 ? 0 : i / (n - 1);
    let x = range.log ? Math.exp(Math.log(min.value) + f * (Math.log(max.value) - Math.log(min.value))) : min.value + f * (max.value - min.value);
    if (i === 0) x = min.value;
    if (i === n - 1 && n > 1) x = max.value;
    x = range.integer ? Math.round(x) : tidy(x);
    if (!values.includes(x)) values.push(x);
  }
  return values.map((x) => (min.unit ? `${x} ${min.unit}` : x));
}

/** One value drawn from a range (uniform, or uniform in log), rounded as asked, within the range. */
export function drawValue(range: ParameterRange, rng: Rng): number | string {
  const min = splitUnit(range.min)!;
  const max = splitUnit(range.max)!;
  const u = rng.next();
  let x = range.log ? Math.exp(Math.log(min.value) + u * (Math.log(max.value) - Math.log(min.value))) : min.value + u * (max.value - min.value);
  x = range.integer ? Math.round(x) : tidy(x);
  x = Math.min(max.value, Math.max(min.value, x));
  return min.unit ? `${x} ${min.unit}` : x;
}

/** Every combination of the parameters' values, the first parameter varying slowest. */
export function gridPoints(sweep: Pick<ResolvedSweep, 'parameters'>): SweepPoint[] {
  let points: Record<string, unknown>[] = [{}];
  for (const { path, spec } of sweep.parameters) {
    const values = 'values' in spec ? spec.values : rangeValues(spec.range);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

/** `samples` points drawn with `seed`: each parameter from its range, or uniformly from its list of values. */
export function randomPoints(sweep: Pick<ResolvedSweep, 'parameters' | 'samples' | 'samplingSeed'>): SweepPoint[] {
  const rng = new Rng(sweep.samplingSeed);
  return Array.from({ length: sweep.samples ?? 0 }, () =>
    Object.fromEntries(sweep.parameters.map(({ path, spec }) => [path, 'values' in spec ? spec.values[rng.int(spec.values.length)] : drawValue(spec.range, rng)])),
  );
}

/** The points of a sweep: the grid, or the random draws. */
export function sweepPoints(sweep: ResolvedSweep): SweepPoint[] {
  return sweep.mode === 'grid' ? gridPoints(sweep) : randomPoints(sweep);
}

/**
 * The experiment config of one run of a sweep: the base (without its
 * seed), the mechanism's sections and optimizer keys when the sweep lists
 * mechanisms (as in a comparison), the point's values set at their paths,
 * and the seed.
 */
export function sweepRunConfig(sweep: ResolvedSweep, point: SweepPoint, mechanismIndex: number | undefined, seed: number): Record<string, unknown> {
  const { seed: _baseSeed, ...base } = sweep.config.base;
  let config: Record<string, unknown> = { ...base };
  const name = sweep.config.name ?? (typeof base.name === 'string' ? base.name : undefined);
  if (name !== undefined) config.name = name;
  if (mechanismIndex !== undefined) {
    const m = sweep.mechanisms![mechanismIndex];
    const baseOptimizer = base.optimizer as Record<string, unknown> | undefined;
    const optimizer = baseOptimizer || m.optimizer ? { ...baseOptimizer, ...m.optimizer } : undefined;
    config = {
      ...config,
      name: name !== undefined ? `${name}: ${m.name}` : m.name,
      ...(optimizer ? { optimizer } : {}),
      ...(m.activation !== undefined ? { activation: m.activation } : {}),
      error: m.error,
      ...(m.rule !== undefined ? { rule: m.rule } : {}),
    };
  }
  for (const [path, value] of Object.entries(point)) config = withValueAt(config, path, value);
  return { ...config, seed };
}

/** Plugins for a config (the command line's own and those its `plugins` list names). */
export type PluginsFor = (config: Readonly<Record<string, unknown>>) => readonly MultimechPlugin[];

/** Registries per `plugins` list, so that a plan of many runs builds each set once. */
function registriesFor(plugins: PluginsFor): (config: Readonly<Record<string, unknown>>) => Registries {
  const cache = new Map<string, Registries>();
  return (config) => {
    const id = canonicalJson(config.plugins ?? null);
    let registries = cache.get(id);
    if (!registries) cache.set(id, (registries = createRegistries([corePlugin, trainerPlugin, ...plugins(config)])));
    return registries;
  };
}

/** A run's config decoded: the config with its defaults that decoding settles filled in, and its sections' settings. */
export interface ResolvedRun {
  /** The config with its seed, its optimizer with defaults, and the activation (DC) and rule (the one that fits) it runs with when they are left out. */
  readonly resolved: Record<string, unknown>;
  readonly sections: PluginSections;
}

/**
 * Decodes a run's experiment config against the registered kinds (the top
 * level, then each plugin section), without building anything. Throws a
 * ConfigError placed as in an experiment config (`error.amplitude: ...`).
 */
export function resolveRunConfig(config: Readonly<Record<string, unknown>>, registries: Registries, source?: string): ResolvedRun {
  const problems: ConfigProblem[] = [];
  const top = experimentCodec.decode(config);
  if (isLeft(top)) problems.push(...reportErrors(top.left));
  let sections: PluginSections | undefined;
  try {
    sections = decodePluginSections(config as Record<string, unknown>, registries, source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems.filter((p) => !problems.some((q) => q.path === p.path)));
  }
  if (problems.length > 0 || isLeft(top) || !sections) throw new ConfigError(problems, source);
  const resolved: Record<string, unknown> = {
    ...config,
    activation: config.activation ?? { kind: 'dc' },
    rule: config.rule ?? { kind: sections.rule.record.kind },
    optimizer: resolveOptimizer(top.right.optimizer),
  };
  return { resolved, sections };
}

/** The number a swept value decoded to, read from the section's settings (or the value itself when it is a number). */
function decodedNumber(path: string, written: unknown, run: ResolvedRun): number | undefined {
  if (typeof written === 'number') return written;
  const [head, ...rest] = pathSegments(path);
  if ((EXPERIMENT_SECTIONS as readonly string[]).includes(head)) {
    const settings = (run.sections as unknown as Record<string, { config: unknown }>)[head]?.config;
    const v = valueAt(settings, rest.join('.'));
    return typeof v === 'number' ? v : undefined;
  }
  const v = valueAt(run.resolved, path);
  return typeof v === 'number' ? v : undefined;
}

/** Where a problem of a run (placed as in its experiment config) lies in the sweep config, and the run it names when it is the run's own. */
function placeInSweep(problem: ConfigProblem, spec: RunSpec, sweep: ResolvedSweep | undefined): ConfigProblem {
  for (const [p, value] of Object.entries(spec.point)) {
    if (problem.path === p || problem.path.startsWith(`${p}.`) || problem.path.startsWith(`${p}[`)) {
      const param = sweep?.parameters.find((x) => x.path === p);
      const index = param && 'values' in param.spec ? param.spec.values.findIndex((v) => canonicalJson(v) === canonicalJson(value)) : -1;
      return { path: `${parameterPath(p)}${index >= 0 ? `[${index}]` : ''}${problem.path.slice(p.length)}`, message: problem.message };
    }
  }
  const head = /^[^.[]*/.exec(problem.path)![0];
  if (spec.mechanismIndex !== undefined && ['activation', 'error', 'rule'].includes(head)) return { ...problem, path: `mechanisms[${spec.mechanismIndex}].${problem.path}` };
  return { ...problem, path: problem.path ? `base.${problem.path}` : 'base' };
}

export interface PlanOptions {
  /** The plugins each run's config needs (its kinds' codecs decode it). */
  readonly plugins: PluginsFor;
  /** The versions of the @multimech packages in use (part of every run's key). */
  readonly versions: Readonly<Record<string, string>>;
  /** The config file, for messages. */
  readonly source?: string;
  /** The sweep the specs come from, to place problems at the swept values. */
  readonly sweep?: ResolvedSweep;
}

/** A plan: every run keyed, repeated runs (the same key) once. */
export interface RunPlan {
  readonly runs: readonly PlannedRun[];
  /** Specs left out because an earlier one is the same run (a random search that drew a point twice). */
  readonly repeated: number;
}

/**
 * Keys every run: decodes its config against its kinds' codecs (nothing is
 * built or run), fills in what decoding settles, and hashes it with the
 * package versions (`runKey`). Every problem of every run is found before
 * anything runs and thrown as one ConfigError, placed in the sweep config
 * (`sweep.parameters["error.amplitude"][2]: expected a positive number, got
 * -1 (the value -1), in run 3 (error.amplitude=-1, seed 1)`); a problem
 * every run shares is said once, without a run.
 */
export function planRuns(specs: readonly RunSpec[], options: PlanOptions): RunPlan {
  const registries = registriesFor(options.plugins);
  const found = new Map<string, { problem: ConfigProblem; specs: number[] }>();
  const resolvedRuns: (ResolvedRun | undefined)[] = [];
  // the seed does not change how a config decodes: each config is decoded once over its seeds
  const bySetting = new Map<string, ResolvedRun | ConfigProblem[]>();
  specs.forEach((spec, i) => {
    const { seed: _seed, ...setting } = spec.config;
    const id = canonicalJson(setting);
    let outcome = bySetting.get(id);
    if (outcome === undefined) {
      try {
        outcome = resolveRunConfig(spec.config, registries(spec.config), options.source);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        outcome = e.problems.map((p) => placeInSweep(p, spec, options.sweep));
        for (const p of outcome) {
          const key = `${p.path}\u0000${p.message}`;
          const entry = found.get(key) ?? { problem: p, specs: [] };
          entry.specs.push(i);
          found.set(key, entry);
        }
      }
      bySetting.set(id, outcome);
    }
    resolvedRuns.push(Array.isArray(outcome) ? undefined : { ...outcome, resolved: { ...outcome.resolved, seed: spec.seed } });
  });
  if (found.size > 0) {
    const settings = new Set(specs.map(({ config: { seed: _s, ...rest } }) => canonicalJson(rest))).size;
    const problems = [...found.values()].map(({ problem, specs: failing }) => {
      const distinct = new Set(failing.map((i) => canonicalJson({ ...specs[i].config, seed: 0 }))).size;
      if (distinct === settings) return problem;
      const first = specs[failing[0]];
      return { ...problem, message: `${problem.message}, in ${describeRun({ index: failing[0], label: first.label, seed: first.seed })}` };
    });
    throw new ConfigError(problems, options.source);
  }
  const seen = new Set<string>();
  const runs: PlannedRun[] = [];
  specs.forEach((spec, i) => {
    const run = resolvedRuns[i]!;
    const key = runKey(run.resolved, options.versions);
    if (seen.has(key)) return;
    seen.add(key);
    const decoded: Record<string, number> = {};
    for (const [p, v] of Object.entries(spec.point)) {
      const n = decodedNumber(p, v, run);
      if (n !== undefined) decoded[p] = n;
    }
    runs.push({ ...spec, key, index: runs.length, decoded });
  });
  return { runs, repeated: specs.length - runs.length };
}

/**
 * Refuses a swept path that is not a setting of the config (as written, or
 * as its kinds' codecs know them: `settingsPaths`), naming the nearest
 * ones. With mechanisms, a path is a setting when it is one of any
 * mechanism's config.
 */
export function checkSweptPaths(sweep: ResolvedSweep, plugins: PluginsFor, source?: string): void {
  const registries = registriesFor(plugins);
  const configs =
    sweep.mechanisms === undefined ? [sweepRunConfig(sweep, {}, undefined, sweep.seeds[0])] : sweep.mechanisms.map((_, i) => sweepRunConfig(sweep, {}, i, sweep.seeds[0]));
  const known = new Set<string>();
  for (const config of configs) {
    let paths: string[];
    try {
      paths = settingsPaths(config, registries(config));
    } catch (e) {
      // a plugin that cannot be loaded is reported when the runs are decoded
      if (e instanceof ConfigError) continue;
      throw e;
    }
    for (const p of paths) known.add(p);
  }
  const problems: ConfigProblem[] = [];
  for (const { path } of sweep.parameters) {
    if (pathSegments(path)[0] === 'seed') problems.push({ path: parameterPath(path), message: 'the seeds are swept by "seeds", not as a parameter' });
    else if (!known.has(path)) {
      problems.push({ path: parameterPath(path), message: `"${path}" is not a setting of the config (nearest: ${nearestPaths(path, [...known]).join(', ')})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
}

/** A sweep planned: its points and its runs (point × mechanism × seed, in that order), each keyed. */
export interface SweepPlan extends RunPlan {
  readonly points: readonly SweepPoint[];
  readonly parameters: readonly string[];
  readonly mechanisms?: readonly string[];
  readonly seeds: readonly number[];
}

/**
 * Plans a sweep: checks its paths against the config's settings, makes its
 * points (the grid, or `samples` draws with its seed), and keys every run of
 * point × mechanism × seed (`planRuns`, which decodes each one). Nothing is
 * run; every mistake is found here.
 */
export function planSweep(sweep: ResolvedSweep, options: Omit<PlanOptions, 'sweep'> & { readonly baseDir: string }): SweepPlan {
  checkSweptPaths(sweep, options.plugins, options.source);
  const points = sweepPoints(sweep);
  const mechanisms = sweep.mechanisms?.map((m) => m.name);
  const specs: RunSpec[] = points.flatMap((point, pointIndex) =>
    (mechanisms ?? [undefined]).flatMap((mechanism, m) =>
      sweep.seeds.map((seed) => ({
        point,
        pointIndex,
        ...(mechanism !== undefined ? { mechanism, mechanismIndex: m } : {}),
        label: pointLabel(point, mechanism),
        seed,
        config: sweepRunConfig(sweep, point, mechanism !== undefined ? m : undefined, seed),
        baseDir: options.baseDir,
        ...(options.source !== undefined ? { source: options.source } : {}),
      })),
    ),
  );
  const plan = planRuns(specs, { ...options, sweep });
  return { ...plan, points, parameters: sweep.parameters.map((p) => p.path), ...(mechanisms ? { mechanisms } : {}), seeds: sweep.seeds };
}
