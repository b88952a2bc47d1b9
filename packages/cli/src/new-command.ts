import { MultimechError } from '@multimech/core';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { CliIo } from './cli-io';
import { UsageError } from './cli-io';
import { SCAFFOLD_KINDS, scaffoldFiles, scaffoldNames, type ScaffoldKind } from './scaffold';

export interface NewOptions {
  /** The folder to write (default: the package name's last part, in the working directory). */
  readonly dir?: string;
  /** The kind its record registers (default: `scope/name` for `@scope/name`). */
  readonly kind?: string;
}

/**
 * `multimech new substrate|mechanism|task NAME`: a standalone plugin
 * package, outside any monorepo, that installs, builds, passes its tests
 * and trains. Refuses a folder that exists and is not empty (nothing is
 * overwritten) and a NAME that is not a valid package or kind name.
 */
export function newCommand(what: string, name: string, options: NewOptions, io: CliIo): string[] {
  if (!(SCAFFOLD_KINDS as readonly string[]).includes(what)) {
    throw new UsageError(`multimech new: expected one of ${SCAFFOLD_KINDS.join(', ')}, got '${what}'`);
  }
  const names = scaffoldNames(name, options.kind);
  const dir = path.resolve(options.dir ?? names.stem);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new MultimechError(`${dir}: exists and is a file; give --dir a new or empty folder`);
    if (readdirSync(dir).length > 0) throw new MultimechError(`${dir}: exists and is not empty; nothing was written (give --dir a new or empty folder)`);
  }
  const files = scaffoldFiles(what as ScaffoldKind, names);
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text, { flag: 'wx' });
  }
  io.stdout.write(
    `wrote ${what} plugin ${names.pkg} (kind ${names.kind}) in ${dir}:\n` +
      Object.keys(files)
        .sort()
        .map((f) => `  ${f}\n`)
        .join('') +
      `next: cd ${path.relative(process.cwd(), dir) || '.'} && npm install && npm test\n`,
  );
  return Object.keys(files);
}
