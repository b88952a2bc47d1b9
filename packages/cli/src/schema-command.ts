import { JSON_SCHEMA_DIALECT, JsonSchema, Registries, jsonSchemaOf } from '@multimech/core';
import { comparisonCodec, experimentCodec } from '@multimech/trainer';
import { promises as fs } from 'fs';
import * as path from 'path';
import { atomicWrite } from './atomic-write';
import type { CliIo } from './cli-io';
import { fidelityConfigCodec } from './fidelity-command';
import { EXTENSION_POINTS, ExtensionPoint, PluginFlags, loadedCliRegistries, kindSchema } from './plugins-command';

/** What each plugin section of an experiment config is, and its default where it may be left out. */
const SECTION_DESCRIPTIONS: Readonly<Record<ExtensionPoint['section'], string>> = {
  substrate: 'the substrate: { "kind", ... } of a registered substrate kind',
  activation: 'the activation mechanism: { "kind", ... } of a registered activation kind (default { "kind": "dc" })',
  error: 'the error mechanism: { "kind", ... } of a registered error mechanism kind',
  rule: 'the learning rule: { "kind", ... } of a registered rule kind (default: the rule that consumes what the error mechanism produces)',
  task: 'the task: { "kind", ... } of a registered task kind',
};

/** The configs `multimech schema` describes: `--for experiment` (the default), `comparison` or `fidelity`. */
export const SCHEMA_TARGETS = ['experiment', 'comparison', 'fidelity'] as const;
export type SchemaTarget = (typeof SCHEMA_TARGETS)[number];

/** Each plugin section's schema: a `oneOf` over the registered kinds, told apart by their `kind`. */
function sectionSchemas(registries: Registries): Record<ExtensionPoint['section'], JsonSchema> {
  const schemas: Partial<Record<ExtensionPoint['section'], JsonSchema>> = {};
  for (const point of EXTENSION_POINTS) {
    const registry = registries[point.registry];
    schemas[point.section] = { description: SECTION_DESCRIPTIONS[point.section], oneOf: registry.kinds().map((kind) => kindSchema(point, registry.get(kind))) };
  }
  return schemas as Record<ExtensionPoint['section'], JsonSchema>;
}

/** `schema` with some of its properties replaced (each must be one of its properties). */
function withProperties(schema: JsonSchema, replaced: Readonly<Record<string, JsonSchema>>): JsonSchema {
  for (const key of Object.keys(replaced)) if (!schema.properties || !(key in schema.properties)) throw new Error(`no property '${key}' to replace in ${schema.description ?? 'a schema'}`);
  return { ...schema, properties: { ...schema.properties, ...replaced } };
}

/** The schema of an experiment config's top level, its plugin sections described by the registered kinds (no `$schema` dialect or title: for a document's root, or nested). */
function experimentBody(registries: Registries): JsonSchema {
  return withProperties(jsonSchemaOf(experimentCodec), sectionSchemas(registries));
}

/** A document's root: the dialect, a title, then the schema. */
const root = (title: string, schema: JsonSchema): JsonSchema => ({ $schema: JSON_SCHEMA_DIALECT, title, ...schema });

/**
 * The JSON Schema of an experiment config (the top level `createExperiment`
 * accepts), each plugin section a `oneOf` over the registered kinds, told
 * apart by their `kind`.
 */
export function experimentSchema(registries: Registries): JsonSchema {
  return root('multimech experiment config', experimentBody(registries));
}

/**
 * The JSON Schema of a comparison config (`multimech compare`): its `base`
 * holds the substrate and task sections (and `training` as in an experiment
 * config), each mechanism its activation, error and rule sections.
 */
export function comparisonSchema(registries: Registries): JsonSchema {
  const sections = sectionSchemas(registries);
  const top = jsonSchemaOf(comparisonCodec);
  const base = withProperties(top.properties!.base, {
    substrate: sections.substrate,
    task: sections.task,
    training: jsonSchemaOf(experimentCodec).properties!.training,
  });
  const list = top.properties!.mechanisms;
  const mechanism = withProperties(list.items as JsonSchema, { activation: sections.activation, error: sections.error, rule: sections.rule });
  return root('multimech comparison config', withProperties(top, { base, mechanisms: { ...list, items: mechanism } }));
}

/** The JSON Schema of a fidelity config (`multimech fidelity`): its `experiment` is an experiment config. */
export function fidelitySchema(registries: Registries): JsonSchema {
  return root('multimech fidelity config', withProperties(jsonSchemaOf(fidelityConfigCodec), { experiment: experimentBody(registries) }));
}

/** The JSON Schema of one kind of config, with the kinds of `registries`. */
export function configSchema(registries: Registries, target: SchemaTarget = 'experiment'): JsonSchema {
  switch (target) {
    case 'comparison':
      return comparisonSchema(registries);
    case 'fidelity':
      return fidelitySchema(registries);
    default:
      return experimentSchema(registries);
  }
}

/** A schema as `multimech schema` writes it: JSON, two spaces, a final newline. */
export function schemaText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export interface SchemaFlags extends Pick<PluginFlags, 'plugin'> {
  /** Which config: `experiment` (default), `comparison` or `fidelity`. */
  readonly for?: SchemaTarget;
  /** Write the schema to this file (its folder made if missing) instead of stdout. */
  readonly out?: string;
}

/**
 * `multimech schema`: the JSON Schema of an experiment config (or, with
 * `--for`, of a comparison or fidelity config) with the command line's
 * plugins and those `--plugin` names; to stdout, or to `--out FILE`.
 */
export async function schemaCommand(flags: SchemaFlags, io: CliIo): Promise<void> {
  const text = schemaText(configSchema(await loadedCliRegistries(flags.plugin), flags.for));
  if (flags.out === undefined) {
    io.stdout.write(text);
    return;
  }
  await fs.mkdir(path.dirname(path.resolve(flags.out)), { recursive: true });
  await atomicWrite(flags.out, text);
}
