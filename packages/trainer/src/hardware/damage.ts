import { COUNT_RANGE, MultimechError, PARAMETER_RANGE, type ParameterBounds, type Rng, bounded, positiveInteger, refine, strictObject, withSchema } from '@multimech/core';
import * as t from 'io-ts';
import { MAX_PARAMETER, numberOrWord, probabilityCodec } from './update-imperfections';

/** An edge a damage event names: its parameter's name (`g3`) or its 0-based index. */
const edgeCodec = withSchema(
  new t.Type<string | number, string | number, unknown>(
    "an edge: its parameter's name or its 0-based index",
    (u): u is string | number => (typeof u === 'string' && u.length > 0) || (typeof u === 'number' && Number.isInteger(u) && u >= 0),
    (u, c) => ((typeof u === 'string' && u.length > 0) || (typeof u === 'number' && Number.isInteger(u) && u >= 0) ? t.success(u as string | number) : t.failure(u, c)),
    (a) => a,
  ),
  { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }] },
);

const damageEventCodec = refine(
  strictObject(
    'a damage event ({ "epoch", "edges" | "fraction" })',
    { epoch: bounded(positiveInteger, COUNT_RANGE, 'the edges break at the end of this epoch') },
    { edges: t.array(edgeCodec), fraction: probabilityCodec },
  ),
  (v) =>
    (v.edges === undefined) === (v.fraction === undefined)
      ? [{ key: 'edges', message: 'give either "edges" (names or 0-based indices) or "fraction" (of the edges still working, drawn at random), not both or neither' }]
      : v.edges !== undefined && v.edges.length === 0
        ? [{ key: 'edges', message: 'expected at least one edge' }]
        : [],
);

/**
 * `training.damage`: edges that break during training. A broken edge's
 * parameter is set to `value` (default its lower bound: the edge as good as
 * removed) and never changes again; the trainer continues. `events` break
 * given edges, or a fraction of the working ones drawn at random, at the end
 * of given epochs; `rate` breaks every working edge with that probability at
 * the end of every epoch. Seeded by the trainer's generator.
 */
export const damageCodec = refine(
  strictObject(
    'damage ({ "events"?, "rate"?, "value"? })',
    {},
    {
      events: t.array(damageEventCodec),
      rate: numberWhere01(),
      value: numberOrWord('a parameter value', ['min', 'max'] as const, (n) => n >= -MAX_PARAMETER && n <= MAX_PARAMETER),
    },
  ),
  (v) => (v.events === undefined && v.rate === undefined ? [{ key: 'events', message: 'give "events" (edges that break at given epochs) or "rate" (a probability per edge per epoch), or remove "damage"' }] : []),
);
export type DamageSettings = t.TypeOf<typeof damageCodec>;

function numberWhere01() {
  return withSchema(
    new t.Type<number, number, unknown>(
      'a probability per edge per epoch in (0, 1)',
      (u): u is number => typeof u === 'number' && u > 0 && u < 1,
      (u, c) => (typeof u === 'number' && u > 0 && u < 1 ? t.success(u) : t.failure(u, c)),
      (a) => a,
    ),
    { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
  );
}

/** Problems of the damage settings against the run: an epoch past the end, an edge the network does not have, a value outside the bounds. Keys relative to `training.damage`. */
export function damageProblems(settings: DamageSettings, epochs: number, names: readonly string[], bounds: ParameterBounds): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  settings.events?.forEach((e, i) => {
    if (e.epoch > epochs) problems.push({ key: `events[${i}].epoch`, message: `epoch ${e.epoch} is past the end of training (${epochs} epochs)` });
    e.edges?.forEach((edge, j) => {
      if (typeof edge === 'number' ? edge >= names.length : !names.includes(edge)) {
        problems.push({ key: `events[${i}].edges[${j}]`, message: `the network has no edge ${JSON.stringify(edge)} (${names.length} edges: ${typeof edge === 'number' ? `indices 0 to ${names.length - 1}` : `names such as ${names.slice(0, 3).join(', ')}`})` });
      }
    });
  });
  const v = settings.value;
  if (typeof v === 'number') {
    const outside = bounds.min.findIndex((lo, k) => v < lo || v > bounds.max[k]);
    if (outside >= 0) problems.push({ key: 'value', message: `${v} lies outside the bounds [${bounds.min[outside]}, ${bounds.max[outside]}] of edge ${names[outside]}` });
  }
  return problems;
}

/**
 * The damage schedule of a run: which edges break at the end of each epoch.
 * `frozen` marks the broken edges (the optimizer leaves them alone); it is
 * the state a checkpoint keeps.
 */
export class Damage {
  readonly frozen: Uint8Array;

  constructor(
    readonly settings: DamageSettings,
    private readonly names: readonly string[],
  ) {
    this.frozen = new Uint8Array(names.length);
  }

  /**
   * Breaks the edges due at the end of `epoch` (1-based), setting their
   * parameters in `theta`; returns the indices newly broken (none when
   * nothing is due). Draws from `rng` only for a fraction or a rate.
   */
  apply(epoch: number, theta: Float64Array, bounds: ParameterBounds, rng: Rng): number[] {
    const broken: number[] = [];
    const breakEdge = (k: number) => {
      if (this.frozen[k]) return;
      this.frozen[k] = 1;
      broken.push(k);
    };
    for (const e of this.settings.events ?? []) {
      if (e.epoch !== epoch) continue;
      if (e.edges) for (const edge of e.edges) breakEdge(typeof edge === 'number' ? edge : this.names.indexOf(edge));
      else {
        const working = [...this.frozen.keys()].filter((k) => !this.frozen[k]);
        rng.shuffle(working);
        working.slice(0, Math.round(e.fraction! * working.length)).forEach(breakEdge);
      }
    }
    const rate = this.settings.rate;
    if (rate !== undefined) for (let k = 0; k < this.frozen.length; k++) if (!this.frozen[k] && rng.next() < rate) breakEdge(k);
    const v = this.settings.value ?? 'min';
    for (const k of broken) theta[k] = v === 'min' ? bounds.min[k] : v === 'max' ? bounds.max[k] : v;
    return broken.sort((a, b) => a - b);
  }

  /** The broken edges, by index (for a checkpoint). */
  state(): number[] {
    return [...this.frozen.keys()].filter((k) => this.frozen[k]);
  }

  /** Continues with these edges broken (a checkpoint's). */
  restore(indices: readonly number[]): void {
    this.frozen.fill(0);
    for (const k of indices) {
      if (!Number.isInteger(k) || k < 0 || k >= this.frozen.length) throw new MultimechError(`damaged: expected edge indices in [0, ${this.frozen.length - 1}], got ${k}`);
      this.frozen[k] = 1;
    }
  }
}
