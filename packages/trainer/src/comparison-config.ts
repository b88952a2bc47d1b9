import { COUNT_RANGE, SEED_RANGE, bounded, ConfigError, ConfigProblem, decodeOrThrow, limitsCodec, integer, joinPath, nonEmptyString, numberWhere, positiveInteger, positiveNumber, refine, strictObject, type SettingPaths } from '@multimech/core';
import * as t from 'io-ts';
import { schemaReferenceCodec } from './experiment';
import { optimizerCodec } from './optimizer';
import { type LearningRateSelection, learningRatesCodec } from './learning-rate-selection';

/**
 * The config of a comparison: several mechanisms, each over several seeds,
 * on one substrate and task. Pure data and decoding; running it is the
 * command line's business (`multimech compare`). Plugin sections (`substrate`,
 * `task`, `activation`, `error`, `rule`) and `training` are decoded when each
 * run's experiment config is, by `createExperiment`, which places their
 * problems in the comparison config by `comparisonPaths`.
 */

const pluginSection = t.unknown;

/** What every run shares: an experiment config without `activation`, `error` and `rule`. */
export const comparisonBaseCodec = strictObject(
  'the shared experiment settings ({ "substrate", "task", "optimizer"?, "training"?, "seed"?, "plugins"? })',
  { substrate: pluginSection, task: pluginSection },
  { optimizer: optimizerCodec, training: pluginSection, seed: bounded(integer, SEED_RANGE, 'a seed is a safe integer'), plugins: t.array(nonEmptyString), limits: limitsCodec },
);

/** One mechanism of a comparison: its name (a column value), its activation, error and rule, an optimizer override. */
export const comparisonMechanismCodec = strictObject(
  'a mechanism ({ "name", "error", "activation"?, "rule"?, "optimizer"? })',
  { name: nonEmptyString, error: pluginSection },
  { activation: pluginSection, rule: pluginSection, optimizer: optimizerCodec },
);

/**
 * The training loss a run is timed to: `fraction` of its own initial
 * (epoch 0) training loss, the same for every mechanism at a seed since they
 * start from the same network; or an absolute `value`. One of the two.
 */
export const targetLossCodec = refine(
  strictObject('a target loss ({ "fraction" } or { "value" })', {}, {
    fraction: numberWhere('a number in (0, 1)', (n) => n > 0 && n < 1, { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    value: bounded(positiveNumber, { min: 0, minOpen: true, max: 1e300 }),
  }),
  (v) =>
    v.fraction !== undefined && v.value !== undefined
      ? [{ key: 'value', message: 'give either "fraction" (of the initial loss) or "value" (a training loss), not both' }]
      : v.fraction === undefined && v.value === undefined
        ? [{ key: 'fraction', message: 'expected "fraction" (of the initial loss, in (0, 1)) or "value" (a training loss)' }]
        : [],
);
/** A target loss as given: one of the two keys. */
export type TargetLoss = { readonly fraction: number; readonly value?: undefined } | { readonly value: number; readonly fraction?: undefined };

export const comparisonCodec = strictObject(
  'a comparison config ({ "name"?, "description"?, "base", "mechanisms", "seeds"?, "reference"?, "targetLoss"?, "fidelity"?, "learningRates"? })',
  { base: comparisonBaseCodec, mechanisms: t.array(comparisonMechanismCodec, 'a list of mechanisms') },
  {
    name: nonEmptyString,
    description: t.string,
    seeds: t.array(bounded(integer, SEED_RANGE, 'a seed is a safe integer'), 'a list of integer seeds'),
    reference: nonEmptyString,
    targetLoss: targetLossCodec,
    fidelity: strictObject('fidelity settings ({ "examples"? })', {}, { examples: bounded(positiveInteger, COUNT_RANGE) }),
    /** Each mechanism's learning rate chosen from a grid on a validation split of the training examples, before the runs. */
    learningRates: learningRatesCodec,
    $schema: schemaReferenceCodec,
  },
);
export type ComparisonConfig = t.TypeOf<typeof comparisonCodec>;
export type ComparisonMechanism = t.TypeOf<typeof comparisonMechanismCodec>;

/** The seeds when neither `seeds` nor `base.seed` is given. */
export const DEFAULT_COMPARISON_SEEDS: readonly number[] = [1, 2, 3];
/** Training examples the fidelity is measured on, by default. */
export const DEFAULT_FIDELITY_EXAMPLES = 10;
/** The target loss when `targetLoss` is absent: half the initial training loss. */
export const DEFAULT_TARGET_LOSS: TargetLoss = { fraction: 0.5 };

/** A comparison config with its seeds and fidelity settings resolved. */
export interface ResolvedComparison {
  readonly config: ComparisonConfig;
  /** `seeds`, or `[base.seed]`, or DEFAULT_COMPARISON_SEEDS. */
  readonly seeds: readonly number[];
  readonly fidelityExamples: number;
  /**
   * The mechanism every other one is compared with, seed by seed: `reference`,
   * or the first mechanism whose error is the exact adjoint, or the first.
   */
  readonly reference: string;
  /** `targetLoss`, or DEFAULT_TARGET_LOSS. */
  readonly targetLoss: TargetLoss;
  /** `learningRates`, its grid sorted, when given. */
  readonly learningRates?: LearningRateSelection;
}

/**
 * Decodes a comparison config, refusing (with JSON paths) unknown keys, an
 * empty or duplicated mechanism name list, duplicated seeds, and a
 * `base.seed` given beside `seeds`. The plugin sections are not decoded here.
 */
export function decodeComparison(raw: unknown, source?: string): ResolvedComparison {
  const config = decodeOrThrow(comparisonCodec, raw, '', source);
  const problems: ConfigProblem[] = [];
  if (config.mechanisms.length === 0) problems.push({ path: 'mechanisms', message: 'expected at least one mechanism, got []' });
  const firstByName = new Map<string, number>();
  config.mechanisms.forEach((m, i) => {
    const first = firstByName.get(m.name);
    if (first === undefined) firstByName.set(m.name, i);
    else problems.push({ path: `mechanisms[${i}].name`, message: `duplicate mechanism name '${m.name}' (also mechanisms[${first}].name); names must be unique` });
  });
  if (config.seeds !== undefined) {
    if (config.seeds.length === 0) problems.push({ path: 'seeds', message: 'expected at least one seed, got []' });
    config.seeds.forEach((s, i) => {
      const first = config.seeds!.indexOf(s);
      if (first !== i) problems.push({ path: `seeds[${i}]`, message: `duplicate seed ${s} (also seeds[${first}])` });
    });
    if (config.base.seed !== undefined) {
      problems.push({ path: 'base.seed', message: 'give the seeds in "seeds" only (base.seed is the single seed when "seeds" is absent)' });
    }
  }
  const rates = config.learningRates;
  if (rates) {
    if (rates.grid.length === 0) problems.push({ path: 'learningRates.grid', message: 'expected at least one learning rate, got []' });
    rates.grid.forEach((r, i) => {
      const first = rates.grid.indexOf(r);
      if (first !== i) problems.push({ path: `learningRates.grid[${i}]`, message: `duplicate learning rate ${r} (also learningRates.grid[${first}])` });
    });
    // the grid decides every mechanism's rate: one written beside it would be replaced without a word
    config.mechanisms.forEach((m, i) => {
      if (m.optimizer?.learningRate !== undefined) {
        problems.push({
          path: `mechanisms[${i}].optimizer.learningRate`,
          message: 'with "learningRates" each mechanism\'s learning rate is chosen from learningRates.grid: remove this one, or "learningRates"',
        });
      }
    });
  }
  if (config.reference !== undefined && config.mechanisms.length > 0 && !firstByName.has(config.reference)) {
    problems.push({ path: 'reference', message: `no mechanism is named '${config.reference}' (mechanisms: ${[...firstByName.keys()].join(', ')})` });
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  const seeds = config.seeds ?? (config.base.seed !== undefined ? [config.base.seed] : DEFAULT_COMPARISON_SEEDS);
  const adjoint = config.mechanisms.find((m) => (m.error as { kind?: unknown } | undefined)?.kind === 'adjoint');
  return {
    config,
    seeds,
    fidelityExamples: config.fidelity?.examples ?? DEFAULT_FIDELITY_EXAMPLES,
    reference: config.reference ?? (adjoint ?? config.mechanisms[0]).name,
    targetLoss: (config.targetLoss as TargetLoss | undefined) ?? DEFAULT_TARGET_LOSS,
    ...(rates
      ? { learningRates: { grid: [...rates.grid].sort((a, b) => a - b), validation: rates.validation, ...(rates.epochs !== undefined ? { epochs: rates.epochs } : {}) } }
      : {}),
  };
}

/**
 * The experiment config of one run: the base with the mechanism's
 * activation, error and rule, its optimizer keys over the base's, and the seed.
 */
export function comparisonExperimentConfig(config: ComparisonConfig, mechanismIndex: number, seed: number, learningRate?: number): Record<string, unknown> {
  const m = config.mechanisms[mechanismIndex];
  const { seed: _baseSeed, ...base } = config.base;
  const optimizer =
    base.optimizer || m.optimizer || learningRate !== undefined
      ? { ...base.optimizer, ...m.optimizer, ...(learningRate !== undefined ? { learningRate } : {}) }
      : undefined;
  return {
    ...(config.name !== undefined ? { name: `${config.name}: ${m.name}` } : { name: m.name }),
    ...base,
    ...(optimizer ? { optimizer } : {}),
    ...(m.activation !== undefined ? { activation: m.activation } : {}),
    error: m.error,
    ...(m.rule !== undefined ? { rule: m.rule } : {}),
    seed,
  };
}

/**
 * The experiment config of one learning-rate selection run: the run's
 * config (`comparisonExperimentConfig`) at `rate`, trained for the
 * selection's epochs where it gives them (in place of the base's `epochs`
 * or `steps`), without measuring fidelity along
 * the way. It is built with the `validation` fraction (`createExperiment`'s
 * option), so it never sees the test split.
 */
export function selectionExperimentConfig(config: ComparisonConfig, mechanismIndex: number, seed: number, rate: number, selection: LearningRateSelection): Record<string, unknown> {
  const run = comparisonExperimentConfig(config, mechanismIndex, seed, rate);
  const { fidelity: _fidelity, ...training } = (run.training as Record<string, unknown> | undefined) ?? {};
  // the selection's epochs replace the base's budget, in epochs or in steps
  if (selection.epochs !== undefined) delete training.steps;
  return { ...run, training: { ...training, ...(selection.epochs !== undefined ? { epochs: selection.epochs } : {}) } };
}

const MECHANISM_SECTIONS: readonly string[] = ['activation', 'error', 'rule'];

/**
 * Where the settings of one run lie in the comparison config: a
 * mechanism's sections under its entry (`mechanisms[2].error.mode`), the
 * rest under `base` (`base.training.epochs`). Passed to `createExperiment`,
 * so every problem of a run is placed where it was written.
 */
export function comparisonPaths(mechanismIndex: number): SettingPaths {
  return (section, key) =>
    joinPath(MECHANISM_SECTIONS.includes(section) ? `mechanisms[${mechanismIndex}].${section}` : section ? `base.${section}` : 'base', key);
}

/**
 * Where a path of one run's experiment config lies in the comparison
 * config: `error.kind` → `mechanisms[2].error.kind`, `training.epochs` →
 * `base.training.epochs` (its first key is the section).
 */
export function comparisonProblemPath(path: string, mechanismIndex: number): string {
  const head = /^[^.[]*/.exec(path)![0];
  return comparisonPaths(mechanismIndex)(head, path.slice(head.length).replace(/^\./, ''));
}
