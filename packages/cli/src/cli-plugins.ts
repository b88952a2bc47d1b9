import { chemicalPlugin, type ChemicalErrorSection } from '@multimech/chemical';
import { contrastivePlugin, type ClSection, type ContrastiveRuleSection, type EpSection } from '@multimech/contrastive';
import { elasticPlugin, type ElasticSection } from '@multimech/elastic';
import { flowPlugin, type FlowSection } from '@multimech/flow';
import { frequencyPlugin, type AcActivationSection, type FrequencyErrorSection, type TimeAverageRuleSection } from '@multimech/frequency';
import { resistivePlugin, type DrnSection, type ResistiveSection } from '@multimech/resistive';
import { trainerPlugin, type AllosterySection, type ExperimentConfig, type IrisSection, type RegressionSection } from '@multimech/trainer';
import {
  ConfigError,
  MultimechError,
  MultimechPlugin,
  corePlugin,
  createRegistries,
  reportErrors,
  sectionProblems,
  type ConfigProblem,
  type Registries,
  foreignCore,
  isMultimechPlugin,
  pluginBrand,
  type AdjointErrorSection,
  type DcActivationSection,
  type ProductRuleSection,
} from '@multimech/core';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { EXPERIMENT_SECTIONS, experimentCodec } from '@multimech/trainer';
import { isLeft } from 'fp-ts/lib/Either';
import { PluginExitError, PluginLoadTimeout, importingPlugin, isError, loadingPlugin, thrownText } from './plugin-guard';
import { ALLOW_PLUGINS, TRUSTED_FOLDERS, currentTrust, inTrustedFolder, pluginLoadSeconds, prefixInDocument } from './plugin-trust';

/**
 * The plugins the command line loads (`train`, `compare`, and the
 * comparison's worker threads): the resistive, flow and elastic substrates, the
 * frequency, chemical and contrastive (EP, CL) mechanisms, the trainer's tasks.
 */
export const CLI_PLUGINS = [resistivePlugin, flowPlugin, elasticPlugin, frequencyPlugin, chemicalPlugin, contrastivePlugin, trainerPlugin];

/** The sections of the built-in kinds (core's and those of `CLI_PLUGINS`), each typed from its plugin's codec. */
export interface BuiltInSections {
  readonly substrate: ResistiveSection | DrnSection | FlowSection | ElasticSection;
  readonly task: IrisSection | RegressionSection | AllosterySection;
  readonly activation: DcActivationSection | AcActivationSection;
  readonly error: AdjointErrorSection | FrequencyErrorSection | ChemicalErrorSection | EpSection | ClSection;
  readonly rule: ProductRuleSection | TimeAverageRuleSection | ContrastiveRuleSection;
}

/**
 * An experiment config of the built-in kinds, as TypeScript writes it: a
 * misspelt key (at the top level or in a section), a `kind` or a `mode`
 * that does not exist, or a string where a number goes fails to compile.
 *
 *     const config: BuiltInExperimentConfig = { substrate: { kind: 'resistive', ... }, ... };
 *     createExperiment(config, CLI_PLUGINS);
 */
export type BuiltInExperimentConfig = ExperimentConfig<BuiltInSections>;

/** A plugin entry resolved to its file: a path (from `baseDir`) or a package name (from `baseDir`, then the working directory). */
function resolvePlugin(spec: string, baseDir: string): string {
  return spec.startsWith('.') || path.isAbsolute(spec) ? path.resolve(baseDir, spec) : require.resolve(spec, { paths: [baseDir, process.cwd()] });
}

/** Whether a file is an ES module: `.mjs`, or `.js` under a package.json of `"type": "module"`. */
function isEsModule(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/** Modules loaded by `import()` ahead of time (ES modules), by resolved path. */
const imported = new Map<string, Record<string, unknown>>();

/**
 * Why a module could not be loaded: the reason (whatever the module threw,
 * an Error or not), with the resolved path where Node's message does not
 * name it already. A process.exit it called is reported as it is.
 */
function loadFailure(where: string, spec: string, id: string | undefined, e: unknown): MultimechError {
  if (e instanceof PluginExitError || e instanceof PluginLoadTimeout) return e;
  const reason = isError(e) ? e.message.split('\n')[0] : `it threw ${thrownText(e)}, not an Error`;
  const named = id === undefined || reason.includes(id) ? reason : `${id}: ${reason}`;
  return new MultimechError(`${where}: cannot load '${spec}' (${named})`);
}

/**
 * Loads ahead of time, by `import()`, every entry that is an ES module
 * (top-level await included); the command line calls it before
 * `loadPluginModules`, which then finds them loaded. CommonJS entries are
 * left to `loadPluginModules`. Failures name the entry, its resolved path
 * and the reason.
 */
export async function preloadPluginModules(specs: readonly string[], baseDir: string, where: (index: number) => string): Promise<void> {
  for (const [i, spec] of specs.entries()) {
    let id: string;
    try {
      id = resolvePlugin(spec, baseDir);
    } catch {
      continue; // loadPluginModules reports it
    }
    if (imported.has(id) || !isEsModule(id)) continue;
    try {
      const file = id;
      imported.set(id, await importingPlugin({ where: where(i), spec, file }, async () => (await import(pathToFileURL(file).href)) as Record<string, unknown>, pluginLoadSeconds()));
    } catch (e) {
      throw loadFailure(where(i), spec, id, e);
    }
  }
}

/**
 * Loads plugin modules: each entry is a path (`./my-plugin.js`, or an
 * absolute one, resolved from `baseDir`) or a package name (resolved from
 * `baseDir`, then the working directory), CommonJS or an ES module. Every
 * export that is a plugin (a ContainerModule branded by `definePlugin`) is
 * loaded; one made by another copy of core is refused, naming both copies.
 * `where(i)` names entry i in messages (`config.json: plugins[0]`,
 * `--plugin`). An ES module with top-level await must have been loaded by
 * `preloadPluginModules` first.
 */
export function loadPluginModules(specs: readonly string[], baseDir: string, where: (index: number) => string): MultimechPlugin[] {
  return specs.flatMap((spec, i) => {
    let exports: Record<string, unknown>;
    let id: string | undefined;
    try {
      const file = resolvePlugin(spec, baseDir);
      id = file;
      // a process.exit in its code, while it loads or later while it runs, is reported as its failure (plugin-guard)
      const loaded = imported.get(file);
      exports = loaded ?? loadingPlugin({ where: where(i), spec, file }, () => require(file) as Record<string, unknown>, pluginLoadSeconds());
    } catch (e) {
      throw loadFailure(where(i), spec, id, e);
    }
    // an ES module's namespace, or CommonJS exports (whose default export may hold them again)
    const values = [...Object.values(exports ?? {}), ...Object.values((exports?.default as Record<string, unknown> | undefined) ?? {})];
    const plugins = [...new Set(values.filter(isMultimechPlugin))];
    if (plugins.length === 0) throw new MultimechError(`${where(i)}: '${spec}' exports no multimech plugin (a ContainerModule made with definePlugin)`);
    for (const p of plugins) {
      const foreign = foreignCore(pluginBrand(p)!);
      if (foreign) throw new MultimechError(`${where(i)}: '${spec}' (${id}) was ${foreign}`);
    }
    // its registration (the function given to definePlugin) runs once here, under the time limit of its loading; what it
    // throws is reported where the registries are made, with the others'
    try {
      loadingPlugin({ where: where(i), spec, file: id! }, () => createRegistries([corePlugin, ...plugins]), pluginLoadSeconds());
    } catch (e) {
      if (e instanceof PluginExitError) throw e;
    }
    return plugins;
  });
}

/** The `plugins` list of a config (undefined when it has none), refused with its path when it is not a list of names. */
export function pluginSpecs(raw: unknown, source?: string): string[] | undefined {
  const specs = (raw as { plugins?: unknown } | null)?.plugins;
  if (specs === undefined) return undefined;
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ConfigError([{ path: 'plugins', message: `expected a list of module names or paths, got ${JSON.stringify(specs)}` }], source);
  }
  return specs;
}

/** The command line's own registries (core's and CLI_PLUGINS'), built once: what a config is checked against before its plugins load. */
let ownRegistries: Registries | undefined;

/**
 * The problems of a config that its plugins cannot change, found before
 * any of them loads: its top level, and its sections whose kinds are the
 * command line's own (a section of a kind a plugin registers is left to
 * it). `prefix` places them in their document (`base.` of a comparison).
 */
function problemsBeforePlugins(raw: unknown, prefix: string): ConfigProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const config = raw as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  // the sections a config must have are the plugins' to check; a comparison's base has no error section
  const top = experimentCodec.decode({ substrate: {}, task: {}, error: {}, ...config });
  if (isLeft(top)) problems.push(...reportErrors(top.left, prefix.replace(/\.$/, '')));
  ownRegistries ??= createRegistries([corePlugin, ...CLI_PLUGINS]);
  const registries = ownRegistries;
  const registry = { substrate: registries.substrates, task: registries.tasks, activation: registries.activations, error: registries.errors, rule: registries.rules } as const;
  for (const section of EXPERIMENT_SECTIONS) {
    const value = config[section] as { kind?: unknown } | undefined;
    if (typeof value !== 'object' || value === null || typeof value.kind !== 'string' || !registry[section].has(value.kind)) continue;
    problems.push(...sectionProblems(registry[section] as never, value, section, (s, key) => `${prefix}${key ? `${s}${key.startsWith('[') ? '' : '.'}${key}` : s}`));
  }
  return problems;
}

/**
 * A config's plugins are code: before any loads, in a command of the
 * command line, the rest of the config is checked (`problemsBeforePlugins`)
 * and each entry resolved (no code runs); then, without `--allow-plugins`,
 * the config is refused, naming what would have run; with it, a warning
 * names each plugin and its file. Outside a command (a program calling
 * `pluginsFor`, a worker thread running a job its command checked) nothing
 * is asked. Each list is admitted once per command.
 */
function admitPlugins(raw: unknown, specs: readonly string[], baseDir: string, source: string | undefined): void {
  const trust = currentTrust();
  if (!trust || specs.length === 0) return;
  const key = `${path.resolve(baseDir)}\u0000${specs.join('\u0000')}`;
  if (trust.admitted.has(key)) return;
  const prefix = prefixInDocument(raw);
  const before = problemsBeforePlugins(raw, prefix);
  if (before.length > 0) throw new ConfigError(before, source);
  const at = source ? `${source}: ` : '';
  const entries = specs.map((spec, i) => {
    const where = `${at}${prefix}plugins[${i}]`;
    try {
      const file = resolvePlugin(spec, baseDir);
      let shown = file;
      try {
        shown = require.resolve(file); // the file Node will load (an ending added)
      } catch {
        // loading reports it
      }
      return { spec, where, file: shown };
    } catch (e) {
      throw loadFailure(where, spec, undefined, e);
    }
  });
  const named = entries.map((e) => `'${e.spec}' (${e.file})`).join(', ');
  const trustedFolder = !trust.allowPlugins && inTrustedFolder(baseDir, trust.env);
  if (!trust.allowPlugins && !trustedFolder) {
    throw new MultimechError(
      `${at}${prefix}plugins: this config names plugins, which are programs that run with your permissions: ${named}; nothing was loaded. ` +
        `Pass ${ALLOW_PLUGINS} to run them, if you trust where the config comes from (or add its folder to ${TRUSTED_FOLDERS})`,
    );
  }
  const why = trustedFolder ? `its folder is in ${TRUSTED_FOLDERS}` : ALLOW_PLUGINS;
  for (const e of entries) trust.warn(`${e.where}: running plugin '${e.spec}' from ${e.file}: a plugin is code, with your permissions (${why})`);
  trust.admitted.add(key);
}

/** `preloadPluginModules` for a config's `plugins` list (once admitted: `admitPlugins`). */
export async function preloadPluginsFor(raw: unknown, baseDir: string, source?: string): Promise<void> {
  const specs = pluginSpecs(raw, source);
  if (!specs) return;
  admitPlugins(raw, specs, baseDir, source);
  await preloadPluginModules(specs, baseDir, (i) => `${source ? `${source}: ` : ''}${prefixInDocument(raw)}plugins[${i}]`);
}

/**
 * The plugins a config asks for in its `plugins` list, loaded as modules
 * (`loadPluginModules`, relative to the config's folder) once admitted
 * (`admitPlugins`: in a command, only with `--allow-plugins`). Returns the
 * command line's own plugins followed by these.
 */
export function pluginsFor(raw: unknown, baseDir: string, source?: string): MultimechPlugin[] {
  const specs = pluginSpecs(raw, source);
  if (specs === undefined) return CLI_PLUGINS;
  admitPlugins(raw, specs, baseDir, source);
  return [...CLI_PLUGINS, ...loadPluginModules(specs, baseDir, (i) => `${source ? `${source}: ` : ''}${prefixInDocument(raw)}plugins[${i}]`)];
}
