import { ConfigError, InputFileError, MultimechError } from '@multimech/core';
import { CliIo } from '../src/cli-io';
import { reportError } from '../src/main';
import { STACK_LINE, runCli } from './run-cli';

function capture(env: Record<string, string> = {}): CliIo & { err: () => string } {
  let err = '';
  return { stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, env, err: () => err };
}

describe('error reporting', () => {
  test('a MultimechError prints its message with the prefix, no stack, exit 1', () => {
    const io = capture();
    expect(reportError(new InputFileError('net.cir', 3, "bad number 'x'"), io)).toBe(1);
    expect(io.err()).toBe("multimech: error: net.cir:3: bad number 'x'\n");
  });

  test('a ConfigError keeps one line per problem', () => {
    const io = capture();
    expect(reportError(new ConfigError([{ path: 'task.kind', message: 'unknown' }, { path: 'training.epochs', message: 'expected a positive integer' }], 'c.json'), io)).toBe(1);
    expect(io.err()).toBe('multimech: error: c.json: invalid configuration\n  task.kind: unknown\n  training.epochs: expected a positive integer\n');
  });

  test('any other error is an internal error; its stack shows only with MULTIMECH_DEBUG=1', () => {
    const plain = capture();
    expect(reportError(new TypeError('x is undefined'), plain)).toBe(1);
    expect(plain.err()).toMatch(/^multimech: internal error: x is undefined\n\(set MULTIMECH_DEBUG=1 to see where it happened\)\n$/);
    expect(plain.err()).not.toMatch(STACK_LINE);

    const debug = capture({ MULTIMECH_DEBUG: '1' });
    expect(reportError(new TypeError('x is undefined'), debug)).toBe(1);
    expect(debug.err()).toMatch(/^multimech: internal error: x is undefined\nTypeError: x is undefined\n/);
    expect(debug.err()).toMatch(STACK_LINE);

    const thrownString = capture();
    reportError('boom', thrownString);
    expect(thrownString.err()).toMatch(/^multimech: internal error: boom\n/);
  });

  test('MULTIMECH_DEBUG=1 adds the stack to user errors too', async () => {
    const r = await runCli(['gradient', 'no-such-file.cir', '-t', 'a=1'], { env: { MULTIMECH_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^multimech: error: no-such-file\.cir: no such file/);
    expect(r.stderr).toMatch(STACK_LINE);
    expect(reportError(new MultimechError('x'), capture())).toBe(1);
  });
});

describe('usage', () => {
  test('--help prints the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: multimech/);
    expect(r.stdout).toMatch(/train \[options\] <CONFIG>/);
    expect(r.stdout).toMatch(/compare \[options\] <CONFIG>/);
    expect(r.stdout).toMatch(/gradient \[options\] <FILE>/);
  });

  test("gradient --help lists the methods (every registered error mechanism) and each mechanism's flags", async () => {
    const r = await runCli(['gradient', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/choices:\s+"adjoint",\s+"chemical",\s+"cl",\s+"ep",\s+"frequency",\s+"finite-difference"/);
    expect(r.stdout).toMatch(/--amplitude <B>\s+frequency method: error amplitude β \(A\)/);
    expect(r.stdout).toMatch(/--eta <E>\s+cl method: clamp fraction η/);
  });

  test('an unknown command or option is a usage error (exit 2) without a stack', async () => {
    const a = await runCli(['trian', 'x.json']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^multimech: error: unknown command 'trian'/);
    expect(a.stderr).toMatch(/Did you mean train\?/);
    const b = await runCli(['train', 'x.json', '--seed', '1.5']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--seed <N>' argument '1\.5' is invalid\. expected an integer/);
    for (const r of [a, b]) expect(r.stderr).not.toMatch(STACK_LINE);
  });

  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0.1.0\n');
  });
});
