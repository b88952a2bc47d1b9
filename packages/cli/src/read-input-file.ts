import { DEFAULT_LIMITS, InputFileError, lineAndColumn, parseJsonFile } from '@multimech/core';
import { promises as fs } from 'fs';
import { noteDocumentParts } from './plugin-trust';

/**
 * Reads a text file the user named, turning the usual failures into one
 * clear line: only a regular file (a device such as /dev/zero, a pipe or a
 * folder is refused before it is read), at most `maxBytes` long (default
 * limits.fileBytes).
 */
export async function readInputFile(file: string, what: string, maxBytes: number = DEFAULT_LIMITS.fileBytes): Promise<string> {
  const refuse = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? `no such file (expected ${what})`
        : code === 'EISDIR'
          ? `is a folder (expected ${what})`
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read: permission denied'
            : `cannot be read (${code ?? 'unknown reason'})`;
    throw new InputFileError(file, undefined, detail);
  };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    return refuse(e);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InputFileError(file, undefined, `is a folder (expected ${what})`);
    if (!stat.isFile()) throw new InputFileError(file, undefined, `is not a regular file (a device, a pipe or a socket; expected ${what})`);
    if (stat.size > maxBytes) {
      throw new InputFileError(file, undefined, `is ${stat.size.toLocaleString('en-US')} bytes long, over the limit of ${maxBytes.toLocaleString('en-US')} bytes for ${what}`);
    }
    try {
      return await handle.readFile('utf8');
    } catch (e) {
      return refuse(e);
    }
  } finally {
    await handle.close();
  }
}

export { lineAndColumn };

/**
 * JSON.parse with the failure reported as `file:line: invalid JSON at column C: ...`,
 * saying what was expected there. A key given twice in one object (which
 * JSON.parse would let the later win silently) is refused too, naming the
 * key, its object and both lines.
 */
export function parseJsonText(text: string, file: string): unknown {
  const value = parseJsonFile(text, file);
  // an experiment config inside it (a comparison's base) places its problems under its key
  noteDocumentParts(value);
  return value;
}
