import {
  COUNT_RANGE,
  DEFAULT_LIMITS,
  InputFileError,
  MAX_COUNT,
  MultimechError,
  type ResourceLimits,
  type Rng,
  bounded,
  configPathCodec,
  fromSectionFile,
  isJsonFileName,
  nonNegativeInteger,
  oneOf,
  onlyWith,
  parseJsonFile,
  positiveInteger,
  positiveNumber,
  readConfigFile,
  refine,
  strictObject,
} from '@multimech/core';
import * as t from 'io-ts';

/**
 * How each update's examples are drawn from the training examples:
 *
 * - `shuffle` (the default): the examples in a fresh random order every
 *   epoch, cut into minibatches (the last one of an epoch may be smaller);
 * - `replacement`: each minibatch drawn uniformly with replacement;
 * - `sequence`: a given sequence of example indices followed exactly,
 *   `batchSize` at a time, from the start again when it runs out; the
 *   indices are 0-based positions in the task's training examples, from
 *   the config (`indices`) or a file (`file`).
 */
export type SamplingSettings =
  | { readonly kind: 'shuffle' }
  | { readonly kind: 'replacement' }
  | { readonly kind: 'sequence'; readonly indices: readonly number[]; readonly file?: string; readonly lines?: readonly number[] };

const samplingFields = strictObject(
  'a sampling ({ "kind": "shuffle" | "replacement" | "sequence", "indices"?, "file"? })',
  { kind: oneOf('shuffle', 'replacement', 'sequence') },
  { indices: t.array(bounded(nonNegativeInteger, { min: 0, max: MAX_COUNT, integer: true }, 'an index is a position among the training examples')), file: configPathCodec('a sequence of training example indices') },
);

/** `training.sampling`: a sequence needs exactly one of `indices` and `file`; the other kinds take neither. */
export const samplingCodec = refine(samplingFields, (v) => [
  ...onlyWith(v, 'kind', v.kind, { indices: ['sequence'], file: ['sequence'] }),
  ...(v.kind === 'sequence' && (v.indices === undefined) === (v.file === undefined)
    ? [{ key: v.indices !== undefined ? 'file' : 'indices', message: 'a sequence needs either "indices" (a list of training example indices) or "file" (a file of them), not both' }]
    : []),
  ...(v.indices !== undefined && v.indices.length === 0 ? [{ key: 'indices', message: 'expected at least one training example index, got none' }] : []),
]);
export type SamplingConfig = t.TypeOf<typeof samplingFields>;

/** `training.evaluate`: the train and test losses every `every` steps or epochs (default every epoch). */
export const evaluationCodec = strictObject('when to evaluate ({ "every", "unit"? })', { every: bounded(positiveInteger, COUNT_RANGE) }, { unit: oneOf('steps', 'epochs') });

/** The range of `training.checkpoint.seconds`: a thousandth of a second (a checkpoint at every evaluation) to about 30 years. */
export const CHECKPOINT_SECONDS_RANGE = { min: 0, minOpen: true, max: 1e9 } as const;

/**
 * `training.checkpoint`: when `multimech train` writes its checkpoint, at
 * the evaluation that reaches every `every` steps or epochs, or at the first
 * evaluation `seconds` after the last checkpoint (the default: every 10
 * seconds); besides at the run's first evaluation, at its end and when it is
 * stopped. It changes no number of the run.
 */
export const checkpointCodec = refine(
  strictObject('when to write the checkpoint ({ "every", "unit"? } or { "seconds" })', {}, {
      every: bounded(positiveInteger, COUNT_RANGE),
      unit: oneOf('steps', 'epochs'),
      seconds: bounded(positiveNumber, CHECKPOINT_SECONDS_RANGE, 'no run lasts longer'),
    }),
  (v) => [
    ...(v.every !== undefined && v.seconds !== undefined ? [{ key: 'seconds', message: 'give either "every" (steps or epochs) or "seconds", not both' }] : []),
    ...(v.every === undefined && v.seconds === undefined ? [{ key: 'every', message: 'expected "every" (a number of steps or epochs, with "unit") or "seconds"' }] : []),
    ...(v.unit !== undefined && v.every === undefined ? [{ key: 'unit', message: 'applies only with "every": remove it' }] : []),
  ],
);
export type CheckpointConfig = t.TypeOf<typeof checkpointCodec>;

/** When checkpoints are written: every `every` steps or epochs, or every `seconds`. */
export type CheckpointSettings = { readonly every: number; readonly unit: 'steps' | 'epochs' } | { readonly seconds: number };

export const DEFAULT_CHECKPOINT: CheckpointSettings = { seconds: 10 };

/** The checkpoint settings of a config's `training.checkpoint` (the default when absent). */
export function checkpointSettings(config: CheckpointConfig | undefined): CheckpointSettings {
  if (config?.every !== undefined) return { every: config.every, unit: config.unit ?? 'epochs' };
  if (config?.seconds !== undefined) return { seconds: config.seconds };
  return DEFAULT_CHECKPOINT;
}

/**
 * Whether a checkpoint is due at an evaluation: after `every` steps or
 * epochs have been crossed since the last one written, or `seconds` have
 * passed. The caller writes one besides at the end and when a run stops.
 */
export class CheckpointSchedule {
  private lastSteps: number | undefined;
  private lastTime: number;

  constructor(
    readonly settings: CheckpointSettings,
    private readonly stepsPerEpoch: number,
    /** Updates of the checkpoint the run continues from (undefined: a new run, whose first evaluation is due). */
    startSteps: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSteps = startSteps;
    this.lastTime = now();
  }

  /** Whether a checkpoint is due at the evaluation after `steps` updates. */
  due(steps: number): boolean {
    if (this.lastSteps === undefined) return true;
    if (steps === this.lastSteps) return false;
    const s = this.settings;
    if ('seconds' in s) return this.now() - this.lastTime >= s.seconds * 1000;
    const span = s.unit === 'steps' ? s.every : s.every * this.stepsPerEpoch;
    return Math.floor(steps / span) > Math.floor(this.lastSteps / span);
  }

  /** Whether the checkpoint written last is at `steps` updates. */
  isWrittenAt(steps: number): boolean {
    return this.lastSteps === steps;
  }

  /** Notes a checkpoint written after `steps` updates. */
  written(steps: number): void {
    this.lastSteps = steps;
    this.lastTime = this.now();
  }
}

/** When the trainer evaluates the train and test sets (and records a row of its history): before the first update, every `every` steps or epochs, and at the end of the budget. */
export interface EvaluationSettings {
  readonly every: number;
  readonly unit: 'steps' | 'epochs';
}

export const DEFAULT_EVALUATION: EvaluationSettings = { every: 1, unit: 'epochs' };

/**
 * The sequence of a `sampling.file`: a JSON array of indices, or text with
 * one index per line (or several, separated by commas or spaces; a first
 * line without a digit is a header and skipped; blank lines and `#`
 * comments are left out). Each index is kept with its line, for messages.
 */
export function readSequenceFile(file: string, baseDir: string, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): { indices: number[]; lines?: number[] } {
  const text = readConfigFile(baseDir, file, 'the sequence of training example indices', limits);
  if (isJsonFileName(file)) {
    const value = parseJsonFile(text, file);
    if (!Array.isArray(value)) throw new InputFileError(file, undefined, 'expected a JSON array of training example indices (integers ≥ 0)');
    const bad = value.findIndex((x) => !(typeof x === 'number' && Number.isInteger(x) && x >= 0));
    if (bad >= 0) throw new InputFileError(file, undefined, `[${bad}]: expected a training example index (an integer ≥ 0), got ${JSON.stringify(value[bad])}`);
    if (value.length === 0) throw new InputFileError(file, undefined, 'the sequence is empty: expected at least one training example index');
    return { indices: value as number[] };
  }
  const indices: number[] = [];
  const lines: number[] = [];
  let first = true;
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const header = first && !/\d/.test(line);
    first = false;
    if (header) return;
    for (const token of line.split(/[\s,;]+/).filter((s) => s !== '')) {
      if (!/^\d+$/.test(token)) throw new InputFileError(file, i + 1, `expected a training example index (an integer ≥ 0), got ${JSON.stringify(token)}`);
      indices.push(Number(token));
      lines.push(i + 1);
    }
  });
  if (indices.length === 0) throw new InputFileError(file, undefined, 'the sequence is empty: expected at least one training example index');
  return { indices, lines };
}

/** The sampling of a config, its sequence read from its file (relative to `baseDir`). */
export function samplingSettings(config: SamplingConfig | undefined, baseDir: string, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): SamplingSettings {
  if (!config || config.kind === 'shuffle') return { kind: 'shuffle' };
  if (config.kind === 'replacement') return { kind: 'replacement' };
  if (config.indices) return { kind: 'sequence', indices: config.indices };
  // a problem with the file names the key that named it: training.sampling.file: order.txt:3: ...
  const { indices, lines } = fromSectionFile('training', 'sampling.file', config.file!, () => readSequenceFile(config.file!, baseDir, limits));
  return { kind: 'sequence', indices, file: config.file, ...(lines ? { lines } : {}) };
}

/**
 * The problem with a sequence's index outside the training examples, at
 * its config path (`training.sampling.indices[3]`) or its file and line,
 * or undefined when every index is inside.
 */
export function sequenceProblem(sampling: SamplingSettings, examples: number): { path?: string; file?: string; line?: number; message: string } | undefined {
  if (sampling.kind !== 'sequence') return undefined;
  const bad = sampling.indices.findIndex((i) => i >= examples);
  if (bad < 0) return undefined;
  const message = `index ${sampling.indices[bad]} is outside the ${examples} training examples (0 to ${examples - 1})`;
  if (sampling.file === undefined) return { path: `indices[${bad}]`, message };
  return { file: sampling.file, line: sampling.lines?.[bad], message: sampling.lines ? message : `[${bad}]: ${message}` };
}

/**
 * Where a sampler stands, for a checkpoint: the current epoch's order, for
 * `shuffle` in the middle of an epoch; the position in the sequence of the
 * next example and the sequence's length, for `sequence`.
 */
export interface SamplerState {
  readonly order?: readonly number[];
  readonly position?: number;
  readonly length?: number;
}

/** The keys of a `SamplerState`. */
export const SAMPLER_STATE_KEYS: readonly string[] = ['order', 'position', 'length'];

/**
 * What is wrong with a checkpoint's sampler state taken after `steps`
 * updates of `batchSize` from `count` examples, as `key: problem`, or
 * undefined: in the middle of a shuffled epoch, that epoch's order (a
 * permutation of the examples); for a sequence, its length and the
 * position `steps` put it at.
 */
export function samplerStateProblem(settings: SamplingSettings, count: number, batchSize: number, state: SamplerState | undefined, steps: number): string | undefined {
  if (settings.kind === 'sequence') {
    const n = settings.indices.length;
    const position = (steps * batchSize) % n;
    if (state?.length !== n) return `sampler.length: expected ${n} (the sequence's indices), got ${String(state?.length)}: the checkpoint was written with another sequence`;
    if (state.position !== position) return `sampler.position: expected ${position} (after ${steps} updates of ${batchSize} in a sequence of ${n}), got ${String(state.position)}`;
    return undefined;
  }
  if (settings.kind !== 'shuffle' || steps % Math.ceil(count / batchSize) === 0) return undefined;
  const order = state?.order;
  if (!Array.isArray(order) || order.length !== count || new Set(order).size !== count || !order.every((i) => Number.isInteger(i) && i >= 0 && i < count)) {
    return `sampler.order: a checkpoint in the middle of a shuffled epoch must hold that epoch's order, a permutation of the ${count} training examples`;
  }
  return undefined;
}

/**
 * Draws each update's examples (`SamplingSettings`) from `count` training
 * examples, `batchSize` at a time. A `shuffle` sampler draws an epoch's
 * order from `rng` when the epoch's first minibatch is asked for, exactly
 * where the trainer always drew it (before that epoch's noise), so the
 * numbers of a run are those of the trainer before samplers existed.
 */
export class Sampler {
  private order: number[] | undefined;

  constructor(
    readonly settings: SamplingSettings,
    readonly count: number,
    readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    if (count < 1) throw new MultimechError('the task has no training examples to draw from');
  }

  /** Updates per epoch: ⌈examples / batchSize⌉, whatever the sampling. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.count / this.batchSize);
  }

  /** The examples of update number `step` (0-based over the whole run). */
  batch(step: number): number[] {
    const spe = this.stepsPerEpoch;
    const b = this.batchSize;
    const s = this.settings;
    if (s.kind === 'shuffle') {
      const within = step % spe;
      if (within === 0 || this.order === undefined) this.order = this.rng.shuffle([...Array(this.count).keys()]);
      return this.order.slice(within * b, (within + 1) * b);
    }
    if (s.kind === 'replacement') return Array.from({ length: b }, () => this.rng.int(this.count));
    const n = s.indices.length;
    return Array.from({ length: b }, (_, j) => s.indices[(step * b + j) % n]);
  }

  /** Examples used by the first `steps` updates. */
  examplesIn(steps: number): number {
    if (this.settings.kind !== 'shuffle') return steps * this.batchSize;
    const spe = this.stepsPerEpoch;
    return Math.floor(steps / spe) * this.count + Math.min(this.count, (steps % spe) * this.batchSize);
  }

  /** The state to continue from after `steps` updates. */
  state(steps: number): SamplerState {
    const s = this.settings;
    if (s.kind === 'sequence') return { position: (steps * this.batchSize) % s.indices.length, length: s.indices.length };
    return s.kind === 'shuffle' && steps % this.stepsPerEpoch !== 0 && this.order ? { order: [...this.order] } : {};
  }

  /** What is wrong with a checkpoint's sampler state taken after `steps` updates (`samplerStateProblem`). */
  stateProblem(state: SamplerState | undefined, steps: number): string | undefined {
    return samplerStateProblem(this.settings, this.count, this.batchSize, state, steps);
  }

  /** Continues from a state taken after `steps` updates (`stateProblem` refused with a MultimechError). */
  restore(state: SamplerState | undefined, steps: number): void {
    const problem = this.stateProblem(state, steps);
    if (problem) throw new MultimechError(problem);
    this.order = this.settings.kind === 'shuffle' && steps % this.stepsPerEpoch !== 0 ? [...state!.order!] : undefined;
  }
}
