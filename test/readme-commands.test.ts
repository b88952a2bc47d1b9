/**
 * The command lines of the README's "The command line" block work: the
 * quick ones (`gradient`, `plugins`, `schema`) run, in-process, and exit 0
 * with the output they promise; for `train`, `compare` and `fidelity`, the
 * config files they name exist (test/iris-frequency.test.ts and the
 * examples' own tests run those).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '@multimech/cli';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The `npx multimech ...` lines of the first sh block after "## The command line", without comments and redirections. */
function commandLines(): string[][] {
  const section = README.slice(README.indexOf('## The command line'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block
    .split('\n')
    .filter((l) => l.startsWith('npx multimech '))
    .map((l) => l.replace(/\s#.*$/, '').replace(/\s>\s*\S+\s*$/, '').trim().split(/\s+/).slice(2));
}

/** Repository paths as the README writes them (from the root), absolute, so that the test does not depend on its working folder. */
const fromRoot = (args: string[]) => args.map((a) => (/^(\.\/)?examples\//.test(a) ? path.join(ROOT, a) : a));

async function multimech(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(['node', 'multimech', ...fromRoot(args)], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false, columns: 120 },
    env: {},
  });
  return { code, stdout, stderr };
}

const lines = commandLines();

describe("the README's command lines", () => {
  it('cover every command, gradient, plugins and schema among them', () => {
    expect(new Set(lines.map((l) => l[0]))).toEqual(new Set(['train', 'compare', 'fidelity', 'gradient', 'plugins', 'schema', 'new']));
  });

  it.each(lines.filter((l) => l[0] === 'new').map((l) => [l.join(' '), l]))('%s writes its package (into a temporary folder)', async (_, args) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-readme-new-'));
    try {
      const r = await multimech([...(args as string[]), '--dir', path.join(dir, 'plugin')]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      for (const file of ['package.json', 'tsconfig.json', 'jest.config.js', 'README.md']) expect(fs.existsSync(path.join(dir, 'plugin', file))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(lines.filter((l) => ['train', 'compare', 'fidelity'].includes(l[0])).map((l) => [l.join(' '), l]))('%s: its config exists', (_, args) => {
    const configs = (args as string[]).filter((a) => a.endsWith('.json'));
    expect(configs).toHaveLength(1);
    expect(fs.existsSync(path.join(ROOT, configs[0]))).toBe(true);
    // a config that names plugins is code: its command says it trusts it, or it would be refused
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, configs[0]), 'utf8'));
    const plugins = config.plugins ?? config.base?.plugins ?? config.experiment?.plugins;
    expect((args as string[]).includes('--allow-plugins')).toBe(Array.isArray(plugins) && plugins.length > 0);
  });

  it.each(lines.filter((l) => ['gradient', 'plugins', 'schema'].includes(l[0])).map((l) => [l.join(' '), l]))('%s runs and exits 0', async (_, args) => {
    const r = await multimech(args as string[]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout.length).toBeGreaterThan(0);
    const [command] = args as string[];
    if (command === 'schema' || (args as string[]).includes('--json')) expect(() => JSON.parse(r.stdout)).not.toThrow();
    if (command === 'gradient') expect(Object.keys(JSON.parse(r.stdout).gradient)).toEqual(['R1', 'R2', 'R3', 'R4']);
  });
});
