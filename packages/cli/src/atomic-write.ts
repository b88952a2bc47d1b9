import { randomBytes } from 'crypto';
import { promises as fs, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

/** A hidden temporary name beside `file`, unique to this process and call. */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `data` to a temporary name in the target's folder, then renames it
 * over the target: a reader (or an interrupted run) sees either the old file
 * or the complete new one, never a partial file. The temporary file is
 * removed if the write fails.
 */
export async function atomicWrite(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryName(file);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** The synchronous form of `atomicWrite`, for code that runs inside synchronous event handlers. */
export function atomicWriteSync(file: string, data: string | Uint8Array): void {
  const tmp = temporaryName(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
