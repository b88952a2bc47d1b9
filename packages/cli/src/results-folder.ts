import { MultimechError } from '@multimech/core';
import { canonicalJson } from '@multimech/sweep';
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { atomicWrite, atomicWriteSync, fileSystemFailure } from './atomic-write';
import { FolderLock, LockStatus, lockHeldError, readLock } from './folder-lock';

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

/** The record of which experiment a results folder belongs to, and how far its run got. */
export const RUN_FILE = 'run.json';

/** The commands that write results folders with a run record. */
export type RunCommand = 'train' | 'compare' | 'sweep';

/** `running` while a command works in the folder (or was killed there), `interrupted` when it stopped before its end, `complete` at the end. */
export type RunState = 'running' | 'complete' | 'interrupted';

/** `run.json`: which experiment a results folder belongs to, and whether its run is complete. */
export interface RunRecord {
  readonly format: 'multimech-run';
  readonly version: 1;
  readonly command: RunCommand;
  /** `experimentHash` of the resolved config. */
  readonly experiment: string;
  readonly state: RunState;
  /** When the run started, and when the record was last written (ISO 8601). */
  readonly started: string;
  readonly updated: string;
  /** `train`: epochs done (by the last checkpoint) and configured. */
  readonly epoch?: number;
  readonly epochs?: number;
  /** `compare`, `sweep`: runs finished and planned. */
  readonly runs?: { readonly finished: number; readonly planned: number };
  /** Why it was interrupted (`--max-seconds 60`, `SIGTERM`, or the error that ended it). */
  readonly reason?: string;
}

/**
 * The hash of a resolved config that names an experiment in `run.json` and
 * in its checkpoints: the first 16 hexadecimal digits of the SHA-256 of its
 * canonical JSON (keys sorted), without `$schema` and without
 * `training.epochs`, `training.steps` (the budget, which a continued run
 * may raise) and `training.checkpoint` (which changes no number).
 */
export function experimentHash(resolvedConfig: Readonly<Record<string, unknown>>): string {
  const { $schema: _schema, ...config }: Record<string, unknown> = resolvedConfig;
  const training = config.training as Record<string, unknown> | undefined;
  if (training && typeof training === 'object') {
    const { epochs: _epochs, steps: _steps, checkpoint: _checkpoint, ...rest } = training;
    config.training = rest;
  }
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** What a folder holds, read without changing it. */
export interface FolderContents {
  readonly dir: string;
  readonly exists: boolean;
  /** Its entries, hidden ones (temporary files, the lock) left out. */
  readonly entries: readonly string[];
  /** Its run record, when it has one that reads; `recordProblem` says why one does not. */
  readonly record?: RunRecord;
  readonly recordProblem?: string;
  /** Its lock, when one is there. */
  readonly lock?: LockStatus;
}

function readRecord(text: string): RunRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  const r = value as Partial<RunRecord> | null;
  if (!r || typeof r !== 'object' || r.format !== 'multimech-run') return "expected a run record (format 'multimech-run')";
  if (r.version !== 1) return `expected version 1, got ${String(r.version)}`;
  if (r.command !== 'train' && r.command !== 'compare' && r.command !== 'sweep') return `command: expected train, compare or sweep, got ${JSON.stringify(r.command)}`;
  if (typeof r.experiment !== 'string') return 'experiment: expected the hash of a config';
  if (r.state !== 'running' && r.state !== 'complete' && r.state !== 'interrupted') return `state: expected running, complete or interrupted, got ${JSON.stringify(r.state)}`;
  return r as RunRecord;
}

/** `<dir>.replaced-<yyyymmdd-hhmmss>` (with `-2`, `-3`, ... when that exists). */
async function asideName(dir: string, when: Date): Promise<string> {
  const stamp = path.basename(defaultResultsDir('x', when)).slice(2);
  const base = `${dir.replace(/[\/]+$/, '')}.replaced-${stamp}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      await fs.lstat(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * A results folder. Opening it refuses a path that is a file, and a folder
 * that holds files but no `summary.json` of an earlier run (so that a typo
 * in `--out` never writes over someone's data). Every file is written under
 * a temporary name and renamed; nothing is deleted.
 */
export class ResultsFolder {
  private lock: FolderLock | undefined;
  private record: RunRecord | undefined;

  private constructor(readonly dir: string) {}

  /** What `dir` holds (its visible entries, its run record and its lock), read without changing anything. */
  static async inspect(dir: string): Promise<FolderContents> {
    let entries: string[];
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) throw new MultimechError(`--out ${dir}: is a file, expected a results folder`);
      entries = (await fs.readdir(dir)).filter((e) => !e.startsWith('.'));
    } catch (e) {
      if (e instanceof MultimechError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { dir, exists: false, entries: [] };
      if (code === 'ENOTDIR') throw new MultimechError(`--out ${dir}: a part of the path is a file, expected a results folder`);
      throw fileSystemFailure(dir, 'read the folder', e);
    }
    const lock = readLock(dir);
    if (!entries.includes(RUN_FILE)) return { dir, exists: true, entries, ...(lock ? { lock } : {}) };
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, RUN_FILE), 'utf8');
    } catch (e) {
      throw fileSystemFailure(path.join(dir, RUN_FILE), 'read', e);
    }
    const record = readRecord(text);
    return { dir, exists: true, entries, ...(typeof record === 'string' ? { recordProblem: record } : { record }), ...(lock ? { lock } : {}) };
  }

  /** Refuses a folder that another live command holds. */
  static refuseIfLocked(contents: FolderContents): void {
    if (contents.lock && contents.lock.state !== 'dead') throw lockHeldError(contents.dir, contents.lock);
  }

  /**
   * Moves an existing folder aside, to `<dir>.replaced-<yyyymmdd-hhmmss>`
   * (never deleting it), for `--replace`; returns where it went, or
   * undefined when there was nothing to move.
   */
  static async moveAside(contents: FolderContents, when = new Date()): Promise<string | undefined> {
    if (!contents.exists) return undefined;
    ResultsFolder.refuseIfLocked(contents);
    const aside = await asideName(contents.dir, when);
    try {
      await fs.rename(contents.dir, aside);
    } catch (e) {
      throw fileSystemFailure(contents.dir, `move the folder aside to ${aside}`, e);
    }
    return aside;
  }

  /**
   * Makes the folder (if missing) and takes its lock for `command` (a
   * stale lock of a killed run is taken over, said through `note`).
   * Nothing else is written.
   */
  static async claim(dir: string, command: RunCommand, note: (line: string) => void): Promise<ResultsFolder> {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (e) {
      throw fileSystemFailure(dir, 'create the folder', e);
    }
    const folder = new ResultsFolder(dir);
    folder.lock = FolderLock.acquire(dir, command, note);
    return folder;
  }

  /** The run record written last by this command (undefined before the first). */
  get runRecord(): RunRecord | undefined {
    return this.record;
  }

  /** Writes `run.json` (atomically), keeping `started` from the record written before. */
  async writeRecord(fields: Omit<RunRecord, 'format' | 'version' | 'started' | 'updated'> & { started?: string }): Promise<void> {
    const now = new Date().toISOString();
    const record: RunRecord = { format: 'multimech-run', version: 1, ...fields, started: fields.started ?? this.record?.started ?? now, updated: now };
    await this.write(RUN_FILE, JSON.stringify(record, null, 2) + '\n');
    this.record = record;
  }

  /** Releases the folder's lock (when this command took it). */
  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }

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

  /**
   * An existing results folder that a run is to continue: it must hold the
   * run's config (its checkpoint may be missing when the run stopped before
   * its first epoch; the caller decides).
   */
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
    if (!entries.includes('config.json')) {
      throw new MultimechError(`--resume: ${dir} holds no config.json, so there is no run to continue there (a run writes it before its first epoch)`);
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
