import { MultimechError } from '@multimech/core';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { PlannedRun } from './sweep-plan';
import type { RunResult } from './training-job';

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
      throw new MultimechError(`${dir}: cannot create the folder of finished runs: ${(e as Error).message}`);
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
    const file = path.join(this.dir, `${run.key}.json`);
    const tmp = path.join(this.dir, `.${run.key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(tmp, JSON.stringify(record) + '\n');
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    this.keys.add(run.key);
    return true;
  }

  read(key: string): StoredRun {
    return JSON.parse(readFileSync(path.join(this.dir, `${key}.json`), 'utf8')) as StoredRun;
  }
}
