/**
 * Plugins written as ES modules, top-level await included, load by dynamic
 * import through the built command line (a real Node process: jest's own
 * module system has no ES modules), and a failure names the plugin entry,
 * its resolved path and the reason.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, tempDir } from './run-cli';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');

const ESM_PLUGIN = `import { adjointErrorRecord, bindErrorMechanism, definePlugin } from '@multimech/core';

// top-level await: require() cannot load this module, import() can
const scale = await Promise.resolve(2);

export const esmPlugin = definePlugin(
  ({ bind }) =>
    bindErrorMechanism(bind, {
      ...adjointErrorRecord,
      kind: 'acme/esm-twice',
      description: 'twice the exact gradient, from an ES module',
      create: () => {
        const exact = adjointErrorRecord.create({});
        return { kind: 'acme/esm-twice', produces: 'product', measure: (c) => ({ readings: exact.measure(c).readings.map((x) => scale * x) }) };
      },
    }),
  'acme/esm',
);
`;

let dir: string;
let cleanup: () => void;
const multimech = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MULTIMECH_DEBUG: '' } });

beforeAll(() => {
  ({ dir, cleanup } = tempDir('esm-plugin'));
  // the plugin's own project: @multimech/core resolves to the copy the command line uses
  mkdirSync(path.join(dir, 'node_modules', '@multimech'), { recursive: true });
  symlinkSync(path.join(ROOT, 'packages', 'core'), path.join(dir, 'node_modules', '@multimech', 'core'), 'dir');
  writeFileSync(path.join(dir, 'twice.mjs'), ESM_PLUGIN);
  writeFileSync(path.join(dir, 'broken.mjs'), "await Promise.resolve();\nthrow new Error('the lab instrument is not connected');\n");
  writeFileSync(path.join(dir, 'bridge.cir'), 'bridge\nV1 a 0 1\nR1 a b 1k\nR2 b 0 2k\nR3 a c 3k\nR4 c 0 1k\nR5 b c 5k\n.end\n');
});
afterAll(() => cleanup());

describe('an ES-module plugin with top-level await', () => {
  it('is listed by plugins and is a gradient method through the built command line', () => {
    expect(existsSync(path.join(ROOT, 'packages', 'cli', 'dist', 'main.js'))).toBe(true);
    const listed = multimech(['plugins', '--plugin', './twice.mjs']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('acme/esm-twice');
    const exact = multimech(['gradient', 'bridge.cir', '--target', 'b=0.5', '--json']);
    const twice = multimech(['gradient', 'bridge.cir', '--target', 'b=0.5', '--plugin', './twice.mjs', '--method', 'acme/esm-twice', '--json']);
    expect(twice.stderr).toBe('');
    const [e, t] = [exact, twice].map((r) => (JSON.parse(r.stdout) as { gradient: Record<string, number> }).gradient);
    for (const name of Object.keys(e)) expect(t[name]).toBeCloseTo(2 * e[name], 12);
  });

  it('trains from a config that names it', () => {
    writeFileSync(
      path.join(dir, 'esm.json'),
      JSON.stringify({
        plugins: ['./twice.mjs'],
        substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
        task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
        error: { kind: 'acme/esm-twice' },
        optimizer: { learningRate: 0.05, batchSize: 4 },
        training: { epochs: 2 },
      }),
    );
    const r = multimech(['train', 'esm.json', '--out', 'runs/esm', '--allow-plugins']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/relative error: /);
  });

  it('a module that fails to load is named with its resolved path and the reason, without a stack', () => {
    const r = multimech(['plugins', '--plugin', './broken.mjs']);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).toBe(`multimech: error: --plugin: cannot load './broken.mjs' (${path.join(dir, 'broken.mjs')}: the lab instrument is not connected)\n`);
  });
});
