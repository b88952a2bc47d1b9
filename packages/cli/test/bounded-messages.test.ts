/**
 * One `multimech: error:` line per problem, each at most a few hundred
 * characters: a long value is shown with its middle left out, and control
 * characters in echoed input are escaped, whoever wrote the message.
 */
import { InputFileError, MultimechError } from '@multimech/core';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { CliIo } from '../src/cli-io';
import { MESSAGE_LINE_LIMIT, reportError } from '../src/main';
import { STACK_LINE, runCli, tempDir } from './run-cli';

function capture(): CliIo & { err: () => string } {
  let err = '';
  return { stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, env: {}, err: () => err };
}

const longest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('the top-level handler', () => {
  it('leaves out the middle of a 200,000-character line, in a user error and in an internal one', () => {
    const io = capture();
    expect(reportError(new MultimechError(`c.json: bad value '${'q'.repeat(200000)}' here`), io)).toBe(1);
    const [line, rest] = io.err().split('\n');
    expect(rest).toBe('');
    expect(line.length).toBeLessThanOrEqual('multimech: error: '.length + MESSAGE_LINE_LIMIT);
    expect(line).toMatch(/^multimech: error: c\.json: bad value 'q+…\(\d{3},\d{3} more characters\)…q+' here$/);

    const internal = capture();
    reportError(new TypeError('x'.repeat(200000)), internal);
    expect(longest(internal.err())).toBeLessThanOrEqual('multimech: internal error: '.length + MESSAGE_LINE_LIMIT);
  });

  it('keeps one line per problem, and escapes control characters in each', () => {
    const io = capture();
    reportError(new InputFileError('net.cir', 2, "unknown element letter '\u0007' in '\u0007\u001b[2J'"), io);
    expect(io.err()).toBe("multimech: error: net.cir:2: unknown element letter '\\u0007' in '\\u0007\\u001b[2J'\n");
  });
});

describe('through the command line', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('bounded')));
  afterAll(() => cleanup());

  const base = {
    seed: 1,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
    task: { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2 },
    error: { kind: 'adjoint' },
    optimizer: { learningRate: 0.1 },
    training: { epochs: 1 },
  };
  const refuse = async (name: string, config: object) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(config));
    const r = await runCli(['train', file, '--out', path.join(dir, `${name}.out`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(longest(r.stderr)).toBeLessThanOrEqual('multimech: error: '.length + MESSAGE_LINE_LIMIT);
    return r.stderr;
  };

  it('a 200,000-character value is never echoed whole, wherever it is', async () => {
    const huge = 'w'.repeat(200000);
    expect(await refuse('epochs.json', { ...base, training: { epochs: huge } })).toMatch(/training\.epochs: expected a positive integer, got "w+…\(199,\d{3} more characters\)…w+"/);
    expect(await refuse('kind.json', { ...base, substrate: { kind: huge } })).toMatch(/substrate\.kind: .*w…\(\d{3},\d{3} more characters\)…w/);
    expect(await refuse('unit.json', { ...base, error: { kind: 'frequency', frequency: `1 ${huge}` } })).toMatch(/error\.frequency: expected a frequency/);
    expect(await refuse('key.json', { ...base, [huge]: 1 })).toMatch(/more characters/);
  });

  it('control characters in a value are shown escaped', async () => {
    const stderr = await refuse('bell.json', { ...base, substrate: { kind: 'resist\u0007ive\u001b[2J' } });
    expect(stderr).toContain('resist\\u0007ive\\u001b[2J');
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});
