import { jsonSchemaOf, type JsonSchema, type Registries } from '@multimech/core';
import { EXPERIMENT_SECTIONS, experimentCodec } from '@multimech/trainer';

/**
 * Dot paths into an experiment config (`error.amplitude`,
 * `optimizer.learningRate`, `substrate.network.hidden.0`): reading, setting,
 * and the paths a config has, as written or as its kinds' codecs know them.
 */

/** The segments of a dot path. */
export function pathSegments(path: string): string[] {
  return path.split('.');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dot path (undefined when any step is missing). */
export function valueAt(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const key of pathSegments(path)) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** A deep copy of `config` with the dot path set to `value`; missing objects on the way are made (an array is indexed by a number). */
export function withValueAt(config: Readonly<Record<string, unknown>>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(config) as Record<string, unknown>;
  const keys = pathSegments(path);
  let node: Record<string, unknown> | unknown[] = copy;
  for (const key of keys.slice(0, -1)) {
    const next: unknown = Array.isArray(node) ? node[Number(key)] : node[key];
    const child = isObject(next) || Array.isArray(next) ? next : {};
    if (Array.isArray(node)) node[Number(key)] = child;
    else node[key] = child;
    node = child as Record<string, unknown> | unknown[];
  }
  const last = keys[keys.length - 1];
  if (Array.isArray(node)) node[Number(last)] = structuredClone(value);
  else node[last] = structuredClone(value);
  return copy;
}

/** Every path of a JSON value as written: each key of each object, and each index of each array, with the paths below them. */
export function writtenPaths(value: unknown, prefix = ''): string[] {
  const paths: string[] = [];
  const join = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths.push(join(String(i)), ...writtenPaths(v, join(String(i)))));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) paths.push(join(k), ...writtenPaths(v, join(k)));
  }
  return paths;
}

/** The property paths a JSON Schema describes: each object's properties, through `anyOf`, `oneOf` and `allOf`. */
export function schemaPaths(schema: JsonSchema | undefined, prefix = ''): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const paths: string[] = [];
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    paths.push(p, ...schemaPaths(s, p));
  }
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) paths.push(...schemaPaths(branch, prefix));
  return paths;
}

/** Top-level keys that are not settings of a run (`seed` is the sweep's `seeds`). */
const NOT_SWEPT = new Set(['name', 'description', '$schema', 'plugins', 'seed']);

/**
 * The settings paths of an experiment config: those written in it, those
 * the top level's codec knows (`optimizer.learningRate`,
 * `training.epochs`), and, for each plugin section whose kind is
 * registered, those of its kind's codec (`error.amplitude` of a
 * `frequency` error written as `{ "kind": "frequency" }`). A missing
 * activation is the DC one, a missing rule the product rule.
 */
export function settingsPaths(config: Readonly<Record<string, unknown>>, registries: Registries): string[] {
  const paths = new Set<string>();
  const sections = new Set<string>(EXPERIMENT_SECTIONS);
  for (const p of schemaPaths(jsonSchemaOf(experimentCodec))) if (!sections.has(pathSegments(p)[0])) paths.add(p);
  for (const p of writtenPaths(config)) paths.add(p);
  const registry = { substrate: registries.substrates, task: registries.tasks, activation: registries.activations, error: registries.errors, rule: registries.rules } as const;
  const defaults: Record<string, string> = { activation: 'dc', rule: 'product' };
  for (const section of EXPERIMENT_SECTIONS) {
    const written = (config[section] as { kind?: unknown } | undefined)?.kind;
    const kind = typeof written === 'string' ? written : defaults[section];
    if (kind === undefined || !registry[section].has(kind)) continue;
    paths.add(section);
    paths.add(`${section}.kind`);
    for (const p of schemaPaths(jsonSchemaOf(registry[section].get(kind).configCodec))) paths.add(`${section}.${p}`);
  }
  return [...paths].filter((p) => !NOT_SWEPT.has(pathSegments(p)[0])).sort();
}

/** The edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The `count` paths nearest to `path` by edit distance (ties in alphabetical order). */
export function nearestPaths(path: string, known: readonly string[], count = 3): string[] {
  return [...known]
    .map((p) => ({ p, d: editDistance(path, p) }))
    .sort((a, b) => a.d - b.d || (a.p < b.p ? -1 : a.p > b.p ? 1 : 0))
    .slice(0, count)
    .map((x) => x.p);
}
