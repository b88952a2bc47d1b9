import { MultimechError } from '@multimech/core';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { fileSystemFailure } from './atomic-write';

/** The lock file of a results folder while a command works in it (hidden, so that it never counts as the folder's content). */
export const LOCK_FILE = '.multimech.lock';

/** Who holds a lock: written into the lock file when it is created. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** When the lock was taken (ISO 8601). */
  readonly started: string;
}

/** A lock as found: its owner (undefined when the file cannot be read as one), and whether that process still runs. */
export interface LockStatus {
  readonly owner: LockOwner | undefined;
  /** 'live': running (or on another host, where it cannot be told); 'dead': a process of this host that is gone. */
  readonly state: 'live' | 'dead' | 'unknown';
  /** The lock file's text as read (a take-over renames it only while it still reads so). */
  readonly text: string;
}

/** Whether a process of this host is running (one of another user counts: EPERM). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null;
    if (o && Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.command === 'string' && typeof o.started === 'string') return o as LockOwner;
  } catch {
    // not a lock this command wrote
  }
  return undefined;
}

/** The lock of a results folder, if there is one. */
export function readLock(dir: string): LockStatus | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, LOCK_FILE), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fileSystemFailure(path.join(dir, LOCK_FILE), 'read', e);
  }
  const owner = parseOwner(text);
  const state = owner === undefined ? 'unknown' : owner.host !== os.hostname() ? 'live' : owner.pid !== process.pid && !processRuns(owner.pid) ? 'dead' : 'live';
  return { owner, state, text };
}

/** `pid 1234 (multimech train, since 2026-01-02T03:04:05.000Z)`, and the host when it is another. */
export function describeOwner(owner: LockOwner): string {
  const host = owner.host === os.hostname() ? '' : ` on host ${owner.host}`;
  return `pid ${owner.pid}${host} (multimech ${owner.command}, since ${owner.started})`;
}

/** The refusal for a folder whose lock is held. */
export function lockHeldError(dir: string, status: LockStatus): MultimechError {
  const file = path.join(dir, LOCK_FILE);
  if (!status.owner) return new MultimechError(`--out ${dir}: the folder is locked (${file} exists, and is not a lock this version wrote); if no multimech command works there, remove it`);
  const elsewhere = status.owner.host !== os.hostname();
  return new MultimechError(
    `--out ${dir}: the folder is in use by another multimech process, ${describeOwner(status.owner)}; ` +
      (elsewhere ? `wait for it to finish, or choose another folder (if that process is gone, remove ${file})` : 'wait for it to finish, or choose another folder'),
  );
}

/**
 * The lock a command holds on its results folder while it works there: a
 * file created exclusively (O_EXCL) holding the pid, the host, the command
 * and the time. A second command with the same folder is refused, naming
 * the first; a lock left by a process of this host that no longer runs (a
 * run that was killed) is taken over, with a note. Released when the
 * command ends, however it ends (but not when the process is killed).
 */
export class FolderLock {
  private released = false;

  private constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {}

  /** Takes the lock of `dir` (which must exist) for `command`; `note` hears of a stale lock taken over. */
  static acquire(dir: string, command: string, note: (line: string) => void = () => undefined): FolderLock {
    const file = path.join(dir, LOCK_FILE);
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), command, started: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(file, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemFailure(file, 'create the lock', e);
        const status = readLock(dir);
        if (!status) continue; // released meanwhile
        if (status.state !== 'dead') throw lockHeldError(dir, status);
        // a lock of a process of this host that is gone: set it aside, unless another command took it over meanwhile
        const aside = path.join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.stale`);
        try {
          renameSync(file, aside);
        } catch {
          continue;
        }
        const moved = readFileSync(aside, 'utf8');
        if (moved !== status.text) {
          // another command's fresh lock: put it back
          try {
            renameSync(aside, file);
          } catch {
            // it has been replaced again; the next attempt reads it
          }
          continue;
        }
        rmSync(aside, { force: true });
        note(`took over the lock of ${dir} from ${describeOwner(status.owner!)}, which no longer runs (it was killed, or its machine restarted)`);
        continue;
      }
      try {
        writeSync(fd, JSON.stringify(owner) + '\n');
      } catch (e) {
        closeSync(fd);
        rmSync(file, { force: true });
        throw fileSystemFailure(file, 'write the lock', e);
      }
      closeSync(fd);
      return new FolderLock(dir, owner);
    }
    const status = readLock(dir);
    throw status ? lockHeldError(dir, status) : new MultimechError(`--out ${dir}: cannot take the folder's lock (${file}): other commands keep taking it`);
  }

  /** Removes the lock file, if it is still this command's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const status = readLock(this.dir);
      if (status?.owner?.pid === this.owner.pid && status.owner.started === this.owner.started) rmSync(path.join(this.dir, LOCK_FILE), { force: true });
    } catch {
      // a folder gone or unreadable: nothing to release
    }
  }
}
