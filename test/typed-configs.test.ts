/**
 * Typed configs, checked by the TypeScript compiler itself: small programs
 * that write an experiment config in TypeScript are compiled against the
 * packages' sources (the TypeScript API, with `@multimech/*` mapped to
 * `packages/*\/src`). One that is right compiles without a diagnostic; each
 * one with a mistake in it fails with the error expected, at the mistake.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
/** Where the programs seem to lie (they are never written): beside this test, so that node_modules resolve as for the tests. */
const HERE = path.join(ROOT, 'test', 'typed-configs');

function compilerOptions(): ts.CompilerOptions {
  const base = (JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    { ...base, composite: false, declaration: false, declarationMap: false, sourceMap: false, incremental: false, noEmit: true, types: ['node'] },
    ROOT,
  );
  expect(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n'))).toEqual([]);
  // the packages' sources, not their builds: a test that needs no `tsc -b` first
  return { ...options, paths: { '@multimech/*': [path.join(ROOT, 'packages', '*', 'src')] } };
}

/** The diagnostics of each program in `files` (name → text), compiled together: `line: TSxxxx message`. */
function compile(files: Readonly<Record<string, string>>): Record<string, string[]> {
  const options = compilerOptions();
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(HERE, `${name}.ts`), text]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => {
    const text = virtual.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  expect([...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const out: Record<string, string[]> = {};
  for (const [file, name] of [...virtual.keys()].map((f, i) => [f, Object.keys(files)[i]] as const)) {
    const source = program.getSourceFile(file)!;
    out[name] = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
      const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  }
  return out;
}

const IMPORTS = [
  "import { CLI_PLUGINS, type BuiltInExperimentConfig } from '@multimech/cli';",
  "import { createExperiment, type ExperimentConfig } from '@multimech/trainer';",
].join('\n');

/** A config of the built-in kinds, one key a line (so that a diagnostic's line names the key), with some sections or top-level keys replaced. */
const SECTIONS: Readonly<Record<string, string>> = {
  name: "'iris by frequency propagation'",
  seed: '1',
  substrate: "{ kind: 'resistive', network: { generator: 'layered', hidden: [6] }, conductance: { init: [0.5, 1.5], min: 1e-4, max: 10 } }",
  task: "{ kind: 'iris', test: 45, inputs: { encoding: 'voltage', scale: 1, bias: 1 }, loss: { kind: 'cross-entropy', kappa: 20 } }",
  activation: "{ kind: 'dc' }",
  error: "{ kind: 'frequency', frequency: '1.7 kHz', amplitude: 1e-3, mode: 'phasor', periods: 10 }",
  rule: "{ kind: 'product' }",
  optimizer: "{ kind: 'sgd', learningRate: 0.05, momentum: 0.9, batchSize: 10, bounds: 'project' }",
  training: '{ epochs: 30 }',
};

/** The program `const config: BuiltInExperimentConfig = { ... }` with `changes` (a key set to undefined is left out). */
function program(changes: Readonly<Record<string, string | undefined>> = {}): string {
  const keys = { ...SECTIONS, ...changes };
  const lines = Object.entries(keys)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k}: ${v},`);
  return [IMPORTS, '', 'const config: BuiltInExperimentConfig = {', ...lines, '};', 'createExperiment(config, CLI_PLUGINS);', ''].join('\n');
}

/** The line of `key` in a program (`''`: the line of `const config`). */
function lineOf(text: string, key: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(key === '' ? 'const config' : `  ${key}: `)) + 1;
}

/** The TypeScript snippets of the section "Typed configs" in configuration.md, by name (`docs1`, `docs2`, ...). */
function docsSnippets(): Record<string, string> {
  const md = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const start = md.indexOf('\n## Typed configs\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n## ', start + 1);
  const snippets = [...md.slice(start, end < 0 ? undefined : end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(snippets.length).toBeGreaterThanOrEqual(2);
  return Object.fromEntries(snippets.map((text, i) => [`docs${i + 1}`, text]));
}

const RIGHT: Readonly<Record<string, string>> = {
  builtIn: program(),
  /** Every built-in section type, from its own package; a config of chosen sections; the loose form takes a third party's kind; JSON as unknown. */
  everySection: [
    IMPORTS,
    "import type { ResistiveSection } from '@multimech/resistive';",
    "import type { FlowSection } from '@multimech/flow';",
    "import type { ElasticSection } from '@multimech/elastic';",
    "import type { AcActivationSection, FrequencyErrorSection, TimeAverageRuleSection } from '@multimech/frequency';",
    "import type { ChemicalErrorSection } from '@multimech/chemical';",
    "import type { ClSection, ContrastiveRuleSection, EpSection } from '@multimech/contrastive';",
    "import type { AllosterySection, IrisSection, RegressionSection } from '@multimech/trainer';",
    "import type { AdjointErrorSection, DcActivationSection, ProductRuleSection } from '@multimech/core';",
    '',
    "const flow: FlowSection = { kind: 'flow', network: { generator: 'layered', hidden: [20] }, parameter: 'radius', viscosity: [1, 2], outputs: [['a', 'b']] };",
    "const elastic: ElasticSection = { kind: 'elastic', dimension: 3, network: { generator: 'random', nodes: 40, coordination: 7, points: 'jittered-grid', jitter: 0.2 }, mass: { default: 1, nodes: { n1: 2 } } };",
    "const netlist: ResistiveSection = { kind: 'resistive', network: { netlist: 'network.cir', outputs: ['out'] } };",
    "const ac: AcActivationSection = { kind: 'ac', frequency: 1000 };",
    "const chemical: ChemicalErrorSection = { kind: 'chemical', lambda: 1, relaxation: { time: 2, volumes: 'tubes' }, species: 'two' };",
    "const errors: (EpSection | ClSection | AdjointErrorSection | FrequencyErrorSection)[] = [{ kind: 'ep', beta: 0.01, variant: 'centred' }, { kind: 'cl', eta: 0.1 }, { kind: 'adjoint' }, { kind: 'frequency', readout: 'time-series' }];",
    "const rules: (TimeAverageRuleSection | ContrastiveRuleSection | ProductRuleSection)[] = [{ kind: 'time-average' }, { kind: 'contrastive' }, { kind: 'product' }];",
    "const tasks: (IrisSection | RegressionSection | AllosterySection)[] = [{ kind: 'iris' }, { kind: 'regression', teacher: 'rectified', inputs: { encoding: 'current' } }, { kind: 'allostery', targets: [0.3, -0.2] }];",
    "const dc: DcActivationSection = { kind: 'dc' };",
    'const chosen: ExperimentConfig<{ substrate: FlowSection; task: IrisSection; activation: DcActivationSection; error: ChemicalErrorSection; rule: ProductRuleSection }> = { substrate: flow, task: tasks[0] as IrisSection, activation: dc, error: chemical };',
    "const builtIn: BuiltInExperimentConfig = { substrate: elastic, task: { kind: 'allostery', targets: [0.3] }, activation: ac, error: errors[0], rule: rules[1], $schema: '../../docs/schema/experiment.schema.json' };",
    '// any plugin: the loose form, which every typed config also fits',
    "const loose: ExperimentConfig[] = [{ substrate: { kind: 'acme/heat-grid', width: 4, height: 3 }, task: { kind: 'xor', volts: 2 }, error: { kind: 'adjoint' }, plugins: ['./acme'] }, chosen, builtIn];",
    'createExperiment(loose[2], CLI_PLUGINS);',
    "createExperiment(JSON.parse('{}') as unknown, CLI_PLUGINS);",
    'export { netlist };',
    '',
  ].join('\n'),
  ...docsSnippets(),
};

/** Programs with one mistake each: what changes, and the error expected at that key's line. */
const WRONG: Readonly<Record<string, { readonly changes: Readonly<Record<string, string | undefined>>; readonly at: string; readonly error: RegExp }>> = {
  'a misspelt top-level key': { changes: { seeed: '2' }, at: 'seeed', error: /^TS2\d+ Object literal may only specify known properties, (and|but) 'seeed' does not exist in type/ },
  'a misspelt key in the substrate': {
    changes: { substrate: "{ kind: 'resistive', network: { generator: 'layered', hidden: [6] }, conductance: { mn: 1e-4 } }" },
    at: 'substrate',
    error: /'mn' does not exist in type/,
  },
  'a substrate kind that does not exist': {
    changes: { substrate: "{ kind: 'resistiv', hidden: [6] }" },
    at: 'substrate',
    error: /Type '"resistiv"' is not assignable to type '"resistive" \| "drn" \| "flow" \| "elastic"'/,
  },
  'a misspelt key in a generated network': { changes: { substrate: "{ kind: 'resistive', network: { generator: 'layered', hiden: [6] } }" }, at: 'substrate', error: /'hiden' does not exist/ },
  'a misspelt key in a flow substrate': {
    changes: { substrate: "{ kind: 'flow', network: { generator: 'layered', hidden: [6] }, viscocity: 2 }" },
    at: 'substrate',
    error: /'viscocity' does not exist in type .*Did you mean to write 'viscosity'\?/,
  },
  // TypeScript writes a union's members in the order the program first met them, which the rest of the code decides
  'an elastic network in 4-D': { changes: { substrate: "{ kind: 'elastic', dimension: 4, network: { generator: 'triangular', width: 6, height: 5 } }" }, at: 'substrate', error: /Type '4' is not assignable to type '(2 \| 3|3 \| 2)'/ },
  'a misspelt key in the task': { changes: { task: "{ kind: 'iris', tset: 45 }" }, at: 'task', error: /'tset' does not exist in type/ },
  'a loss kind that does not exist': { changes: { task: "{ kind: 'iris', loss: { kind: 'hinge' } }" }, at: 'task', error: /Type '"hinge"' is not assignable to type '"mse" \| "cross-entropy"/ },
  'a misspelt key in the activation': { changes: { activation: "{ kind: 'ac', frequncy: 1000 }" }, at: 'activation', error: /'frequncy' does not exist in type/ },
  'a frequency mode that does not exist': { changes: { error: "{ kind: 'frequency', mode: 'phaser' }" }, at: 'error', error: /Type '"phaser"' is not assignable to type '.*"phasor".*'/ },
  'a string where a number goes': { changes: { error: "{ kind: 'frequency', amplitude: '1e-3' }" }, at: 'error', error: /Type 'string' is not assignable to type 'number'/ },
  "another kind's key in the error section": { changes: { error: "{ kind: 'ep', eta: 0.1 }" }, at: 'error', error: /'eta' does not exist in type/ },
  'a setting given to a rule that takes none': { changes: { rule: "{ kind: 'contrastive', beta: 0.1 }" }, at: 'rule', error: /'beta' does not exist in type/ },
  'a misspelt key in the optimizer': { changes: { optimizer: '{ learningrate: 0.1 }' }, at: 'optimizer', error: /'learningrate' does not exist in type .*Did you mean to write 'learningRate'\?/ },
  'no error section': { changes: { error: undefined }, at: '', error: /^TS2322 .* is not assignable to type 'BuiltInExperimentConfig'. +Property 'error' is missing in type/ },
};

describe('typed experiment configs', () => {
  const wrongPrograms = Object.fromEntries(Object.entries(WRONG).map(([name, w]) => [name, program(w.changes)]));
  let diagnostics: Record<string, string[]>;

  beforeAll(() => {
    diagnostics = compile({ ...RIGHT, ...Object.fromEntries(Object.entries(wrongPrograms).map(([name, text], i) => [`wrong${i}`, text])) });
  });

  it.each(Object.keys(RIGHT).map((name) => [name]))('%s compiles without a diagnostic', (name) => {
    expect(diagnostics[name]).toEqual([]);
  });

  it.each(Object.entries(WRONG).map(([name, w], i) => [name, w, i] as const))('%s fails to compile, with the error expected at its line', (_, w, i) => {
    const found = diagnostics[`wrong${i}`];
    expect(found).toHaveLength(1);
    const line = lineOf(wrongPrograms[_], w.at);
    expect(line).toBeGreaterThan(0);
    expect(found[0]).toMatch(new RegExp(`^${line}: `));
    expect(found[0].replace(/^\d+: /, '')).toMatch(w.error);
  });
});
