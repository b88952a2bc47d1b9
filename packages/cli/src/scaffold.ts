import { MultimechError } from '@multimech/core';

/** What `multimech new` makes. */
export type ScaffoldKind = 'substrate' | 'mechanism' | 'task';
export const SCAFFOLD_KINDS: readonly ScaffoldKind[] = ['substrate', 'mechanism', 'task'];

/** The names a scaffold is written with. */
export interface ScaffoldNames {
  /** The package name (`@acme/thermal`, `acme-thermal`). */
  readonly pkg: string;
  /** The kind its record registers (`acme/thermal`). */
  readonly kind: string;
  /** The file stem (`thermal`). */
  readonly stem: string;
  /** The class and type stem (`Thermal`). */
  readonly type: string;
  /** The camel-case stem of values (`thermal`). */
  readonly value: string;
}

/** An npm package name: lower case, optionally scoped, URL-safe characters only. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9-._]*\/)?[a-z0-9][a-z0-9-._]*$/;
/** A multimech kind: kebab-case, optionally prefixed by a scope (core's registry rule). */
const KIND = /^([a-z0-9]+(-[a-z0-9]+)*\/)?[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The names of a scaffold from its package name (and a kind, else
 * `scope/name` for `@scope/name`, the name itself otherwise). A name that
 * is not a valid package name or gives no valid kind is refused, saying why.
 */
export function scaffoldNames(pkg: string, kind?: string): ScaffoldNames {
  if (pkg.length > 214 || !PACKAGE_NAME.test(pkg)) {
    throw new MultimechError(
      `'${pkg}' is not a valid package name: lower case letters, digits, '-', '.' and '_', optionally scoped as @scope/name (e.g. @acme/thermal or acme-thermal)`,
    );
  }
  const [scope, bare] = pkg.startsWith('@') ? pkg.slice(1).split('/') : [undefined, pkg];
  const stem = bare.replace(/^multimech-/, '').replace(/[._]+/g, '-');
  const chosen = kind ?? (scope ? `${scope}/${stem}` : stem);
  if (!KIND.test(chosen)) {
    throw new MultimechError(`'${chosen}' is not a valid kind: kebab-case, optionally prefixed by a scope ('acme/thermal'); give one with --kind`);
  }
  const words = stem.split('-').filter(Boolean);
  const type = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('').replace(/^(\d)/, 'X$1');
  return { pkg, kind: chosen, stem, type, value: type[0].toLowerCase() + type.slice(1) };
}

/** The files of a scaffold, by path relative to its folder. */
export function scaffoldFiles(what: ScaffoldKind, n: ScaffoldNames): Record<string, string> {
  const body = what === 'substrate' ? substrateFiles(n) : what === 'mechanism' ? mechanismFiles(n) : taskFiles(n);
  return {
    'package.json': packageJson(what, n),
    'tsconfig.json': TSCONFIG,
    'jest.config.js': JEST_CONFIG,
    '.gitignore': 'node_modules/\ndist/\nruns/\n',
    ...body,
  };
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'node20',
      moduleResolution: 'node16',
      strict: true,
      declaration: true,
      sourceMap: true,
      esModuleInterop: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
      types: ['node'],
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

const JEST_CONFIG = `/** Tests in TypeScript, run without a build by @swc/jest. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // @multimech/core uses inversify, which ships ES modules only: let swc turn them into CommonJS for jest
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs)/)'],
  testTimeout: 60000,
};
`;

function packageJson(what: ScaffoldKind, n: ScaffoldNames): string {
  const dev: Record<string, string> = {
    '@multimech/core': '^0.1.0',
    '@multimech/sparse': '^0.1.0',
    '@multimech/conformance': '^0.1.0',
    '@multimech/trainer': '^0.1.0',
    '@multimech/resistive': '^0.1.0',
    '@swc/core': '^1.16.22',
    '@swc/jest': '^0.2.39',
    '@types/jest': '^30.0.0',
    '@types/node': '^20.19.43',
    jest: '^30.5.2',
    typescript: '~6.0.3',
  };
  return `${JSON.stringify(
    {
      name: n.pkg,
      version: '0.1.0',
      description: `A multimech ${what} plugin: ${n.kind}`,
      license: 'MIT',
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
      files: ['dist', 'README.md'],
      engines: { node: '>=20.19' },
      scripts: { build: 'tsc -p .', test: 'jest', prepare: 'tsc -p .' },
      peerDependencies: { '@multimech/core': '^0.1.0', ...(what === 'substrate' ? { '@multimech/sparse': '^0.1.0' } : {}) },
      devDependencies: dev,
    },
    null,
    2,
  )}\n`;
}

function readme(what: ScaffoldKind, n: ScaffoldNames, about: string, config: object): string {
  return `# ${n.pkg}

A multimech ${what} plugin: \`${n.kind}\`. ${about}

\`\`\`sh
npm install        # installs, and builds dist/ (prepare)
npm test           # the conformance suite and this plugin's own tests
npm run build      # after a change to src/
\`\`\`

Train with it through the command line (\`npm install @multimech/cli\`):
\`example.json\` names this package's build in its \`"plugins"\` list, so
the command line loads it; from another project that installed this
package, name it instead: \`"plugins": ["${n.pkg}"]\`. A plugin is code
that runs with your permissions: the command line loads the plugins a
config names only when told to trust it, with \`--allow-plugins\` (or
when the config lies in a folder of \`MULTIMECH_TRUSTED_FOLDERS\`).

\`\`\`sh
npx multimech train example.json --allow-plugins
npx multimech plugins ${n.kind} --plugin ${n.pkg}    # its config section as JSON Schema, its defaults, an example
\`\`\`

From code, pass the plugin beside the others:
\`createExperiment(config, [${n.value}Plugin, ...])\`.

The experiment config of \`example.json\`:

\`\`\`json
${JSON.stringify(config, null, 2)}
\`\`\`

Keep \`@multimech/core\` a **peerDependency** (one copy of core is shared
by the application and its plugins; a plugin made by another copy is
refused, naming both).
`;
}

function exampleConfig(n: ScaffoldNames, sections: Record<string, unknown>): object {
  return {
    plugins: ['./dist/index.js'],
    seed: 1,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 24, test: 8 },
    error: { kind: 'adjoint' },
    optimizer: { learningRate: 0.5, momentum: 0.9, batchSize: 8 },
    training: { epochs: 20 },
    ...sections,
  };
}

function substrateFiles(n: ScaffoldNames): Record<string, string> {
  const T = n.type;
  const config = exampleConfig(n, {
    substrate: { kind: n.kind, width: 5, height: 4 },
    task: { kind: 'regression', features: 2, outputs: 1, train: 24, test: 8, inputs: { encoding: 'current' } },
  });
  return {
    'README.md': readme(
      'substrate',
      n,
      'A grid of trainable conductances with the energy E = ½ Σ k Δs² − q·s, built on core\'s `ScalarSubstrate`: replace the physics in `src/' +
        `${n.stem}-substrate.ts\`, keep the conformance test passing.`,
      config,
    ),
    'example.json': `${JSON.stringify(config, null, 2)}\n`,
    'src/index.ts': `export * from './${n.stem}-substrate';\nexport * from './${n.stem}-plugin';\n`,
    [`src/${n.stem}-substrate.ts`]: `import { ScalarSubstrate, boundaryFromTopology, uniformBounds, type Topology } from '@multimech/core';

/**
 * \`${n.kind}\`: one value per node, a trainable conductance k per edge,
 * E = ½ Σ k Δs² − q·s. What differs from another scalar network is data
 * given to core's ScalarSubstrate (a parameter map, laws, capabilities),
 * never an override: the class is final.
 */
export class ${T}Substrate extends ScalarSubstrate {
  readonly kind = '${n.kind}';
  readonly parameterName = 'conductance';

  constructor(topology: Topology, inputType: 'flow' | 'potential', conductances: ArrayLike<number>, bounds: { readonly min: number; readonly max: number }) {
    super({
      graph: topology.graph,
      boundary: boundaryFromTopology(topology, inputType),
      parameters: conductances,
      parameterName: 'conductance',
      bounds: uniformBounds(topology.graph.from.length, bounds.min, bounds.max),
    });
  }
}
`,
    [`src/${n.stem}-plugin.ts`]: `import { COUNT_RANGE, PARAMETER_RANGE, bindSubstrate, bounded, definePlugin, gridTopology, positiveInteger, positiveNumber, range, refine, strictObject, withDefaults, type SubstrateRecord } from '@multimech/core';
import { ${T}Substrate } from './${n.stem}-substrate';

/**
 * The section as written: \`{ "kind": "${n.kind}", "width", "height", "conductance"?: { "init"?, "min"?, "max"? } }\`.
 * Every number has its admissible range (\`bounded\`), refused at decode with the range named.
 */
export const ${n.value}Config = strictObject(
  'a ${n.kind} substrate { width, height, conductance? }',
  { width: bounded(positiveInteger, COUNT_RANGE), height: bounded(positiveInteger, COUNT_RANGE) },
  {
    conductance: strictObject('conductance settings { init?, min?, max? }', {}, { init: range, min: bounded(positiveNumber, PARAMETER_RANGE), max: bounded(positiveNumber, PARAMETER_RANGE) }),
  },
);

/** The section as the substrate uses it: every default filled in. */
export interface ${T}Settings {
  readonly width: number;
  readonly height: number;
  readonly conductance: { readonly init: readonly [number, number]; readonly min: number; readonly max: number };
}

/** Decoded once into settings (defaults: init [0.5, 1.5], min 1e-3, max 100), then checked across fields. */
export const ${n.value}Settings = refine(
  withDefaults(${n.value}Config, (c): ${T}Settings => ({
    width: c.width,
    height: c.height,
    conductance: { init: c.conductance?.init ?? [0.5, 1.5], min: c.conductance?.min ?? 1e-3, max: c.conductance?.max ?? 100 },
  })),
  ({ conductance: { init, min, max } }) =>
    min < max && min <= init[0] && init[1] <= max
      ? []
      : [{ key: 'conductance', message: \`expected min < max and init inside [min, max], got init [\${init[0]}, \${init[1]}], min \${min}, max \${max}\` }],
);

export const ${n.value}Record: SubstrateRecord<${T}Settings> = {
  kind: '${n.kind}',
  description: 'a grid of trainable conductances (replace with your physics)',
  configCodec: ${n.value}Settings,
  capabilities: ['linear', 'scalar-potential'],
  example: { width: 5, height: 4 },
  // counted before anything is built: a grid too large for the machine is refused, naming limits.nodes and limits.edges
  sizes: (settings) => [
    { limit: 'nodes', count: settings.width * settings.height, key: 'width', what: 'nodes (width × height)' },
    { limit: 'edges', count: 2 * settings.width * settings.height, key: 'width', what: 'edges (about 2 × width × height)' },
  ],
  create(settings, context) {
    const topology = gridTopology(settings.width, settings.height, { inputs: context.inputs.count, outputs: context.outputs.count });
    const [lo, hi] = settings.conductance.init;
    const k = Float64Array.from(topology.graph.edgeNames, () => context.rng.uniform(lo, hi));
    return new ${T}Substrate(topology, context.inputs.type, k, settings.conductance);
  },
};

/** The plugin: \`createExperiment(config, [${n.value}Plugin, ...])\`, or \`"plugins": ["${n.pkg}"]\` in a config. */
export const ${n.value}Plugin = definePlugin(({ bind }) => bindSubstrate(bind, ${n.value}Record), '${n.pkg}');
`,
    'test/conformance.test.ts': `import { Rng, createRegistries, corePlugin, decodeOrThrow, gridTopology } from '@multimech/core';
import { randomDrive, runSubstrateConformance, type SubstrateFixture } from '@multimech/conformance';
import { ${T}Substrate, ${n.value}Plugin, ${n.value}Settings } from '../src';

function fixtures(): SubstrateFixture[] {
  const rng = new Rng(5);
  return ([[4, 3], [6, 5]] as const).flatMap(([w, h]) =>
    (['flow', 'potential'] as const).map((type) => {
      const topology = gridTopology(w, h, { inputs: 2, outputs: 2 });
      const substrate = new ${T}Substrate(topology, type, Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 1.5)), { min: 1e-3, max: 100 });
      return { label: \`\${w}x\${h} grid, \${type} inputs\`, substrate, drive: randomDrive(substrate, rng) };
    }),
  );
}

runSubstrateConformance('${n.kind}', fixtures);

describe('${n.kind}', () => {
  it('registers, decodes its section with its defaults, and refuses a bad one at its key', () => {
    const { substrates } = createRegistries([corePlugin, ${n.value}Plugin]);
    expect(substrates.kinds()).toEqual(['${n.kind}']);
    expect(decodeOrThrow(${n.value}Settings, { width: 5, height: 4 }).conductance).toEqual({ init: [0.5, 1.5], min: 1e-3, max: 100 });
    expect(() => decodeOrThrow(${n.value}Settings, { width: 5, height: 4, conductance: { min: 2, max: 1 } }, 'substrate')).toThrow('substrate.conductance: expected min < max');
  });
});
`,
  };
}

function mechanismFiles(n: ScaffoldNames): Record<string, string> {
  const T = n.type;
  const config = exampleConfig(n, { error: { kind: n.kind } });
  return {
    'README.md': readme(
      'mechanism',
      n,
      'An error mechanism that reads each edge\'s error as the network\'s linear response to the error force at the outputs, with optional measurement noise: exact on linear networks without noise. Replace the physics in `src/' +
        `${n.stem}-error.ts\`, keep its conformance test passing.`,
      config,
    ),
    'example.json': `${JSON.stringify(config, null, 2)}\n`,
    'src/index.ts': `export * from './${n.stem}-error';\n`,
    [`src/${n.stem}-error.ts`]: `import {
  MAX_SIGNAL,
  Rng,
  SEED_RANGE,
  bindErrorMechanism,
  bounded,
  definePlugin,
  finiteNumber,
  nonNegativeNumber,
  strictObject,
  withDefaults,
  type ErrorMechanism,
  type ErrorRecord,
} from '@multimech/core';

/** The section as written: \`{ "kind": "${n.kind}", "noise"?, "seed"? }\`. */
export const ${n.value}Config = strictObject(
  'a ${n.kind} error mechanism ({ "noise"?, "seed"? })',
  {},
  { noise: bounded(nonNegativeNumber, { min: 0, max: MAX_SIGNAL }), seed: bounded(finiteNumber, SEED_RANGE, 'a seed is a safe integer') },
);

/** The mechanism's settings: the standard deviation of the noise on each reading (default 0), and its own seed. */
export interface ${T}Settings {
  readonly noise: number;
  readonly seed?: number;
}

export const ${n.value}Settings = withDefaults(${n.value}Config, (c): ${T}Settings => ({ noise: c.noise ?? 0, ...(c.seed !== undefined ? { seed: c.seed } : {}) }));

/**
 * Each edge reads its drop in u = H⁻¹e, the network's response to the error
 * force e at its outputs (one factorization serves it), plus noise: on a
 * linear network without noise that is the exact error reading.
 */
export function ${n.value}Error(settings: ${T}Settings): ErrorMechanism {
  const own = settings.seed !== undefined ? new Rng(settings.seed) : undefined;
  return {
    kind: '${n.kind}',
    produces: 'product',
    measure({ substrate, activation, errorForce, rng }) {
      const [u] = substrate.linearResponse(activation.state, [errorForce]);
      const readings = substrate.errorReadings(activation.state, u);
      const noise = own ?? rng;
      if (settings.noise > 0) for (let k = 0; k < readings.length; k++) readings[k] += settings.noise * noise.normal();
      return { readings, diagnostics: { noise: settings.noise } };
    },
    ...(own ? { randomState: () => own.snapshot(), restoreRandomState: (state) => own.restore(state) } : {}),
  };
}

export const ${n.value}Record: ErrorRecord<${T}Settings> = {
  kind: '${n.kind}',
  description: "each edge's drop in the linear response to the error force, with measurement noise (replace with your physics)",
  configCodec: ${n.value}Settings,
  requires: ['linear'],
  produces: 'product',
  create: ${n.value}Error,
  diagnostics: [{ name: 'noise', label: 'noise on each reading' }],
  gradient: { options: [{ key: 'noise', value: 'SIGMA', help: 'standard deviation of the noise on each reading', type: 'number' }] },
};

/** The plugin: \`createExperiment(config, [${n.value}Plugin, ...])\`, or \`"plugins": ["${n.pkg}"]\` in a config. */
export const ${n.value}Plugin = definePlugin(({ bind }) => bindErrorMechanism(bind, ${n.value}Record), '${n.pkg}');
`,
    'test/conformance.test.ts': `import { corePlugin, createRegistries } from '@multimech/core';
import { runMechanismConformance } from '@multimech/conformance';
import { ${n.value}Plugin, ${n.value}Record } from '../src';

// the suite every mechanism runs: readings finite and one per parameter, the network left as found,
// determinism under a seed, a rule that consumes its readings, and its claims against the exact gradient
runMechanismConformance('${n.kind}', {
  record: ${n.value}Record,
  registries: createRegistries([corePlugin, ${n.value}Plugin]),
  noisy: { noise: 0.01 },
  claims: [
    { label: 'exact on linear networks without noise', exact: true },
    { label: 'with noise, the error grows as the noise', knob: 'noise', values: [1e-4, 1e-3, 1e-2], order: 1, seeds: 4 },
  ],
});
`,
  };
}

function taskFiles(n: ScaffoldNames): Record<string, string> {
  const T = n.type;
  const config = exampleConfig(n, { task: { kind: n.kind, file: 'data/example.csv', test: 8 } });
  const rng = (() => {
    let a = 12345;
    return () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  })();
  const rows = Array.from({ length: 32 }, () => {
    const [x0, x1] = [rng(), rng()];
    return `${x0.toFixed(4)},${x1.toFixed(4)},${(0.3 * x0 - 0.2 * x1 + 0.1).toFixed(4)}`;
  });
  return {
    'README.md': readme(
      'task',
      n,
      'A regression task read from a CSV file (the feature columns, then the target): replace the loader in `src/' + `${n.stem}-task.ts\`.`,
      config,
    ),
    'example.json': `${JSON.stringify(config, null, 2)}\n`,
    'data/example.csv': `x0,x1,y\n${rows.join('\n')}\n`,
    'src/index.ts': `export * from './${n.stem}-task';\n`,
    [`src/${n.stem}-task.ts`]: `import { readFileSync } from 'fs';
import * as path from 'path';
import {
  COUNT_RANGE,
  InputFileError,
  bindTask,
  bounded,
  configPathCodec,
  definePlugin,
  mseLoss,
  positiveInteger,
  strictObject,
  withDefaults,
  type Example,
  type Rng,
  type Task,
  type TaskRecord,
} from '@multimech/core';

/** The section as written: \`{ "kind": "${n.kind}", "file", "test"? }\`. */
export const ${n.value}Config = strictObject('a ${n.kind} task ({ "file", "test"? })', { file: configPathCodec('a CSV file') }, { test: bounded(positiveInteger, COUNT_RANGE) });

/** The task's settings: the CSV file (relative to the config's folder) and how many rows go to the test set (default a quarter). */
export interface ${T}Settings {
  readonly file: string;
  readonly test?: number;
}

export const ${n.value}Settings = withDefaults(${n.value}Config, (c): ${T}Settings => c);

/** The rows of a CSV file with a header: every column but the last a feature, the last the target; a bad row names its line. */
export function readTable(file: string): { features: string[]; rows: number[][] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputFileError(file, undefined, \`cannot read the data (\${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\`);
  }
  const lines = text.split(/\\r?\\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  if (header.length < 2) throw new InputFileError(file, 1, 'expected a header of at least two columns (features, then the target)');
  const rows: number[][] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const values = line.split(',').map(Number);
    if (values.length !== header.length || !values.every(Number.isFinite)) {
      throw new InputFileError(file, i + 2, \`expected \${header.length} numbers, got '\${line}'\`);
    }
    rows.push(values);
  });
  if (rows.length < 2) throw new InputFileError(file, undefined, \`expected at least two rows of data, got \${rows.length}\`);
  return { features: header.slice(0, -1), rows };
}

/**
 * Regression on a table: each feature x drives two potential inputs, +x and
 * −x (a passive network weighs a feature with either sign that way), and
 * one more input holds a bias of 1; the row's target is the one output's;
 * MSE.
 */
export function ${n.value}Task(settings: ${T}Settings, context: { readonly rng: Rng; readonly baseDir: string }): Task {
  const { features, rows } = readTable(path.resolve(context.baseDir, settings.file));
  const test = settings.test ?? Math.max(1, Math.floor(rows.length / 4));
  if (test >= rows.length) throw new InputFileError(settings.file, undefined, \`\${test} test rows leave none of the \${rows.length} to train on\`);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(context.rng.uniform(0, i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const encode = (x: readonly number[]) => Float64Array.from([...x.flatMap((v) => [v, -v]), 1]);
  const example = (i: number): Example => ({ inputs: encode(rows[i].slice(0, -1)), target: Float64Array.of(rows[i][rows[i].length - 1]) });
  return {
    kind: '${n.kind}',
    inputCount: 2 * features.length + 1,
    inputType: 'potential',
    inputNames: [...features.flatMap((f) => [\`\${f}+\`, \`\${f}-\`]), 'bias'],
    outputCount: 1,
    outputNames: ['y'],
    train: order.slice(test).map(example),
    test: order.slice(0, test).map(example),
    loss: mseLoss,
  };
}

export const ${n.value}Record: TaskRecord<${T}Settings> = {
  kind: '${n.kind}',
  description: 'regression on a table read from a CSV file (replace with your data)',
  configCodec: ${n.value}Settings,
  example: { file: 'data/example.csv' },
  create: ${n.value}Task,
};

/** The plugin: \`createExperiment(config, [${n.value}Plugin, ...])\`, or \`"plugins": ["${n.pkg}"]\` in a config. */
export const ${n.value}Plugin = definePlugin(({ bind }) => bindTask(bind, ${n.value}Record), '${n.pkg}');
`,
    'test/task.test.ts': `import * as path from 'path';
import { createExperiment } from '@multimech/trainer';
import { resistivePlugin } from '@multimech/resistive';
import { ${n.value}Plugin } from '../src';

const config = (task: object) => ({
  seed: 1,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  task: { kind: '${n.kind}', ...task },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.5, momentum: 0.9, batchSize: 8 },
  training: { epochs: 15 },
});
const baseDir = path.join(__dirname, '..');

describe('${n.kind}', () => {
  it('reads the table, splits it by the seed, and trains with a falling loss', () => {
    const { task, trainer } = createExperiment(config({ file: 'data/example.csv', test: 8 }), [resistivePlugin, ${n.value}Plugin], { baseDir });
    expect(task.train).toHaveLength(24);
    expect(task.test).toHaveLength(8);
    const { history } = trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(0.5 * history[0].trainLoss);
  });

  it('names the file it cannot read', () => {
    expect(() => createExperiment(config({ file: 'data/missing.csv' }), [resistivePlugin, ${n.value}Plugin], { baseDir })).toThrow(/missing\\.csv: cannot read the data/);
  });
});
`,
  };
}
