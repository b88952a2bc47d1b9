import { MultimechError } from '@multimech/core';

/** What the file system said, in words, for the errors a user can do something about. */
const FILE_SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'it exists already',
  ENOTEMPTY: 'the folder is not empty',
  EMFILE: 'too many open files',
};

/**
 * A file system error (ENOSPC, EROFS, EACCES, EPERM, ...) while `doing`
 * something to `file`, as one line naming the path and the cause
 * (`runs/x/metrics.csv: cannot write: no space left on the device
 * (ENOSPC)`); an error that is a MultimechError already, or is not a file
 * system error, is returned as it is.
 */
export function fileSystemFailure(file: string, doing: string, e: unknown): unknown {
  if (e instanceof MultimechError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const words = FILE_SYSTEM_ERRORS[code] ?? (e as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return new MultimechError(`${file}: cannot ${doing}: ${words} (${code})`);
}

