import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { JsonSchema, jsonSchemaOf, withSchema } from './json-schema';

/**
 * Numbers a config may give, bounded where a quantity has physical or
 * numerical limits: a value a codec accepts must run with finite numbers.
 * A range is written as in mathematics, `(0, 1e6]`, and a refusal names it:
 * `task.loss.kappa: expected a positive number in (0, 1e6], got 1e+308`.
 *
 * The ranges below are those of the built-in kinds (docs/configuration.md,
 * "Ranges"): wide enough for any physical network the simulator can
 * represent, narrow enough that energies, losses and their derivatives stay
 * finite in double precision whatever else the config says. A product of
 * settings (a window's samples, a tube's conductance from its radius) is
 * checked in the plugin's `refine`, against the same ranges or a resource
 * limit (`resource-limits.ts`).
 */

/** An admissible range: its ends, each closed unless said open; an integer range takes whole numbers only. */
export interface Range {
  readonly min?: number;
  readonly max?: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
  readonly integer?: boolean;
}

/** A bound as a message writes it: `5`, `0.25`, `1e6`, `1e-12`, `2^53`. */
export function boundText(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === Number.MAX_SAFE_INTEGER) return '2^53 − 1';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential().replace('e+', 'e');
  return String(x);
}

/** A range as a message writes it: `(0, 1e6]`, `[1, 1e9]`, `[-1e6, 1e6]`. */
export function rangeText(r: Range): string {
  const lo = r.min === undefined ? '(−∞' : `${r.minOpen ? '(' : '['}${boundText(r.min)}`;
  const hi = r.max === undefined ? '∞)' : `${boundText(r.max)}${r.maxOpen ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

/** Whether `n` lies in the range. */
export function inRange(n: number, r: Range): boolean {
  if (!Number.isFinite(n)) return false;
  if (r.integer && !Number.isInteger(n)) return false;
  if (r.min !== undefined && (r.minOpen ? !(n > r.min) : !(n >= r.min))) return false;
  if (r.max !== undefined && (r.maxOpen ? !(n < r.max) : !(n <= r.max))) return false;
  return true;
}

/** `r`'s bounds in JSON Schema, merged into the number branches of `schema`. */
function boundedSchema(schema: JsonSchema, r: Range): JsonSchema {
  const bounds: Record<string, number> = {};
  if (r.min !== undefined) bounds[r.minOpen ? 'exclusiveMinimum' : 'minimum'] = r.min;
  if (r.max !== undefined) bounds[r.maxOpen ? 'exclusiveMaximum' : 'maximum'] = r.max;
  const merge = (s: JsonSchema): JsonSchema => {
    if (s.type !== 'number' && s.type !== 'integer') return s;
    const out: Record<string, unknown> = { ...s };
    // the tighter of the two bounds on each side
    for (const [k, v] of Object.entries(bounds)) {
      const before = out[k] as number | undefined;
      out[k] = before === undefined ? v : k.endsWith('inimum') ? Math.max(before, v) : Math.min(before, v);
    }
    if (out.minimum !== undefined && out.exclusiveMinimum !== undefined) (out.exclusiveMinimum as number) >= (out.minimum as number) ? delete out.minimum : delete out.exclusiveMinimum;
    if (out.maximum !== undefined && out.exclusiveMaximum !== undefined) (out.exclusiveMaximum as number) <= (out.maximum as number) ? delete out.maximum : delete out.exclusiveMaximum;
    return out as JsonSchema;
  };
  if (schema.anyOf) return { ...schema, anyOf: schema.anyOf.map(merge) };
  if (schema.oneOf) return { ...schema, oneOf: schema.oneOf.map(merge) };
  return merge(schema);
}

/**
 * `codec` with an admissible range: a value `codec` accepts that lies
 * outside `range` is refused, naming the range and, if given, why
 * (`expected a positive number in (0, 1e6] (κ·V must stay finite), got
 * 1e+308`); every other failure is `codec`'s own, unchanged. Works on any
 * codec that decodes to a number: plain numbers, physical quantities with
 * their units (the range is in SI units).
 *
 *     kappa: bounded(positiveNumber, { min: 0, minOpen: true, max: 1e6 })
 */
export function bounded<I, O>(codec: t.Type<number, O, I>, range: Range, why?: string): t.Type<number, O, I> {
  const name = `${codec.name} in ${rangeText(range)}`;
  const out = new t.Type<number, O, I>(
    codec.name,
    (u): u is number => codec.is(u) && inRange(u, range),
    (u, c) => {
      const r = codec.validate(u, c);
      if (isLeft(r) || inRange(r.right, range)) return r;
      const given = typeof u === 'string' ? `${JSON.stringify(u)} (${r.right})` : String(r.right);
      return t.failure(u, c, `expected ${name}${why ? ` (${why})` : ''}, got ${given}`);
    },
    codec.encode,
  );
  return withSchema(out, () => boundedSchema(jsonSchemaOf(codec), range));
}

/**
 * A number in a range, named by what it is: `boundedNumber('a frequency
 * in Hz', { min: 0, minOpen: true, max: 1e12 })` is "a frequency in Hz in
 * (0, 1e12]" and refuses 1e308, -1 or "x" with that name.
 */
export function boundedNumber(what: string, range: Range): t.Type<number, number, unknown> {
  const name = `${what} in ${rangeText(range)}`;
  const codec = new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && inRange(u, range),
    (u, c) => (typeof u === 'number' && inRange(u, range) ? t.success(u) : t.failure(u, c)),
    (n) => n,
  );
  return withSchema(codec, boundedSchema({ type: range.integer ? 'integer' : 'number' }, range));
}

/**
 * The largest count (of nodes, edges, examples, samples, epochs) any
 * config may give: beyond it no typed array can be allocated (V8's limit is
 * about 2^32 elements) and sums of counts lose precision. What a machine can
 * hold is lower; `ResourceLimits` check that.
 */
export const MAX_COUNT = 1e9;

/** The largest magnitude of a signal a config gives (a drive, a target, a strain, a scale, a bias) in its SI unit. */
export const MAX_SIGNAL = 1e6;

/** The range of a physical parameter (a conductance, a stiffness, a length, a viscosity, a capacitance, a mass) in its SI unit. */
export const PARAMETER_RANGE: Range = { min: 1e-15, max: 1e15 };

/** The largest gain (a loss's sharpness κ, a learning rate, a coupling λ or γ). */
export const MAX_GAIN = 1e6;

/** A positive integer up to MAX_COUNT, named by what it counts is left to the caller's `positiveInteger`. */
export const COUNT_RANGE: Range = { min: 1, max: MAX_COUNT, integer: true };

/** A signal's range: [-MAX_SIGNAL, MAX_SIGNAL]. */
export const SIGNAL_RANGE: Range = { min: -MAX_SIGNAL, max: MAX_SIGNAL };

/** A gain's range: (0, MAX_GAIN]. */
export const GAIN_RANGE: Range = { min: 0, minOpen: true, max: MAX_GAIN };

/** The range of a seed: the safe integers, which a seed's stream reads exactly. */
export const SEED_RANGE: Range = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true };
