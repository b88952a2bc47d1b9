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
import * as path from 'path';

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

/**
 * Loads plugin modules: each entry is a path (`./my-plugin.js`, or an
 * absolute one, resolved from `baseDir`) or a package name (resolved from
 * `baseDir`, then the working directory). Every export that is a plugin (a
 * ContainerModule branded by `definePlugin`, of any copy of core: a copy
 * other than the command line's is refused by `createRegistries`) is loaded. `where(i)` names
 * entry i in messages (`config.json: plugins[0]`, `--plugin`).
 */
export function loadPluginModules(specs: readonly string[], baseDir: string, where: (index: number) => string): MultimechPlugin[] {
  return specs.flatMap((spec, i) => {
    let exports: Record<string, unknown>;
    let id = spec;
    try {
      id = spec.startsWith('.') || path.isAbsolute(spec) ? path.resolve(baseDir, spec) : require.resolve(spec, { paths: [baseDir, process.cwd()] });
      exports = require(id);
    } catch (e) {
      throw new MultimechError(`${where(i)}: cannot load '${spec}' (${(e as Error).message.split('\n')[0]})`);
    }
    const plugins = Object.values(exports ?? {}).filter(isMultimechPlugin);
    if (plugins.length === 0) throw new MultimechError(`${where(i)}: '${spec}' exports no multimech plugin (a ContainerModule made with definePlugin)`);
    for (const p of plugins) {
      const foreign = foreignCore(pluginBrand(p)!);
      if (foreign) throw new MultimechError(`${where(i)}: '${spec}' (${id}) was ${foreign}`);
    }
    return plugins;
  });
}

/**
 * The plugins a config asks for in its `plugins` list, loaded as modules
 * (`loadPluginModules`, relative to the config's folder). Returns the
 * command line's own plugins followed by these.
 */
export function pluginsFor(raw: unknown, baseDir: string, source?: string): MultimechPlugin[] {
  const specs = (raw as { plugins?: unknown } | null)?.plugins;
  if (specs === undefined) return CLI_PLUGINS;
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ConfigError([{ path: 'plugins', message: `expected a list of module names or paths, got ${JSON.stringify(specs)}` }], source);
  }
  return [...CLI_PLUGINS, ...loadPluginModules(specs, baseDir, (i) => `${source ? `${source}: ` : ''}plugins[${i}]`)];
}
