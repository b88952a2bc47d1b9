import { fileSystemFailure } from '@multimech/sweep';
import { randomBytes } from 'crypto';
import * as nodeFs from 'fs';
import * as path from 'path';

export { fileSystemFailure };

/** A hidden temporary name beside `file`, unique to this process and call. */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** The parts of `fs` the writer uses (tests inject failures through it). */
export interface WriterFs {
  readonly promises: Pick<typeof nodeFs.promises, 'writeFile' | 'rename' | 'rm'>;
  writeFileSync(file: string, data: string | Uint8Array): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, options: { force: boolean }): void;
}

/**
 * Writes `data` to a temporary name in the target's folder, then renames it
 * over the target: a reader (or an interrupted run) sees either the old file
 * or the complete new one, never a partial file. The temporary file is
 * removed if the write fails, and a file system error (a full disk, a
 * read-only folder, a missing permission) is one MultimechError naming the
 * target.
 */
export async function atomicWrite(file: string, data: string | Uint8Array, fs: WriterFs = nodeFs): Promise<void> {
  const tmp = temporaryName(file);
  try {
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw fileSystemFailure(file, 'write', e);
  }
}

/** The synchronous form of `atomicWrite`, for code that runs inside synchronous event handlers. */
export function atomicWriteSync(file: string, data: string | Uint8Array, fs: WriterFs = nodeFs): void {
  const tmp = temporaryName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the write's own error is the one to report
    }
    throw fileSystemFailure(file, 'write', e);
  }
}
