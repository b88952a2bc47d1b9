import { ConfigError, ConfigProblem, MultimechError } from '@multimech/core';
import { terminalText } from './progress-display';
import {
  EpochEvent,
  Experiment,
  ResolvedComparison,
  comparisonExperimentConfig,
  comparisonPaths,
  createExperiment,
  decodeComparison,
  resolveOptimizer,
} from '@multimech/trainer';
import { JobFailedError, LocalExecutor, RunStore, StopFlag, planRuns, storingRunEvents, type PlannedRun } from '@multimech/sweep';
import { createHash } from 'crypto';
import * as path from 'path';
import type { CliIo } from './cli-io';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { MechanismFidelity, mechanismFidelity } from './comparison-fidelity';
import { ComparisonJob, ComparisonJobResult, availableCores, comparisonWorkerScript, multimechVersions, runComparisonJob, runComparisonJobHere } from './comparison-job';
import { LearningRateReport, learningRateJobs, learningRateMarkdown, learningRateReport, withChosenRates } from './comparison-learning-rates';
import { diagnosticKeys, fidelityCsv } from './metrics-csv';
import { comparisonPlots, fidelitySpec, seedBandSpec, seedBands } from './comparison-plots';
import { physicalCostMarkdown, physicalCosts, physicsPlots } from './comparison-physics';
import { lossAxisName } from './learning-curve';
import { ComparisonProgress } from './comparison-progress';
import { comparisonMarkdown, comparisonTable, verdictLines, verdicts } from './comparison-report';
import { ComparisonRun, ComparisonSummary, comparisonCsv, comparisonRecord, runsCsv, summarizeComparison } from './comparison-summary';
import { parseJsonText, readInputFile } from './read-input-file';
import { FolderContents, RUN_FILE, ResultsFolder, SUMMARY_FILE, defaultResultsDir, experimentHash } from './results-folder';
import { RunStop, RunStopped, type SignalSource } from './run-stop';
import { renderCharts } from './vega-renderer';

export interface CompareOptions {
  /** Results folder (default `runs/<config basename>-<yyyymmdd-hhmmss>`); a folder of the same comparison continues it. */
  readonly out?: string;
  /** Worker threads (default: the machine's cores; 1 runs every run in this thread). */
  readonly workers?: number;
  /** A progress line per epoch of every run (default: one per finished run, or the terminal line). */
  readonly verbose?: boolean;
  /** Move what `out` holds aside (to `<out>.replaced-<yyyymmdd-hhmmss>`, never deleted) and start anew. */
  readonly replace?: boolean;
  /** Stop the runs after their epoch in progress once this many seconds have passed (their checkpoints saved); the command then fails with a line saying how to continue. */
  readonly maxSeconds?: number;
  /** Where SIGINT and SIGTERM come from (default: the process). */
  readonly signals?: SignalSource;
}

/** What `compare` wrote and measured. */
export interface CompareOutcome {
  readonly dir: string;
  readonly files: readonly string[];
  readonly summaries: readonly ComparisonSummary[];
  readonly runs: readonly ComparisonRun[];
  /** Threads the runs used (1: this one). */
  readonly workers: number;
  readonly classification: boolean;
}

/** A comparison config decoded and checked, every mechanism's experiment built for its first seed, and its runs. */
export interface PreparedComparison {
  readonly name: string;
  readonly resolved: ResolvedComparison;
  /** Per mechanism: its experiment at the first seed (initial parameters, untrained). */
  readonly experiments: readonly Experiment[];
  /** Every mechanism over every seed, planned and keyed by `@multimech/sweep` as a sweep's runs are. */
  readonly jobs: readonly (ComparisonJob & PlannedRun)[];
  readonly classification: boolean;
  /** The comparison config that ran (the seeds filled in), as JSON. */
  readonly resolvedConfig: Record<string, unknown>;
}

export { availableCores, comparisonWorkerScript };

/** Comparison runs as jobs of the sweep engine: each config decoded and keyed by its hash (and the package versions). */
export function planComparisonJobs(jobs: readonly ComparisonJob[], baseDir: string, configFile: string): (ComparisonJob & PlannedRun)[] {
  const specs = jobs.map((job) => ({ ...job, point: {}, pointIndex: 0, label: job.mechanism }));
  return planRuns(specs, { plugins: (run) => pluginsFor(run, baseDir, configFile), versions: multimechVersions(), source: configFile }).runs as (ComparisonJob & PlannedRun)[];
}

/**
 * Decodes a comparison config and builds every mechanism's experiment for
 * the first seed, before any work: a mistake anywhere is reported at once,
 * every problem with its path in the comparison config
 * (`mechanisms[2].error.kind: ...`, `base.training.epochs: ...`).
 */
export function prepareComparison(raw: unknown, configFile: string): PreparedComparison {
  const resolved = decodeComparison(raw, configFile);
  const { config, seeds } = resolved;
  const baseDir = path.dirname(configFile);
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const experiments: Experiment[] = [];
  config.mechanisms.forEach((_, i) => {
    try {
      const run = comparisonExperimentConfig(config, i, seeds[0]);
      experiments.push(createExperiment(run, pluginsFor(run, baseDir, configFile), { baseDir, source: configFile, paths: comparisonPaths(i) }));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const p of e.problems) {
        const key = `${p.path}\u0000${p.message}`;
        if (!seen.has(key)) problems.push(p);
        seen.add(key);
      }
    }
  });
  if (problems.length > 0) throw new ConfigError(problems, configFile);

  // the runs are jobs of the sweep engine: planned (each config decoded and keyed), then run by its executor
  const jobs = planComparisonJobs(
    config.mechanisms.flatMap((m, i) => seeds.map((seed) => ({ mechanism: m.name, mechanismIndex: i, seed, config: comparisonExperimentConfig(config, i, seed), baseDir, source: configFile }))),
    baseDir,
    configFile,
  );
  const first = experiments[0].resolvedConfig;
  const resolvedConfig: Record<string, unknown> = {
    ...(config.name !== undefined ? { name: config.name } : {}),
    ...(config.description !== undefined ? { description: config.description } : {}),
    base: {
      ...(config.base.plugins ? { plugins: config.base.plugins } : {}),
      substrate: first.substrate,
      task: first.task,
      optimizer: resolveOptimizer(config.base.optimizer),
      training: first.training,
    },
    mechanisms: config.mechanisms.map((m, i) => {
      const r = experiments[i].resolvedConfig;
      return { name: m.name, activation: r.activation, error: r.error, rule: r.rule, ...(m.optimizer ? { optimizer: r.optimizer } : {}) };
    }),
    seeds,
    reference: resolved.reference,
    targetLoss: resolved.targetLoss,
    fidelity: { examples: resolved.fidelityExamples },
    ...(resolved.learningRates ? { learningRates: resolved.learningRates } : {}),
  };
  return {
    name: config.name ?? path.basename(configFile).replace(/\.json$/i, ''),
    resolved,
    experiments,
    jobs,
    classification: experiments[0].task.predict !== undefined,
    resolvedConfig,
  };
}

/** A run's failure, said in terms of the comparison config. */
function runFailure(job: ComparisonJob, e: unknown): unknown {
  if (!(e instanceof MultimechError)) return e;
  const failure = new MultimechError(`mechanisms[${job.mechanismIndex}] '${job.mechanism}', seed ${job.seed}: ${e.message}`);
  failure.stack = e.stack;
  return failure;
}

/**
 * Runs the jobs in `workers` threads of the compiled worker entry, or one
 * after another in this thread when `workers` is 1 or there is no compiled
 * entry. Either way the numbers (all but the seconds) are the same: each run
 * is built from its own seed.
 */
export async function runComparisonJobs(
  jobs: readonly ComparisonJob[],
  workers: number,
  progress: Pick<ComparisonProgress, 'started' | 'epoch' | 'finished'>,
  script: string | undefined = comparisonWorkerScript(),
): Promise<ComparisonJobResult[]> {
  const executor = new LocalExecutor<ComparisonJob>(workers, script, runComparisonJob);
  try {
    return await executor.run(jobs, {
      started: (i) => progress.started(i),
      progress: (i, e) => progress.epoch(i, e),
      finished: (i) => progress.finished(i),
    });
  } catch (e) {
    throw e instanceof JobFailedError ? runFailure(jobs[e.jobId], e.error) : e;
  }
}

function kindOf(section: unknown): string {
  const kind = (section as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : '?';
}

/** The key a selection run (scored on a validation split) is kept under in the store: its run's key and the split, hashed (a final run of the same config has the run's key). */
function storeKey(job: ComparisonJob & PlannedRun): string {
  return job.validation === undefined ? job.key : createHash('sha256').update(`${job.key}:validation=${job.validation}`).digest('hex').slice(0, 16);
}

/** A comparison's run named in a message: `mechanisms[1] 'ep', seed 2` (a selection run: `, learning rate 0.1 on a validation split`). */
function runName(job: ComparisonJob): string {
  const rate = (job.config.optimizer as { learningRate?: unknown } | undefined)?.learningRate;
  return `mechanisms[${job.mechanismIndex}] '${job.mechanism}', seed ${job.seed}${job.validation !== undefined ? `, learning rate ${String(rate)} on a validation split` : ''}`;
}

/**
 * Refuses an `--out` that `compare` (without --replace) must not write
 * into: a folder of another command or another comparison, or one that is
 * not a results folder. A new or empty folder, or one of this comparison
 * (which continues: its finished runs are kept), is fine.
 */
function refuseCompareInto(contents: FolderContents, hash: string): void {
  const { dir, entries, record } = contents;
  if (!contents.exists || entries.length === 0) return;
  const hint = `, or --replace to move it aside (to ${dir}.replaced-<time>) and start anew`;
  if (contents.recordProblem) throw new MultimechError(`--out ${dir}: its ${RUN_FILE} does not read (${contents.recordProblem}); choose another folder${hint}`);
  if (record) {
    if (record.command !== 'compare') throw new MultimechError(`--out ${dir} holds the results of multimech ${record.command}, not of a comparison; choose another folder${hint}`);
    if (record.experiment !== hash) throw new MultimechError(`--out ${dir} holds the results of another comparison (its config.json differs from this config); choose another folder${hint}`);
    return;
  }
  if (entries.includes(SUMMARY_FILE)) throw new MultimechError(`--out ${dir} holds the results of an earlier run (a ${SUMMARY_FILE}, and no ${RUN_FILE} to say which comparison it belongs to); choose another folder${hint}`);
  throw new MultimechError(`--out ${dir}: the folder is not empty and holds no ${SUMMARY_FILE} of an earlier multimech run; choose a new or empty folder`);
}

/** What `runInStore` did: every job's result (undefined where it failed, stopped or never started), and how many it ran. */
interface StoredRuns {
  readonly results: (ComparisonJobResult | undefined)[];
  /** Runs found finished in the store, and runs that finished now. */
  readonly kept: number;
  readonly ran: number;
  /** Runs stopped before their end, their checkpoints kept for the next command. */
  readonly saved: number;
}

/**
 * Runs the jobs the store does not hold yet (each from its checkpoint when
 * an earlier command stopped it), writing each to the store as it finishes
 * (a stopped one's checkpoint beside), reporting a failed run by name and
 * going on with the others, until `flag` asks them to stop.
 */
async function runInStore(
  jobs: readonly (ComparisonJob & PlannedRun)[],
  store: RunStore,
  run: { workers: number; script: string | undefined; flag: StopFlag; epochs: number; verbose?: boolean },
  io: CliIo,
  failures: string[],
): Promise<StoredRuns> {
  const results: (ComparisonJobResult | undefined)[] = jobs.map((job) => (store.has(storeKey(job)) ? store.read(storeKey(job)).result : undefined));
  const kept = results.filter((r) => r !== undefined).length;
  const pending: (ComparisonJob & PlannedRun)[] = [];
  const slots: number[] = [];
  jobs.forEach((job, i) => {
    if (results[i] !== undefined) return;
    let checkpoint: unknown;
    try {
      checkpoint = store.readCheckpoint(storeKey(job));
    } catch (e) {
      if (!(e instanceof MultimechError)) throw e;
      failures.push(`${runName(job)}: ${e.message}`);
      io.stderr.write(`multimech: run failed: ${runName(job)}: ${e.message}\n`);
      return;
    }
    pending.push(checkpoint === undefined ? job : { ...job, checkpoint });
    slots.push(i);
  });
  if (kept > 0) io.stderr.write(`multimech: ${kept} of ${jobs.length} runs are in ${path.dirname(store.dir)} already (the same config and versions): kept\n`);
  let ran = 0;
  if (pending.length === 0) return { results, kept, ran, saved: 0 };
  const progress = new ComparisonProgress(io.stderr, pending, run.epochs, Date.now, { verbose: run.verbose });
  const executor = new LocalExecutor<ComparisonJob & PlannedRun>(Math.min(run.workers, pending.length), run.script, runComparisonJobHere);
  const events = storingRunEvents(
    store,
    pending,
    ({ checkpoint: _c, ...job }) => ({ ...job, key: storeKey(job) }),
    progress,
    (i, result) => {
      results[slots[i]] = result;
      ran++;
    },
  );
  try {
    await executor.run(
      pending,
      {
        ...events,
        failed: (i, e) => {
          const failure = `${runName(pending[i])}: ${e.message}`;
          failures.push(failure);
          progress.finish();
          io.stderr.write(`multimech: run failed: ${failure}${e instanceof MultimechError ? '' : ' (an internal error)'}\n`);
        },
      },
      { stop: run.flag },
    );
  } finally {
    progress.finish();
  }
  return { results, kept, ran, saved: events.saved };
}

/**
 * `multimech compare CONFIG`: run every mechanism over every seed on the
 * same substrate and task, in parallel worker threads, with one progress
 * display on stderr; measure each mechanism's fidelity at the initial
 * parameters; write comparison.csv, runs.csv, the plots and comparison.md
 * (each with the mechanisms' diagnostics, worst over the seeds); print the
 * table, then on stderr a `multimech: warning: ...` line for each
 * diagnostic beyond its threshold (`diagnosticWarnings`). `summary.json`,
 * written last, marks a complete folder.
 */
export async function compareCommand(configFile: string, options: CompareOptions, io: CliIo): Promise<CompareOutcome> {
  const start = Date.now();
  const stop = new RunStop(options.maxSeconds, io.stderr, Date.now, start);
  const raw = parseJsonText(await readInputFile(configFile, 'a JSON comparison config'), configFile);
  await preloadPluginsFor((raw as { base?: unknown } | null)?.base, path.dirname(configFile), configFile);
  const prepared = prepareComparison(raw, configFile);
  const { name, resolved, experiments, classification } = prepared;
  let jobs = prepared.jobs;
  const { config, seeds, fidelityExamples } = resolved;

  const fidelity: (MechanismFidelity | undefined)[] = experiments.map((experiment, i) => {
    try {
      return mechanismFidelity(experiment.trainer.parts, fidelityExamples);
    } catch (e) {
      if (!(e instanceof MultimechError)) throw e;
      throw new MultimechError(`${configFile}: mechanisms[${i}] '${config.mechanisms[i].name}': measuring its fidelity failed: ${e.message}`);
    }
  });

  const dir = options.out ?? defaultResultsDir(configFile, new Date(), config.name);
  const hash = experimentHash(prepared.resolvedConfig);
  const contents = await ResultsFolder.inspect(dir);
  ResultsFolder.refuseIfLocked(contents);
  if (options.replace) {
    const aside = await ResultsFolder.moveAside(contents);
    if (aside !== undefined) io.stderr.write(`multimech: note: moved the earlier contents of ${dir} aside to ${aside}\n`);
  } else {
    refuseCompareInto(contents, hash);
  }
  const folder = await ResultsFolder.claim(dir, 'compare', (line) => io.stderr.write(`multimech: note: ${line}\n`));
  stop.watch(options.signals);
  const flag = new StopFlag();
  stop.onRequest(() => flag.request());
  const continuing = contents.record !== undefined && !options.replace;
  const selectionRuns = resolved.learningRates ? learningRateJobs(resolved, path.dirname(configFile), configFile).length : 0;
  const planned = () => jobs.length + selectionRuns;
  let finished = 0;
  try {
    await folder.writeRecord({ command: 'compare', experiment: hash, state: 'running', runs: { finished, planned: planned() }, ...(continuing && contents.record ? { started: contents.record.started } : {}) });
    const files: string[] = [];
    const write = async (file: string, data: string | Uint8Array) => {
      await folder.write(file, data);
      files.push(file);
    };
    await write('config.json', JSON.stringify(prepared.resolvedConfig, null, 2) + '\n');
    // each run is kept in runs/ as it finishes (keyed as a sweep's): a failed run is named and the others go on, a rerun runs only what is missing
    const store = RunStore.open(dir);

    const script = comparisonWorkerScript();
    const requested = options.workers ?? availableCores();
    const workers = script === undefined ? 1 : Math.max(1, Math.min(requested, availableCores(), jobs.length));
    if (script === undefined && options.workers !== undefined && options.workers > 1) {
      io.stderr.write('multimech: note: no compiled worker (dist/comparison-worker.js), so the runs go one after another in this thread\n');
    }
    const epochs = experiments[0].trainer.parts.epochs;
    const failures: string[] = [];
    /** Ends the command when runs failed or were stopped: the finished ones are kept, and the same command continues. */
    const endIfIncomplete = (total: number, done: StoredRuns, saved: number) => {
      const again = `continue with: multimech compare ${configFile} --out ${dir}`;
      if (flag.requested()) {
        throw new RunStopped(
          `stopped (${stop.reason ?? 'asked to stop'}) with ${finished} of ${planned()} runs finished${saved > 0 ? ` and ${saved} saved at their last epoch` : ''}; the finished runs are in ${store.dir}: ${again}`,
        );
      }
      if (failures.length > 0) {
        throw new MultimechError(
          `${failures.length} of ${total} runs failed (named above); the ${done.results.filter((r) => r !== undefined).length} finished are kept in ${store.dir}: fix the cause and run the same command again, which runs only what is missing`,
        );
      }
    };
    // learning rates chosen on validation splits of the training examples first; the test split is seen only by the runs that follow
    let learningRates: LearningRateReport | undefined;
    if (resolved.learningRates) {
      const selection = planComparisonJobs(learningRateJobs(resolved, path.dirname(configFile), configFile), path.dirname(configFile), configFile);
      const done = await runInStore(selection, store, { workers, script, flag, epochs: resolved.learningRates.epochs ?? epochs, verbose: options.verbose }, io, failures);
      finished += done.kept + done.ran;
      endIfIncomplete(selection.length, done, done.saved);
      learningRates = learningRateReport(resolved, selection, done.results as ComparisonJobResult[], epochs);
      jobs = planComparisonJobs(withChosenRates(resolved, jobs, learningRates), path.dirname(configFile), configFile);
      io.stderr.write(`learning rates chosen on a validation split: ${learningRates.mechanisms.map((m) => `${m.mechanism} ${m.rate}`).join(', ')}\n`);
    }
    const done = await runInStore(jobs, store, { workers, script, flag, epochs, verbose: options.verbose }, io, failures);
    finished += done.kept + done.ran;
    await folder.writeRecord({ command: 'compare', experiment: hash, state: 'running', runs: { finished, planned: planned() } }).catch(() => undefined);
    endIfIncomplete(jobs.length, done, done.saved);
    const results = done.results as ComparisonJobResult[];
    const runs: ComparisonRun[] = jobs.map((job, i) => ({ mechanism: job.mechanism, seed: job.seed, result: results[i] }));
    const mechanisms = config.mechanisms.map((m) => m.name);
    const diagnostics = experiments.map((e, i) => ({ specs: e.records.error.diagnostics ?? [], at: (key: string) => comparisonPaths(i)('error', key) }));
    const summaries = summarizeComparison(mechanisms, runs, fidelity, classification, diagnostics, { reference: resolved.reference, targetLoss: resolved.targetLoss });

    await write('runs.csv', runsCsv(runs, classification));
    await write('comparison.csv', comparisonCsv(summaries, classification));
    if (runs.some((r) => r.result.history.some((e) => e.fidelity))) {
      await write('fidelity.csv', fidelityCsv(runs.map((r) => ({ mechanism: r.mechanism, seed: r.seed, history: r.result.history }))));
    }

    const first = experiments[0];
    const taskLoss = (first.resolvedConfig.task as { loss?: { kind?: unknown; kappa?: unknown } } | undefined)?.loss;
    const plots = comparisonPlots({
      name,
      mechanisms,
      runs,
      summaries,
      classification,
      loss: { kind: typeof taskLoss?.kind === 'string' ? taskLoss.kind : first.task.loss.kind, kappa: taskLoss?.kappa },
      fidelity: { seed: seeds[0], examples: fidelityExamples },
    });
    plots.push(...physicsPlots(name, mechanisms, runs, lossAxisName(typeof taskLoss?.kind === 'string' ? taskLoss.kind : first.task.loss.kind, { kappa: taskLoss?.kappa })));
    const costs = physicalCosts(mechanisms, runs);
    const drawn = await renderCharts(plots.map(([, , spec]) => spec));
    for (let p = 0; p < plots.length; p++) {
      await write(`${plots[p][0]}.svg`, drawn[p].svg);
      await write(`${plots[p][0]}.png`, drawn[p].png);
    }

    await write(
      'comparison.md',
      comparisonMarkdown(summaries, classification, {
        name,
        description: config.description,
        substrate: first.substrate.kind,
        task: first.task.kind,
        parameters: first.substrate.parameters.length,
        seeds,
        epochs,
        workers,
        fidelityExamples,
        targetLoss: resolved.targetLoss,
        kinds: experiments.map((e) => ({ activation: kindOf(e.resolvedConfig.activation), error: kindOf(e.resolvedConfig.error), rule: kindOf(e.resolvedConfig.rule) })),
        plots: plots.map(([stem, caption]) => [stem, caption] as const),
        files: [...files, 'comparison.md', SUMMARY_FILE],
      }) +
        '\n' +
        physicalCostMarkdown(costs) +
        (learningRates ? '\n' + learningRateMarkdown(learningRates) : ''),
    );
    const summary = {
      name,
      seeds,
      epochs,
      workers,
      seconds: (Date.now() - start) / 1000,
      reference: resolved.reference,
      targetLoss: resolved.targetLoss,
      mechanisms: summaries.map((s) => comparisonRecord(s, classification, diagnosticKeys(summaries))),
      verdicts: verdicts(summaries),
      warnings: [...summaries.flatMap((s) => (s.learningWarning ? [s.learningWarning] : [])), ...summaries.flatMap((s) => s.warnings)],
      physicalCost: costs,
      ...(learningRates ? { learningRates } : {}),
    };
    await write(SUMMARY_FILE, JSON.stringify(summary, null, 2) + '\n');

    io.stdout.write(comparisonTable(summaries, classification));
    for (const line of verdictLines(summaries, seeds)) io.stdout.write(`${line}\n`);
    io.stdout.write(`results: ${folder.dir}\n`);
    // runs that did not learn, and what the mechanisms' diagnostics say went physically wrong, last, where it is seen
    // a warning names a mechanism, whose name comes from the config: escaped, as any echoed input
    for (const line of summary.warnings) io.stderr.write(`multimech: ${terminalText(line)}\n`);
    await folder.writeRecord({ command: 'compare', experiment: hash, state: 'complete', runs: { finished, planned: planned() } });
    return { dir: folder.dir, files, summaries, runs, workers, classification };
  } catch (e) {
    const reason = e instanceof RunStopped ? stop.reason : e instanceof Error ? e.message : String(e);
    await folder.writeRecord({ command: 'compare', experiment: hash, state: 'interrupted', runs: { finished, planned: planned() }, ...(reason ? { reason } : {}) }).catch(() => undefined);
    throw e;
  } finally {
    stop.release();
    folder.release();
  }
}
