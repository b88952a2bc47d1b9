import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputFileError } from '../support/errors';
import { echoed } from '../support/format';
import { duplicateKeyMessage, findDuplicateJsonKey } from './json-duplicate-keys';

/**
 * The text of a file a config names (data, an edge list, a sequence of
 * example indices), read from `baseDir` (the config's folder), or an
 * InputFileError naming the file and what it was to hold:
 * `data.csv: cannot read the data table (ENOENT: no such file)`.
 */
export function readConfigFile(file: string, baseDir: string, what: string): string {
  try {
    return readFileSync(path.resolve(baseDir, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'ENOENT: no such file' : code === 'EISDIR' ? 'EISDIR: a folder, not a file' : (code ?? (e as Error).message);
    throw new InputFileError(file, undefined, `cannot read ${what} (${why})`);
  }
}

/** The 1-based line of an offset in a text. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * A JSON data file's value: a byte-order mark skipped, a syntax error
 * refused with its line where JSON.parse says where it is (and never with
 * the file's text echoed), a key given twice in one object refused with
 * both lines (JSON.parse would keep the last silently).
 */
export function parseJsonFile(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const token = /^Unexpected token '?(.+?)'?,/.exec(message);
    const what = at ? message.replace(/ in JSON at position \d+.*$/, '') : token ? `unexpected ${echoed(JSON.stringify(token[1]))}` : /end of JSON input/i.test(message) ? 'the text ends too soon' : echoed(message);
    throw new InputFileError(file, at ? lineOf(body, Number(at[1])) : undefined, `invalid JSON: ${what}`);
  }
  const twice = findDuplicateJsonKey(body);
  if (twice) throw new InputFileError(file, twice.line, duplicateKeyMessage(twice));
  return value;
}

/** Whether a file name says JSON (`.json`), CSV otherwise. */
export function isJsonFileName(file: string): boolean {
  return /\.json$/i.test(file);
}
