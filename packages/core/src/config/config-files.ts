import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { InputFileError, MultimechError } from '../support/errors';
import { echoed } from '../support/format';
import { withSchema } from './json-schema';
import { DEFAULT_LIMITS, type ResourceLimits } from './resource-limits';
import { SettingsError, type SectionName } from './section-problems';

/**
 * Files a config names (a netlist, a network file) are read relative to
 * the config's folder. A run that does not trust its config (the command
 * line's, unless `--allow-plugins` says otherwise) confines them to that
 * folder: an absolute path, or one that leaves the folder with `..` or
 * through a symbolic link, is refused. What a run trusts is set for
 * everything it does (its decoding, its plugins' `create`) by
 * `withFileAccess`; code that sets nothing (a program calling
 * `createExperiment` on its own configs) reads where its configs say.
 */
export interface FileAccess {
  /** Whether files must lie inside the config's folder. */
  readonly confined: boolean;
  /** What would allow a file outside it, for the refusal (`pass --allow-plugins to trust this config`). */
  readonly hint?: string;
}

const access = new AsyncLocalStorage<FileAccess>();

/** Runs `f` (and everything it starts, awaited or not) under `policy`. */
export function withFileAccess<T>(policy: FileAccess, f: () => T): T {
  return access.run(policy, f);
}

/** The policy in force: the innermost `withFileAccess`, else files may lie anywhere. */
export function currentFileAccess(): FileAccess {
  return access.getStore() ?? { confined: false };
}

/** Why a path written in a config may not be read under `policy` (absolute, or `..` out of the folder), or undefined. */
export function pathOutsideProblem(file: string, policy: FileAccess = currentFileAccess()): string | undefined {
  if (!policy.confined) return undefined;
  const absolute = path.posix.isAbsolute(file) || path.win32.isAbsolute(file);
  const normal = path.posix.normalize(file.replace(/\\/g, '/'));
  const escapes = normal === '..' || normal.startsWith('../');
  if (!absolute && !escapes) return undefined;
  return (
    `expected a path inside the config's folder (relative to it, without '..' out of it), got ${echoed(JSON.stringify(file))}: ` +
    `a config reads the files beside it${policy.hint ? `; ${policy.hint}` : ''}`
  );
}

/**
 * A path a config gives to a file of `what` (a netlist, a network file):
 * a non-empty string, inside the config's folder unless the run trusts the
 * config (`pathOutsideProblem`).
 */
export function configPathCodec(what: string): t.Type<string, string, unknown> {
  const codec = new t.Type<string, string, unknown>(
    `a path to ${what}, relative to the config's folder`,
    (u): u is string => typeof u === 'string' && u.length > 0,
    (u, c) => {
      if (typeof u !== 'string' || u.length === 0) return t.failure(u, c);
      if (u.includes('\u0000')) return t.failure(u, c, `expected a path to ${what}, got a name with a NUL character`);
      const outside = pathOutsideProblem(u);
      return outside ? t.failure(u, c, outside) : t.success(u);
    },
    (s) => s,
  );
  return withSchema(codec, { type: 'string', minLength: 1 });
}

/** Where `file` lies once its folder's symbolic links are followed (a missing file: its nearest existing folder's). */
function realLocation(file: string): string {
  let dir = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(dir), ...rest.reverse());
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return file;
      rest.push(path.basename(dir));
      dir = up;
    }
  }
}

/**
 * Reads a file a config names, relative to `baseDir`, as UTF-8 text: only a
 * regular file (not a folder, a device such as /dev/zero, or a pipe), at
 * most `limits.fileBytes` long, and, under a confining policy, one whose
 * real location (symbolic links followed) lies inside `baseDir`. Refusals
 * are InputFileErrors naming the file as written: `net.cir: cannot read the
 * netlist (ENOENT)`, `what` being what the file should be ('the netlist');
 * nothing of the file's content is echoed.
 */
export function readConfigFile(baseDir: string, file: string, what: string, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): string {
  return readBytes(baseDir, file, what, limits).toString('utf8');
}

/** `readConfigFile`'s bytes, for a binary file a config names (an IDX data set), under the same rules. */
export function readConfigBytes(baseDir: string, file: string, what: string, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): Uint8Array {
  return readBytes(baseDir, file, what, limits);
}

function readBytes(baseDir: string, file: string, what: string, limits: Pick<ResourceLimits, 'fileBytes'>): Buffer {
  const outside = pathOutsideProblem(file);
  if (outside) throw new InputFileError(file, undefined, outside);
  const resolved = path.resolve(baseDir, file);
  const policy = currentFileAccess();
  if (policy.confined) {
    const root = realLocation(path.resolve(baseDir));
    const real = realLocation(resolved);
    if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      throw new InputFileError(file, undefined, `cannot read ${what}: it leaves the config's folder through a symbolic link, and a config reads the files beside it${policy.hint ? `; ${policy.hint}` : ''}`);
    }
  }
  let fd: number;
  try {
    fd = openSync(resolved, 'r');
  } catch (e) {
    throw new InputFileError(file, undefined, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? 'unknown reason'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputFileError(file, undefined, `cannot read ${what} (EISDIR: it is a folder)`);
    if (!stat.isFile()) throw new InputFileError(file, undefined, `cannot read ${what}: it is not a regular file (a device, a pipe or a socket)`);
    if (stat.size > limits.fileBytes) {
      throw new InputFileError(
        file,
        undefined,
        `cannot read ${what}: it is ${stat.size.toLocaleString('en-US')} bytes long, over the limit of ${limits.fileBytes.toLocaleString('en-US')} bytes (limits.fileBytes; raise it in the config's "limits")`,
      );
    }
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Where the setting that named a file is recorded on an error about the file (a global symbol: every copy of core reads it). */
const NAMED_BY = Symbol.for('@multimech/core/namedBy');

/** The setting that named the file an error is about: its section and key, and the file as written. */
export interface NamedBy {
  readonly section: SectionName;
  readonly key: string;
  readonly file: string;
}

/** The setting recorded on an error by `fromSectionFile`, if any. */
export function namedBy(error: unknown): NamedBy | undefined {
  return typeof error === 'object' && error !== null ? ((error as { [NAMED_BY]?: NamedBy })[NAMED_BY] ?? undefined) : undefined;
}

/**
 * Runs `use` on the file that a section's `key` names (`network.netlist`),
 * recording that key on every error it raises about the file (reading it,
 * what it holds, what is built from it): the error keeps its message, which
 * names the file and its line (`net.cir:4: ...`), and whoever knows the
 * config shows the whole chain (`createExperiment`: `config.json:
 * substrate.network.netlist: net.cir:4: ...`). Problems the plugin placed
 * itself (a `SettingsError`) are left as they are.
 */
export function fromSectionFile<T>(section: SectionName, key: string, file: string, use: () => T): T {
  try {
    return use();
  } catch (e) {
    if (e instanceof MultimechError && !(e instanceof SettingsError) && !namedBy(e)) {
      Object.defineProperty(e, NAMED_BY, { value: { section, key, file } satisfies NamedBy, enumerable: false });
    }
    throw e;
  }
}
