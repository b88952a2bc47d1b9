import { chemicalPlugin, type ChemicalErrorSection } from '@multimech/chemical';
import { contrastivePlugin, type ClSection, type ContrastiveRuleSection, type EpSection } from '@multimech/contrastive';
import { elasticPlugin, type ElasticSection } from '@multimech/elastic';
import { flowPlugin, type FlowSection } from '@multimech/flow';
import { frequencyPlugin, type AcActivationSection, type FrequencyErrorSection, type TimeAverageRuleSection } from '@multimech/frequency';
import { resistivePlugin, type ResistiveSection } from '@multimech/resistive';
import { trainerPlugin, type AllosterySection, type ExperimentConfig, type IrisSection, type RegressionSection } from '@multimech/trainer';
import {
  ConfigError,
  MultimechError,
  MultimechPlugin,
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
import { PluginExitError, importingPlugin, isError, loadingPlugin, thrownText } from './plugin-guard';

/**
 * The plugins the command line loads (`train`, `compare`, and the
 * comparison's worker threads): the resistive, flow and elastic substrates, the
 * frequency, chemical and contrastive (EP, CL) mechanisms, the trainer's tasks.
 */
export const CLI_PLUGINS = [resistivePlugin, flowPlugin, elasticPlugin, frequencyPlugin, chemicalPlugin, contrastivePlugin, trainerPlugin];

/** The sections of the built-in kinds (core's and those of `CLI_PLUGINS`), each typed from its plugin's codec. */
export interface BuiltInSections {
  readonly substrate: ResistiveSection | FlowSection | ElasticSection;
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
  if (e instanceof PluginExitError) return e;
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
      imported.set(id, await importingPlugin({ where: where(i), spec, file }, async () => (await import(pathToFileURL(file).href)) as Record<string, unknown>));
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
      exports = loadingPlugin({ where: where(i), spec, file }, () => imported.get(file) ?? (require(file) as Record<string, unknown>));
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

/** `preloadPluginModules` for a config's `plugins` list. */
export async function preloadPluginsFor(raw: unknown, baseDir: string, source?: string): Promise<void> {
  const specs = pluginSpecs(raw, source);
  if (specs) await preloadPluginModules(specs, baseDir, (i) => `${source ? `${source}: ` : ''}plugins[${i}]`);
}

/**
 * The plugins a config asks for in its `plugins` list, loaded as modules
 * (`loadPluginModules`, relative to the config's folder). Returns the
 * command line's own plugins followed by these.
 */
export function pluginsFor(raw: unknown, baseDir: string, source?: string): MultimechPlugin[] {
  const specs = pluginSpecs(raw, source);
  if (specs === undefined) return CLI_PLUGINS;
  return [...CLI_PLUGINS, ...loadPluginModules(specs, baseDir, (i) => `${source ? `${source}: ` : ''}plugins[${i}]`)];
}
