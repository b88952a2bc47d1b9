import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CORE_LOCATION, createRegistries, definePlugin, inversify, type MultimechPlugin } from '@multimech/core';
import { STACK_LINE, tempDir } from './run-cli';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');

describe('a plugin is recognised by its brand, not instanceof', () => {
  it('a plugin of this copy of core loads; an unbranded module and a plugin of another copy are refused, naming both copies', () => {
    expect(() => createRegistries([definePlugin(() => undefined, 'acme/empty')])).not.toThrow();
    const bare = new inversify.ContainerModule(() => undefined) as MultimechPlugin;
    expect(() => createRegistries([bare])).toThrow('plugin 1 of 1 is not a multimech plugin: make plugins with definePlugin from @multimech/core');
    // what another copy's definePlugin makes: the same Symbol.for brand, another location
    const foreign = Object.defineProperty(new inversify.ContainerModule(() => undefined), Symbol.for('@multimech/core/plugin'), {
      value: { core: '/elsewhere/node_modules/@multimech/core', name: 'acme/foreign' },
    }) as MultimechPlugin;
    expect(() => createRegistries([foreign])).toThrow(
      `plugin 'acme/foreign' was made by the copy of @multimech/core at /elsewhere/node_modules/@multimech/core, but this program uses the copy at ${CORE_LOCATION}`,
    );
  });

  it('the command line refuses a plugin built against its own copy of core, with the plugin entry, its path and both copies', () => {
    // a second, real copy of the built core in a project of its own, and a plugin that requires it
    expect(existsSync(path.join(ROOT, 'packages', 'core', 'dist', 'index.js'))).toBe(true);
    const { dir, cleanup } = tempDir('brand');
    try {
      const copy = path.join(dir, 'node_modules', '@multimech', 'core');
      mkdirSync(copy, { recursive: true });
      cpSync(path.join(ROOT, 'packages', 'core', 'dist'), path.join(copy, 'dist'), { recursive: true });
      cpSync(path.join(ROOT, 'packages', 'core', 'package.json'), path.join(copy, 'package.json'));
      for (const dep of ['inversify', '@inversifyjs', 'io-ts', 'fp-ts', 'mathjs', 'ml-matrix']) {
        const target = path.join(ROOT, 'node_modules', dep);
        if (existsSync(target)) symlinkSync(target, path.join(dir, 'node_modules', dep), 'dir');
      }
      symlinkSync(path.join(ROOT, 'packages', 'sparse'), path.join(dir, 'node_modules', '@multimech', 'sparse'), 'dir');
      writeFileSync(path.join(dir, 'plugin.js'), "const { definePlugin } = require('@multimech/core');\nexports.acmePlugin = definePlugin(() => undefined, 'acme/own-core');\n");
      const r = spawnSync(process.execPath, [BIN, 'plugins', '--plugin', './plugin.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MULTIMECH_DEBUG: '' } });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr).toContain(`--plugin: './plugin.js' (${path.join(dir, 'plugin.js')}) was made by the copy of @multimech/core at ${copy}`);
      expect(r.stderr).toContain(`but this program uses the copy at ${path.join(ROOT, 'packages', 'core')}`);
      expect(r.stderr).toContain('Declare @multimech/core as a peerDependency of the plugin');
    } finally {
      cleanup();
    }
  });
});
