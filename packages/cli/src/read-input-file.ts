import { InputFileError, duplicateKeyMessage, findDuplicateJsonKey } from '@multimech/core';
import { promises as fs } from 'fs';
import { findJsonSyntaxError } from './json-syntax-error';

/** Reads a text file the user named, turning the usual failures into one clear line. */
export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? `no such file (expected ${what})`
        : code === 'EISDIR'
          ? `is a folder (expected ${what})`
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read: permission denied'
            : `cannot be read: ${(e as Error).message}`;
    throw new InputFileError(file, undefined, detail);
  }
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * JSON.parse with the failure reported as `file:line: invalid JSON at column C: ...`,
 * saying what was expected there. A key given twice in one object (which
 * JSON.parse would let the later win silently) is refused too, naming the
 * key, its object and both lines.
 */
export function parseJsonText(text: string, file: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const found = findJsonSyntaxError(text);
    const offset = found?.offset ?? text.length;
    const { line, column } = lineAndColumn(text, offset);
    throw new InputFileError(file, line, `invalid JSON at column ${column}: ${found?.message ?? (e as Error).message}`);
  }
  const twice = findDuplicateJsonKey(text);
  if (twice) throw new InputFileError(file, twice.line, duplicateKeyMessage(twice));
  return value;
}
