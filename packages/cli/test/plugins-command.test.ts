import { ConfigProblem, JsonSchema, corePlugin, createRegistries, decodeSection } from '@multimech/core';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CLI_PLUGINS } from '../src/cli-plugins';
import { EXTENSION_POINTS, KindDetails, kindDetails } from '../src/plugins-command';
import { KNOWN_KEYWORDS, keywordsOf, validate } from '../../core/test/json-schema-validator';
import { heatPlugin } from '../../../examples/custom-substrate/src';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const ROOT = path.join(__dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'examples');
/** The copy-me third-party plugin, from its TypeScript source (no build needed under jest), as a path relative to the working directory. */
const HEAT_PLUGIN = `./${path.relative(process.cwd(), path.join(EXAMPLES, 'custom-substrate/src/index.ts'))}`;

const registries = createRegistries([corePlugin, ...CLI_PLUGINS]);

async function json<T>(args: readonly string[]): Promise<T> {
  const r = await runCli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** The lines of the text listing under one heading, up to the next blank line. */
function block(stdout: string, heading: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end);
}

describe('multimech plugins', () => {
  it('lists every kind of every extension point, with what its record declares and its description', async () => {
    const r = await runCli(['plugins']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const headings = EXTENSION_POINTS.map((p) => r.stdout.split('\n').indexOf(p.plural));
    expect(headings.every((h) => h >= 0)).toBe(true);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
    for (const point of EXTENSION_POINTS) {
      const lines = block(r.stdout, point.plural);
      const registry = registries[point.registry];
      const listed = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
      expect(listed).toEqual(registry.kinds());
      for (const kind of registry.kinds()) expect(lines.join('\n')).toContain(registry.get(kind).description);
    }
    const line = (heading: string, kind: string) => block(r.stdout, heading).find((l) => l.trim().startsWith(`${kind} `))!;
    expect(line('substrates', 'flow')).toMatch(/^ {2}flow +capabilities: linear, scalar-potential, transport$/);
    expect(line('activation mechanisms', 'ac')).toMatch(/requires: nothing$/);
    expect(line('error mechanisms', 'chemical')).toMatch(/requires: transport, linear; produces: product$/);
    expect(line('error mechanisms', 'ep')).toMatch(/produces: contrastive$/);
    expect(line('error mechanisms', 'frequency')).toMatch(/produces: product \(other readings with some settings\)$/);
    expect(line('learning rules', 'time-average')).toMatch(/consumes: time-series$/);
    expect(line('tasks', 'iris')).toContain("Fisher's Iris");
  });

  it('--json: the listing by extension point', async () => {
    const listing = await json<Record<string, { kind: string; description: string; [k: string]: unknown }[]>>(['plugins', '--json']);
    expect(Object.keys(listing)).toEqual(['substrates', 'activations', 'errors', 'rules', 'tasks']);
    for (const point of EXTENSION_POINTS) expect(listing[point.registry].map((k) => k.kind)).toEqual(registries[point.registry].kinds());
    expect(listing.substrates.find((k) => k.kind === 'elastic')).toEqual({
      kind: 'elastic',
      description: registries.substrates.get('elastic').description,
      capabilities: ['vector-state', 'dynamics'],
    });
    expect(listing.errors.find((k) => k.kind === 'chemical')).toMatchObject({ requires: ['transport', 'linear'], produces: 'product' });
    expect(listing.errors.find((k) => k.kind === 'frequency')).toMatchObject({ produces: 'product', producesDependsOnSettings: true });
    expect(listing.errors.find((k) => k.kind === 'adjoint')).not.toHaveProperty('producesDependsOnSettings');
    expect(listing.rules.find((k) => k.kind === 'contrastive')).toMatchObject({ consumes: 'contrastive' });
    expect(Object.keys(listing.tasks[0])).toEqual(['kind', 'description']);
  });

  it('--plugin loads a third-party plugin: the custom-substrate example is listed', async () => {
    let r = await runCli(['plugins']);
    expect(r.stdout).not.toContain('acme/heat-grid');
    r = await runCli(['plugins', '--plugin', HEAT_PLUGIN]);
    expect(r.code).toBe(0);
    const substrates = block(r.stdout, 'substrates');
    expect(substrates[0]).toMatch(/^ {2}acme\/heat-grid +capabilities: linear, scalar-potential$/);
    expect(substrates[1].trim()).toBe('a thermal grid: temperatures at the nodes, trainable thermal conductances, heaters as inputs, a heat sink as ground');
    // its section, described from its codec, with the record's example
    const [heat] = await json<KindDetails[]>(['plugins', 'acme/heat-grid', '--json', '--plugin', HEAT_PLUGIN]);
    expect(heat.section).toBe('substrate');
    expect(heat.schema.required).toEqual(['kind', 'width', 'height']);
    expect(heat.schema.properties?.width).toEqual({ description: 'a positive integer', type: 'integer', minimum: 1 });
    expect(heat.example).toEqual({ kind: 'acme/heat-grid', width: 6, height: 4, conductance: { init: [0.5, 1.5], min: 0.01, max: 10 } });
    expect(validate(heat.schema, heat.example)).toEqual([]);
    expect(validate(heat.schema, { kind: 'acme/heat-grid', width: 0, height: 4 })).toEqual(['width: expected >= 1, got 0']);
    expect(heat.defaults).toBeNull();
  });

  it('--plugin: a module that cannot be loaded, or exports no plugin, is one line and exit code 1', async () => {
    const { dir, cleanup } = tempDir('plugins-bad');
    try {
      let r = await runCli(['plugins', '--plugin', './nowhere-to-be-found.js']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^multimech: error: --plugin: cannot load '\.\/nowhere-to-be-found\.js' \(Cannot find module [^\n]*\)\n$/);
      writeFileSync(path.join(dir, 'empty.js'), 'module.exports = { answer: 42 };');
      r = await runCli(['schema', '--plugin', path.join(dir, 'empty.js')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`multimech: error: --plugin: '${path.join(dir, 'empty.js')}' exports no multimech plugin (a ContainerModule made with definePlugin)\n`);
      expect(r.stdout).toBe('');
    } finally {
      cleanup();
    }
  });
});

describe('multimech plugins KIND', () => {
  it("prints the kind's section as JSON Schema, its defaults and an example", async () => {
    const r = await runCli(['plugins', 'frequency']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("error mechanism 'frequency'");
    expect(lines[1]).toBe(`  ${registries.errors.get('frequency').description}`);
    expect(lines[2]).toBe('  requires: nothing; produces: product (other readings with some settings)');
    expect(lines).toEqual(expect.arrayContaining(['config section "error" (JSON Schema):', 'defaults (what a section with only "kind" decodes to):', 'example:']));
    // the schema as printed is JSON
    const start = lines.indexOf('config section "error" (JSON Schema):') + 1;
    const end = lines.indexOf('', start);
    const schema = JSON.parse(lines.slice(start, end).join('\n')) as JsonSchema;
    expect(schema.properties?.kind).toEqual({ const: 'frequency' });
    expect(schema.required).toEqual(['kind']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.mode.enum).toEqual(['phasor', 'small-signal', 'transient']);
    expect(schema.properties?.frequency.anyOf?.map((b) => b.type)).toEqual(['number', 'string']);
  });

  it('--json: one entry with the schema, the defaults a section with only kind decodes to, and the example', async () => {
    const found = await json<KindDetails[]>(['plugins', 'frequency', '--json']);
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f.section).toBe('error');
    expect(f.kind).toBe('frequency');
    expect(f.produces).toBe('product');
    const decoded = registries.errors.get('frequency').configCodec.decode({});
    expect(decoded._tag).toBe('Right');
    expect(f.defaults).toEqual(JSON.parse(JSON.stringify({ kind: 'frequency', ...(decoded as { right: object }).right })));
    expect(f.example).toEqual({ kind: 'frequency' });
    expect(validate(f.schema, { kind: 'frequency', frequency: '1.7 kHz', mode: 'transient', periods: 2 })).toEqual([]);
    expect(validate(f.schema, { kind: 'frequency', amplitude: 0 })).toEqual(['amplitude: expected >= 1e-12, got 0']);
    expect(validate(f.schema, { kind: 'frequency', beta: 0.1 })).toEqual(['beta: unknown key']);
  });

  it('a section that does not decode with only its kind has no defaults, and says why', async () => {
    const [elastic] = await json<KindDetails[]>(['plugins', 'elastic', '--json']);
    expect(elastic.defaults).toBeNull();
    expect(elastic.defaultsProblems?.[0]).toMatch(/^substrate\.dimension: expected a dimension, 2 or 3, got nothing$/);
    const r = await runCli(['plugins', 'elastic']);
    expect(r.stdout).toContain('defaults (what a section with only "kind" decodes to):\nnone: a section with only "kind" does not decode\n  substrate.dimension: expected a dimension, 2 or 3, got nothing\n');
    expect(r.stdout).toContain(`example:\n${JSON.stringify(elastic.example, null, 2)}\n`);
  });

  it('a kind qualified by its section; a kind at several extension points shows each', async () => {
    const [resistive] = await json<KindDetails[]>(['plugins', 'substrate:resistive', '--json']);
    expect(resistive).toMatchObject({ section: 'substrate', kind: 'resistive', capabilities: ['linear', 'scalar-potential', 'dynamics'] });
    const { dir, cleanup } = tempDir('plugins-twice');
    try {
      // a task that shares its name with the frequency error mechanism
      const plugin = path.join(dir, 'frequency-task.js');
      writeFileSync(
        plugin,
        `const { bindTask, definePlugin, strictObject } = require('@multimech/core');
module.exports.plugin = definePlugin(({ bind }) => bindTask(bind, { kind: 'frequency', description: 'a task named like a mechanism', configCodec: strictObject('a frequency task', {}), create: () => { throw new Error('not built here'); } }));`,
      );
      const both = await json<KindDetails[]>(['plugins', 'frequency', '--json', '--plugin', plugin]);
      expect(both.map((d) => d.section)).toEqual(['error', 'task']);
      expect(both[1].description).toBe('a task named like a mechanism');
      const text = await runCli(['plugins', 'frequency', '--plugin', plugin]);
      expect(text.stdout.split('\n').filter((l) => /^\S.* '/.test(l))).toEqual(["error mechanism 'frequency'", "task 'frequency'"]);
      const one = await json<KindDetails[]>(['plugins', 'task:frequency', '--json', '--plugin', plugin]);
      expect(one.map((d) => d.section)).toEqual(['task']);
    } finally {
      cleanup();
    }
  });

  it('an unknown kind is one line naming the known kinds, exit code 1, no stack trace', async () => {
    const r = await runCli(['plugins', 'telepathy']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const known = [...new Set(EXTENSION_POINTS.flatMap((p) => registries[p.registry].kinds()))].sort();
    expect(r.stderr).toBe(`multimech: error: unknown kind 'telepathy' (known kinds: ${known.join(', ')})\n`);
    expect(known).toEqual(expect.arrayContaining(['resistive', 'dc', 'frequency', 'product', 'iris']));
    expect(r.stderr).not.toMatch(STACK_LINE);
    const qualified = await runCli(['plugins', 'task:resistive']);
    expect(qualified.code).toBe(1);
    expect(qualified.stderr).toBe("multimech: error: unknown task kind 'resistive' (known task kinds: allostery, images, iris, regression, table)\n");
    const badPoint = await runCli(['plugins', 'mechanism:ep']);
    expect(badPoint.code).toBe(1);
    expect(badPoint.stderr).toBe(
      "multimech: error: 'mechanism' in 'mechanism:ep' is no extension point: qualify a kind with one of substrate, activation, error, rule, task (as in substrate:resistive)\n",
    );
  });

  it("every built-in record's example decodes with its record's codec and fits its schema; a record whose section needs keys has one", () => {
    const all = createRegistries([corePlugin, ...CLI_PLUGINS, heatPlugin]);
    let withExample = 0;
    for (const point of EXTENSION_POINTS) {
      const registry = all[point.registry];
      for (const kind of registry.kinds()) {
        const record = registry.get(kind);
        const [d] = kindDetails(all, `${point.section}:${kind}`);
        const problems: ConfigProblem[] = [];
        const section = decodeSection(registry as Parameters<typeof decodeSection>[0], d.example, point.section, problems);
        expect([kind, problems]).toEqual([kind, []]);
        expect(section?.record).toBe(record);
        expect([kind, validate(d.schema, d.example)]).toEqual([kind, []]);
        const needsKeys = record.configCodec.decode({})._tag === 'Left';
        expect([kind, needsKeys && record.example === undefined]).toEqual([kind, false]);
        if (record.example) withExample++;
      }
    }
    // resistive, drn, flow, elastic, allostery, images, table and the heat grid
    expect(withExample).toBe(8);
  });
});

/** The experiment configs of examples/: top-level ones and the `experiment` of fidelity configs, with the plugin modules each names. */
function exampleExperiments(): { name: string; config: Record<string, unknown>; plugins: string[] }[] {
  const found: { name: string; config: Record<string, unknown>; plugins: string[] }[] = [];
  for (const dir of readdirSync(EXAMPLES)) {
    const file = path.join(EXAMPLES, dir, 'config.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const config = (json.experiment ?? json) as Record<string, unknown>;
    if (config.substrate === undefined) continue;
    const plugins = ((config.plugins as string[] | undefined) ?? []).map((p) => path.resolve(EXAMPLES, dir, p));
    found.push({ name: `${dir}/config.json`, config, plugins });
  }
  return found;
}

describe('multimech schema', () => {
  const experiments = exampleExperiments();

  it('describes the top level of an experiment config, each plugin section a oneOf over the registered kinds', async () => {
    const schema = await json<JsonSchema>(['schema']);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['substrate', 'task', 'error']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(
      ['substrate', 'task', 'error', 'activation', 'rule', 'name', 'description', 'seed', 'optimizer', 'training', 'plugins', 'limits', '$schema'].sort(),
    );
    for (const point of EXTENSION_POINTS) {
      const branches = schema.properties?.[point.section].oneOf ?? [];
      expect(branches.map((b) => b.properties?.kind.const)).toEqual(registries[point.registry].kinds());
    }
    expect(schema.properties?.optimizer.properties?.learningRate).toEqual({ description: 'a positive number', type: 'number', exclusiveMinimum: 0, maximum: 1e6 });
    expect([...keywordsOf(schema)].filter((k) => !KNOWN_KEYWORDS.has(k))).toEqual([]);
  });

  it('every experiment config in examples/ validates against it', async () => {
    expect(experiments.map((e) => e.name)).toEqual(
      expect.arrayContaining(['iris-frequency/config.json', 'iris-chemical/config.json', 'elastic-allostery/config.json', 'xor-diode/config.json', 'fidelity-ep/config.json']),
    );
    for (const { name, config, plugins } of experiments) {
      const schema = await json<JsonSchema>(['schema', ...plugins.flatMap((p) => ['--plugin', p])]);
      expect([name, validate(schema, config)]).toEqual([name, []]);
    }
  });

  it("every run of the comparison example, its base with one mechanism, validates too", async () => {
    const schema = await json<JsonSchema>(['schema']);
    const comparison = JSON.parse(readFileSync(path.join(EXAMPLES, 'iris-compare/config.json'), 'utf8'));
    expect(comparison.mechanisms.length).toBeGreaterThanOrEqual(5);
    for (const { name, optimizer, ...sections } of comparison.mechanisms) {
      const run = { ...comparison.base, ...sections, optimizer: { ...comparison.base.optimizer, ...optimizer } };
      expect([name, validate(schema, run)]).toEqual([name, []]);
    }
  });

  it('refuses configs that are clearly wrong, at the right path', async () => {
    const schema = await json<JsonSchema>(['schema']);
    const iris = experiments.find((e) => e.name === 'iris-frequency/config.json')!.config;
    const spoil = (patch: Record<string, unknown>) => validate(schema, { ...iris, ...patch });
    expect(spoil({ colour: 'red' })).toEqual(['colour: unknown key']);
    expect(spoil({ seed: 1.5 })).toEqual(['seed: expected integer, got 1.5']);
    expect(spoil({ optimizer: { learningRate: -1 } })).toEqual(['optimizer.learningRate: expected > 0, got -1']);
    expect(spoil({ training: { epochs: 'five' } })).toEqual(['training.epochs: expected integer, got "five"']);
    expect(spoil({ substrate: { kind: 'spring' } })[0]).toMatch(/^substrate: matches none of 4 alternatives/);
    expect(spoil({ error: { kind: 'frequency', amplitude: 0 } })[0]).toMatch(/^error: matches none of 5 alternatives .*amplitude: expected >= 1e-12, got 0/);
    expect(spoil({ activation: { kind: 'ac', frequency: 'fast' } })[0]).toMatch(/^activation: matches none/);
    expect(spoil({ task: { kind: 'iris', test: 0 } })[0]).toMatch(/test: expected >= 1, got 0/);
    expect(spoil({ rule: { kind: 'contrastive', eta: 0.1 } })[0]).toMatch(/eta: unknown key/);
    const { task: _, ...noTask } = iris;
    expect(validate(schema, noTask)).toEqual(['task: required']);
    // xor-diode's task is its own plugin's: known only with --plugin
    const xor = experiments.find((e) => e.name === 'xor-diode/config.json')!;
    expect(validate(schema, xor.config)[0]).toMatch(/^task: matches none/);
  });
});
