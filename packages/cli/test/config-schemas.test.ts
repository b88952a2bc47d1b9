import { ConfigError, JsonSchema, MultimechPlugin, Registries, corePlugin, createRegistries, decodeOrThrow } from '@multimech/core';
import { createExperiment } from '@multimech/trainer';
import { existsSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { CLI_PLUGINS, loadPluginModules, pluginsFor } from '../src/cli-plugins';
import { prepareComparison } from '../src/compare-command';
import { fidelityConfigCodec } from '../src/fidelity-command';
import { EXTENSION_POINTS, exampleSection, kindSchema } from '../src/plugins-command';
import { SCHEMA_TARGETS, SchemaTarget, configSchema, schemaText } from '../src/schema-command';
import { KNOWN_KEYWORDS, keywordsOf, validate } from '../../core/test/json-schema-validator';
import { runCli, tempDir } from './run-cli';

/**
 * The committed JSON Schemas (`docs/schema/`, and an example's own where it
 * loads a plugin) are what `multimech schema` writes now; every example
 * names the right one with `"$schema"` and validates against it; and the
 * schema refuses what the decoder refuses, on a set of bad configs.
 */

const ROOT = path.join(__dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'examples');
const SCHEMA_DIR = path.join(ROOT, 'docs', 'schema');

const builtIn = createRegistries([corePlugin, ...CLI_PLUGINS]);
const schemas = Object.fromEntries(SCHEMA_TARGETS.map((t) => [t, configSchema(builtIn, t)])) as Record<SchemaTarget, JsonSchema>;

/** Which config a JSON object is: a comparison has `mechanisms`, a fidelity sweep `sweep`. */
function targetOf(config: Record<string, unknown>): SchemaTarget {
  return 'mechanisms' in config ? 'comparison' : 'sweep' in config ? 'fidelity' : 'experiment';
}

/** The plugin modules a config loads (`plugins` of an experiment, of a comparison's base, of a fidelity sweep's experiment). */
function pluginSpecs(config: Record<string, unknown>): string[] {
  const holder = (config.base ?? config.experiment ?? config) as { plugins?: string[] };
  return holder.plugins ?? [];
}

/** A sweep config (`base` and `sweep`): it has no schema of its own; its example's test plans it (`planSweep`). */
const isSweep = (config: Record<string, unknown>) => 'base' in config && 'sweep' in config;

const examples = readdirSync(EXAMPLES)
  .filter((d) => existsSync(path.join(EXAMPLES, d, 'config.json')))
  .map((dir) => {
    const file = path.join(EXAMPLES, dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { name: `${dir}/config.json`, dir: path.join(EXAMPLES, dir), file, config };
  })
  .filter((e) => !isSweep(e.config));

describe('the committed schemas', () => {
  it.each(SCHEMA_TARGETS.map((t) => [t]))('docs/schema/%s.schema.json is what `multimech schema --for` writes with the built-in plugins (regenerate it when this fails)', (target) => {
    const committed = readFileSync(path.join(SCHEMA_DIR, `${target}.schema.json`), 'utf8');
    expect(committed).toBe(schemaText(schemas[target]));
    expect([...keywordsOf(schemas[target])].filter((k) => !KNOWN_KEYWORDS.has(k))).toEqual([]);
  });

  it('each describes its own config: an experiment, a comparison (base and mechanisms), a fidelity sweep (with an experiment inside)', () => {
    expect(schemas.experiment.title).toBe('multimech experiment config');
    expect(schemas.experiment.required).toEqual(['substrate', 'task', 'error']);
    expect(schemas.comparison.required).toEqual(['base', 'mechanisms']);
    const base = schemas.comparison.properties!.base;
    const mechanism = schemas.comparison.properties!.mechanisms.items as JsonSchema;
    expect(base.properties!.substrate).toEqual(schemas.experiment.properties!.substrate);
    expect(base.properties!.training).toEqual(schemas.experiment.properties!.training);
    expect(mechanism.properties!.error).toEqual(schemas.experiment.properties!.error);
    const { $schema: _, title: __, ...experiment } = schemas.experiment;
    expect(schemas.fidelity.properties!.experiment).toEqual(experiment);
    for (const target of SCHEMA_TARGETS) expect(schemas[target].properties!.$schema).toEqual(expect.objectContaining({ type: 'string' }));
  });

  it('multimech schema --for comparison --out FILE writes the same text, making the folder; without --out it prints it', async () => {
    const { dir, cleanup } = tempDir('schema');
    try {
      const out = path.join(dir, 'nested', 'comparison.schema.json');
      const r = await runCli(['schema', '--for', 'comparison', '--out', out]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
      expect(readFileSync(out, 'utf8')).toBe(schemaText(schemas.comparison));
      const printed = await runCli(['schema', '--for', 'fidelity']);
      expect(printed.stdout).toBe(schemaText(schemas.fidelity));
      const bad = await runCli(['schema', '--for', 'sweep']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("argument 'sweep' is invalid. Allowed choices are experiment, comparison, fidelity.");
    } finally {
      cleanup();
    }
  });
});

describe('every example names its schema with "$schema"', () => {
  it('finds the examples of every kind of config', () => {
    expect(new Set(examples.map((e) => targetOf(e.config)))).toEqual(new Set(SCHEMA_TARGETS));
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s: its "$schema" is the committed schema of its kind of config, and it validates', (_, e) => {
    const target = targetOf(e.config);
    const reference = e.config.$schema;
    expect(typeof reference).toBe('string');
    const schemaFile = path.resolve(e.dir, reference as string);
    const specs = pluginSpecs(e.config);
    // with the built-in plugins, the schema in docs/schema/; a config that loads its own plugin names one made with it, beside it
    if (specs.length === 0) expect(path.relative(ROOT, schemaFile).split(path.sep)).toEqual(['docs', 'schema', `${target}.schema.json`]);
    else expect(path.dirname(schemaFile)).toBe(e.dir);
    const registries: Registries = specs.length === 0 ? builtIn : createRegistries([corePlugin, ...CLI_PLUGINS, ...loadPluginModules(specs, e.dir, () => e.name)]);
    const expected = schemaText(configSchema(registries, target));
    // committed and up to date: `multimech schema [--plugin ...] [--for ...] --out FILE` writes this
    expect(readFileSync(schemaFile, 'utf8')).toBe(expected);
    expect(validate(JSON.parse(expected) as JsonSchema, e.config)).toEqual([]);
  });
});

/** The problems the decoder finds, as `path: message` lines (none: the config decodes and builds). */
function decoderProblems(target: SchemaTarget, config: unknown, file: string): string[] {
  const dir = path.dirname(file);
  try {
    if (target === 'comparison') prepareComparison(config, file);
    else if (target === 'fidelity') {
      const decoded = decodeOrThrow(fidelityConfigCodec, config, '', file);
      try {
        createExperiment(decoded.experiment, pluginsFor(decoded.experiment, dir, file), { baseDir: dir, source: file });
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ ...p, path: `experiment.${p.path}` })), file);
        throw e;
      }
    } else createExperiment(config, pluginsFor(config, dir, file), { baseDir: dir, source: file });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const exampleConfig = (name: string) => structuredClone(examples.find((e) => e.name === name)!);
const iris = exampleConfig('iris-frequency/config.json');

/** A key of `known` misspelt (a letter dropped), or `colour` when a section takes none. */
function misspelt(known: readonly string[]): string {
  const key = known.find((k) => k.length > 2);
  if (!key) return 'colour';
  const typo = key.slice(0, -2) + key.slice(-1);
  expect(known).not.toContain(typo);
  return typo;
}

describe('the schema refuses what the decoder refuses', () => {
  const compare = exampleConfig('iris-compare/config.json');
  const fidelity = exampleConfig('fidelity-ep/config.json');

  type Bad = readonly [what: string, target: SchemaTarget, config: Record<string, unknown>, path: string];
  const experiment = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...iris.config, ...patch });
  const { error: _, ...noError } = iris.config;

  /** A misspelt key in every built-in kind's section, in a config that is otherwise the iris-frequency example. */
  const typoInEveryKind: Bad[] = EXTENSION_POINTS.flatMap((point) =>
    builtIn[point.registry].kinds().map((kind): Bad => {
      const record = builtIn[point.registry].get(kind);
      const schema = kindSchema(point, record);
      const typo = misspelt(Object.keys(schema.properties ?? {}).filter((k) => k !== 'kind'));
      return [`a misspelt key in ${point.section} '${kind}'`, 'experiment', experiment({ [point.section]: { ...exampleSection(record, schema), [typo]: 1 } }), `${point.section}.${typo}`];
    }),
  );

  const bad: readonly Bad[] = [
    ['a misspelt key at the top level', 'experiment', experiment({ sed: 1 }), 'sed'],
    ...typoInEveryKind,
    ['a misspelt key in a nested object of a section', 'experiment', experiment({ substrate: { ...(iris.config.substrate as object), conductance: { mn: 0.001 } } }), 'substrate.conductance.mn'],
    ['a misspelt key in a generated network', 'experiment', experiment({ substrate: { kind: 'resistive', network: { generator: 'layered', hiden: [4] } } }), 'substrate.network.hiden'],
    ['a misspelt key in a spring of an explicit network', 'experiment', experiment({ substrate: { kind: 'elastic', dimension: 2, network: { nodes: [], springs: [{ name: 's', a: 'a', b: 'b', stifness: 1 }], pins: [], inputs: [], outputs: [] } } }), 'substrate.network.springs[0].stifness'],
    ['a misspelt key in the optimizer', 'experiment', experiment({ optimizer: { learningrate: 0.1 } }), 'optimizer.learningrate'],
    ['an unknown substrate kind', 'experiment', experiment({ substrate: { ...(iris.config.substrate as object), kind: 'resistiv' } }), 'substrate.kind'],
    ['an unknown error kind', 'experiment', experiment({ error: { kind: 'telepathy' } }), 'error.kind'],
    ['a wrong enum value (frequency mode)', 'experiment', experiment({ error: { kind: 'frequency', mode: 'phaser' } }), 'error.mode'],
    ['a wrong enum value (loss kind)', 'experiment', experiment({ task: { kind: 'iris', loss: { kind: 'hinge' } } }), 'task.loss.kind'],
    ['a wrong enum value (optimizer kind)', 'experiment', experiment({ optimizer: { kind: 'adam' } }), 'optimizer.kind'],
    ['a negative amplitude', 'experiment', experiment({ error: { kind: 'frequency', amplitude: -0.001 } }), 'error.amplitude'],
    ['a negative viscosity', 'experiment', experiment({ substrate: { kind: 'flow', network: { generator: 'layered', hidden: [4] }, viscosity: -1 } }), 'substrate.viscosity'],
    ['a dimension that is neither 2 nor 3', 'experiment', experiment({ substrate: { kind: 'elastic', dimension: 4, network: { generator: 'random', nodes: 20, coordination: 9 } } }), 'substrate.dimension'],
    ['a negative learning rate', 'experiment', experiment({ optimizer: { learningRate: -0.05 } }), 'optimizer.learningRate'],
    ['a negative conductance bound', 'experiment', experiment({ substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] }, conductance: { min: -1 } } }), 'substrate.conductance.min'],
    ['zero epochs', 'experiment', experiment({ training: { epochs: 0 } }), 'training.epochs'],
    ['a string where a number goes', 'experiment', experiment({ seed: 'one' }), 'seed'],
    ['a missing error section', 'experiment', noError, 'error'],
    ['a substrate without its network', 'experiment', experiment({ substrate: { kind: 'resistive' } }), 'substrate.network'],
    ['an allostery task without targets', 'experiment', experiment({ task: { kind: 'allostery' } }), 'task.targets'],
    ['a misspelt key at the top level of a comparison', 'comparison', { ...compare.config, seed: [1, 2] }, 'seed'],
    ['a misspelt key in the base substrate of a comparison', 'comparison', { ...compare.config, base: { ...(compare.config.base as object), substrate: { kind: 'flow', network: { generator: 'layered', hidden: [4] }, viscocity: 1 } } }, 'base.substrate.viscocity'],
    ['a wrong error kind in a mechanism', 'comparison', { ...compare.config, mechanisms: [{ name: 'x', error: { kind: 'adjont' } }] }, 'mechanisms[0].error.kind'],
    ['a negative β in a mechanism', 'comparison', { ...compare.config, mechanisms: [{ name: 'ep', error: { kind: 'ep', beta: -0.1 } }] }, 'mechanisms[0].error.beta'],
    ['a comparison without mechanisms', 'comparison', { base: compare.config.base }, 'mechanisms'],
    ['a misspelt key at the top level of a fidelity sweep', 'fidelity', { ...fidelity.config, slop: 2 }, 'slop'],
    ['a misspelt key in the experiment of a fidelity sweep', 'fidelity', { ...fidelity.config, experiment: { ...(fidelity.config.experiment as object), error: { kind: 'ep', varient: 'centred' } } }, 'experiment.error.varient'],
    ['a fidelity sweep without its sweep', 'fidelity', { experiment: fidelity.config.experiment }, 'sweep'],
  ];

  it('the set covers a misspelt key in every built-in kind', () => {
    expect(typoInEveryKind.length).toBe(EXTENSION_POINTS.reduce((n, p) => n + builtIn[p.registry].kinds().length, 0));
    expect(typoInEveryKind.length).toBeGreaterThanOrEqual(16);
  });

  it.each(bad.map((b) => [b[0], b] as const))('%s', (_, [, target, config, where]) => {
    const file = { experiment: iris.file, comparison: compare.file, fidelity: fidelity.file }[target];
    const decoded = decoderProblems(target, config, file);
    expect(decoded.map((p) => p.slice(0, p.indexOf(': ')))).toContain(where);
    const refused = validate(schemas[target], config);
    expect(refused).not.toEqual([]);
    // the schema places it in the same section (a plugin section is a oneOf over its kinds: its problem is the section's)
    const section = where.split(/[.[]/)[0];
    expect(refused.some((p) => p.startsWith(section))).toBe(true);
  });

  it('and the examples, unspoiled, pass both', () => {
    for (const e of [iris, compare, fidelity]) {
      expect(validate(schemas[targetOf(e.config)], e.config)).toEqual([]);
      expect(decoderProblems(targetOf(e.config), e.config, e.file)).toEqual([]);
    }
  });
});

describe('"$schema" is ignored when training', () => {
  it('an experiment with one trains as without it, and keeps it in its resolved config; without one, none is added', () => {
    const small = { substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } }, task: { kind: 'regression', features: 2, outputs: 1, train: 6, test: 2 }, error: { kind: 'adjoint' }, training: { epochs: 2 } };
    const plugins: MultimechPlugin[] = CLI_PLUGINS;
    const plain = createExperiment(small, plugins);
    const named = createExperiment({ $schema: '../../docs/schema/experiment.schema.json', ...small }, plugins);
    expect(named.resolvedConfig).toEqual({ $schema: '../../docs/schema/experiment.schema.json', ...plain.resolvedConfig });
    expect('$schema' in plain.resolvedConfig).toBe(false);
    expect(named.trainer.run().summary.final_loss).toBe(plain.trainer.run().summary.final_loss);
  });

  it('a "$schema" that is not a string is refused at its path', () => {
    expect(() => createExperiment({ ...iris.config, $schema: 1 }, CLI_PLUGINS)).toThrow(/\$schema: expected the JSON Schema this config is written against/);
  });
});
