/**
 * A plugin that fails in a way its author did not plan (it throws something
 * that is not an Error, a TypeError in its code, or it calls process.exit
 * while it loads or while it runs) is reported as that plugin's failure:
 * one `multimech: error:` line naming the plugin, exit 1, no stack trace;
 * never "Cannot read properties of undefined", never an exit 0 with no results.
 */
import { existsSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/** An error mechanism (the exact gradient) that misbehaves where MODE says, at `where`. */
const plugin = (mode: string, where: 'load' | 'create' | 'measure') => `
const { adjointErrorRecord, bindErrorMechanism, definePlugin, strictObject, withDefaults } = require('@multimech/core');
const fail = () => { ${mode} };
${where === 'load' ? 'fail();' : ''}
const record = {
  kind: 'acme/bad',
  description: 'the exact gradient, until it fails',
  configCodec: withDefaults(strictObject('acme/bad', {}, {}), () => ({})),
  requires: [],
  produces: 'product',
  create() {
    ${where === 'create' ? 'fail();' : ''}
    const exact = adjointErrorRecord.create({});
    return { kind: 'acme/bad', produces: 'product', measure(context) { ${where === 'measure' ? 'fail();' : ''} return exact.measure(context); } };
  },
};
exports.badPlugin = definePlugin(({ bind }) => bindErrorMechanism(bind, record), 'acme/bad');
`;

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('plugin-failures')));
afterAll(() => cleanup());

let count = 0;
async function trainWith(mode: string, where: 'load' | 'create' | 'measure') {
  const n = ++count;
  writeFileSync(path.join(dir, `bad${n}.js`), plugin(mode, where));
  const config = {
    plugins: [`./bad${n}.js`],
    seed: 3,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
    error: { kind: 'acme/bad' },
    optimizer: { learningRate: 0.05, batchSize: 4 },
    training: { epochs: 2 },
  };
  const file = path.join(dir, `c${n}.json`);
  writeFileSync(file, JSON.stringify(config));
  const out = path.join(dir, `run${n}`);
  return { ...(await runCli(['train', file, '--out', out, '--allow-plugins'])), entry: `plugin './bad${n}.js' (${file}: plugins[0])`, out };
}

/** The lines of the command line but the warning that names the plugin it runs (--allow-plugins), which every case must have. */
const errorLine = (stderr: string) => {
  const lines = stderr.split('\n').filter((l) => l.startsWith('multimech:'));
  expect(lines[0]).toMatch(/^multimech: warning: .*c\d+\.json: plugins\[0\]: running plugin '\.\/bad\d+\.js' from .*bad\d+\.js: a plugin is code, with your permissions \(--allow-plugins\)$/);
  return lines.slice(1);
};

describe('a plugin that throws something that is not an Error', () => {
  it.each([
    ['throw undefined', 'undefined'],
    ["throw 'gave up'", '"gave up"'],
    ['throw { code: 7 }', '{"code":7}'],
  ] as const)('%s while it runs is that plugin\'s failure', async (mode, shown) => {
    for (const where of ['create', 'measure'] as const) {
      const r = await trainWith(mode, where);
      expect(r.code).toBe(1);
      expect(errorLine(r.stderr)).toEqual([`multimech: error: ${r.entry} failed: it threw ${shown}, not an Error (a plugin reports a failure by throwing an Error with a message)`]);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr).not.toContain('Cannot read properties');
    }
  });

  it('while it loads, it is named with what it threw', async () => {
    const r = await trainWith("throw 'no licence'", 'load');
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toHaveLength(1);
    expect(errorLine(r.stderr)[0]).toMatch(/^multimech: error: .*c\d+\.json: plugins\[0\]: cannot load '\.\/bad\d+\.js' \(.*bad\d+\.js: it threw "no licence", not an Error\)$/);
  });

  it('an Error raised in its code (a TypeError) is its failure too, not an internal error', async () => {
    const r = await trainWith('null.field = 1;', 'measure');
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toHaveLength(1);
    expect(errorLine(r.stderr)[0]).toMatch(new RegExp(`^multimech: error: ${r.entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed: TypeError: Cannot set properties of null`));
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('a plugin that calls process.exit', () => {
  it.each(['load', 'create', 'measure'] as const)('during %s: the run stops with exit 1 and a line naming the plugin, not exit 0 without results', async (where) => {
    const r = await trainWith('process.exit(0);', where);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toEqual([
      `multimech: error: ${r.entry} called process.exit(0) while ${where === 'load' ? 'it was loaded' : 'it ran'}; a plugin reports a failure by throwing an Error, it does not end the process`,
    ]);
    expect(existsSync(path.join(r.out, 'summary.json'))).toBe(false);
  });
});
