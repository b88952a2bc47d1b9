import { MultimechError } from '@multimech/core';
import { REFUSED_CHECKPOINT_KEYS, refusedKeyIn } from '@multimech/trainer';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { fileSystemFailure } from './file-system-failure';
import type { RunEvents } from './run-executor';
import type { PlannedRun } from './sweep-plan';
import type { RunResult } from './training-job';

/** JSON.parse with a reviver that refuses `__proto__`, `constructor` and `prototype` keys wherever they are (a file of the store edited or damaged). */
function parseStored(text: string, file: string): unknown {
  let refused = false;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (REFUSED_CHECKPOINT_KEYS.includes(key)) refused = true;
      return v;
    });
  } catch (e) {
    throw new MultimechError(`${file}: invalid JSON (${(e as Error).message}); remove the file to run that run again`);
  }
  if (refused) throw new MultimechError(`${file}: ${refusedKeyIn(value)}: a key no run of the store has (${REFUSED_CHECKPOINT_KEYS.join(', ')} are refused); remove the file to run that run again`);
  return value;
}

/** Writes a file under a temporary name and renames it over the target; a file system error names the target. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the write's own error is the one to report
    }
    throw fileSystemFailure(file, 'write', e);
  }
}

/** What the store keeps of a finished run: who it was, and its result. */
export interface StoredRun {
  readonly key: string;
  readonly label: string;
  readonly seed: number;
  readonly point: Readonly<Record<string, unknown>>;
  readonly mechanism?: string;
  /** The experiment config it ran. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly result: RunResult;
}

/** The folder of the store inside a results folder. */
export const RUNS_FOLDER = 'runs';

/**
 * The finished runs of a results folder, one file per run named by its key
 * (`runs/<key>.json`), each written under a temporary name and renamed: a
 * run is in the store completely or not at all, and written once (a second
 * result for a key, from a retried job, is ignored). A rerun into the same
 * folder finds its finished runs here and skips them.
 */
export class RunStore {
  private readonly keys: Set<string>;

  private constructor(readonly dir: string) {
    this.keys = new Set(
      readdirSync(dir)
        .filter((f) => /^[0-9a-f]+\.json$/.test(f))
        .map((f) => f.slice(0, -'.json'.length)),
    );
  }

  /** The store of a results folder (made if missing). */
  static open(resultsDir: string): RunStore {
    const dir = path.join(resultsDir, RUNS_FOLDER);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fileSystemFailure(dir, 'create the folder of finished runs', e);
    }
    return new RunStore(dir);
  }

  /** Whether a results folder holds a store of finished runs. */
  static existsIn(resultsDir: string): boolean {
    return existsSync(path.join(resultsDir, RUNS_FOLDER));
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Writes a finished run; false (and nothing written) when its key is in the store already. */
  write(run: Pick<PlannedRun, 'key' | 'label' | 'seed' | 'point' | 'mechanism' | 'config'>, result: RunResult): boolean {
    if (this.keys.has(run.key)) return false;
    const record: StoredRun = {
      key: run.key,
      label: run.label,
      seed: run.seed,
      point: run.point,
      ...(run.mechanism !== undefined ? { mechanism: run.mechanism } : {}),
      config: run.config,
      result,
    };
    writeAtomically(path.join(this.dir, `${run.key}.json`), JSON.stringify(record) + '\n');
    this.keys.add(run.key);
    this.removeCheckpoint(run.key);
    return true;
  }

  read(key: string): StoredRun {
    const file = path.join(this.dir, `${key}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw fileSystemFailure(file, 'read', e);
    }
    return parseStored(text, file) as StoredRun;
  }

  /** The file of a stopped run's checkpoint (`<key>.checkpoint.json`), which the next run of the same key continues from. */
  checkpointFile(key: string): string {
    return path.join(this.dir, `${key}.checkpoint.json`);
  }

  /** Keeps the checkpoint of a run that was stopped before its end (a time budget, a signal). */
  writeCheckpoint(key: string, checkpoint: unknown): void {
    writeAtomically(this.checkpointFile(key), JSON.stringify(checkpoint) + '\n');
  }

  /** The checkpoint a stopped run left, parsed (the trainer checks it whole before it continues), or undefined. */
  readCheckpoint(key: string): unknown {
    const file = this.checkpointFile(key);
    if (!existsSync(file)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw fileSystemFailure(file, 'read', e);
    }
    return parseStored(text, file);
  }

  /** Removes a stopped run's checkpoint once the run has finished. */
  removeCheckpoint(key: string): void {
    try {
      rmSync(this.checkpointFile(key), { force: true });
    } catch {
      // a checkpoint that stays is harmless: the finished run wins
    }
  }
}

/** What a command shows of its runs as they go (compare's and sweep's progress displays). */
export interface RunDisplay {
  started(index: number): void;
  epoch(index: number, event: Parameters<NonNullable<RunEvents['progress']>>[1]): void;
  finished(index: number): void;
}

/**
 * The events of a command whose runs are kept in `store`: each run shown as
 * it goes; a finished run written to the store (`record` gives what is
 * written of its job, without the checkpoint it may have continued from),
 * shown, and handed to `stored`; a run a stop ended before its last epoch
 * kept as its checkpoint instead (`saved` counts them). Failures are the
 * command's to handle.
 */
export function storingRunEvents<J>(
  store: RunStore,
  jobs: readonly J[],
  record: (job: J) => Pick<PlannedRun, 'key' | 'label' | 'seed' | 'point' | 'mechanism' | 'config'>,
  display: RunDisplay,
  stored: (index: number, result: RunResult) => void,
): Required<Omit<RunEvents, 'failed'>> & { readonly saved: number } {
  let saved = 0;
  return {
    started: (i) => display.started(i),
    progress: (i, e) => display.epoch(i, e),
    finished: (i, result) => {
      const run = record(jobs[i]);
      if (result.stopped) {
        store.writeCheckpoint(run.key, result.stopped);
        saved++;
        return;
      }
      store.write(run, result);
      stored(i, result);
      display.finished(i);
    },
    get saved() {
      return saved;
    },
  };
}
