import { JSON_SCHEMA_DIALECT, JsonSchema, Registries, jsonSchemaOf } from '@multimech/core';
import { experimentCodec } from '@multimech/trainer';
import type { CliIo } from './cli-io';
import { EXTENSION_POINTS, PluginFlags, cliRegistries, kindSchema } from './plugins-command';

/** What each plugin section of an experiment config is, and its default where it may be left out. */
const SECTION_DESCRIPTIONS: Readonly<Record<(typeof EXTENSION_POINTS)[number]['section'], string>> = {
  substrate: 'the substrate: { "kind", ... } of a registered substrate kind',
  activation: 'the activation mechanism: { "kind", ... } of a registered activation kind (default { "kind": "dc" })',
  error: 'the error mechanism: { "kind", ... } of a registered error mechanism kind',
  rule: 'the learning rule: { "kind", ... } of a registered rule kind (default: the rule that consumes what the error mechanism produces)',
  task: 'the task: { "kind", ... } of a registered task kind',
};

/**
 * The JSON Schema of an experiment config (the top level `createExperiment`
 * accepts), each plugin section a `oneOf` over the registered kinds, told
 * apart by their `kind`.
 */
export function experimentSchema(registries: Registries): JsonSchema {
  const top = jsonSchemaOf(experimentCodec);
  const properties: Record<string, JsonSchema> = { ...top.properties };
  for (const point of EXTENSION_POINTS) {
    const registry = registries[point.registry];
    properties[point.section] = {
      description: SECTION_DESCRIPTIONS[point.section],
      oneOf: registry.kinds().map((kind) => kindSchema(point, registry.get(kind))),
    };
  }
  return { $schema: JSON_SCHEMA_DIALECT, title: 'multimech experiment config', ...top, properties };
}

/** `multimech schema`: the JSON Schema of an experiment config with the command line's plugins and those `--plugin` names. */
export function schemaCommand(flags: Pick<PluginFlags, 'plugin'>, io: CliIo): void {
  io.stdout.write(`${JSON.stringify(experimentSchema(cliRegistries(flags.plugin)), null, 2)}\n`);
}
