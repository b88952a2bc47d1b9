/**
 * Cold start: mathjs (most of what importing multimech used to cost) is
 * loaded only by what needs it, a quantity written with a unit (`"1.7 kHz"`)
 * or a law written as an expression. Each check runs in a fresh Node
 * process, on the packages' TypeScript sources (compiled on the fly by
 * @swc/core, as jest does), and reads that process's `require.cache`. No
 * timing here: `npm run bench` prints the times (scripts/bench-startup.js).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * What a fresh process prints: `body` runs after a hook that compiles `.ts`
 * and maps `@multimech/NAME` to `packages/NAME/src`; it has `loaded(name)`
 * (whether a package of node_modules is in require.cache) and `out(value)`
 * (prints the value as JSON, which this returns).
 */
function inFreshProcess(body: string): unknown {
  const script = `
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { transformSync } = require('@swc/core');
const ROOT = ${JSON.stringify(ROOT)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@multimech\\/([a-z-]+)$/.exec(request);
  return resolve.call(this, m ? path.join(ROOT, 'packages', m[1], 'src') : request, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: false }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require('reflect-metadata');
const loaded = (name) => Object.keys(require.cache).some((f) => f.includes(path.sep + 'node_modules' + path.sep + name + path.sep));
const out = (value) => process.stdout.write(JSON.stringify(value));
(async () => {
${body}
})().catch((e) => {
  process.stderr.write(String((e && e.stack) || e));
  process.exit(1);
});
`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`the fresh process failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('importing a package leaves mathjs unloaded', () => {
  it.each([
    ['@multimech/core', 'corePlugin'],
    ['@multimech/resistive', 'resistivePlugin'],
    ['@multimech/flow', 'flowPlugin'],
    ['@multimech/elastic', 'elasticPlugin'],
    ['@multimech/frequency', 'frequencyPlugin'],
    ['@multimech/chemical', 'chemicalPlugin'],
    ['@multimech/contrastive', 'contrastivePlugin'],
    ['@multimech/trainer', 'trainerPlugin'],
  ])('%s', (name, plugin) => {
    const r = inFreshProcess(`
      const m = require(${JSON.stringify(name)});
      out({ plugin: typeof m[${JSON.stringify(plugin)}], mathjs: loaded('mathjs'), inversify: loaded('inversify') });
    `);
    // the package did load (its plugin and inversify are there), without mathjs
    expect(r).toEqual({ plugin: 'object', mathjs: false, inversify: true });
  });

  it('multimech --help loads neither mathjs nor the plotting libraries', () => {
    const r = inFreshProcess(`
      let stdout = '';
      const code = await require('@multimech/cli').run(['node', 'multimech', '--help'], { stdout: { write: (s) => (stdout += s) }, stderr: { write: () => {} }, env: {} });
      out({ code, usage: stdout.startsWith('Usage: multimech'), train: stdout.includes('train [options] <CONFIG>'), mathjs: loaded('mathjs'), resvg: loaded('@resvg/resvg-js'), vega: loaded('vega') || loaded('vega-lite') });
    `);
    expect(r).toEqual({ code: 0, usage: true, train: true, mathjs: false, resvg: false, vega: false });
  });
});

describe('what needs mathjs loads it', () => {
  it('a config section with a plain number decodes without it; one with "1.7 kHz" loads it and decodes to 1700 Hz', () => {
    const r = inFreshProcess(`
      const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'iris-frequency', 'config.json'), 'utf8'));
      const { corePlugin, createRegistries, decodePluginSections } = require('@multimech/core');
      const { resistivePlugin } = require('@multimech/resistive');
      const { frequencyPlugin } = require('@multimech/frequency');
      const { trainerPlugin } = require('@multimech/trainer');
      const registries = createRegistries([corePlugin, trainerPlugin, resistivePlugin, frequencyPlugin]);
      const plain = decodePluginSections(config, registries).error.config.frequency;
      const afterPlain = loaded('mathjs');
      const withUnit = decodePluginSections({ ...config, error: { ...config.error, frequency: '1.7 kHz' } }, registries).error.config.frequency;
      out({ given: config.error.frequency, plain, afterPlain, withUnit, afterUnit: loaded('mathjs') });
    `);
    expect(r).toEqual({ given: 1700, plain: 1700, afterPlain: false, withUnit: 1700, afterUnit: true });
  });

  it('quantities in other units decode to SI numbers once mathjs is loaded', () => {
    const r = inFreshProcess(`
      const { decodeOrThrow, positiveQuantity } = require('@multimech/core');
      const before = loaded('mathjs');
      const values = [['resistance', '1 kohm'], ['capacitance', '10 uF'], ['conductance', 2e-3]].map(([q, v]) => decodeOrThrow(positiveQuantity(q), v));
      out({ before, values, after: loaded('mathjs') });
    `);
    expect(r).toEqual({ before: false, values: [1000, 1e-5, 0.002], after: true });
  });

  it('an expression law loads it, and works', () => {
    const r = inFreshProcess(`
      const { expressionLaw } = require('@multimech/core');
      const before = loaded('mathjs');
      const law = expressionLaw('G*v + v^3', { name: 'B1', range: [-2, 2], parameters: { G: 0.5 } });
      out({ before, i: law.current(1), g: law.conductance(1), after: loaded('mathjs') });
    `);
    expect(r).toEqual({ before: false, i: 1.5, g: 3.5, after: true });
  });
});
