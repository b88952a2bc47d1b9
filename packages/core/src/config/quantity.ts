import * as t from 'io-ts';
import type { Unit } from 'mathjs';
import { ECHO_LIMIT, echoed } from '../support/format';
import { quantityMath } from '../support/mathjs';
import { JsonSchema, withSchema } from './json-schema';

/** The physical quantities a config may give with a unit, each with its SI unit and an example for messages. */
export const QUANTITIES = {
  conductance: { si: 'S', example: '2 mS' },
  resistance: { si: 'ohm', example: '1 kohm' },
  capacitance: { si: 'F', example: '10 uF' },
  current: { si: 'A', example: '1 mA' },
  voltage: { si: 'V', example: '0.5 V' },
  frequency: { si: 'Hz', example: '1.7 kHz' },
  time: { si: 's', example: '20 ms' },
  length: { si: 'm', example: '3 cm' },
  viscosity: { si: 'Pa s', example: '1 mPa s' },
  pressure: { si: 'Pa', example: '10 kPa' },
  force: { si: 'N', example: '0.2 N' },
  stiffness: { si: 'N/m', example: '2 N/m' },
  mass: { si: 'kg', example: '5 g' },
  damping: { si: 'N s/m', example: '0.1 N s/m' },
} as const;
export type Quantity = keyof typeof QUANTITIES;

/**
 * A unit as mathjs reads it (mathjs is loaded on the first string with a
 * unit: a plain number never loads it), by an instance of its own that no
 * expression law can reach (`quantityMath`).
 */
const parseUnit = (text: string): Unit => quantityMath().unit(text);

const siUnits = new Map<Quantity, Unit>();
function siUnit(q: Quantity): Unit {
  let u = siUnits.get(q);
  if (!u) siUnits.set(q, (u = parseUnit(QUANTITIES[q].si)));
  return u;
}

/** The quantity a parsed unit measures, among those above, for a message ("a resistance"). */
function quantityOf(u: Unit): Quantity | undefined {
  return (Object.keys(QUANTITIES) as Quantity[]).find((q) => u.equalBase(siUnit(q)));
}

/**
 * Reads `"1 kohm"`, `"10 uF"`, `"1.7 kHz"` (mathjs units, SI prefixes) as a
 * number in the quantity's SI unit, rounded to 15 significant digits so
 * that decimal inputs stay exact (`"10 uF"` is 1e-5, not 9.999999999999999e-6).
 * Returns the number, or a message saying what is wrong.
 */
export function parseQuantity(text: string, quantity: Quantity): number | string {
  const { si, example } = QUANTITIES[quantity];
  const given = echoed(JSON.stringify(text));
  let u: Unit;
  try {
    u = parseUnit(text.trim());
  } catch (e) {
    // mathjs's reason may quote the text: it is bounded too
    return `expected a ${quantity} in ${si}: a number, or a string with its unit such as "${example}"; cannot read ${given} (${echoed(String((e as Error)?.message ?? e), 2 * ECHO_LIMIT)})`;
  }
  if (u.value === null) return `expected a ${quantity} such as "${example}", got the bare unit ${given}`;
  if (!u.equalBase(siUnit(quantity))) {
    const other = quantityOf(u);
    return `expected a ${quantity} in ${si} (such as "${example}"), got ${other ? `a ${other}` : 'a quantity of another dimension'}, ${given}`;
  }
  const value = u.toNumber(si);
  return Number.isFinite(value) ? Number(value.toPrecision(15)) : `expected a finite ${quantity}, got ${given}`;
}

/**
 * What a string with a unit starts with, for a JSON Schema: a number, then
 * the unit (mathjs reads nothing else as a quantity with a value).
 */
export const QUANTITY_PATTERN = '^\\s*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*[A-Za-z]';

/**
 * A config value that is a physical quantity: a plain number (already in SI
 * units) or a string with a unit (`"1 kohm"`, `"2 mS"`), decoded to the
 * number in SI units, that also passes `ok` (e.g. positive). Failures name
 * the quantity, its SI unit and an example. `bounds` says in JSON Schema
 * what `ok` allows of a plain number (`{ exclusiveMinimum: 0 }`), for
 * `jsonSchemaOf`.
 */
export function quantity(q: Quantity, ok: (n: number) => boolean = () => true, what = '', bounds: JsonSchema = {}): t.Type<number, number | string, unknown> {
  const { si, example } = QUANTITIES[q];
  const name = `${what ? `${what} ` : ''}${q} in ${si} (a number, or a string with its unit such as "${example}")`;
  const article = /^[aeiou]/i.test(name) ? 'an' : 'a';
  const codec = new t.Type<number, number | string, unknown>(
    `${article} ${name}`,
    (u): u is number => typeof u === 'number' && Number.isFinite(u) && ok(u),
    (u, c) => {
      const value = typeof u === 'string' ? parseQuantity(u, q) : u;
      if (typeof value === 'string') return t.failure(u, c, value);
      return typeof value === 'number' && Number.isFinite(value) && ok(value) ? t.success(value) : t.failure(u, c);
    },
    (n) => n,
  );
  return withSchema(codec, {
    anyOf: [
      { type: 'number', ...bounds },
      { type: 'string', description: `a ${q} with its unit, converted to ${si}`, pattern: QUANTITY_PATTERN, examples: [example] },
    ],
  });
}

/** A positive physical quantity (conductances, capacitances, frequencies, viscosities, ...). */
export const positiveQuantity = (q: Quantity): t.Type<number, number | string, unknown> => quantity(q, (n) => n > 0, 'positive', { exclusiveMinimum: 0 });
