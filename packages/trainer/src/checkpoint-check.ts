import { MultimechError } from '@multimech/core';
import type { TrainerCheckpoint, TrainerParts } from './trainer';
import { DEFAULT_EVALUATION, SAMPLER_STATE_KEYS, samplerStateProblem } from './training-schedule';

/** Keys that a checkpoint never has and that are refused wherever they appear (they reach an object's prototype when copied). */
export const REFUSED_CHECKPOINT_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

const TOP_KEYS = ['format', 'version', 'epoch', 'seconds', 'parameters', 'initialParameters', 'velocity', 'rng', 'errorRng', 'solverState', 'continuousState', 'history', 'experiment', 'seed', 'steps', 'sampler', 'damaged'];
const RNG_KEYS = ['state', 'spare'];
/** The keys of an epoch of the history, and whether each is a number that must be there. */
const EPOCH_NUMBERS: Readonly<Record<string, boolean>> = {
  epoch: true,
  epochs: true,
  steps: false,
  trainLoss: true,
  testLoss: true,
  seconds: true,
  clamped: true,
  damaged: false,
  trainAccuracy: false,
  testAccuracy: false,
  trainRelativeError: false,
  testRelativeError: false,
  physicalSeconds: false,
  physicalSecondsTotal: false,
  energy: false,
  energyTotal: false,
};
const EPOCH_RECORDS = ['diagnostics', 'fidelity'];

/** A value as a message shows it: short, whatever it is. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length} value${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** The first key of `REFUSED_CHECKPOINT_KEYS` anywhere in a JSON value, as its path (`history[3].__proto__`), or undefined. */
export function refusedKeyIn(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = refusedKeyIn(value[i], at(path, i));
      if (found) return found;
    }
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (REFUSED_CHECKPOINT_KEYS.includes(key)) return at(path, key);
      const found = refusedKeyIn(value[key], at(path, key));
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A checkpoint read from a file (any JSON value) checked whole against the
 * trainer it is to continue: its shape and every value's type, every number
 * finite, the lengths of the parameter lists, the parameters within their
 * bounds, the generator states, the history epoch by epoch, and no
 * `__proto__`, `constructor` or `prototype` key anywhere. The first problem
 * is a MultimechError naming the key and what was expected
 * (`parameters[12]: expected a value in [0.0001, 10], got 57`); one that is
 * about this experiment rather than the file says so (`checkpoint does not
 * fit this experiment: parameters: expected 48 values ...`). Returns the
 * checkpoint, typed.
 */
export function checkCheckpoint(
  value: unknown,
  parts: Pick<TrainerParts, 'substrate' | 'error' | 'epochs' | 'task' | 'optimizer'> & Partial<Pick<TrainerParts, 'steps' | 'sampling' | 'evaluation' | 'continuous' | 'damage'>>,
): TrainerCheckpoint {
  const { substrate, error, epochs } = parts;
  const count = parts.task.train.length;
  const batchSize = parts.optimizer.batchSize;
  const spe = Math.ceil(count / batchSize);
  const budget = parts.steps ?? epochs * spe;
  const evaluation = parts.evaluation ?? DEFAULT_EVALUATION;
  const fail = (key: string, what: string, got: unknown): never => {
    throw new MultimechError(`${key ? `${key}: ` : ''}expected ${what}, got ${shownValue(got)}`);
  };
  const misfit = (what: string): never => {
    throw new MultimechError(`checkpoint does not fit this experiment: ${what}`);
  };
  if (!isRecord(value)) return fail('', "a training checkpoint (a JSON object with format 'multimech-checkpoint')", value);
  const refused = refusedKeyIn(value);
  if (refused) throw new MultimechError(`${refused}: a key no checkpoint has (${REFUSED_CHECKPOINT_KEYS.join(', ')} are refused wherever they appear)`);
  const unknown = Object.keys(value).find((k) => !TOP_KEYS.includes(k));
  if (unknown !== undefined) throw new MultimechError(`${unknown}: unknown key (a checkpoint has ${TOP_KEYS.join(', ')})`);

  if (value.format !== 'multimech-checkpoint') fail('format', '"multimech-checkpoint"', value.format);
  if (value.version !== 1) fail('version', '1', value.version);
  const epoch = value.epoch;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) return fail('epoch', 'a whole number of epochs ≥ 0', epoch);
  if (epoch > epochs) misfit(`it has ${epoch} epochs done, more than the ${epochs} configured`);
  const steps = value.steps ?? epoch * spe;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) return fail('steps', 'a whole number of updates ≥ 0', steps);
  if (Math.floor(steps / spe) !== epoch) fail('steps', `${epoch * spe} to ${epoch * spe + spe - 1} updates (epoch ${epoch} of ${spe} updates each, as epoch says)`, steps);
  if (steps > budget) misfit(`it has ${steps} updates done, more than the ${budget} configured`);
  if (value.sampler !== undefined) {
    const sampler = value.sampler;
    if (!isRecord(sampler)) fail('sampler', 'where the sampler stands (an object)', sampler);
    const extra = Object.keys(sampler as object).find((k) => !SAMPLER_STATE_KEYS.includes(k));
    if (extra !== undefined) throw new MultimechError(`sampler.${extra}: unknown key (a sampler's state has ${SAMPLER_STATE_KEYS.join(', ')})`);
  }
  const samplerProblem = samplerStateProblem(parts.sampling ?? { kind: 'shuffle' }, count, batchSize, value.sampler as never, steps);
  if (samplerProblem) throw new MultimechError(samplerProblem);
  if (typeof value.seconds !== 'number' || !Number.isFinite(value.seconds) || value.seconds < 0) fail('seconds', 'a finite number of seconds ≥ 0', value.seconds);

  const m = substrate.parameters.length;
  const { min, max } = substrate.bounds;
  for (const key of ['parameters', 'initialParameters', 'velocity'] as const) {
    const list = value[key];
    if (!Array.isArray(list)) fail(key, `a list of ${m} numbers (one per ${substrate.parameterName} parameter)`, list);
    const values = list as unknown[];
    if (values.length !== m) misfit(`${key}: expected ${m} values (one per ${substrate.parameterName} parameter), got ${values.length}`);
    values.forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${key}[${k}]`, 'a finite number', x);
      if (key === 'parameters' && !((x as number) >= min[k] && (x as number) <= max[k])) fail(`${key}[${k}]`, `a value in [${min[k]}, ${max[k]}]`, x);
    });
  }

  const checkRng = (key: string, state: unknown) => {
    if (!isRecord(state)) return fail(key, 'a generator state { "state": an unsigned 32-bit integer }', state);
    const extra = Object.keys(state).find((k) => !RNG_KEYS.includes(k));
    if (extra !== undefined) throw new MultimechError(`${key}.${extra}: unknown key (a generator state has ${RNG_KEYS.join(', ')})`);
    const s = state.state;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 0xffffffff) fail(`${key}.state`, 'an unsigned 32-bit integer', s);
    if (state.spare !== undefined && (typeof state.spare !== 'number' || !Number.isFinite(state.spare))) fail(`${key}.spare`, 'a finite number', state.spare);
  };
  checkRng('rng', value.rng);
  if (value.errorRng !== undefined) {
    if (!error.randomState) misfit('it holds a generator state (errorRng) for an error mechanism that has none');
    checkRng('errorRng', value.errorRng);
  } else if (error.randomState) {
    misfit('the error mechanism draws from a generator of its own, and the checkpoint has no state for it (errorRng)');
  }
  if (value.solverState !== undefined) {
    const state = value.solverState;
    if (!Array.isArray(state)) fail('solverState', "a list of numbers (the equilibrium solver's warm start)", state);
    (state as unknown[]).forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`solverState[${k}]`, 'a finite number', x);
    });
    if (!substrate.restoreSolverState) misfit("it holds a solver state (solverState) for a substrate whose solver carries none from one solve to the next");
  }
  if (value.continuousState !== undefined) {
    const state = value.continuousState;
    const dofs = 2 * substrate.graph.nodeNames.length * substrate.dofPerNode + 1;
    if (!Array.isArray(state)) fail('continuousState', 'a list of numbers (the relaxation time, then the two copies’ states)', state);
    (state as unknown[]).forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`continuousState[${k}]`, 'a finite number', x);
    });
    if (!parts.continuous) misfit('it holds the copies of continuous-time learning (continuousState), and training.continuous is not set');
    if ((state as unknown[]).length !== dofs) misfit(`continuousState: expected ${dofs} values (the relaxation time and two copies' states), got ${(state as unknown[]).length}`);
  }
  if (value.damaged !== undefined) {
    const list = value.damaged;
    if (!Array.isArray(list)) fail('damaged', 'the broken edges (a list of 0-based indices)', list);
    (list as unknown[]).forEach((k, i) => {
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= m) fail(`damaged[${i}]`, `an edge index in [0, ${m - 1}]`, k);
    });
    if (!parts.damage) misfit('it holds broken edges (damaged) for a run without training.damage');
  }
  if (value.experiment !== undefined && (typeof value.experiment !== 'string' || !/^[0-9a-f]{16}$/.test(value.experiment))) {
    fail('experiment', 'the hash of the run’s config (16 hexadecimal digits)', value.experiment);
  }
  if (value.seed !== undefined && (typeof value.seed !== 'number' || !Number.isInteger(value.seed))) fail('seed', 'an integer', value.seed);

  const history = value.history;
  // one row per epoch from epoch 0 when every epoch is evaluated; else a row per evaluation, in order, the last at the checkpoint's updates
  const everyEpoch = evaluation.unit === 'epochs' && evaluation.every === 1 && steps % spe === 0;
  if (!Array.isArray(history)) return fail('history', everyEpoch ? `a list of ${epoch + 1} epochs (0 to ${epoch})` : 'a list of the evaluations made so far', history);
  if (everyEpoch && history.length !== epoch + 1) fail('history', `${epoch + 1} epochs (0 to ${epoch}, as epoch says)`, history);
  if (history.length === 0) fail('history', 'the evaluations made so far (at least the one before the first update)', history);
  history.forEach((e: unknown, i) => {
    const key = `history[${i}]`;
    if (!isRecord(e)) return fail(key, `epoch ${i}'s figures (an object)`, e);
    for (const [name, v] of Object.entries(e)) {
      if (name in EPOCH_NUMBERS) {
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key}.${name}`, 'a finite number', v);
      } else if (EPOCH_RECORDS.includes(name)) {
        if (!isRecord(v)) fail(`${key}.${name}`, 'an object of numbers', v);
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          // a figure that was not finite is written as null
          if (x !== null && (typeof x !== 'number' || !Number.isFinite(x))) fail(`${key}.${name}.${k}`, 'a finite number', x);
        }
      } else {
        throw new MultimechError(`${key}.${name}: unknown key (an epoch has ${[...Object.keys(EPOCH_NUMBERS), ...EPOCH_RECORDS].join(', ')})`);
      }
    }
    for (const [name, required] of Object.entries(EPOCH_NUMBERS)) if (required && e[name] === undefined) fail(`${key}.${name}`, 'a finite number', undefined);
    if (everyEpoch) {
      if (e.epoch !== i) fail(`${key}.epoch`, String(i), e.epoch);
      if (e.steps !== undefined && e.steps !== i * spe) fail(`${key}.steps`, `${i * spe} (epoch ${i} of ${spe} updates each)`, e.steps);
    } else {
      const at = (row: Record<string, unknown>) => (row.steps as number | undefined) ?? (row.epoch as number) * spe;
      const before = i === 0 ? -1 : at(history[i - 1] as Record<string, unknown>);
      if (!Number.isInteger(at(e)) || !(at(e) > before)) fail(`${key}.steps`, `a whole number of updates after ${Math.max(before, 0)} (the evaluations in order)`, e.steps);
      if (Math.abs((e.epoch as number) - at(e) / spe) > 1e-9) fail(`${key}.epoch`, `${at(e) / spe} (${at(e)} updates of ${spe} per epoch)`, e.epoch);
      if (i === history.length - 1 && at(e) !== steps) fail(`${key}.steps`, `${steps} (the last evaluation is at the checkpoint's updates)`, at(e));
    }
  });
  return value as unknown as TrainerCheckpoint;
}
