import { MultimechError, NumericalError, type Substrate } from '@multimech/core';
import { CheckpointSchedule, Experiment, TrainerCheckpoint, TrainingResult, checkpointSettings, createExperiment } from '@multimech/trainer';
import { existsSync, rmSync } from 'fs';
import * as path from 'path';
import { UsageError, type CliIo } from './cli-io';
import { readCheckpoint } from './checkpoint-file';
import { RunStop, RunStopped, type SignalSource } from './run-stop';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { diagnosticWarnings } from './diagnostic-warnings';
import { renderLearningCurve } from './learning-curve';
import { ChartRenderer, svgToPng } from './vega-renderer';
import { EpochRow, fidelityCsv, parametersCsv } from './metrics-csv';
import { MetricsFile } from './metrics-file';
import { ProgressDisplay, terminalText } from './progress-display';
import { parseJsonText, readInputFile } from './read-input-file';
import { CHECKPOINT_FILE, FolderContents, RUN_FILE, ResultsFolder, SUMMARY_FILE, defaultResultsDir, experimentHash } from './results-folder';

export interface TrainOptions {
  /** Results folder (default `runs/<config basename>-<yyyymmdd-hhmmss>`). */
  readonly out?: string;
  /** Overrides the config's seed. */
  readonly seed?: number;
  /** Continue the run in `out` from its checkpoint (the config may change only `training.epochs`). */
  readonly resume?: boolean;
  /** Move what `out` holds aside (to `<out>.replaced-<yyyymmdd-hhmmss>`, never deleted) and start anew. */
  readonly replace?: boolean;
  /** Stop after the epoch in progress once this many seconds have passed (its checkpoint saved); the command then fails with a line saying how to continue. */
  readonly maxSeconds?: number;
  /** Where SIGINT and SIGTERM come from (default: the process). */
  readonly signals?: SignalSource;
}

/** What `train` wrote, and the figures it printed. */
export interface TrainOutcome {
  readonly dir: string;
  readonly files: readonly string[];
  readonly result: TrainingResult;
}

/** Reads and decodes an experiment config file (file and JSON errors name the file and line). */
export async function loadExperiment(configFile: string, seed?: number): Promise<Experiment> {
  const raw = parseJsonText(await readInputFile(configFile, 'a JSON experiment config'), configFile);
  await preloadPluginsFor(raw, path.dirname(configFile), configFile);
  return createExperiment(raw, pluginsFor(raw, path.dirname(configFile), configFile), {
    ...(seed !== undefined ? { seed } : {}),
    baseDir: path.dirname(configFile),
    source: configFile,
  });
}

function kindOf(section: unknown): string {
  const kind = (section as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : '?';
}

/** `summary.md`: what was trained, how, and how it ended. */
export function summaryMarkdown(name: string, config: Record<string, unknown>, result: TrainingResult, files: readonly string[]): string {
  const s = result.summary;
  const figures: string[] = [`- final training loss: ${s.final_loss.toPrecision(6)}`];
  if (s.train_accuracy !== undefined) figures.push(`- train accuracy: ${s.train_accuracy.toFixed(4)}`);
  if (s.test_accuracy !== undefined) figures.push(`- test accuracy: ${s.test_accuracy.toFixed(4)}`);
  if (s.relative_error !== undefined) figures.push(`- relative error (test): ${s.relative_error.toPrecision(4)}`);
  figures.push(...physicalCostLines(result));
  for (const d of result.damage ?? []) {
    const recovered = d.recoveredAt !== undefined ? `back at or below it by epoch ${d.recoveredAt}` : 'not back to it by the end';
    figures.push(`- damage: ${d.edges} edge${d.edges === 1 ? '' : 's'} broken by epoch ${d.epoch} (${d.edgesTotal} in all): training loss ${d.lossBefore.toPrecision(4)} before, ${d.lossAfter.toPrecision(4)} after, ${recovered}, ${d.lossEnd.toPrecision(4)} at the end`);
  }
  return [
    `# ${name}`,
    '',
    ...(typeof config.description === 'string' ? [config.description, ''] : []),
    `- substrate: ${kindOf(config.substrate)} (${result.parameters.names.length} trainable ${result.parameters.name} parameters)`,
    `- task: ${kindOf(config.task)}`,
    `- mechanisms: activation ${kindOf(config.activation)}, error ${kindOf(config.error)}, rule ${kindOf(config.rule)}`,
    `- seed: ${String(config.seed)}`,
    `- epochs: ${s.epochs} (${s.seconds.toFixed(1)} s)`,
    ...figures,
    '',
    '![learning curve](learning-curve.svg)',
    '',
    ...(files.includes('network-after.svg') ? ['![the network before training](network-before.svg) ![the network after training](network-after.svg)', ''] : []),
    `Files: ${files.map((f) => `[${f}](${f})`).join(', ')}.`,
    '',
  ].join('\n');
}

/** summary.md's lines on what the updates cost physically, where the error mechanism reports it. */
function physicalCostLines(result: TrainingResult): string[] {
  const c = result.physicalCost;
  if (!c) return [];
  const fig = (x: number) => x.toPrecision(4);
  if (!c.physical) return [`- physical cost: ${c.note ?? 'not a physical mechanism'}`];
  const lines = [
    c.seconds !== undefined && c.secondsPerUpdate !== undefined
      ? `- physical time: ${fig(c.seconds)} s over ${c.updates} updates (${fig(c.secondsPerUpdate)} s per update), besides the ${result.summary.seconds.toFixed(1)} s of simulation`
      : '- physical time: not defined',
  ];
  if (c.energy !== undefined && c.energyPerUpdate !== undefined) lines.push(`- energy dissipated: ${fig(c.energy)} J (${fig(c.energyPerUpdate)} J per update)`);
  if (c.equilibriaPerExample !== undefined) lines.push(`- equilibria per example: ${c.equilibriaPerExample}`);
  if (c.note !== undefined) lines.push(`- how: ${c.note}`);
  return lines;
}

/** The first place two JSON values differ, as a JSON path (`optimizer.learningRate`, `task.hidden[1]`), or undefined. */
export function firstDifference(a: unknown, b: unknown, at = ''): { path: string; a: unknown; b: unknown } | undefined {
  if (Object.is(a, b)) return undefined;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return { path: at || '(the whole config)', a, b };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
    const d = firstDifference(ra[key], rb[key], at ? `${at}.${key}` : key);
    if (d) return d;
  }
  return undefined;
}

/** A resolved config without what a continued run may change: the budget (`training.epochs`, `training.steps`) and `training.checkpoint`. */
function withoutEpochs(config: Record<string, unknown>): Record<string, unknown> {
  const training = { ...((config.training as Record<string, unknown> | undefined) ?? {}) };
  delete training.epochs;
  delete training.steps;
  delete training.checkpoint;
  return { ...config, training };
}

const shown = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));


/** A folder's resolved config.json, or undefined when it is missing or does not read (for a message only). */
async function configOfFolder(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    const file = path.join(dir, 'config.json');
    const value = parseJsonText(await readInputFile(file, "the run's resolved config"), file);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The seed a resumed run was trained with, from its folder's config.json, when the command line gives none. */
async function seedOfRun(dir: string): Promise<number | undefined> {
  const seed = (await configOfFolder(dir))?.seed;
  return typeof seed === 'number' ? seed : undefined;
}

/** `draw()` with the substrate's parameters set, for the moment, to those before training (a resumed run has trained already); the solver's warm start is kept as it was. */
function beforeTraining<T>(substrate: Substrate, initial: Float64Array, draw: () => T): T {
  const current = Float64Array.from(substrate.parameters);
  const solverState = substrate.solverState?.();
  try {
    if (current.every((v, k) => v === initial[k])) return draw();
    substrate.setParameters(initial);
    try {
      return draw();
    } finally {
      substrate.setParameters(current);
    }
  } finally {
    // the drawing's equilibria must not move where the next solve starts: a resumed run continues from the checkpoint's
    substrate.restoreSolverState?.(solverState);
  }
}

/** How `train` goes on in a folder: a new run, one continued from its checkpoint, one whose epochs are done and whose results are to be written, or one started again (it stopped before its first checkpoint). */
type Continuation = { readonly mode: 'new' } | { readonly mode: 'continue' | 'finish'; readonly checkpoint: TrainerCheckpoint } | { readonly mode: 'restart' };

const replaceHint = (dir: string) => `, or --replace to move it aside (to ${dir}.replaced-<time>) and start anew`;

/** A run is complete when its folder has summary.json and its run.json (if any) says so. */
function isComplete(contents: FolderContents): boolean {
  return contents.entries.includes(SUMMARY_FILE) && (contents.record === undefined || contents.record.state === 'complete');
}

/**
 * Refuses a `--out` that `train` (without --resume or --replace) must not
 * write into: a folder of another experiment or command, a finished run,
 * an unfinished one (for --resume), or anything that is not a results
 * folder; a new or empty folder is fine.
 */
async function refuseTrainInto(contents: FolderContents, hash: string, resolvedConfig: Record<string, unknown>): Promise<void> {
  const { dir, entries, record } = contents;
  if (!contents.exists || entries.length === 0) return;
  const has = (f: string) => entries.includes(f);
  const hint = replaceHint(dir);
  if (contents.recordProblem) throw new MultimechError(`--out ${dir}: its ${RUN_FILE} does not read (${contents.recordProblem}); choose another folder${hint}`);
  if (record && record.command !== 'train') throw new MultimechError(`--out ${dir} holds the results of multimech ${record.command}, not of a training run; choose another folder${hint}`);
  if (record && record.experiment !== hash) {
    const previous = await configOfFolder(dir);
    const d = previous && firstDifference(withoutEpochs(previous), withoutEpochs(resolvedConfig));
    const where = d ? ` (at ${d.path} it has ${shown(d.a)} and this config ${shown(d.b)})` : '';
    throw new MultimechError(`--out ${dir} holds a run of another experiment${where}; choose another folder${hint}`);
  }
  if (has(CHECKPOINT_FILE) && !isComplete(contents)) {
    throw new MultimechError(`--out ${dir}: the folder holds an unfinished run (a ${CHECKPOINT_FILE} and no ${SUMMARY_FILE}); continue it with --resume, or choose a new or empty folder${hint}`);
  }
  if (has(SUMMARY_FILE)) {
    throw new MultimechError(
      record
        ? `--out ${dir} holds a finished run of this experiment (${record.epochs ?? '?'} epochs); train it for longer with --resume after raising training.epochs, or choose another folder${hint}`
        : `--out ${dir} holds the results of an earlier run (a ${SUMMARY_FILE}, and no ${RUN_FILE} to say which experiment it belongs to); choose another folder${hint}`,
    );
  }
  if (record) throw new MultimechError(`--out ${dir} holds a run of this experiment that stopped before its first checkpoint; start it again with --resume${hint}`);
  throw new MultimechError(`--out ${dir}: the folder is not empty and holds no ${SUMMARY_FILE} of an earlier multimech run; choose a new or empty folder`);
}

/**
 * What `--resume` does in `dir`, checked before anything there changes: the
 * config must describe the folder's run (its resolved form equal to the
 * folder's config.json but for training.epochs, and to the experiment
 * run.json records), and its checkpoint must read and fit whole. A run
 * with epochs left continues; one whose epochs are done but whose results
 * were never written (killed after its last epoch) is finished; one that
 * stopped before its first checkpoint starts again; a complete one is
 * refused.
 */
async function planResume(experiment: Experiment, contents: FolderContents, hash: string, configFile: string): Promise<Continuation> {
  const { dir, record } = contents;
  ResultsFolder.refuseIfLocked(contents);
  if (contents.recordProblem) throw new MultimechError(`--resume: ${path.join(dir, RUN_FILE)}: ${contents.recordProblem}`);
  if (record && record.command !== 'train') throw new MultimechError(`--resume: ${dir} holds the results of multimech ${record.command}, not of a training run`);
  const configPath = path.join(dir, 'config.json');
  const previous = parseJsonText(await readInputFile(configPath, "the run's resolved config"), configPath);
  if (typeof previous !== 'object' || previous === null || Array.isArray(previous)) throw new MultimechError(`${configPath}: expected the run's resolved config (a JSON object)`);
  const diff = firstDifference(withoutEpochs(previous as Record<string, unknown>), withoutEpochs(experiment.resolvedConfig));
  if (diff) {
    throw new MultimechError(
      `--resume: ${configFile} does not describe the run in ${dir}: at ${diff.path} the run has ${shown(diff.a)} and the config ${shown(diff.b)} ` +
        '(only training.epochs, training.steps and training.checkpoint may change when a run continues)',
    );
  }
  if (record && record.experiment !== hash) {
    throw new MultimechError(
      `--resume: ${configPath} does not describe the run ${RUN_FILE} records (experiment ${record.experiment}; config.json's is ${hash}): it was changed after the run started; restore it, or start anew with --replace`,
    );
  }
  const { trainer } = experiment;
  const epochs = trainer.parts.epochs;
  if (!contents.entries.includes(CHECKPOINT_FILE)) {
    if (contents.entries.includes(SUMMARY_FILE)) throw new MultimechError(`--resume: ${dir} holds a ${SUMMARY_FILE} and no ${CHECKPOINT_FILE}, so there is no run to continue there`);
    return { mode: 'restart' };
  }
  const seed = Number(experiment.resolvedConfig.seed);
  const checkpointPath = path.join(dir, CHECKPOINT_FILE);
  const checkpoint = await readCheckpoint(checkpointPath, experiment.trainer.parts, { experiment: hash, seed, source: configPath });
  const done = checkpoint.steps ?? checkpoint.epoch * trainer.stepsPerEpoch;
  if (done >= trainer.stepBudget && isComplete(contents)) {
    throw new MultimechError(
      trainer.parts.steps !== undefined
        ? `--resume: the run in ${dir} has made ${done} of ${trainer.stepBudget} updates; raise training.steps in ${configFile} to train on`
        : `--resume: the run in ${dir} has finished ${checkpoint.epoch} of ${epochs} epochs; raise training.epochs in ${configFile} to train on`,
    );
  }
  // the trainer takes the checkpoint now, while the folder is as it was: what it refuses (a warm start of another size) changes nothing there
  try {
    experiment.trainer.restore(checkpoint);
  } catch (e) {
    if (e instanceof MultimechError) throw new MultimechError(`${checkpointPath}: ${e.message}`);
    throw e;
  }
  return { mode: done < trainer.stepBudget ? 'continue' : 'finish', checkpoint };
}

/**
 * `multimech train CONFIG`: decode the config, train with progress on
 * stderr, and write the results folder. `metrics.csv` gains a row per
 * evaluation (appended); `checkpoint.json` is written (atomically, as every
 * other file) at the first evaluation, every `training.checkpoint` (default
 * every 10 seconds), at the end and when the run is stopped, so that the
 * results cost the same at every epoch, and an interrupted run keeps the
 * epochs of its last checkpoint: `--resume` continues it from there (the
 * rows of metrics.csv after it dropped and written again) with the numbers
 * an uninterrupted run gives; `summary.json`, then
 * `run.json` saying `complete`, written last, mark a complete run. The
 * folder is locked while the command works in it. `--max-seconds` and the
 * first SIGINT or SIGTERM stop the run after the epoch in progress, with
 * its checkpoint saved and one line saying how to continue.
 */
export async function trainCommand(configFile: string, options: TrainOptions, io: CliIo): Promise<TrainOutcome> {
  if (options.resume && options.out === undefined) {
    throw new MultimechError('--resume needs --out DIR: the results folder of the run to continue');
  }
  if (options.resume && options.replace) throw new UsageError('--resume continues the run in --out, --replace moves it aside to start anew: give one of them');
  const stop = new RunStop(options.maxSeconds, io.stderr);
  const note = (line: string) => io.stderr.write(`multimech: note: ${line}\n`);
  if (options.resume) await ResultsFolder.existing(options.out!);
  const seed = options.seed ?? (options.resume ? await seedOfRun(options.out!) : undefined);
  const experiment = await loadExperiment(configFile, seed);
  const { trainer, resolvedConfig } = experiment;
  const hash = experimentHash(resolvedConfig);
  const epochsConfigured = trainer.parts.epochs;
  const dir = options.out ?? defaultResultsDir(configFile, new Date(), resolvedConfig.name as string | undefined);

  // everything is checked before the folder changes
  const contents = await ResultsFolder.inspect(dir);
  let continuation: Continuation = { mode: 'new' };
  if (options.resume) {
    continuation = await planResume(experiment, contents, hash, configFile);
  } else {
    ResultsFolder.refuseIfLocked(contents);
    if (options.replace) {
      const aside = await ResultsFolder.moveAside(contents);
      if (aside !== undefined) note(`moved the earlier contents of ${dir} aside to ${aside}`);
    } else {
      await refuseTrainInto(contents, hash, resolvedConfig);
    }
  }

  const folder = await ResultsFolder.claim(dir, 'train', note);
  stop.watch(options.signals);
  const started = continuation.mode === 'new' ? undefined : contents.record?.started;
  let epochsDone = continuation.mode === 'continue' || continuation.mode === 'finish' ? continuation.checkpoint.epoch : 0;
  // the plot renderer starts loading with the training, on the other core, and is ready when the run ends
  const renderer = new ChartRenderer();
  try {
    await folder.writeRecord({ command: 'train', experiment: hash, state: 'running', epoch: epochsDone, epochs: epochsConfigured, ...(started ? { started } : {}) });
    const outcome = await trainInFolder(configFile, experiment, hash, folder, continuation, stop, io, (epoch) => (epochsDone = epoch), renderer);
    await folder.writeRecord({ command: 'train', experiment: hash, state: 'complete', epoch: epochsDone, epochs: epochsConfigured });
    return outcome;
  } catch (e) {
    const reason = e instanceof RunStopped ? stop.reason : e instanceof Error ? e.message : String(e);
    // best effort: a full disk may refuse this too, and the error that stopped the run is the one to report
    await folder.writeRecord({ command: 'train', experiment: hash, state: 'interrupted', epoch: epochsDone, epochs: epochsConfigured, ...(reason ? { reason } : {}) }).catch(() => undefined);
    // a simulation that failed while training (an equilibrium that did not converge) names the config and the epoch
    if (e instanceof NumericalError) throw new NumericalError(`${configFile}: training stopped in epoch ${epochsDone + 1}: ${e.message}${drivesNote(experiment)}`);
    throw e;
  } finally {
    await renderer.close();
    stop.release();
    folder.release();
  }
}

/**
 * What a failed simulation's message adds about the drives: the largest of
 * the task's inputs, and the key that scales them when the task has one, so
 * that a drive too strong for a nonlinear network (a diode's current
 * overflows beyond a few tens of volts) is traced to the config.
 */
function drivesNote(experiment: Experiment): string {
  let largest = 0;
  for (const example of [...experiment.task.train, ...experiment.task.test]) for (const x of example.inputs) largest = Math.max(largest, Math.abs(x));
  const task = experiment.resolvedConfig.task as { inputs?: unknown; strains?: unknown } | undefined;
  // the keys of the built-in tasks that set the drives: an input encoding, or the strains of an allostery task
  const keys = [
    ...(task && typeof task === 'object' && task.inputs !== undefined ? ['task.inputs.scale and task.inputs.bias set them'] : []),
    ...(task && typeof task === 'object' && task.strains !== undefined ? ['task.strains sets them'] : []),
  ];
  const key = keys.length > 0 ? `; ${keys.join('; ')}` : '';
  return ` (the task's inputs reach ${largest.toPrecision(3)}${key})`;
}

/** The training and the files of `train`, in a folder claimed and recorded as running; `renderer` draws the plots. */
async function trainInFolder(
  configFile: string,
  experiment: Experiment,
  hash: string,
  folder: ResultsFolder,
  continuation: Continuation,
  stop: RunStop,
  io: CliIo,
  epochDone: (epoch: number) => void,
  renderer: ChartRenderer,
): Promise<TrainOutcome> {
  const { trainer, task, substrate, resolvedConfig, records } = experiment;
  const drawing = records.substrate.results?.drawing;
  const networkFile = records.substrate.results?.networkFile;
  const checkpoint = continuation.mode === 'continue' || continuation.mode === 'finish' ? continuation.checkpoint : undefined;
  const seed = Number(resolvedConfig.seed);
  const epochsConfigured = trainer.parts.epochs;
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    await folder.write(name, data);
    files.push(name);
  };
  if (continuation.mode === 'restart') io.stderr.write(`multimech: note: ${folder.dir} holds no checkpoint (the run stopped before its first epoch): starting it from the beginning\n`);
  // a run trained for longer is not complete until it ends: its earlier summary.json goes (its figures are a row of metrics.csv)
  if (continuation.mode === 'continue' && existsSync(folder.path(SUMMARY_FILE))) rmSync(folder.path(SUMMARY_FILE), { force: true });
  await write('config.json', JSON.stringify(resolvedConfig, null, 2) + '\n');

  const classification = task.predict !== undefined;
  const physical = (resolvedConfig.training as { physicalCost?: boolean } | undefined)?.physicalCost === true;
  const rows: EpochRow[] = [...(checkpoint?.history ?? [])];
  // a continued run's metrics.csv starts again from its checkpoint's rows: those after it are trained again
  const damage = (resolvedConfig.training as { damage?: unknown } | undefined)?.damage !== undefined;
  const metrics = new MetricsFile(folder.path('metrics.csv'), classification, { physical, damage }, rows);
  const schedule = new CheckpointSchedule(
    checkpointSettings((resolvedConfig.training as { checkpoint?: Parameters<typeof checkpointSettings>[0] } | undefined)?.checkpoint),
    trainer.stepsPerEpoch,
    checkpoint ? (checkpoint.steps ?? checkpoint.epoch * trainer.stepsPerEpoch) : undefined,
  );
  const saveCheckpoint = () => {
    const state = trainer.checkpoint();
    folder.writeSync(CHECKPOINT_FILE, JSON.stringify({ ...state, experiment: hash, seed }) + '\n');
    schedule.written(state.steps ?? state.epoch * trainer.stepsPerEpoch);
    epochDone(state.epoch);
  };
  // a log line is written after its epoch's metrics row: a line seen means the row is in the file
  const progress = new ProgressDisplay(io.stderr, Date.now, { beforeWrite: () => metrics.flush() });
  let epochs = 0;
  trainer.on('epoch', (e) => {
    epochs = e.epochs;
    metrics.append(e);
    if (schedule.due(e.steps)) saveCheckpoint();
    progress.epoch(e);
  });
  trainer.on('step', (s) => progress.step(s, epochs));
  const name = typeof resolvedConfig.name === 'string' ? resolvedConfig.name : path.basename(configFile).replace(/\.json$/i, '');
  const resume = `continue with: multimech train ${configFile} --out ${folder.dir} --resume`;
  if (checkpoint && continuation.mode === 'continue') io.stderr.write(`resuming ${folder.dir} after epoch ${checkpoint.epoch} of ${epochsConfigured}\n`);
  if (continuation.mode === 'finish') io.stderr.write(`finishing ${folder.dir}: its ${checkpoint!.epoch} epochs are done, its results were not written\n`);
  const before = beforeTraining(substrate, trainer.parametersBeforeTraining, () => drawing?.snapshot(substrate, task, `${name}: before training`));
  let result: TrainingResult;
  try {
    result = await trainer.runAsync({ stop: stop.requested });
  } finally {
    progress.finish();
    metrics.close();
  }
  // the checkpoint of the last evaluation: at the end, or where the run was stopped
  if (!schedule.isWrittenAt(trainer.stepsTaken)) saveCheckpoint();
  const done = result.history[result.history.length - 1].epoch;
  if (result.stopped) throw new RunStopped(`stopped after epoch ${done} of ${epochsConfigured} (${stop.reason}); the checkpoint is in ${folder.dir}: ${resume}`);
  // a signal now (between epochs) stops at once: the checkpoint holds every epoch, --resume writes the results (a time budget lets them be written)
  const writeResult = async (file: string, data: string | Uint8Array) => {
    if (stop.signalled) throw new RunStopped(`stopped after the last epoch (${done} of ${epochsConfigured}) before its results were written (${stop.signalled}); ${resume}`);
    await write(file, data);
  };
  files.push('metrics.csv', CHECKPOINT_FILE);
  if (trainer.parts.fidelity) {
    const errorKind = (resolvedConfig.error as { kind?: unknown } | undefined)?.kind;
    await writeResult('fidelity.csv', fidelityCsv([{ mechanism: typeof errorKind === 'string' ? errorKind : 'error', seed, history: result.history }]));
  }

  await writeResult('parameters.csv', parametersCsv(result.parameters.names, result.parameters.values));
  const trained = networkFile?.write(substrate, `${name}: trained by multimech`);
  if (networkFile && trained !== undefined) await writeResult(networkFile.name, trained);

  const h = result.history;
  const taskLoss = (resolvedConfig.task as { loss?: { kind?: unknown; kappa?: unknown } } | undefined)?.loss;
  const plot = await renderLearningCurve({
    title: name,
    loss: { kind: typeof taskLoss?.kind === 'string' ? taskLoss.kind : task.loss.kind, kappa: taskLoss?.kappa },
    epochs: h.map((e) => e.epoch),
    trainLoss: h.map((e) => e.trainLoss),
    testLoss: h.map((e) => e.testLoss),
    ...(h.some((e) => (e.damaged ?? 0) > 0) ? { events: h.filter((e) => (e.damaged ?? 0) > 0).map((e) => ({ epoch: e.epoch, label: `${e.damaged} edge${e.damaged === 1 ? '' : 's'} broken` })) } : {}),
    metric: classification
      ? { name: 'accuracy', train: h.map((e) => e.trainAccuracy), test: h.map((e) => e.testAccuracy) }
      : { name: 'relative error', train: h.map((e) => e.trainRelativeError), test: h.map((e) => e.testRelativeError) },
  }, renderer);
  await writeResult('learning-curve.svg', plot.svg);
  await writeResult('learning-curve.png', plot.png);
  const after = drawing?.snapshot(substrate, task, `${name}: after training`);
  if (drawing && before !== undefined && after !== undefined) {
    const svgs = drawing.render([before, after]);
    for (const [file, svg] of [['network-before', svgs[0]], ['network-after', svgs[1]]] as const) {
      await writeResult(`${file}.svg`, svg);
      await writeResult(`${file}.png`, svgToPng(svg, 1000));
    }
  }
  await writeResult('summary.md', summaryMarkdown(name, resolvedConfig, result, [...files, SUMMARY_FILE]));
  const cost = result.physicalCost;
  const summaryJson = {
    ...(physical ? { ...result.summary, ...(cost?.seconds !== undefined ? { physical_seconds: cost.seconds } : {}), ...(cost?.energy !== undefined ? { energy: cost.energy } : {}) } : result.summary),
    ...(result.damage ? { damage: result.damage } : {}),
  };
  await writeResult(SUMMARY_FILE, JSON.stringify(summaryJson, null, 2) + '\n');

  // what the diagnostics say went physically wrong (negative concentrations, a resonance, ...), where the log ends
  for (const line of diagnosticWarnings(result.history, records.error.diagnostics ?? [])) io.stderr.write(`multimech: ${terminalText(line)}\n`);
  // the figure is the last line, so that scripts can read it with `tail -1`
  const s = result.summary;
  io.stdout.write(`results: ${folder.dir}\n`);
  if (s.test_accuracy !== undefined) {
    io.stdout.write(`test accuracy: ${s.test_accuracy.toFixed(4)}\n`);
  } else if (s.relative_error !== undefined) {
    io.stdout.write(`relative error: ${s.relative_error.toPrecision(4)}\n`);
  }
  return { dir: folder.dir, files, result };
}
