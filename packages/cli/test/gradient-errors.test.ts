import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
let net: string;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('gradient-errors'));
  net = path.join(dir, 'net.cir');
  writeFileSync(net, 'net\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\n.end\n');
  mkdirSync(path.join(dir, 'folder.cir'));
});
afterAll(() => cleanup());

/** Runs, expects a failure with `code` and one message on stderr, no stack, nothing on stdout. */
async function fails(args: string[], code: number, ...patterns: RegExp[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code).toBe(code);
  expect(r.exited).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).toMatch(/^multimech: error: /);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  return r.stderr;
}

describe('multimech gradient: bad input is one clear message, no stack', () => {
  test.each([['b'], ['b='], ['=0.5'], ['b=abc'], ['b=Infinity'], ['b=NaN'], ['b=1V']])('malformed --target %s (exit 2)', async (target) => {
    await fails(['gradient', net, '--target', target], 2, /--target/, /expected NODE=VALUE with a finite number/, new RegExp(`got '${target}'`));
  });

  test('a target node that is not in the netlist names it and lists the nodes (exit 1)', async () => {
    await fails(['gradient', net, '--target', 'x9=1'], 1, /output node 'x9' is not in the netlist/, /nodes: a, 0, b/);
  });

  test('a target on ground, and one node given two targets, are usage errors (exit 2)', async () => {
    await fails(['gradient', net, '--target', '0=1'], 2, /--target 0=1: '0' is ground, held at 0 V/);
    await fails(['gradient', net, '--target', 'GND=1'], 2, /'GND' is ground/);
    await fails(['gradient', net, '--target', 'b=1', '--target', 'B=0.5'], 2, /--target B is given twice \(=1 and =0\.5\); give each node one target/);
  });

  test('a missing netlist file (exit 1)', async () => {
    await fails(['gradient', path.join(dir, 'missing.cir'), '--target', 'b=1'], 1, /missing\.cir: no such file \(expected a SPICE netlist\)/);
  });

  test('a folder instead of a netlist (exit 1)', async () => {
    await fails(['gradient', path.join(dir, 'folder.cir'), '--target', 'b=1'], 1, /folder\.cir: is a folder/);
  });

  test('an unknown method lists the known ones (exit 2)', async () => {
    // every registered error mechanism, the exact adjoint first, and finite differences
    await fails(['gradient', net, '--target', 'b=1', '--method', 'magic'], 2, /'magic' is invalid/, /adjoint, chemical, cl, ep, frequency, finite-difference/);
  });

  test('no --target at all (exit 2)', async () => {
    await fails(['gradient', net], 2, /required option '-t, --target <NODE=VALUE>' not specified/);
  });

  test('frequency options with another method are refused (exit 2)', async () => {
    await fails(['gradient', net, '--target', 'b=1', '--method', 'adjoint', '--amplitude', '0.1'], 2, /--amplitude applies only to --method frequency/);
  });

  test('bad frequency option values (exit 2)', async () => {
    await fails(['gradient', net, '--target', 'b=1', '--method', 'frequency', '--amplitude', '-1'], 2, /--amplitude <B>' argument '-1' is invalid. expected a positive number/);
    await fails(['gradient', net, '--target', 'b=1', '--method', 'frequency', '--periods', '2.5'], 2, /expected a positive integer/);
    await fails(['gradient', net, '--target', 'b=1', '--method', 'frequency', '--mode', 'fast'], 2, /Allowed choices are phasor, small-signal, transient/);
  });

  test('an aliasing transient plan is reported in terms of the flags (exit 1)', async () => {
    await fails(
      ['gradient', net, '--target', 'b=1', '--method', 'frequency', '--mode', 'transient', '--samples-per-period', '2'],
      1,
      /--method frequency: --samples-per-period: /,
      /alias/,
    );
  });

  test.each([
    ['an unknown element', 'net\nV1 a 0 1\nR1 a b 1k\nQ1 b 0 1k\n', /bad\.cir:4: unknown element letter 'Q'/],
    ['a bad value', 'net\nV1 a 0 1\nR1 a b k1\nR2 b 0 1k\n', /bad\.cir:3: bad number 'k1'/],
    ['a missing node', 'net\nV1 a 0 1\nR1 a 1k\n', /bad\.cir:3: expected 'Rname node node value'/],
  ])('a netlist with %s names the file and line (exit 1)', async (_what, text, pattern) => {
    const bad = path.join(dir, 'bad.cir');
    writeFileSync(bad, text);
    await fails(['gradient', bad, '--target', 'b=1'], 1, pattern);
  });

  test('a floating node is bad input, not a NaN', async () => {
    const floating = path.join(dir, 'floating.cir');
    writeFileSync(floating, 'net\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\nR3 c d 1k\n');
    const stderr = await fails(['gradient', floating, '--target', 'b=1'], 1);
    expect(stderr).not.toMatch(/NaN/);
    expect(stderr).toMatch(/\bc\b|\bd\b/);
  });
});
