import { ConfigError, ConfigProblem, MultimechError } from '@multimech/core';
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
import { JobFailedError, LocalExecutor, planRuns, type PlannedRun } from '@multimech/sweep';
import * as path from 'path';
import type { CliIo } from './cli-io';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { MechanismFidelity, mechanismFidelity } from './comparison-fidelity';
import { ComparisonJob, ComparisonJobResult, availableCores, comparisonWorkerScript, multimechVersions, runComparisonJob } from './comparison-job';
import { LearningRateReport, learningRateJobs, learningRateMarkdown, learningRateReport, withChosenRates } from './comparison-learning-rates';
import { fidelityCsv } from './metrics-csv';
import { comparisonPlots, fidelitySpec, seedBandSpec, seedBands } from './comparison-plots';
import { physicalCostMarkdown, physicalCosts, physicsPlots } from './comparison-physics';
import { lossAxisName } from './learning-curve';
import { ComparisonProgress } from './comparison-progress';
import { comparisonMarkdown, comparisonTable, verdictLines, verdicts } from './comparison-report';
import { ComparisonRun, ComparisonSummary, comparisonCsv, comparisonRecord, diagnosticKeys, runsCsv, summarizeComparison } from './comparison-summary';
import { parseJsonText, readInputFile } from './read-input-file';
import { ResultsFolder, SUMMARY_FILE, defaultResultsDir } from './results-folder';
import { renderChart } from './vega-renderer';

export interface CompareOptions {
  /** Results folder (default `runs/<config basename>-<yyyymmdd-hhmmss>`). */
  readonly out?: string;
  /** Worker threads (default: the machine's cores; 1 runs every run in this thread). */
  readonly workers?: number;
  /** A progress line per epoch of every run (default: one per finished run, or the terminal line). */
  readonly verbose?: boolean;
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
      throw new MultimechError(`mechanisms[${i}] '${config.mechanisms[i].name}': measuring its fidelity failed: ${e.message}`);
    }
  });

  const folder = await ResultsFolder.open(options.out ?? defaultResultsDir(configFile, new Date(), config.name));
  const files: string[] = [];
  const write = async (file: string, data: string | Uint8Array) => {
    await folder.write(file, data);
    files.push(file);
  };
  await write('config.json', JSON.stringify(prepared.resolvedConfig, null, 2) + '\n');

  const script = comparisonWorkerScript();
  const requested = options.workers ?? availableCores();
  const workers = script === undefined ? 1 : Math.max(1, Math.min(requested, availableCores(), jobs.length));
  if (script === undefined && options.workers !== undefined && options.workers > 1) {
    io.stderr.write('multimech: note: no compiled worker (dist/comparison-worker.js), so the runs go one after another in this thread\n');
  }
  const epochs = experiments[0].trainer.parts.epochs;
  // learning rates chosen on validation splits of the training examples first; the test split is seen only by the runs that follow
  let learningRates: LearningRateReport | undefined;
  if (resolved.learningRates) {
    const selection = planComparisonJobs(learningRateJobs(resolved, path.dirname(configFile), configFile), path.dirname(configFile), configFile);
    const selectionProgress = new ComparisonProgress(io.stderr, selection, resolved.learningRates.epochs ?? epochs, Date.now, { verbose: options.verbose });
    let results: ComparisonJobResult[];
    try {
      results = await runComparisonJobs(selection, Math.min(workers, selection.length), selectionProgress, script);
    } finally {
      selectionProgress.finish();
    }
    learningRates = learningRateReport(resolved, selection, results, epochs);
    jobs = planComparisonJobs(withChosenRates(resolved, jobs, learningRates), path.dirname(configFile), configFile);
    io.stderr.write(`learning rates chosen on a validation split: ${learningRates.mechanisms.map((m) => `${m.mechanism} ${m.rate}`).join(', ')}\n`);
  }
  const progress = new ComparisonProgress(io.stderr, jobs, epochs, Date.now, { verbose: options.verbose });
  let results: ComparisonJobResult[];
  try {
    results = await runComparisonJobs(jobs, workers, progress, script);
  } finally {
    progress.finish();
  }
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
  const drawn = await Promise.all(plots.map(([, , spec]) => renderChart(spec)));
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
  for (const line of summary.warnings) io.stderr.write(`multimech: ${line}\n`);
  return { dir: folder.dir, files, summaries, runs, workers, classification };
}
