/**
 * A mechanism written outside this repository is as capable in the command
 * line as a built-in one: its record declares its `gradient` flag, its
 * defaults, its diagnostic with a label and a warning, and `gradient`,
 * `plugins` and `train` render them, with no file of the command line
 * naming it.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

const PLUGIN = `
const { adjointErrorRecord, bindErrorMechanism, definePlugin, positiveNumber, strictObject, withDefaults } = require('@multimech/core');

const settings = withDefaults(
  strictObject('a scaled adjoint ({ "kind": "acme/scaled-adjoint", "scale"? })', {}, { scale: positiveNumber }),
  (c) => ({ scale: c.scale === undefined ? 1 : c.scale }),
);

const record = {
  kind: 'acme/scaled-adjoint',
  description: 'the exact gradient times a scale, with a made-up diagnostic',
  configCodec: settings,
  requires: [],
  produces: 'product',
  create(s) {
    const exact = adjointErrorRecord.create({});
    return {
      kind: 'acme/scaled-adjoint',
      produces: 'product',
      measure(context) {
        const r = exact.measure(context);
        return { readings: r.readings.map((x) => s.scale * x), diagnostics: { scaleSquared: s.scale * s.scale } };
      },
    };
  },
  diagnostics: [
    {
      name: 'scaleSquared',
      label: 'the scale, squared',
      threshold: 2,
      warning: ({ worst, at }) => (worst.scaleSquared > 2 ? 'the scale squared reached ' + worst.scaleSquared + '; a smaller ' + at('scale') + ' keeps it below 2' : undefined),
    },
  ],
  gradient: {
    options: [{ key: 'scale', value: 'S', help: 'the factor on the exact gradient', type: 'positive' }],
    defaultsFor: (substrate, given) => ({ section: { scale: 1 }, note: given.scale === undefined ? 'scale 1 chosen for a network of ' + substrate.parameters.length + ' resistors' : undefined }),
  },
};

exports.acmePlugin = definePlugin(({ bind }) => bindErrorMechanism(bind, record), 'acme/scaled');
`;

const NET = 'bridge\nV1 a 0 1\nR1 a b 1k\nR2 b 0 2k\nR3 a c 3k\nR4 c 0 1k\nR5 b c 5k\n.end\n';

let dir: string;
let cleanup: () => void;
let plugin: string;
let net: string;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('outside-plugin'));
  plugin = path.join(dir, 'acme.js');
  net = path.join(dir, 'bridge.cir');
  writeFileSync(plugin, PLUGIN);
  writeFileSync(net, NET);
});
afterAll(() => cleanup());

const gradientOf = (stdout: string) => (JSON.parse(stdout) as { gradient: Record<string, number> }).gradient;

describe('an out-of-tree error mechanism in the command line', () => {
  it('gradient takes it as a method, with its own flag and its defaults, and shows its diagnostic by its label', async () => {
    const exact = await runCli(['gradient', net, '--target', 'b=0.5', '--target', 'c=0.1', '--json']);
    const scaled = await runCli(['gradient', net, '--target', 'b=0.5', '--target', 'c=0.1', '--plugin', plugin, '--method', 'acme/scaled-adjoint', '--scale', '3', '--json']);
    expect(scaled.code).toBe(0);
    expect(scaled.stderr).toBe('');
    const [e, s] = [gradientOf(exact.stdout), gradientOf(scaled.stdout)];
    for (const name of ['R1', 'R2', 'R3', 'R4', 'R5']) expect(s[name]).toBeCloseTo(3 * e[name], 12);
    const table = await runCli(['gradient', net, '--target', 'b=0.5', '--plugin', plugin, '--method', 'acme/scaled-adjoint']);
    expect(table.stdout).toMatch(/^the scale, squared\s+1$/m);
    expect(table.stdout).toMatch(/^scale 1 chosen for a network of 5 resistors$/m);
  });

  it("its flag is refused with another method, and a bad value is refused in the flag's terms", async () => {
    const misplaced = await runCli(['gradient', net, '--target', 'b=0.5', '--plugin', plugin, '--scale', '2']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--scale applies only to --method acme/scaled-adjoint (the method is adjoint)');
    const bad = await runCli(['gradient', net, '--target', 'b=0.5', '--plugin', plugin, '--method', 'acme/scaled-adjoint', '--scale', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--scale <S>' argument '-1' is invalid. expected a positive number");
  });

  it('plugins lists it and prints its section as JSON Schema with its defaults', async () => {
    const r = await runCli(['plugins', 'acme/scaled-adjoint', '--plugin', plugin, '--json']);
    expect(r.code).toBe(0);
    const [details] = JSON.parse(r.stdout) as { schema: { properties: Record<string, unknown> }; defaults: Record<string, unknown> }[];
    expect(Object.keys(details.schema.properties)).toEqual(['kind', 'scale']);
    expect(details.defaults).toEqual({ kind: 'acme/scaled-adjoint', scale: 1 });
  });

  it('train runs it from a config and prints the warning its diagnostic declares, naming the setting where the config has it', async () => {
    const config = path.join(dir, 'scaled.json');
    writeFileSync(
      config,
      JSON.stringify({
        plugins: ['./acme.js'],
        seed: 3,
        substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
        task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
        error: { kind: 'acme/scaled-adjoint', scale: 2 },
        optimizer: { learningRate: 0.05, batchSize: 4 },
        training: { epochs: 2 },
      }),
    );
    const r = await runCli(['train', config, '--out', path.join(dir, 'run'), '--allow-plugins']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('multimech: warning: the scale squared reached 4; a smaller error.scale keeps it below 2');
    // the header, epoch 0 (before training) and the two epochs; its diagnostic is a column of metrics.csv
    const metrics = readFileSync(path.join(dir, 'run', 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics).toHaveLength(4);
    expect(metrics[0].split(',')).toContain('diag_scaleSquared');
    expect(metrics[2].split(',').pop()).toBe('4');
  });
});
