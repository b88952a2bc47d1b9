import type { JsonSchema } from '../src';

/**
 * A small JSON Schema validator for the keywords `jsonSchemaOf` writes, so
 * that tests can check values against the schemas without a dependency.
 * A keyword it does not know is an error (a schema that used one would
 * otherwise pass unchecked).
 */

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'examples', '$comment']);
const KEYWORDS = new Set([
  'type',
  'const',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'pattern',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** The problems of `value` against `schema`, one line per problem with its path (none: it validates). */
export function validate(schema: JsonSchema | boolean, value: unknown, path = ''): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path || '(root)'}: no value is allowed here`];
  const where = path || '(root)';
  const problems: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`${where}: the test validator does not know the keyword '${key}'`);
  }
  const s = schema as JsonSchema;
  const type = typeOf(value);
  if (s.type !== undefined && s.type !== type && !(s.type === 'number' && type === 'integer')) {
    return [`${where}: expected ${s.type}, got ${JSON.stringify(value)}`];
  }
  if ('const' in s && !equal(s.const, value)) problems.push(`${where}: expected ${JSON.stringify(s.const)}, got ${JSON.stringify(value)}`);
  if (s.enum && !s.enum.some((e) => equal(e, value))) problems.push(`${where}: expected one of ${JSON.stringify(s.enum)}, got ${JSON.stringify(value)}`);
  if (typeof value === 'number') {
    if (s.minimum !== undefined && !(value >= s.minimum)) problems.push(`${where}: expected >= ${s.minimum}, got ${value}`);
    if (s.maximum !== undefined && !(value <= s.maximum)) problems.push(`${where}: expected <= ${s.maximum}, got ${value}`);
    if (s.exclusiveMinimum !== undefined && !(value > s.exclusiveMinimum)) problems.push(`${where}: expected > ${s.exclusiveMinimum}, got ${value}`);
    if (s.exclusiveMaximum !== undefined && !(value < s.exclusiveMaximum)) problems.push(`${where}: expected < ${s.exclusiveMaximum}, got ${value}`);
  }
  if (typeof value === 'string') {
    if (s.minLength !== undefined && [...value].length < s.minLength) problems.push(`${where}: expected at least ${s.minLength} characters`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) problems.push(`${where}: ${JSON.stringify(value)} does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) problems.push(`${where}: expected at least ${s.minItems} items, got ${value.length}`);
    if (s.maxItems !== undefined && value.length > s.maxItems) problems.push(`${where}: expected at most ${s.maxItems} items, got ${value.length}`);
    const prefix = s.prefixItems ?? [];
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : s.items;
      if (itemSchema !== undefined) problems.push(...validate(itemSchema, item, at(path, i)));
    });
  }
  if (type === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in o)) problems.push(`${at(path, k)}: required`);
    for (const [k, v] of Object.entries(o)) {
      if (s.propertyNames) problems.push(...validate(s.propertyNames, k, at(path, k)));
      if (s.properties && k in s.properties) problems.push(...validate(s.properties[k], v, at(path, k)));
      else if (s.additionalProperties !== undefined) {
        problems.push(...(s.additionalProperties === false ? [`${at(path, k)}: unknown key`] : validate(s.additionalProperties, v, at(path, k))));
      }
    }
  }
  if (s.allOf) for (const part of s.allOf) problems.push(...validate(part, value, path));
  if (s.anyOf && !s.anyOf.some((part) => validate(part, value, path).length === 0)) {
    problems.push(`${where}: matches none of ${s.anyOf.length} alternatives (${s.anyOf.map((p) => validate(p, value, path)[0]).join('; ')})`);
  }
  if (s.oneOf) {
    const results = s.oneOf.map((part) => validate(part, value, path));
    const matching = results.filter((r) => r.length === 0).length;
    if (matching !== 1) {
      problems.push(matching === 0 ? `${where}: matches none of ${s.oneOf.length} alternatives (${results.map((r) => r[0]).join('; ')})` : `${where}: matches ${matching} alternatives, expected one`);
    }
  }
  if (s.not && validate(s.not, value, path).length === 0) problems.push(`${where}: matches a schema it must not`);
  return problems;
}

/** Every keyword used anywhere in a schema (annotations included), to check that the validator knows them all. */
export function keywordsOf(schema: JsonSchema | boolean): Set<string> {
  const found = new Set<string>();
  const walk = (s: unknown) => {
    if (typeof s !== 'object' || s === null) return;
    const o = s as JsonSchema;
    for (const k of Object.keys(o)) found.add(k);
    if (o.properties) Object.values(o.properties).forEach(walk);
    for (const k of ['additionalProperties', 'propertyNames', 'items', 'not'] as const) walk(o[k]);
    for (const k of ['prefixItems', 'anyOf', 'oneOf', 'allOf'] as const) (o[k] as unknown[] | undefined)?.forEach(walk);
  };
  walk(schema);
  return found;
}

/** The keywords the validator knows. */
export const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([...KEYWORDS, ...ANNOTATIONS]);
