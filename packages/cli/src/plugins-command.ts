import {
  ActivationRecord,
  ErrorRecord,
  JsonSchema,
  MultimechError,
  Registries,
  RuleRecord,
  SubstrateRecord,
  TaskRecord,
  corePlugin,
  createRegistries,
  reportErrors,
  sectionSchemaOf,
} from '@multimech/core';
import type { CliIo } from './cli-io';
import { CLI_PLUGINS, loadPluginModules, preloadPluginModules } from './cli-plugins';
import { newPluginSession } from './plugin-guard';

/**
 * The extension points in the order `multimech plugins` lists them: the
 * config section a kind is named in (also the qualifier of
 * `substrate:resistive`), its registry, and what the kinds are called.
 */
export const EXTENSION_POINTS = [
  { section: 'substrate', registry: 'substrates', what: 'substrate', plural: 'substrates' },
  { section: 'activation', registry: 'activations', what: 'activation mechanism', plural: 'activation mechanisms' },
  { section: 'error', registry: 'errors', what: 'error mechanism', plural: 'error mechanisms' },
  { section: 'rule', registry: 'rules', what: 'learning rule', plural: 'learning rules' },
  { section: 'task', registry: 'tasks', what: 'task', plural: 'tasks' },
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

type AnyRecord = SubstrateRecord | ActivationRecord | ErrorRecord | RuleRecord | TaskRecord;

export interface PluginFlags {
  /** Plugin modules to load besides the command line's own (`--plugin PATH`, repeatable). */
  readonly plugin?: readonly string[];
  readonly json?: boolean;
}

/** The registries of the command line's plugins, core's and those `--plugin` names (paths resolved from the working directory). */
export function cliRegistries(pluginModules: readonly string[] = []): Registries {
  return createRegistries([corePlugin, ...CLI_PLUGINS, ...loadPluginModules(pluginModules, process.cwd(), () => '--plugin')]);
}

/**
 * `cliRegistries` after loading the ES modules among the `--plugin` entries
 * (`preloadPluginModules`). A command starts here: the plugins loaded from
 * now on are the ones its failures are blamed on (`newPluginSession`).
 */
export async function loadedCliRegistries(pluginModules: readonly string[] = []): Promise<Registries> {
  newPluginSession();
  await preloadPluginModules(pluginModules, process.cwd(), () => '--plugin');
  return cliRegistries(pluginModules);
}

/** What a kind's record declares, by extension point: capabilities (substrates), requires, produces, consumes. */
export interface KindSummary {
  readonly kind: string;
  readonly description: string;
  readonly capabilities?: readonly string[];
  readonly requires?: readonly string[];
  readonly produces?: string;
  /** True where a setting changes what the error mechanism produces (its record's `producesFor`). */
  readonly producesDependsOnSettings?: boolean;
  readonly consumes?: string;
}

function summary(point: ExtensionPoint, record: AnyRecord): KindSummary {
  const r = record as Partial<SubstrateRecord & ActivationRecord & ErrorRecord & RuleRecord>;
  const base = { kind: record.kind, description: record.description };
  switch (point.section) {
    case 'substrate':
      return { ...base, capabilities: r.capabilities ?? [] };
    case 'activation':
      return { ...base, requires: r.requires ?? [] };
    case 'error':
      return { ...base, requires: r.requires ?? [], produces: r.produces, ...(r.producesFor ? { producesDependsOnSettings: true } : {}) };
    case 'rule':
      return { ...base, consumes: r.consumes };
    default:
      return base;
  }
}

function recordsOf(registries: Registries, point: ExtensionPoint): AnyRecord[] {
  const registry = registries[point.registry];
  return registry.kinds().map((k) => registry.get(k));
}

/** Every registered kind, by extension point (the keys of `Registries`), sorted by kind. */
export function pluginListing(registries: Registries): Record<ExtensionPoint['registry'], KindSummary[]> {
  return Object.fromEntries(EXTENSION_POINTS.map((p) => [p.registry, recordsOf(registries, p).map((r) => summary(p, r))])) as Record<
    ExtensionPoint['registry'],
    KindSummary[]
  >;
}

/** One kind at one extension point: what its record declares, its section's JSON Schema, its defaults and an example. */
export interface KindDetails extends KindSummary {
  /** The config section it is named in: substrate, activation, error, rule or task. */
  readonly section: ExtensionPoint['section'];
  readonly schema: JsonSchema;
  /** The settings a section with only `kind` decodes to, or null when such a section does not decode. */
  readonly defaults: Record<string, unknown> | null;
  /** Why a section with only `kind` does not decode (one line per problem). */
  readonly defaultsProblems?: readonly string[];
  /** The record's example, else `{ kind }` with the required keys the schema gives defaults for. */
  readonly example: Record<string, unknown>;
}

/** The example section of a record: its own `example` (with `kind` first), else one made from the schema. */
export function exampleSection(record: Pick<AnyRecord, 'kind' | 'example'>, schema: JsonSchema): Record<string, unknown> {
  if (record.example) {
    const { kind: _, ...rest } = record.example;
    return { kind: record.kind, ...rest };
  }
  const required = (schema.required ?? []).filter((k) => k !== 'kind');
  const properties = schema.properties ?? {};
  const filled = required.every((k) => properties[k]?.default !== undefined);
  return filled ? { kind: record.kind, ...Object.fromEntries(required.map((k) => [k, properties[k].default])) } : { kind: record.kind };
}

/** The JSON Schema of a record's config section (`kind` a const), titled by its extension point and kind. */
export function kindSchema(point: ExtensionPoint, record: AnyRecord): JsonSchema {
  return { title: `${point.what} '${record.kind}'`, ...sectionSchemaOf(record.kind, record.configCodec, record.description) };
}

function details(point: ExtensionPoint, record: AnyRecord): KindDetails {
  const schema = kindSchema(point, record);
  // a section with only `kind`: the rest, {}, decoded as decodeSection does
  const decoded = record.configCodec.decode({});
  return {
    section: point.section,
    ...summary(point, record),
    schema,
    defaults: decoded._tag === 'Right' ? (JSON.parse(JSON.stringify({ kind: record.kind, ...(decoded.right as object) })) as Record<string, unknown>) : null,
    ...(decoded._tag === 'Left' ? { defaultsProblems: reportErrors(decoded.left, point.section).map((p) => `${p.path}: ${p.message}`) } : {}),
    example: exampleSection(record, schema),
  };
}

/**
 * The kind `spec` names, at every extension point where it is registered
 * (`substrate:resistive` names one). An unknown kind is a MultimechError
 * naming the known kinds.
 */
export function kindDetails(registries: Registries, spec: string): KindDetails[] {
  const colon = spec.indexOf(':');
  if (colon >= 0) {
    const prefix = spec.slice(0, colon);
    const point = EXTENSION_POINTS.find((p) => p.section === prefix);
    if (!point) {
      throw new MultimechError(
        `'${prefix}' in '${spec}' is no extension point: qualify a kind with one of ${EXTENSION_POINTS.map((p) => p.section).join(', ')} (as in substrate:resistive)`,
      );
    }
    return [details(point, registries[point.registry].get(spec.slice(colon + 1)))];
  }
  const found = EXTENSION_POINTS.filter((p) => registries[p.registry].has(spec));
  if (found.length === 0) {
    const known = [...new Set(EXTENSION_POINTS.flatMap((p) => registries[p.registry].kinds()))].sort();
    throw new MultimechError(`unknown kind '${spec}' (known kinds: ${known.join(', ')})`);
  }
  return found.map((p) => details(p, registries[p.registry].get(spec)));
}

const list = (items: readonly string[] | undefined) => (items && items.length > 0 ? items.join(', ') : 'nothing');

/** The line of what a record declares besides its description, or none (tasks). */
function facts(s: KindSummary): string | undefined {
  const parts: string[] = [];
  if (s.capabilities) parts.push(`capabilities: ${list(s.capabilities)}`);
  if (s.requires) parts.push(`requires: ${list(s.requires)}`);
  if (s.produces !== undefined) parts.push(`produces: ${s.produces}${s.producesDependsOnSettings ? ' (other readings with some settings)' : ''}`);
  if (s.consumes !== undefined) parts.push(`consumes: ${s.consumes}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The listing as text: per extension point, each kind with what it declares and, under it, its description. */
export function listingText(registries: Registries): string {
  const listing = pluginListing(registries);
  const width = Math.max(...Object.values(listing).flatMap((kinds) => kinds.map((k) => k.kind.length))) + 3;
  const blocks = EXTENSION_POINTS.map((p) => {
    const kinds = listing[p.registry];
    const lines = kinds.flatMap((k) => {
      const [first, ...rest] = [facts(k), k.description].filter((x): x is string => x !== undefined);
      return [`  ${k.kind.padEnd(width)}${first}`, ...rest.map((line) => `  ${''.padEnd(width)}${line}`)];
    });
    return [p.plural, ...(lines.length > 0 ? lines : ['  (none registered)'])].join('\n');
  });
  return `${blocks.join('\n\n')}\n\n(multimech plugins KIND: a kind's config section as JSON Schema, its defaults and an example)\n`;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** One kind's details as text. */
export function detailsText(d: KindDetails): string {
  const point = EXTENSION_POINTS.find((p) => p.section === d.section)!;
  const f = facts(d);
  const defaults =
    d.defaults !== null
      ? json(d.defaults)
      : `none: a section with only "kind" does not decode\n${(d.defaultsProblems ?? []).map((p) => `  ${p}`).join('\n')}`;
  return [
    `${point.what} '${d.kind}'`,
    `  ${d.description}`,
    ...(f ? [`  ${f}`] : []),
    '',
    `config section "${d.section}" (JSON Schema):`,
    json(d.schema),
    '',
    'defaults (what a section with only "kind" decodes to):',
    defaults,
    '',
    'example:',
    json(d.example),
    '',
  ].join('\n');
}

/**
 * `multimech plugins [KIND]`: every registered kind, or one kind's config
 * section (JSON Schema), defaults and example; as text, or JSON with
 * `--json` (the listing by extension point; for KIND, an array with one
 * entry per extension point the kind is registered at).
 */
export async function pluginsCommand(kind: string | undefined, flags: PluginFlags, io: CliIo): Promise<void> {
  const registries = await loadedCliRegistries(flags.plugin);
  if (kind === undefined) {
    io.stdout.write(flags.json ? `${json(pluginListing(registries))}\n` : listingText(registries));
    return;
  }
  const found = kindDetails(registries, kind);
  io.stdout.write(flags.json ? `${json(found)}\n` : found.map(detailsText).join('\n'));
}
