import { type ConfigOf, type WrittenSection, Example, SIGNAL_RANGE, Task, TaskRecord, bounded, finiteNumber, mseLoss, numberWhere, refine, strictObject, withDefaults } from '@multimech/core';
import * as t from 'io-ts';

/**
 * A source strain: a change of the source pair's distance, in the units of
 * the network's lengths (a lattice's spacing is 1). A pair cannot be
 * pressed through itself nor pulled apart by more than its length many
 * times over and stay a network: |s| ≤ 10.
 */
export const MAX_STRAIN = 10;
const nonZero = bounded(numberWhere('a non-zero finite number', (n) => n !== 0), { min: -MAX_STRAIN, max: MAX_STRAIN }, 'a strain is a change of distance in the units of the network\'s lengths');

const fields = strictObject(
  'an allostery task { targets, strains?, test? }',
  { targets: t.array(bounded(finiteNumber, { min: -1e3, max: 1e3 }, 'a target strain is the ratio times a source strain, and must stay a change of distance the network can make')) },
  { strains: t.array(nonZero), test: t.array(nonZero) },
);

export const allosteryConfigCodec = refine(fields, (v) => [
  ...(v.targets.length === 0 ? [{ key: 'targets', message: 'expected at least one ratio (one per target pair), got none' }] : []),
  ...(v.strains?.length === 0 ? [{ key: 'strains', message: 'expected at least one source strain, got none' }] : []),
  ...(v.test?.length === 0 ? [{ key: 'test', message: 'expected at least one test strain, got none' }] : []),
]);
export type AllosteryConfig = t.TypeOf<typeof fields>;

/** The source strain when the config names none. */
export const defaultAllosteryStrain = 0.1;

/** The allostery task's settings: the target ratios, the training strains (default [0.1]) and the test strains (default: the training ones). */
export interface AllosterySettings {
  readonly targets: readonly number[];
  readonly strains: readonly number[];
  readonly test: readonly number[];
}

function allosterySettingsOf(c: AllosteryConfig): AllosterySettings {
  const strains = c.strains ?? [defaultAllosteryStrain];
  return { targets: c.targets, strains, test: c.test ?? strains };
}

/** The allostery section decoded into its settings. */
export const allosterySettings = withDefaults(allosteryConfigCodec as t.Type<AllosteryConfig, unknown, unknown>, allosterySettingsOf);

/** The `task` section of allostery as written (`{ "kind": "allostery", "targets", "strains"?, "test"? }`), from its codec. */
export type AllosterySection = WrittenSection<'allostery', ConfigOf<typeof allosterySettings>>;

/**
 * Allostery (issue 5, item 4): a strain imposed on one source pair of nodes
 * must produce a chosen strain on each of several target pairs. Here a
 * pair's strain is its change of distance from the reference (an
 * extension, in length units): the one input is the source pair's strain
 * s (a potential port: an elastic substrate built with `inputs: "strain"`
 * holds the pair at its reference distance plus s), and output o reads
 * target pair o's change of distance, whose target is `targets[o] · s`.
 * Each example is one source strain from `strains` (default [0.1]); the
 * test set uses `test` (default: the training strains). Loss: MSE; the
 * trainer's metric is the relative error √(Σ(y − y*)² / Σ y*²).
 */
export function createAllosteryTask(config: AllosteryConfig): Task & { readonly resolvedConfig: object } {
  return allosteryTask(allosterySettingsOf(config));
}

/** The allostery task of its settings (see `createAllosteryTask`). */
export function allosteryTask(settings: AllosterySettings): Task & { readonly resolvedConfig: object } {
  const ratios = Float64Array.from(settings.targets);
  const { strains, test } = settings;
  const example = (s: number): Example => ({ inputs: Float64Array.of(s), target: ratios.map((r) => r * s) });
  return {
    kind: 'allostery',
    inputCount: 1,
    inputType: 'potential',
    inputNames: ['source'],
    outputCount: ratios.length,
    outputNames: Array.from(ratios, (_, o) => `target${o + 1}`),
    train: strains.map(example),
    test: test.map(example),
    loss: mseLoss,
    resolvedConfig: { kind: 'allostery', targets: [...ratios], strains: [...strains], test: [...test] },
  };
}

export const allosteryTaskRecord: TaskRecord<AllosterySettings> = {
  kind: 'allostery',
  description: 'allostery: a strain on a source pair must give target strains (fixed ratios of it) on one or several output pairs',
  configCodec: allosterySettings,
  example: { targets: [0.3, -0.2], strains: [-0.1, 0.1] },
  create: allosteryTask,
};
