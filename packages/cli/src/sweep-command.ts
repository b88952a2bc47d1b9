import { ConfigError, MultimechError, joinPath, type SettingPaths } from '@multimech/core';
import {
  FinishedRun,
  FigureName,
  JobFailedError,
  LocalExecutor,
  PlannedRun,
  QueueExecutor,
  RunStore,
  StopFlag,
  SweepPlan,
  axisValue,
  checkRedis,
  decodeSweep,
  describeRun,
  figureNames,
  heatmapCells,
  knobSeries,
  planSweep,
  pointSummaries,
  storingRunEvents,
  type RunExecutor,
  type ResolvedSweep,
} from '@multimech/sweep';
import { comparisonPaths, createExperiment } from '@multimech/trainer';
import * as path from 'path';
import { atomicWrite } from './atomic-write';
import type { CliIo } from './cli-io';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { availableCores, comparisonWorkerScript, multimechVersions, runComparisonJobHere } from './comparison-job';
import { ComparisonProgress } from './comparison-progress';
import { csvField } from './metrics-csv';
import { parseJsonText, readInputFile } from './read-input-file';
import { FolderContents, RUN_FILE, ResultsFolder, SUMMARY_FILE, defaultResultsDir, experimentHash } from './results-folder';
import { RunStop, RunStopped, type SignalSource } from './run-stop';
import { heatmapSpec, knobSpec, logScaleFits } from './sweep-plots';
import { renderCharts } from './vega-renderer';

export interface SweepOptions {
  /** Results folder (default `runs/<config basename>-<yyyymmdd-hhmmss>`); a rerun into it skips the runs it holds. */
  readonly out?: string;
  /** Worker threads of this machine (default: its cores; 1 runs every run in this thread). */
  readonly workers?: number;
  /** A Redis URL: the runs go to BullMQ there, for `multimech worker` to run. */
  readonly queue?: string;
  /** How often the submitter asks the queue for its jobs' states, in ms (tests shorten it). */
  readonly pollMs?: number;
  /** A line per epoch of every run (not only per finished run), as `compare --verbose`. */
  readonly verbose?: boolean;
  /** Stop the runs after their epoch in progress once this many seconds have passed (their checkpoints saved; with a queue, the runs left stay on it); the command then fails with a line saying how to continue. */
  readonly maxSeconds?: number;
  /** Where SIGINT and SIGTERM come from (default: the process). */
  readonly signals?: SignalSource;
}

/** What `sweep` wrote and measured. */
export interface SweepOutcome {
  readonly dir: string;
  readonly files: readonly string[];
  readonly plan: SweepPlan;
  /** Every run of the plan with its result, in the plan's order. */
  readonly runs: readonly FinishedRun[];
  /** Runs made now, and runs found finished in the results folder. */
  readonly ran: number;
  readonly skipped: number;
  readonly classification: boolean;
}

/** A figure of the table and the plots: its CSV column, its title, its file stem, and whether higher is better. */
interface Figure {
  readonly name: FigureName;
  readonly title: string;
  readonly stem: string;
  readonly higherIsBetter: boolean;
  readonly log: boolean;
}

const FIGURES: Readonly<Record<FigureName, Figure>> = {
  final_loss: { name: 'final_loss', title: 'final training loss', stem: 'loss', higherIsBetter: false, log: true },
  test_accuracy: { name: 'test_accuracy', title: 'test accuracy', stem: 'accuracy', higherIsBetter: true, log: false },
  train_accuracy: { name: 'train_accuracy', title: 'training accuracy', stem: 'train-accuracy', higherIsBetter: true, log: false },
  relative_error: { name: 'relative_error', title: 'test relative error', stem: 'relative-error', higherIsBetter: false, log: true },
  seconds: { name: 'seconds', title: 'seconds', stem: 'seconds', higherIsBetter: false, log: false },
};

/** Where the settings of a run lie in the sweep config: a mechanism's sections under its entry, the rest under `base`. */
function sweepPaths(run: PlannedRun): SettingPaths {
  if (run.mechanismIndex !== undefined) return comparisonPaths(run.mechanismIndex);
  return (section, key) => joinPath(section ? `base.${section}` : 'base', key);
}

/**
 * The first run built, as `compare` builds each mechanism before anything
 * runs: what decoding cannot see (the network as built) is found now. Gives
 * whether the task classifies, and the epochs.
 */
function buildFirstRun(run: PlannedRun, configFile: string): { classification: boolean; epochs: number } {
  try {
    const { task, trainer } = createExperiment(run.config, pluginsFor(run.config, run.baseDir, configFile), { seed: run.seed, baseDir: run.baseDir, source: configFile, paths: sweepPaths(run) });
    return { classification: task.predict !== undefined, epochs: trainer.parts.epochs };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ ...p, message: `${p.message}, in ${describeRun(run)}` })), configFile);
    throw e;
  }
}

/**
 * Whether a sweep may work in a folder: a new or empty folder, or the
 * folder of an earlier sweep (its `runs/`, whatever its config: a larger
 * grid reuses the runs it shares), whose finished runs are kept and
 * skipped. The folder of a train or compare run, one that another command
 * holds, or one that is not a results folder is refused. Returns whether
 * the folder holds an earlier sweep.
 */
function checkSweepFolder(contents: FolderContents): boolean {
  const { dir, entries, record } = contents;
  ResultsFolder.refuseIfLocked(contents);
  if (!contents.exists || entries.length === 0) return false;
  if (contents.recordProblem) throw new MultimechError(`--out ${dir}: its ${RUN_FILE} does not read (${contents.recordProblem}); choose another folder`);
  if (record && record.command !== 'sweep') throw new MultimechError(`--out ${dir} holds the results of multimech ${record.command}, not of a sweep; choose another folder`);
  if (record || RunStore.existsIn(dir)) return true;
  if (entries.includes(SUMMARY_FILE)) throw new MultimechError(`--out ${dir} holds the results of an earlier run (a ${SUMMARY_FILE}, and no ${RUN_FILE} or runs/ of a sweep); choose another folder`);
  throw new MultimechError(`--out ${dir}: the folder is not empty and holds no ${SUMMARY_FILE} of an earlier multimech run; choose a new or empty folder`);
}

/** sweep.csv: one row per run of the plan: its number and key, mechanism, seed, the swept values as written, then its figures. */
export function sweepCsv(plan: SweepPlan, runs: readonly FinishedRun[], classification: boolean): string {
  const figures = figureNames(classification);
  const columns = ['run', 'key', ...(plan.mechanisms ? ['mechanism'] : []), 'seed', ...plan.parameters, ...figures];
  const lines = runs.map(({ run, result }, i) => {
    const written = plan.parameters.map((p) => {
      const v = run.point[p];
      return typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
    });
    const values = [i + 1, run.key, ...(plan.mechanisms ? [run.mechanism] : []), run.seed, ...written, ...figures.map((f) => result.summary[f])];
    return values.map((v) => csvField(v as string | number | undefined)).join(',');
  });
  return [columns.join(','), ...lines].join('\n') + '\n';
}

/** The table on stdout: per point (and mechanism), the runs and the mean of each figure over them. */
export function sweepTable(plan: SweepPlan, runs: readonly FinishedRun[], classification: boolean): string {
  const figures = figureNames(classification).filter((f) => f !== 'train_accuracy');
  const header = [...plan.parameters, ...(plan.mechanisms ? ['mechanism'] : []), 'runs', ...figures.map((f) => FIGURES[f].title)];
  const rows = pointSummaries(runs, figures).map(({ run, runs: n, means }) => [
    ...plan.parameters.map((p) => {
      const v = run.point[p];
      return typeof v === 'string' ? v : JSON.stringify(v);
    }),
    ...(plan.mechanisms ? [run.mechanism ?? ''] : []),
    String(n),
    ...figures.map((f) => (means[f] === undefined ? '' : f === 'seconds' ? means[f]!.toFixed(2) : Number(means[f]!.toPrecision(4)).toString())),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c < plan.parameters.length + (plan.mechanisms ? 1 : 0) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The point with the best mean of the main figure (the highest test accuracy, the lowest relative error). */
function bestPoint(runs: readonly FinishedRun[], classification: boolean): Record<string, unknown> | undefined {
  const figure: FigureName = classification ? 'test_accuracy' : 'relative_error';
  const better = (a: number, b: number) => (classification ? a > b : a < b);
  let best: { run: FinishedRun['run']; mean: number; runs: number } | undefined;
  for (const p of pointSummaries(runs, [figure])) {
    const mean = p.means[figure];
    if (mean !== undefined && (best === undefined || better(mean, best.mean))) best = { run: p.run, mean, runs: p.runs };
  }
  if (!best) return undefined;
  return { point: best.run.point, ...(best.run.mechanism !== undefined ? { mechanism: best.run.mechanism } : {}), [`${figure}_mean`]: best.mean, runs: best.runs };
}

/** The sweep config that ran: as written, its seeds filled in. */
function resolvedSweepConfig(sweep: ResolvedSweep): Record<string, unknown> {
  const { $schema: _schema, ...config } = sweep.config;
  return { ...config, sweep: { ...config.sweep, ...(sweep.mode === 'random' ? { seed: sweep.samplingSeed } : {}) }, seeds: sweep.seeds };
}

/**
 * `multimech sweep CONFIG`: a grid or random search over config paths ×
 * seeds × mechanisms. Every run is planned, decoded and keyed before any of
 * them runs (a path that is not a setting, a value a codec refuses, an
 * empty grid: one line each, nothing written); then the runs not yet in the
 * results folder run on worker threads, or through the Redis queue with
 * `--queue`, each written to `runs/<key>.json` as it finishes (so a rerun
 * into the folder skips them); then sweep.csv, the plots (each figure
 * against each knob; a heatmap for two knobs) and `summary.json`, last.
 */
export async function sweepCommand(configFile: string, options: SweepOptions, io: CliIo): Promise<SweepOutcome> {
  const start = Date.now();
  const stop = new RunStop(options.maxSeconds, io.stderr, Date.now, start);
  const raw = parseJsonText(await readInputFile(configFile, 'a JSON sweep config'), configFile);
  const baseDir = path.dirname(configFile);
  await preloadPluginsFor((raw as { base?: unknown } | null)?.base, baseDir, configFile);
  const sweep = decodeSweep(raw, configFile);
  const plan = planSweep(sweep, { plugins: (config) => pluginsFor(config, baseDir, configFile), versions: multimechVersions(), source: configFile, baseDir });
  const { classification, epochs } = buildFirstRun(plan.runs[0], configFile);
  // an unreachable queue is found before the results folder is touched
  if (options.queue !== undefined) await checkRedis(options.queue);

  const dir = options.out ?? defaultResultsDir(configFile, new Date(), sweep.config.name);
  const contents = await ResultsFolder.inspect(dir);
  const resumed = checkSweepFolder(contents);
  const folder = await ResultsFolder.claim(dir, 'sweep', (line) => io.stderr.write(`multimech: note: ${line}\n`));
  stop.watch(options.signals);
  const flag = new StopFlag();
  stop.onRequest(() => flag.request());
  const hash = experimentHash(resolvedSweepConfig(sweep));
  let finished = 0;
  const record = (state: 'running' | 'complete' | 'interrupted', reason?: string) =>
    folder.writeRecord({ command: 'sweep', experiment: hash, state, runs: { finished, planned: plan.runs.length }, ...(reason ? { reason } : {}) });
  try {
    const files: string[] = [];
    const write = async (file: string, data: string | Uint8Array) => {
      await atomicWrite(path.join(dir, file), data);
      files.push(file);
    };
    const store = RunStore.open(dir);
    finished = plan.runs.filter((r) => store.has(r.key)).length;
    await record('running');
    await write('config.json', JSON.stringify(resolvedSweepConfig(sweep), null, 2) + '\n');
    const failures: string[] = [];
    const fail = (run: PlannedRun, message: string) => {
      failures.push(`${describeRun(run)}: ${message}`);
      io.stderr.write(`multimech: run failed: ${describeRun(run)}: ${message}\n`);
    };
    // a run an earlier command stopped continues from its checkpoint
    const pending: PlannedRun[] = [];
    for (const r of plan.runs) {
      if (store.has(r.key)) continue;
      try {
        const checkpoint = store.readCheckpoint(r.key);
        pending.push(checkpoint === undefined ? r : { ...r, checkpoint });
      } catch (e) {
        if (!(e instanceof MultimechError)) throw e;
        fail(r, e.message);
      }
    }
    const skipped = plan.runs.length - pending.length - failures.length;
    if (resumed && skipped > 0) io.stderr.write(`multimech: ${skipped} of ${plan.runs.length} runs are in ${dir} already (the same config and versions): skipped\n`);
    if (plan.repeated > 0) io.stderr.write(`multimech: note: ${plan.repeated} drawn runs repeat earlier ones (the same values) and run once\n`);

    let executor: RunExecutor<PlannedRun>;
    let where: string;
    if (options.queue !== undefined) {
      executor = new QueueExecutor<PlannedRun>(options.queue, { pollMs: options.pollMs });
      where = `the queue at ${options.queue}`;
    } else {
      const script = comparisonWorkerScript();
      const workers = script === undefined ? 1 : Math.max(1, Math.min(options.workers ?? availableCores(), availableCores(), pending.length));
      if (script === undefined && options.workers !== undefined && options.workers > 1) {
        io.stderr.write('multimech: note: no compiled worker (dist/comparison-worker.js), so the runs go one after another in this thread\n');
      }
      executor = new LocalExecutor<PlannedRun>(workers, script, runComparisonJobHere);
      where = workers > 1 ? `${workers} worker threads` : 'this thread';
    }
    if (pending.length > 0) {
      io.stderr.write(`multimech: ${pending.length} run${pending.length === 1 ? '' : 's'} on ${where}\n`);
      const progress = new ComparisonProgress(
        io.stderr,
        pending.map((r) => ({ mechanism: r.label, seed: r.seed })),
        epochs,
        Date.now,
        { verbose: options.verbose },
      );
      const events = storingRunEvents(store, pending, ({ checkpoint: _checkpoint, ...run }) => run, progress, () => finished++);
      try {
        await executor.run(
          pending,
          {
            ...events,
            failed: (i, e) => {
              progress.finish();
              fail(pending[i], e.message);
            },
          },
          { stop: flag },
        );
      } catch (e) {
        if (!(e instanceof JobFailedError)) throw e;
        const failure = new MultimechError(`${describeRun(pending[e.jobId])}: ${e.error.message}`);
        failure.stack = e.error.stack;
        throw failure;
      } finally {
        progress.finish();
      }
      if (flag.requested()) {
        const left = options.queue !== undefined ? `; the runs not collected stay on the queue` : events.saved > 0 ? ` and ${events.saved} saved at their last epoch` : '';
        throw new RunStopped(
          `stopped (${stop.reason ?? 'asked to stop'}) with ${finished} of ${plan.runs.length} runs finished${left}; the finished runs are in ${store.dir}: continue with: multimech sweep ${configFile} --out ${dir}`,
        );
      }
    }
    if (failures.length > 0) {
      throw new MultimechError(
        `${failures.length} of ${plan.runs.length} runs failed (named above); the ${finished} finished are kept in ${store.dir}: fix the cause and run the same command again, which runs only what is missing`,
      );
    }

    const runs: FinishedRun[] = plan.runs.map((run) => ({ run, result: store.read(run.key).result }));
    await write('sweep.csv', sweepCsv(plan, runs, classification));
    const name = sweep.config.name ?? path.basename(configFile).replace(/\.json$/i, '');
    const plotted = figureNames(classification)
      .filter((f) => f !== 'train_accuracy' && f !== 'seconds')
      .map((f) => FIGURES[f]);
    const plots: [string, object][] = [];
    for (const knob of plan.parameters) {
      const param = sweep.parameters.find((p) => p.path === knob)!;
      const values = runs.map(({ run }) => axisValue(run, knob));
      const logX = ('range' in param.spec && param.spec.range.log === true) || logScaleFits(values);
      for (const f of plotted) {
        plots.push([
          `${f.stem}-vs-${knob}`,
          knobSpec({ title: `${name}: ${f.title} against ${knob}`, knob, yTitle: f.title, points: knobSeries(runs, knob, f.name), mechanisms: plan.mechanisms, logX, logY: f.log }),
        ]);
      }
    }
    if (plan.parameters.length === 2 && sweep.mode === 'grid') {
      const [xKnob, yKnob] = plan.parameters;
      for (const f of plotted) {
        plots.push([
          `${f.stem}-heatmap`,
          heatmapSpec({ title: `${name}: ${f.title} (mean over the seeds)`, xKnob, yKnob, figure: f.title, cells: heatmapCells(runs, xKnob, yKnob, f.name), mechanisms: plan.mechanisms, higherIsBetter: f.higherIsBetter }),
        ]);
      }
    }
    const drawn = await renderCharts(plots.map(([, spec]) => spec));
    for (let p = 0; p < plots.length; p++) {
      await write(`${plots[p][0]}.svg`, drawn[p].svg);
      await write(`${plots[p][0]}.png`, drawn[p].png);
    }
    const best = bestPoint(runs, classification);
    const summary = {
      name,
      mode: sweep.mode,
      parameters: plan.parameters,
      points: plan.points.length,
      ...(plan.mechanisms ? { mechanisms: plan.mechanisms } : {}),
      seeds: plan.seeds,
      runs: plan.runs.length,
      ran: pending.length,
      skipped,
      ...(options.queue !== undefined ? { queue: options.queue } : {}),
      seconds: (Date.now() - start) / 1000,
      ...(best ? { best } : {}),
    };
    await write(SUMMARY_FILE, JSON.stringify(summary, null, 2) + '\n');
    io.stdout.write(sweepTable(plan, runs, classification));
    io.stdout.write(`results: ${dir}\n`);
    await record('complete');
    return { dir, files, plan, runs, ran: pending.length, skipped, classification };
  } catch (e) {
    const reason = e instanceof RunStopped ? stop.reason : e instanceof Error ? e.message : String(e);
    await record('interrupted', reason).catch(() => undefined);
    throw e;
  } finally {
    stop.release();
    folder.release();
  }
}
