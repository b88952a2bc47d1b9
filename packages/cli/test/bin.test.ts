import { spawnSync } from 'child_process';
import { existsSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const BIN = path.join(__dirname, '..', 'bin', 'multimech.js');
const BUILT = existsSync(path.join(__dirname, '..', 'dist', 'main.js'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Through the real bin when dist is built, else in-process (the title says which). */
async function multimech(args: string[], cwd: string): Promise<Outcome> {
  if (!BUILT) return runCli(args);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MULTIMECH_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const title = BUILT
  ? 'the built bin (bin/multimech.js → dist/main.js) prints the gradient and reports bad input with exit codes'
  : 'dist/main.js is not built, so the bin is not spawned: the same checks run in-process through run()';

test(title, async () => {
  const { dir, cleanup } = tempDir('bin');
  try {
    const net = path.join(dir, 'divider.cir');
    writeFileSync(net, 'divider\nV1 in 0 DC 2\nR1 in out 1k\nR2 out 0 3k\n.end\n');
    const ok = await multimech(['gradient', net, '--target', 'out=0.3', '--method', 'adjoint', '--json'], dir);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const inProcess = await runCli(['gradient', net, '--target', 'out=0.3', '--method', 'adjoint', '--json']);
    expect(ok.stdout).toBe(inProcess.stdout);
    const parsed = JSON.parse(ok.stdout) as { loss: number; gradient: Record<string, number> };
    expect(parsed.loss).toBeCloseTo(0.72, 12); // ½ (1.5 − 0.3)²
    expect(parsed.gradient.R1).toBeCloseTo(450, 8);

    const missing = await multimech(['gradient', path.join(dir, 'nope.cir'), '--target', 'out=1'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^multimech: error: .*nope\.cir: no such file/);
    expect(missing.stderr).not.toMatch(STACK_LINE);

    const usage = await multimech(['gradient', net, '--target', 'out'], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/expected NODE=VALUE with a finite number/);
  } finally {
    cleanup();
  }
});
