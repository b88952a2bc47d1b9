import { MultimechError } from '@multimech/core';
import { promises as fs } from 'fs';
import * as path from 'path';
import { atomicWrite, atomicWriteSync } from './atomic-write';

/** `runs/<config name, or the file basename>-<yyyymmdd-hhmmss>` for a config and a start time (local time). */
export function defaultResultsDir(configFile: string, when: Date, name?: string): string {
  const safe = name?.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const base = safe || path.basename(configFile).replace(/\.json$/i, '') || 'run';
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${when.getFullYear()}${two(when.getMonth() + 1)}${two(when.getDate())}-` +
    `${two(when.getHours())}${two(when.getMinutes())}${two(when.getSeconds())}`;
  return path.join('runs', `${base}-${stamp}`);
}

/** The file that marks a folder as a complete multimech results folder. */
export const SUMMARY_FILE = 'summary.json';

/** The trainer's state after its last whole epoch, rewritten after every epoch (`train --resume` continues from it). */
export const CHECKPOINT_FILE = 'checkpoint.json';

/**
 * A results folder. Opening it refuses a path that is a file, and a folder
 * that holds files but no `summary.json` of an earlier run (so that a typo
 * in `--out` never writes over someone's data). Every file is written under
 * a temporary name and renamed; nothing is deleted.
 */
export class ResultsFolder {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<ResultsFolder> {
    let entries: string[] | undefined;
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) throw new MultimechError(`--out ${dir}: is a file, expected a results folder`);
      entries = (await fs.readdir(dir)).filter((e) => !e.startsWith('.'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (e instanceof MultimechError) throw e;
        throw new MultimechError(`--out ${dir}: cannot be read: ${(e as Error).message}`);
      }
    }
    if (entries && entries.length > 0 && !entries.includes(SUMMARY_FILE)) {
      throw new MultimechError(
        entries.includes(CHECKPOINT_FILE)
          ? `--out ${dir}: the folder holds an unfinished run (a ${CHECKPOINT_FILE} and no ${SUMMARY_FILE}); continue it with --resume, or choose a new or empty folder`
          : `--out ${dir}: the folder is not empty and holds no ${SUMMARY_FILE} of an earlier multimech run; ` +
              'choose a new or empty folder (or a previous results folder to replace its results)',
      );
    }
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (e) {
      throw new MultimechError(`--out ${dir}: cannot create the folder: ${(e as Error).message}`);
    }
    return new ResultsFolder(dir);
  }

  /** An existing results folder that a run is to continue: it must hold the run's config and checkpoint. */
  static async existing(dir: string): Promise<ResultsFolder> {
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MultimechError(
        code === 'ENOENT'
          ? `--resume: ${dir}: no such folder (expected the results folder of the run to continue)`
          : code === 'ENOTDIR'
            ? `--resume: ${dir}: is a file (expected the results folder of the run to continue)`
            : `--resume: ${dir}: cannot be read: ${(e as Error).message}`,
      );
    }
    for (const needed of ['config.json', CHECKPOINT_FILE]) {
      if (!entries.includes(needed)) {
        throw new MultimechError(`--resume: ${dir} holds no ${needed}, so there is no run to continue there (a run writes it after its first evaluation)`);
      }
    }
    return new ResultsFolder(dir);
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, data: string | Uint8Array): Promise<void> {
    return atomicWrite(this.path(name), data);
  }

  /** The synchronous form, for files rewritten while training runs (the trainer's events are synchronous). */
  writeSync(name: string, data: string | Uint8Array): void {
    atomicWriteSync(this.path(name), data);
  }
}
