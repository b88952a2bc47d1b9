import {
  ConfigError,
  InputFileError,
  SettingsError,
  capabilityProblems,
  outputPortProblems,
  experimentPaths,
  placeProblems,
  type SettingPaths,
  MultimechError,
  MultimechPlugin,
  Rng,
  Substrate,
  Task,
  type ActivationRecord,
  type ErrorRecord,
  type RuleRecord,
  type SubstrateRecord,
  type TaskRecord,
  corePlugin,
  createRegistries,
  reportErrors,
  decodePluginSections,
  integer,
  nonEmptyString,
  positiveInteger,
  strictObject,
  refine,
  withSchema,
  bounded,
  COUNT_RANGE,
  SEED_RANGE,
  limitsCodec,
  resourceLimits,
  sizeProblems,
  type ResourceLimits,
  type SectionProblem,
  namedBy,
  fromSectionFile,
} from '@multimech/core';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { optimizerCodec, resolveOptimizer } from './optimizer';
import { Trainer } from './trainer';
import { type EvaluationSettings, checkpointCodec, evaluationCodec, samplingCodec, samplingSettings, sequenceProblem } from './training-schedule';
import type { FidelitySettings } from './fidelity-measurement';
import { validationTask } from './validation-split';
import { continuousCodec, continuousProblems, continuousSettings } from './continuous-training';
import { trainerPlugin } from './trainer-plugin';
import { measurementCodec } from './hardware/measurement';
import { damageCodec, damageProblems } from './hardware/damage';
import { UPDATE_IMPERFECTION_KEYS } from './hardware/update-imperfections';

const sectionShape = t.unknown;

/**
 * `"$schema"`: the JSON Schema a config file names for editors (a path
 * relative to the file, or a URL), as `multimech schema` writes it. Any
 * string; nothing reads it when training.
 */
export const schemaReferenceCodec = withSchema(
  new t.Type<string, string, unknown>(
    'the JSON Schema this config is written against, for editors (a path relative to the file, or a URL; ignored when training)',
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)),
    (s) => s,
  ),
  { type: 'string' },
);

/**
 * `training`: the budget (`epochs`, or `steps`: not both), how examples are
 * drawn (`sampling`), when the train and test sets are evaluated
 * (`evaluate`), when `multimech train` writes its checkpoint
 * (`checkpoint`), fidelity during training and the physical-cost columns.
 */
export const trainingCodec = refine(
  strictObject(
    'training settings ({ "epochs"?, "steps"?, "sampling"?, "evaluate"?, "checkpoint"?, "fidelity"?, "physicalCost"?, "continuous"?, "measurement"?, "damage"? })',
    {},
    {
      /** Passes over the training examples (default 50). */
      epochs: bounded(positiveInteger, COUNT_RANGE, 'no run ends beyond it'),
      /** Updates, in place of epochs: a budget that may end inside an epoch. */
      steps: bounded(positiveInteger, COUNT_RANGE, 'no run ends beyond it'),
      /** How each update's examples are drawn: shuffled epochs (default), with replacement, or a given sequence. */
      sampling: samplingCodec,
      /** Evaluate the train and test sets every `every` steps or epochs (default every epoch), and at the end. */
      evaluate: evaluationCodec,
      /** When `multimech train` writes its checkpoint: every `every` steps or epochs, or every `seconds` (default 10); always at the end and when stopped. */
      checkpoint: checkpointCodec,
      /** Measure the mechanism's estimate against the exact gradient every `every` epochs (epoch 0 included) on the first `examples` training examples, each `repeats` times. */
      fidelity: strictObject(
        'fidelity during training ({ "every", "examples"?, "repeats"? })',
        { every: bounded(positiveInteger, COUNT_RANGE) },
        { examples: bounded(positiveInteger, COUNT_RANGE), repeats: bounded(positiveInteger, { min: 1, max: 1000 }, 'each repeat measures every example again; a thousand give the variance to about 5%') },
      ),
      /** Write each epoch's physical cost into metrics.csv and summary.json (`multimech train`). */
      physicalCost: t.boolean,
      /** Continuous-time learning: the parameters change while the network relaxes, at `ratio` times its relaxation rate (a network with dynamics, coupled learning). */
      continuous: continuousCodec,
      /** Noise and an ADC on what each edge reads during training, before the rule combines the readings (docs/hardware-realism.md). */
      measurement: measurementCodec,
      /** Edges that break during training, at given epochs or at a rate (docs/hardware-realism.md). */
      damage: damageCodec,
    },
  ),
  (v) => (v.epochs !== undefined && v.steps !== undefined ? [{ key: 'steps', message: 'give the budget either in epochs or in steps, not both' }] : []),
);

/** The experiment file's top level; each plugin section is decoded by its own plugin. */
export const experimentCodec = strictObject(
  'an experiment config',
  { substrate: sectionShape, task: sectionShape, error: sectionShape },
  {
    name: nonEmptyString,
    description: t.string,
    seed: bounded(integer, SEED_RANGE, 'a seed is a safe integer'),
    activation: sectionShape,
    rule: sectionShape,
    optimizer: optimizerCodec,
    training: trainingCodec,
    /** Modules of third-party plugins, for the command line to load (createExperiment itself takes plugin objects). */
    plugins: t.array(nonEmptyString),
    /** What the run may allocate (nodes, edges, examples, data values, samples per measurement, epochs, file bytes), raised over `DEFAULT_LIMITS`. */
    limits: limitsCodec,
    $schema: schemaReferenceCodec,
  },
);

/** The plugin sections of an experiment config. */
export const EXPERIMENT_SECTIONS = ['substrate', 'task', 'activation', 'error', 'rule'] as const;
export type ExperimentSectionName = (typeof EXPERIMENT_SECTIONS)[number];

/**
 * A plugin section as every plugin's section fits it: its `kind`, and
 * whatever keys its plugin's codec takes (checked when the config is decoded).
 */
export type AnySection = { readonly kind: string; readonly [key: string]: unknown };

/** What each plugin section of an experiment config may be: a union of sections (`ResistiveSection | FlowSection`), each with its `kind`. */
export type ExperimentSections = { readonly [S in ExperimentSectionName]: { readonly kind: string } };

/** Every section loose (`AnySection`): a config of any plugins' kinds. */
export type AnySections = { readonly [S in ExperimentSectionName]: AnySection };

/**
 * An experiment config as TypeScript writes it: the top level typed from
 * `experimentCodec` (`name`, `description`, `seed`, `plugins`, `optimizer`,
 * `training`, `$schema`), and each plugin section one of `S`'s. With the
 * sections of known plugins (each plugin exports its own: `ResistiveSection`,
 * `FrequencyErrorSection`, ...; `BuiltInExperimentConfig` in
 * `@multimech/cli` has every built-in one), a misspelt key, a wrong `kind`
 * or a string where a number goes fails to compile:
 *
 *     const config: ExperimentConfig<{ substrate: ResistiveSection; task: IrisSection; activation: DcActivationSection; error: FrequencyErrorSection; rule: ProductRuleSection }> = { ... };
 *
 * Without `S`, any plugin's sections fit. It is still decoded at run time.
 */
export type ExperimentConfig<S extends ExperimentSections = AnySections> = Omit<t.TypeOf<typeof experimentCodec>, ExperimentSectionName> & {
  readonly substrate: S['substrate'];
  readonly task: S['task'];
  readonly activation?: S['activation'];
  readonly error: S['error'];
  readonly rule?: S['rule'];
};

/**
 * Runs a plugin's `create`: a problem with its settings found while
 * building (a SettingsError) is placed by `paths`; a problem in a file a
 * setting named (`fromSectionFile`) names the chain, `config.json:
 * substrate.network.netlist: net.cir:4: ...`; a message that does not name
 * a file yet gets the config file's name.
 */
function creating<T>(source: string | undefined, paths: SettingPaths, create: () => T): T {
  try {
    return create();
  } catch (e) {
    // a problem in a file a setting named (a netlist): the chain, from the config's key to the file's line
    const via = namedBy(e);
    if (via && e instanceof MultimechError) throw new MultimechError(`${source ? `${source}: ` : ''}${paths(via.section, via.key)}: ${e.message}`);
    const error = e instanceof SettingsError ? new MultimechError(placeProblems(e.sectionProblems, paths).map((p) => `${p.path}: ${p.message}`).join('; ')) : e;
    if (!source || !(error instanceof MultimechError) || error instanceof ConfigError || error instanceof InputFileError) throw error;
    throw new MultimechError(`${source}: ${error.message}`);
  }
}

/** Refuses, placed by `paths`, the claims over their limits (checked before what they count is allocated). */
function checkSizes(problems: readonly SectionProblem[], paths: SettingPaths, source?: string): void {
  if (problems.length > 0) throw new ConfigError(placeProblems(problems, paths), source);
}

/** The top level decoded, each problem placed by `paths` (its first key names the section: `training.epochs`). */
function decodeTopLevel(raw: unknown, paths: SettingPaths, source?: string) {
  const r = experimentCodec.decode(raw);
  if (!isLeft(r)) return r.right;
  const place = (path: string) => {
    const head = /^[^.[]*/.exec(path)![0];
    const key = path.slice(head.length).replace(/^\./, '');
    return head === '' ? path : paths(head, key);
  };
  throw new ConfigError(reportErrors(r.left).map((p) => ({ path: place(p.path), message: p.message })), source);
}

export interface ExperimentOptions {
  /** Overrides the config's seed. */
  readonly seed?: number;
  /** Folder that relative paths in the config are read from. */
  readonly baseDir?: string;
  /** The config's file name, for messages. */
  readonly source?: string;
  /**
   * Where problems are shown (default: the experiment config's own paths,
   * `error.mode`); a comparison places each run's sections in its own config.
   */
  readonly paths?: SettingPaths;
  /**
   * Trains on part of the task's training split and evaluates on the rest
   * (`validationTask`): this fraction of the training examples, chosen by
   * the seed, replaces the test split, which is never touched. For choosing
   * settings (a comparison's learning rates) without looking at the test set.
   */
  readonly validation?: number;
}

/** Examples a fidelity measurement during training uses, and repeats of each, when `training.fidelity` does not say. */
export const DEFAULT_TRAINING_FIDELITY = { examples: 10, repeats: 4 } as const;

export interface Experiment {
  /** The config as JSON: the seed, the task, optimizer and training with their defaults filled in, the plugin sections as written (their plugins fill in their own defaults). */
  readonly resolvedConfig: Record<string, unknown>;
  readonly substrate: Substrate;
  readonly task: Task;
  readonly trainer: Trainer;
  /** The records that built it: what each plugin declares besides (a network file, drawings, diagnostics) is read from them. */
  readonly records: {
    readonly substrate: SubstrateRecord;
    readonly task: TaskRecord;
    readonly activation: ActivationRecord;
    readonly error: ErrorRecord;
    readonly rule: RuleRecord;
  };
}

/**
 * The one call a researcher makes: decode the config against the plugins'
 * codecs (two stages: `kind`, then the plugin's own codec), refuse
 * combinations that cannot work, and build the substrate, task, mechanisms
 * and trainer. Without a `rule`, the one that consumes what the error
 * mechanism produces (`contrastive` for EP and CL); a rule that does not is
 * refused with the one that would. Dependency injection stays inside.
 *
 *     const { trainer } = createExperiment(config, [resistivePlugin, frequencyPlugin]);
 *     const result = trainer.run();
 *
 * `raw` is an `ExperimentConfig` written in TypeScript (typed, so that a
 * misspelt key fails to compile) or whatever JSON gave (`unknown`): either
 * way it is decoded here, and refused with one line per problem. A
 * `"$schema"` is ignored, and kept in `resolvedConfig`.
 */
export function createExperiment(raw: unknown, plugins: readonly MultimechPlugin[], options: ExperimentOptions = {}): Experiment {
  const paths = options.paths ?? experimentPaths;
  const top = decodeTopLevel(raw, paths, options.source);
  const registries = createRegistries([corePlugin, trainerPlugin, ...plugins]);
  const sections = decodePluginSections(raw as Record<string, unknown>, registries, options.source, paths);
  const seed = options.seed ?? top.seed ?? 1;
  const root = new Rng(seed);
  const taskRng = root.fork();
  const substrateRng = root.fork();
  const trainRng = root.fork();
  const baseDir = options.baseDir ?? process.cwd();
  const limits: ResourceLimits = resourceLimits(top.limits);
  // what the run will allocate is counted before anything is: the epochs, the task's data, the network, the measurements
  // (a budget in steps is counted once the task says how many steps an epoch has)
  checkSizes(sizeProblems('training', [{ limit: 'epochs', count: top.training?.epochs ?? (top.training?.steps !== undefined ? 1 : 50), key: 'epochs', what: 'epochs' }], limits), paths, options.source);
  checkSizes(sizeProblems('task', sections.task.record.sizes?.(sections.task.config) ?? [], limits), paths, options.source);
  const created = creating(options.source, paths, () =>
    sections.task.record.create(sections.task.config, { rng: taskRng, baseDir, limits }),
  ) as Task & { resolvedConfig?: object };
  // the validation split draws from a stream of its own, forked after the others, so that they are unchanged
  const task = options.validation !== undefined ? validationTask(created, options.validation, root.fork()) : created;
  const ports = { inputs: task.inputCount, outputs: task.outputCount };
  checkSizes(sizeProblems('substrate', sections.substrate.record.sizes?.(sections.substrate.config, ports) ?? [], limits), paths, options.source);
  const substrate = creating(options.source, paths, () =>
    sections.substrate.record.create(sections.substrate.config, {
      inputs: { count: task.inputCount, type: task.inputType, names: task.inputNames },
      outputs: { count: task.outputCount, names: task.outputNames },
      rng: substrateRng,
      baseDir,
      limits,
    }),
  );
  // The record says what a kind can provide; the network as built says what it does (a netlist with diodes is not linear).
  const built = capabilityProblems(`this '${substrate.kind}' network`, substrate.capabilities, sections.activation.record, sections.error.record);
  const activation = sections.activation.record.create(sections.activation.config);
  built.push(...sizeProblems('error', sections.error.record.sizes?.(sections.error.config, activation, substrate) ?? [], limits));
  if (built.length === 0 && sections.error.record.check) built.push(...sections.error.record.check(sections.error.config, activation, substrate));
  if (built.length > 0) throw new ConfigError(placeProblems(built, paths), options.source);
  // an output the network holds (a source, ground) can never reach a target: refused here for every mechanism, after their own checks
  // (one value per node: ports and held values are nodes; a substrate of positions checks its own)
  const held = substrate.capabilities.has('scalar-potential') ? outputPortProblems(substrate.boundary, substrate.graph.nodeNames) : [];
  if (held.length > 0) {
    throw new ConfigError(
      held.map((p) => ({ path: paths('substrate', 'outputs'), message: `output ${p.index + 1} of ${substrate.boundary.outputs.length}: ${p.message}` })),
      options.source,
    );
  }
  if (substrate.boundary.inputs.length !== task.inputCount || substrate.boundary.outputs.length !== task.outputCount) {
    throw new ConfigError(
      [
        {
          path: paths('substrate', ''),
          message: `the network has ${substrate.boundary.inputs.length} inputs and ${substrate.boundary.outputs.length} outputs, but task '${task.kind}' needs ${task.inputCount} inputs and ${task.outputCount} outputs`,
        },
      ],
      options.source,
    );
  }
  const resolved = resolveOptimizer(top.optimizer);
  // continuous-time learning has no momentum: its default is 0 there (a momentum given is refused below)
  const optimizer = top.training?.continuous && top.optimizer?.momentum === undefined ? { ...resolved, momentum: 0 } : resolved;
  const training = top.training;
  const sampling = creating(options.source, paths, () => samplingSettings(training?.sampling, baseDir, limits));
  const outside = sequenceProblem(sampling, task.train.length);
  if (outside?.path !== undefined) throw new ConfigError([{ path: paths('training', `sampling.${outside.path}`), message: outside.message }], options.source);
  if (outside) creating(options.source, paths, () => fromSectionFile('training', 'sampling.file', outside.file!, () => {
    throw new InputFileError(outside.file!, outside.line, outside.message);
  }));
  const stepsPerEpoch = Math.ceil(task.train.length / optimizer.batchSize);
  const steps = training?.steps;
  const epochs = steps !== undefined ? Math.ceil(steps / stepsPerEpoch) : (training?.epochs ?? 50);
  // a budget in steps is counted in the epochs it spans, against the same limit, before the trainer allocates anything for them
  if (steps !== undefined) {
    checkSizes(sizeProblems('training', [{ limit: 'epochs', count: epochs, key: 'steps', what: `epochs (${steps} steps of ${stepsPerEpoch} per epoch)` }], limits), paths, options.source);
  }
  const evaluation: EvaluationSettings | undefined = training?.evaluate && { every: training.evaluate.every, unit: training.evaluate.unit ?? 'epochs' };
  const fidelityConfig = training?.fidelity;
  const fidelity: FidelitySettings | undefined = fidelityConfig && {
    every: fidelityConfig.every,
    examples: fidelityConfig.examples ?? DEFAULT_TRAINING_FIDELITY.examples,
    repeats: fidelityConfig.repeats ?? DEFAULT_TRAINING_FIDELITY.repeats,
  };
  const schedule = top.optimizer?.schedule;
  const error = sections.error.record.create(sections.error.config);
  const continuous = training?.continuous && continuousSettings(training.continuous);
  if (continuous) {
    const hardware = [
      ...UPDATE_IMPERFECTION_KEYS.filter((k) => top.optimizer?.[k] !== undefined).map((key) => ({ section: 'optimizer', key })),
      ...(['measurement', 'damage'] as const).filter((k) => training?.[k] !== undefined).map((key) => ({ section: 'training', key })),
    ];
    const problems = continuousProblems(continuous, substrate, error, top.optimizer?.momentum, hardware);
    if (problems.length > 0) throw new ConfigError(placeProblems(problems, paths), options.source);
  }
  const damage = training?.damage;
  if (damage) {
    const problems = damageProblems(damage, epochs, substrate.parameterNames, substrate.bounds);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => ({ path: paths('training', `damage.${p.key}`), message: p.message })), options.source);
  }
  const trainer = new Trainer({
    substrate,
    task,
    activation,
    error,
    rule: sections.rule.record.create(sections.rule.config),
    optimizer,
    epochs,
    ...(steps !== undefined ? { steps } : {}),
    rng: trainRng,
    ...(fidelity ? { fidelity } : {}),
    ...(training?.sampling ? { sampling } : {}),
    ...(evaluation ? { evaluation } : {}),
    ...(schedule ? { learningRateSchedule: schedule } : {}),
    ...(continuous ? { continuous } : {}),
    ...(training?.measurement ? { measurement: training.measurement } : {}),
    ...(damage ? { damage } : {}),
  });
  const r = raw as Record<string, unknown>;
  const resolvedConfig: Record<string, unknown> = {
    ...(top.$schema !== undefined ? { $schema: top.$schema } : {}),
    ...(top.plugins ? { plugins: top.plugins } : {}),
    ...(top.limits ? { limits: top.limits } : {}),
    ...(top.name ? { name: top.name } : {}),
    ...(top.description ? { description: top.description } : {}),
    seed,
    substrate: r.substrate,
    task: created.resolvedConfig ?? r.task,
    activation: r.activation ?? { kind: 'dc' },
    error: r.error,
    rule: r.rule ?? { kind: sections.rule.record.kind },
    optimizer: { ...optimizer, ...(schedule ? { schedule } : {}) },
    // the keys a config gives beyond the budget are kept as given (an absent one takes its default)
    training: {
      ...(steps !== undefined ? { steps } : { epochs }),
      ...(training?.sampling ? { sampling: training.sampling } : {}),
      ...(evaluation ? { evaluate: evaluation } : {}),
      ...(training?.checkpoint ? { checkpoint: training.checkpoint } : {}),
      ...(fidelity ? { fidelity } : {}),
      ...(training?.physicalCost !== undefined ? { physicalCost: training.physicalCost } : {}),
      ...(continuous ? { continuous } : {}),
      ...(training?.measurement ? { measurement: training.measurement } : {}),
      ...(damage ? { damage } : {}),
    },
  };
  const records = {
    substrate: sections.substrate.record,
    task: sections.task.record,
    activation: sections.activation.record,
    error: sections.error.record,
    rule: sections.rule.record,
  };
  return { resolvedConfig, substrate, task, trainer, records };
}
