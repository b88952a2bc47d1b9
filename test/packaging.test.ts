/**
 * The packages as a user installs them: every workspace package packed by
 * `npm pack`, installed from the tarballs into a fresh CommonJS project and
 * a fresh ES-module project, a program type-checked under `strict` against
 * the installed declarations, run, and the command line run from the
 * installed bin. Nothing here resolves into the monorepo.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';

const ROOT = path.join(__dirname, '..');
const PACKAGES = ['sparse', 'core', 'conformance', 'resistive', 'flow', 'elastic', 'frequency', 'chemical', 'contrastive', 'trainer', 'sweep', 'cli'];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command, failing with its output when it fails. */
function run(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const EXPERIMENT = {
  seed: 1,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  task: { kind: 'iris', inputs: { encoding: 'voltage' }, loss: { kind: 'cross-entropy', kappa: 20 } },
  error: { kind: 'frequency', amplitude: 1e-3, mode: 'phasor' },
  optimizer: { learningRate: 0.05, momentum: 0.9, batchSize: 10 },
  training: { epochs: 3 },
};

const PROGRAM = `import { createExperiment } from '@multimech/trainer';
import { resistivePlugin } from '@multimech/resistive';
import { frequencyPlugin } from '@multimech/frequency';
import type { Substrate } from '@multimech/core';

const config = ${JSON.stringify(EXPERIMENT)};
const { trainer, substrate } = createExperiment(config, [resistivePlugin, frequencyPlugin]);
const edges: number = (substrate as Substrate).parameters.length;
const result = trainer.run();
const first = result.history[0].trainLoss;
const last = result.history[result.history.length - 1].trainLoss;
process.stdout.write(JSON.stringify({ edges, first, last, accuracy: result.summary.test_accuracy }) + '\\n');
`;

let dir: string;
let cleanup: () => void;
let tarballs: string[];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'multimech-packaging-'));
  cleanup = () => rmSync(dir, { recursive: true, force: true });
  const packs = path.join(dir, 'tarballs');
  mkdirSync(packs);
  run(NPM, ['pack', '--silent', '--pack-destination', packs, ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`])], ROOT);
  tarballs = readdirSync(packs).map((f) => path.join(packs, f));
}, 300_000);
afterAll(() => cleanup?.());

describe('the packed tarballs', () => {
  it('hold the compiled code, the declarations, README and LICENSE, and no tests', () => {
    expect(tarballs).toHaveLength(PACKAGES.length);
    for (const tarball of tarballs) {
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/README.md');
      expect(files.filter((f) => /\.test\.(ts|js)$|\/test\//.test(f))).toEqual([]);
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
      for (const key of ['exports', 'engines', 'repository', 'license']) expect(manifest[key]).toBeDefined();
    }
  });
});

describe('installed from the tarballs into fresh projects', () => {
  it('a CommonJS project: the program type-checks under strict against the installed declarations, trains with a falling loss, no jest is installed, and the bin trains', () => {
    const project = path.join(dir, 'cjs');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer-cjs', version: '1.0.0', private: true }));
    run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], project);
    // the conformance suite's jest is an optional peer: a consumer that trains gets none
    expect(existsSync(path.join(project, 'node_modules', 'jest'))).toBe(false);
    writeFileSync(path.join(project, 'train.ts'), PROGRAM);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'es2022', module: 'node20', moduleResolution: 'node16', outDir: 'out', skipLibCheck: false, types: [], lib: ['es2022'] },
        files: ['train.ts', 'process.d.ts'],
      }),
    );
    // module node20 is how Node ≥ 20.19 loads a CommonJS program: core's declarations name inversify, an ES module, which require() loads there
    // the one global the program uses, declared so that the check needs no @types/node
    writeFileSync(path.join(project, 'process.d.ts'), 'declare const process: { stdout: { write(text: string): void } };\n');
    run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);
    const out = JSON.parse(run(process.execPath, [path.join(project, 'out', 'train.js')], project)) as { edges: number; first: number; last: number; accuracy: number };
    expect(out.edges).toBeGreaterThan(0);
    expect(out.last).toBeLessThan(out.first);
    expect(out.accuracy).toBeGreaterThan(0);
    const bin = path.join(project, 'node_modules', '.bin', 'multimech');
    const help = spawnSync(bin, ['--help'], { cwd: project, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/train \[options\] <CONFIG>/);
    writeFileSync(path.join(project, 'config.json'), JSON.stringify({ ...EXPERIMENT, training: { epochs: 2 } }));
    const trained = spawnSync(bin, ['train', 'config.json', '--out', 'runs/one'], { cwd: project, encoding: 'utf8' });
    expect(trained.status).toBe(0);
    expect(trained.stdout.trim().split('\n').pop()).toMatch(/^test accuracy: 0\.\d{4}$/);
    expect(readFileSync(path.join(project, 'runs', 'one', 'network.cir'), 'utf8')).toMatch(/^R/m);
  }, 600_000);

  it('an ES-module project imports the packages by name and trains', () => {
    const project = path.join(dir, 'esm');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer-esm', version: '1.0.0', private: true, type: 'module' }));
    run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], project);
    writeFileSync(
      path.join(project, 'train.js'),
      `import { createExperiment } from '@multimech/trainer';
import { resistivePlugin } from '@multimech/resistive';
import { frequencyPlugin } from '@multimech/frequency';
import { planSolver } from '@multimech/sparse';
const { trainer } = createExperiment(${JSON.stringify(EXPERIMENT)}, [resistivePlugin, frequencyPlugin]);
const { history } = trainer.run();
console.log(JSON.stringify({ first: history[0].trainLoss, last: history[history.length - 1].trainLoss, planSolver: typeof planSolver }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['train.js'], project)) as { first: number; last: number; planSolver: string };
    expect(out.last).toBeLessThan(out.first);
    expect(out.planSolver).toBe('function');
  }, 600_000);
});

describe('a plugin scaffolded by multimech new, outside the checkout', () => {
  it.each(['substrate', 'mechanism', 'task'])('a %s: installs from the tarballs, builds, passes its own tests, and trains through the installed command line', (what) => {
    const project = path.join(dir, `new-${what}`);
    run(process.execPath, [path.join(ROOT, 'packages', 'cli', 'bin', 'multimech.js'), 'new', what, `@acme/${what}-demo`, '--dir', project], dir);
    run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], project);
    run(NPM, ['run', 'build'], project);
    const tests = spawnSync(path.join(project, 'node_modules', '.bin', 'jest'), ['--ci'], { cwd: project, encoding: 'utf8' });
    expect(tests.stderr).toMatch(/Tests:\s+(\d+ skipped, )?\d+ passed, \d+ total/);
    expect(tests.status).toBe(0);
    const trained = spawnSync(path.join(project, 'node_modules', '.bin', 'multimech'), ['train', 'example.json', '--out', 'runs/one', '--allow-plugins'], { cwd: project, encoding: 'utf8' });
    expect(trained.stderr).not.toMatch(/error/);
    expect(trained.status).toBe(0);
    const losses = readFileSync(path.join(project, 'runs', 'one', 'metrics.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[1]));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  }, 600_000);
});

