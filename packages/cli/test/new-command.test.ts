import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { scaffoldNames } from '../src/scaffold';
import { STACK_LINE, runCli, tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('new')));
afterAll(() => cleanup());

describe('multimech new', () => {
  it('writes a standalone package per kind: a peer dependency on core, a tsconfig of its own, a jest config for inversify, its test and an example config', async () => {
    for (const what of ['substrate', 'mechanism', 'task']) {
      const out = path.join(dir, what);
      const r = await runCli(['new', what, `@acme/${what}-demo`, '--dir', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`wrote ${what} plugin @acme/${what}-demo (kind acme/${what}-demo)`);
      const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; devDependencies: Record<string, string> };
      expect(pkg.peerDependencies['@multimech/core']).toBe('^0.1.0');
      expect(pkg.devDependencies.jest).toBeDefined();
      const tsconfig = readFileSync(path.join(out, 'tsconfig.json'), 'utf8');
      expect(tsconfig).not.toMatch(/extends|\.\.\//);
      expect(readFileSync(path.join(out, 'jest.config.js'), 'utf8')).toContain("transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs)/)']");
      expect(readdirSync(path.join(out, 'test')).length).toBe(1);
      const example = JSON.parse(readFileSync(path.join(out, 'example.json'), 'utf8')) as { plugins: string[] };
      expect(example.plugins).toEqual(['./dist/index.js']);
      expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toContain('npm test');
    }
  });

  it('refuses a folder that exists and is not empty, and writes nothing there', async () => {
    const full = path.join(dir, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'keep.txt'), 'mine');
    const r = await runCli(['new', 'substrate', 'acme-thermal', '--dir', full]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^multimech: error: .*full: exists and is not empty; nothing was written/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(readdirSync(full)).toEqual(['keep.txt']);
  });

  it('refuses a name that is not a package name, a kind that is not kebab-case, and an unknown WHAT', async () => {
    const bad = await runCli(['new', 'substrate', 'Acme Thermal', '--dir', path.join(dir, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("'Acme Thermal' is not a valid package name");
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
    const kind = await runCli(['new', 'task', 'acme-data', '--kind', 'Acme_Data', '--dir', path.join(dir, 'kind')]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toContain("'Acme_Data' is not a valid kind");
    const what = await runCli(['new', 'widget', 'acme-widget', '--dir', path.join(dir, 'widget')]);
    expect(what.code).toBe(2);
    expect(what.stderr).toContain("expected one of substrate, mechanism, task, got 'widget'");
  });

  it('names: a scoped package registers scope/name, an unscoped one its name, without a multimech- prefix', () => {
    expect(scaffoldNames('@acme/thermal')).toMatchObject({ kind: 'acme/thermal', stem: 'thermal', type: 'Thermal', value: 'thermal' });
    expect(scaffoldNames('multimech-heat-grid')).toMatchObject({ kind: 'heat-grid', stem: 'heat-grid', type: 'HeatGrid', value: 'heatGrid' });
    expect(scaffoldNames('@lab/memristor', 'lab/memristive')).toMatchObject({ kind: 'lab/memristive' });
  });
});
