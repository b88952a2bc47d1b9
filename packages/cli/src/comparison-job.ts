import { packageVersions, trainJob, trainJobAsync, type RunResult, type TrainingJob } from '@multimech/sweep';
import type { EpochEvent } from '@multimech/trainer';
import { existsSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pluginsFor } from './cli-plugins';

/**
 * One run of a comparison: a mechanism over one seed. Plain data, so that it
 * can be posted to a worker thread (a job of `@multimech/sweep`'s engine,
 * which keys it by its config when `compare` plans it).
 */
export interface ComparisonJob extends TrainingJob {
  /** The mechanism's name (the `mechanism` column) and its index in the config. */
  readonly mechanism: string;
  readonly mechanismIndex: number;
}

/** What one run gives back: its history (epoch 0 first), its summary and its mean seconds per training epoch. */
export type ComparisonJobResult = RunResult;

/**
 * Trains one run (of a comparison or a sweep) with the command line's
 * plugins and those its config's `plugins` list names. Seeded: the same job
 * gives the same numbers (all but the seconds) in the main thread, in a
 * worker thread, and in a queue's worker on another machine.
 */
export function runComparisonJob(job: TrainingJob, onEpoch?: (event: EpochEvent) => void, stop?: () => boolean): ComparisonJobResult {
  return trainJob(job, pluginsFor(job.config, job.baseDir, job.source), onEpoch, stop);
}

/**
 * `runComparisonJob` in the command's own thread, giving the event loop a
 * turn after every step, so that Ctrl-C or SIGTERM can ask `stop` to end
 * the run at its next epoch.
 */
export function runComparisonJobHere(job: TrainingJob, onEpoch?: (event: EpochEvent) => void, stop?: () => boolean): Promise<ComparisonJobResult> {
  return trainJobAsync(job, pluginsFor(job.config, job.baseDir, job.source), onEpoch, stop);
}

/** The machine's cores (os.availableParallelism where Node has it). */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length);
}

/** The compiled worker entry beside this module; undefined when running from the TypeScript sources (no dist). */
export function comparisonWorkerScript(): string | undefined {
  const file = path.join(__dirname, 'comparison-worker.js');
  return existsSync(file) ? file : undefined;
}

/**
 * The versions of the @multimech packages the command line runs with (its
 * own and those it depends on), part of every run's key: a run made with
 * other versions is made again.
 */
export function multimechVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
  const names = [manifest.name, ...Object.keys(manifest.dependencies ?? {}).filter((n) => n.startsWith('@multimech/'))];
  return packageVersions(names, [path.join(__dirname, '..')]);
}
