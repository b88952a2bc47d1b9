import { MultimechError, type Substrate } from '@multimech/core';
import { Experiment, TrainerCheckpoint, TrainingResult, createExperiment } from '@multimech/trainer';
import * as path from 'path';
import type { CliIo } from './cli-io';
import { pluginsFor, preloadPluginsFor } from './cli-plugins';
import { diagnosticWarnings } from './diagnostic-warnings';
import { renderLearningCurve } from './learning-curve';
import { svgToPng } from './vega-renderer';
import { EpochRow, fidelityCsv, metricsCsv, parametersCsv } from './metrics-csv';
import { ProgressDisplay } from './progress-display';
import { parseJsonText, readInputFile } from './read-input-file';
import { CHECKPOINT_FILE, ResultsFolder, SUMMARY_FILE, defaultResultsDir } from './results-folder';

export interface TrainOptions {
  /** Results folder (default `runs/<config basename>-<yyyymmdd-hhmmss>`). */
  readonly out?: string;
  /** Overrides the config's seed. */
  readonly seed?: number;
  /** Continue the run in `out` from its checkpoint (the config may change only `training.epochs`). */
  readonly resume?: boolean;
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

function withoutEpochs(config: Record<string, unknown>): Record<string, unknown> {
  const training = { ...((config.training as Record<string, unknown> | undefined) ?? {}) };
  delete training.epochs;
  return { ...config, training };
}

const shown = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * The run to continue in `dir`: its resolved config must match this one but
 * for `training.epochs`, and its checkpoint must fit the trainer; the
 * trainer is restored from it. Returns the checkpoint.
 */
async function resumeInto(experiment: Experiment, folder: ResultsFolder, configFile: string): Promise<TrainerCheckpoint> {
  const configPath = folder.path('config.json');
  const previous = parseJsonText(await readInputFile(configPath, "the run's resolved config"), configPath) as Record<string, unknown>;
  const diff = firstDifference(withoutEpochs(previous), withoutEpochs(experiment.resolvedConfig));
  if (diff) {
    throw new MultimechError(
      `--resume: ${configFile} does not describe the run in ${folder.dir}: at ${diff.path} the run has ${shown(diff.a)} and the config ${shown(diff.b)} ` +
        '(only training.epochs may change when a run continues)',
    );
  }
  const checkpointPath = folder.path(CHECKPOINT_FILE);
  const checkpoint = parseJsonText(await readInputFile(checkpointPath, 'a training checkpoint'), checkpointPath) as TrainerCheckpoint;
  try {
    experiment.trainer.restore(checkpoint);
  } catch (e) {
    if (e instanceof MultimechError) throw new MultimechError(`${checkpointPath}: ${e.message}`);
    throw e;
  }
  const epochs = experiment.trainer.parts.epochs;
  if (checkpoint.epoch >= epochs) {
    throw new MultimechError(
      `--resume: the run in ${folder.dir} has finished ${checkpoint.epoch} of ${epochs} epochs; raise training.epochs in ${configFile} to train on`,
    );
  }
  return checkpoint;
}

/** The seed a resumed run was trained with, from its folder's config.json, when the command line gives none. */
async function seedOfRun(dir: string): Promise<number | undefined> {
  const file = path.join(dir, 'config.json');
  try {
    const seed = (parseJsonText(await readInputFile(file, "the run's resolved config"), file) as { seed?: unknown }).seed;
    return typeof seed === 'number' ? seed : undefined;
  } catch {
    return undefined; // resumeInto reports a missing or broken config.json
  }
}

/** `draw()` with the substrate's parameters set, for the moment, to those before training (a resumed run has trained already). */
function beforeTraining<T>(substrate: Substrate, initial: Float64Array, draw: () => T): T {
  const current = Float64Array.from(substrate.parameters);
  if (current.every((v, k) => v === initial[k])) return draw();
  substrate.setParameters(initial);
  try {
    return draw();
  } finally {
    substrate.setParameters(current);
  }
}

/**
 * `multimech train CONFIG`: decode the config, train with progress on
 * stderr, and write the results folder. Each file is written atomically;
 * `metrics.csv` and `checkpoint.json` are rewritten after every epoch, so an
 * interrupted run keeps the epochs it finished and `--resume` continues it
 * with the numbers an uninterrupted run gives; `summary.json`, written
 * last, marks a complete run.
 */
export async function trainCommand(configFile: string, options: TrainOptions, io: CliIo): Promise<TrainOutcome> {
  if (options.resume && options.out === undefined) {
    throw new MultimechError('--resume needs --out DIR: the results folder of the run to continue');
  }
  const resumeFolder = options.resume ? await ResultsFolder.existing(options.out!) : undefined;
  const seed = options.seed ?? (resumeFolder ? await seedOfRun(resumeFolder.dir) : undefined);
  const experiment = await loadExperiment(configFile, seed);
  const { trainer, task, substrate, resolvedConfig, records } = experiment;
  const drawing = records.substrate.results?.drawing;
  const networkFile = records.substrate.results?.networkFile;
  const checkpoint = resumeFolder ? await resumeInto(experiment, resumeFolder, configFile) : undefined;
  const folder = resumeFolder ?? (await ResultsFolder.open(options.out ?? defaultResultsDir(configFile, new Date(), resolvedConfig.name as string | undefined)));
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    await folder.write(name, data);
    files.push(name);
  };
  await write('config.json', JSON.stringify(resolvedConfig, null, 2) + '\n');

  const classification = task.predict !== undefined;
  const physical = (resolvedConfig.training as { physicalCost?: boolean } | undefined)?.physicalCost === true;
  const rows: EpochRow[] = [...(checkpoint?.history ?? [])];
  const progress = new ProgressDisplay(io.stderr);
  let epochs = 0;
  trainer.on('epoch', (e) => {
    epochs = e.epochs;
    rows.push(e);
    folder.writeSync('metrics.csv', metricsCsv(rows, classification, { physical }));
    folder.writeSync(CHECKPOINT_FILE, JSON.stringify(trainer.checkpoint()) + '\n');
    progress.epoch(e);
  });
  trainer.on('step', (s) => progress.step(s, epochs));
  const name = typeof resolvedConfig.name === 'string' ? resolvedConfig.name : path.basename(configFile).replace(/\.json$/i, '');
  if (checkpoint) io.stderr.write(`resuming ${folder.dir} after epoch ${checkpoint.epoch} of ${trainer.parts.epochs}\n`);
  const before = beforeTraining(substrate, trainer.parametersBeforeTraining, () => drawing?.snapshot(substrate, task, `${name}: before training`));
  let result: TrainingResult;
  try {
    result = trainer.run();
  } finally {
    progress.finish();
  }
  files.push('metrics.csv', CHECKPOINT_FILE);
  if (trainer.parts.fidelity) {
    const errorKind = (resolvedConfig.error as { kind?: unknown } | undefined)?.kind;
    await write('fidelity.csv', fidelityCsv([{ mechanism: typeof errorKind === 'string' ? errorKind : 'error', seed: Number(resolvedConfig.seed), history: result.history }]));
  }

  await write('parameters.csv', parametersCsv(result.parameters.names, result.parameters.values));
  const trained = networkFile?.write(substrate, `${name}: trained by multimech`);
  if (networkFile && trained !== undefined) await write(networkFile.name, trained);

  const h = result.history;
  const taskLoss = (resolvedConfig.task as { loss?: { kind?: unknown; kappa?: unknown } } | undefined)?.loss;
  const plot = await renderLearningCurve({
    title: name,
    loss: { kind: typeof taskLoss?.kind === 'string' ? taskLoss.kind : task.loss.kind, kappa: taskLoss?.kappa },
    epochs: h.map((e) => e.epoch),
    trainLoss: h.map((e) => e.trainLoss),
    testLoss: h.map((e) => e.testLoss),
    metric: classification
      ? { name: 'accuracy', train: h.map((e) => e.trainAccuracy), test: h.map((e) => e.testAccuracy) }
      : { name: 'relative error', train: h.map((e) => e.trainRelativeError), test: h.map((e) => e.testRelativeError) },
  });
  await write('learning-curve.svg', plot.svg);
  await write('learning-curve.png', plot.png);
  const after = drawing?.snapshot(substrate, task, `${name}: after training`);
  if (drawing && before !== undefined && after !== undefined) {
    const svgs = drawing.render([before, after]);
    for (const [file, svg] of [['network-before', svgs[0]], ['network-after', svgs[1]]] as const) {
      await write(`${file}.svg`, svg);
      await write(`${file}.png`, svgToPng(svg, 1000));
    }
  }
  await write('summary.md', summaryMarkdown(name, resolvedConfig, result, [...files, SUMMARY_FILE]));
  const cost = result.physicalCost;
  const summaryJson = physical
    ? { ...result.summary, ...(cost?.seconds !== undefined ? { physical_seconds: cost.seconds } : {}), ...(cost?.energy !== undefined ? { energy: cost.energy } : {}) }
    : result.summary;
  await write(SUMMARY_FILE, JSON.stringify(summaryJson, null, 2) + '\n');

  // what the diagnostics say went physically wrong (negative concentrations, a resonance, ...), where the log ends
  for (const line of diagnosticWarnings(result.history, records.error.diagnostics ?? [])) io.stderr.write(`multimech: ${line}\n`);
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
