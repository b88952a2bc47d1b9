import * as t from 'io-ts';
import { positiveInteger, strictObject } from './codecs';
import { MAX_COUNT, bounded, boundText } from './bounds';
import type { SectionName, SectionProblem } from './section-problems';

/**
 * What a run may allocate or do, checked before anything is allocated:
 * every record that can say what its settings will cost declares it
 * (`sizes`), and what a plugin only learns while building (a netlist's
 * elements) it checks against `context.limits`. A config raises a limit in
 * its top-level `limits` (`"limits": { "edges": 50000000 }`); a comparison
 * or a sweep in its `base`. The defaults fit a machine with a few GB of
 * memory, and a network a run trains in minutes rather than hours (a
 * fidelity measurement on a million nodes takes a quarter of an hour);
 * each is a count, not bytes, so that a refusal says what to change.
 */
export interface ResourceLimits {
  /** Nodes of a network (inputs, outputs and ground included). */
  readonly nodes: number;
  /** Edges of a network (trainable and fixed elements, springs, tubes). */
  readonly edges: number;
  /** Examples of a task (train and test together). */
  readonly examples: number;
  /** Numbers a task's data hold: examples × (inputs + outputs). */
  readonly values: number;
  /** Time samples of one measurement (a lock-in window and its settling, a relaxation's steps). */
  readonly samples: number;
  /** Training epochs. */
  readonly epochs: number;
  /** Bytes of a file a config names (a netlist, a network file), and of a config. */
  readonly fileBytes: number;
}

/** The limits when a config raises none. */
export const DEFAULT_LIMITS: ResourceLimits = {
  nodes: 100_000,
  edges: 1_000_000,
  examples: 1_000_000,
  values: 100_000_000,
  samples: 100_000,
  epochs: 100_000,
  fileBytes: 64 * 1024 * 1024,
};

/** What each limit counts, for messages. */
export const LIMIT_UNITS: Readonly<Record<keyof ResourceLimits, string>> = {
  nodes: 'nodes',
  edges: 'edges',
  examples: 'examples',
  values: 'data values',
  samples: 'samples per measurement',
  epochs: 'epochs',
  fileBytes: 'bytes',
};

export type LimitName = keyof ResourceLimits;
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

const limit = bounded(positiveInteger, { min: 1, max: MAX_COUNT }, 'no machine holds more');
const fileLimit = bounded(positiveInteger, { min: 1, max: 2 ** 31 - 1 }, 'the largest file Node reads into a string');

/** `limits` in a config: any of the limits, each a positive integer. */
export const limitsCodec = strictObject(
  'resource limits ({ "nodes"?, "edges"?, "examples"?, "values"?, "samples"?, "epochs"?, "fileBytes"? })',
  {},
  { nodes: limit, edges: limit, examples: limit, values: limit, samples: limit, epochs: limit, fileBytes: fileLimit },
);
export type LimitsConfig = t.TypeOf<typeof limitsCodec>;

/** The limits in force: the defaults, raised (or lowered) by a config's `limits`. */
export function resourceLimits(config?: Partial<ResourceLimits>): ResourceLimits {
  return { ...DEFAULT_LIMITS, ...(config ?? {}) };
}

/**
 * What a section's settings will allocate or do, counted before anything is
 * built: `{ limit: 'edges', count: 1.2e9, key: 'network.hidden', what: 'edges between the layers' }`.
 * `count` may be Infinity (an overflowing product): it is over any limit.
 */
export interface SizeClaim {
  readonly limit: LimitName;
  readonly count: number;
  /** The key of the section that sets it (`network.hidden`, `samplesPerPeriod`). */
  readonly key: string;
  /** What is counted, and from what (`samples per window (periods × samplesPerPeriod)`). */
  readonly what: string;
}

/** A count as a message writes it: `1,200,000` or `1.2e+15`. */
function countText(n: number): string {
  return !Number.isFinite(n) ? 'more than any machine holds' : n < 1e15 ? Math.round(n).toLocaleString('en-US') : boundText(n);
}

/**
 * The claims of `section` over their limits, as problems at their keys:
 * `network.hidden: 1,200,000,000 edges between the layers exceed the limit
 * of 1,000,000 edges (limits.edges; raise it in the config's "limits" if
 * the machine can hold them)`.
 */
export function sizeProblems(section: SectionName, claims: readonly SizeClaim[], limits: ResourceLimits): SectionProblem[] {
  return claims
    .filter((c) => !(c.count <= limits[c.limit]))
    .map((c) => ({
      section,
      key: c.key,
      message: `${countText(c.count)} ${c.what} exceed${c.count === 1 ? 's' : ''} the limit of ${countText(limits[c.limit])} ${LIMIT_UNITS[c.limit]} (limits.${c.limit}; raise it in the config's "limits" if the machine can hold them)`,
    }));
}

/** Throws a `SettingsError`-like problem list when a count found while building exceeds its limit; see `sizeProblems`. */
export function overLimit(limits: ResourceLimits, name: LimitName, count: number): boolean {
  return !(count <= limits[name]);
}
