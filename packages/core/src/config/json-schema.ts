import type * as t from 'io-ts';

/**
 * JSON Schema (draft 2020-12) of io-ts codecs: what a config may say, for
 * editors, for `multimech plugins KIND` and `multimech schema`.
 *
 * - io-ts built-ins are read off their structure (`t.type`, `t.partial`,
 *   `t.exact`/`t.strict`, unions, intersections, arrays, records, literals,
 *   `t.keyof`, tuples, readonly variants, primitives).
 * - A codec made with `new t.Type(...)` is opaque: its schema is whatever
 *   `withSchema` recorded for it, else only `{ "description": <its name> }`.
 *   Core's own codecs (`numberWhere`, `oneOf`, `strictObject`, `refine`,
 *   `range`, quantities, ...) record theirs.
 * - A `SettingsCodec` (`withDefaults(config, fill)`) is described by its
 *   `config`, each property with the `default` that `fill` gives a section
 *   that sets nothing (when such a section decodes).
 *
 * Every schema carries the codec's name (an "expected ..." phrase) as its
 * `description`. Keys that a codec would silently drop (`t.exact`, the
 * extra items of a tuple) are refused, since writing them has no effect.
 */
export interface JsonSchema {
  readonly $schema?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly items?: boolean | JsonSchema;
  readonly prefixItems?: readonly JsonSchema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly [keyword: string]: unknown;
}

/** The dialect of the schemas `jsonSchemaOf` writes, for a document's `$schema`. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where `withSchema` keeps a codec's schema (a global symbol, so that two copies of core agree). */
const SCHEMA = Symbol.for('@multimech/core/jsonSchema');

type SchemaSource = JsonSchema | (() => JsonSchema);

/**
 * Records the JSON Schema of a codec whose structure cannot be read (one
 * made with `new t.Type(...)`), and returns the same codec. `schema` may be
 * a function, called when a schema is first asked for (so it may call
 * `jsonSchemaOf` on codecs defined later). The codec's name is added as
 * `description` unless the schema has one. It marks the codec object
 * itself: give it a codec of your own, not a shared one such as `t.number`.
 *
 *     const evenInteger = withSchema(new t.Type<number, number, unknown>('an even integer', ...), { type: 'integer', multipleOf: 2 });
 */
export function withSchema<C extends t.Any>(codec: C, schema: SchemaSource): C {
  Object.defineProperty(codec, SCHEMA, { value: schema, configurable: true, enumerable: false, writable: true });
  return codec;
}

/** The settings a section that sets nothing (`{}`) decodes to with `codec`, or undefined when it does not decode. */
export function sectionDefaults(codec: t.Decoder<unknown, unknown>): unknown {
  try {
    const r = codec.decode({});
    return r._tag === 'Right' ? r.right : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON value as JSON would carry it, or undefined for what JSON cannot say (functions, undefined). */
function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** An object schema: these keys' codecs, `required` ones required; `closed` refuses other keys. */
export function objectSchema(required: t.Props, optional: t.Props, closed: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [k, c] of Object.entries(required)) properties[k] = jsonSchemaOf(c);
  for (const [k, c] of Object.entries(optional)) if (!(k in properties)) properties[k] = jsonSchemaOf(c);
  const names = Object.keys(required);
  return {
    type: 'object',
    properties,
    ...(names.length > 0 ? { required: names } : {}),
    ...(closed ? { additionalProperties: false } : {}),
  };
}

/** io-ts codecs as they are at run time: a `_tag` and the fields their combinators keep. */
interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly type?: t.Any;
  readonly types?: readonly t.Any[];
  readonly props?: t.Props;
  readonly value?: unknown;
  readonly keys?: Record<string, unknown>;
  readonly domain?: t.Any;
  readonly codomain?: t.Any;
  readonly config?: t.Any;
}

const PRIMITIVES: Readonly<Record<string, JsonSchema>> = {
  StringType: { type: 'string' },
  NumberType: { type: 'number' },
  BooleanType: { type: 'boolean' },
  NullType: { type: 'null' },
  UnknownType: {},
  AnyType: {},
  AnyDictionaryType: { type: 'object' },
  AnyArrayType: { type: 'array' },
  UndefinedType: { not: {} },
  VoidType: { not: {} },
  NeverType: { not: {} },
};

/** The enumerable keys of a record's domain (`t.keyof`, a literal, or a union of them), or undefined. */
function domainKeys(domain: t.Any): string[] | undefined {
  const d = domain as unknown as Tagged;
  if (d._tag === 'KeyofType') return Object.keys(d.keys ?? {});
  if (d._tag === 'LiteralType' && typeof d.value === 'string') return [d.value];
  if (d._tag === 'UnionType') {
    const parts = (d.types ?? []).map(domainKeys);
    return parts.every((p) => p !== undefined) ? parts.flat() as string[] : undefined;
  }
  return undefined;
}

/** The intersection of object schemas as one object schema, when every part is a plain one. */
function mergeObjects(parts: readonly JsonSchema[]): JsonSchema | undefined {
  const plain = (s: JsonSchema) =>
    s.type === 'object' && s.properties !== undefined && Object.keys(s).every((k) => ['type', 'properties', 'required', 'additionalProperties', 'description'].includes(k));
  if (!parts.every(plain) || parts.some((s) => typeof s.additionalProperties === 'object')) return undefined;
  const required = [...new Set(parts.flatMap((s) => s.required ?? []))];
  return {
    type: 'object',
    properties: Object.assign({}, ...parts.map((s) => s.properties)),
    ...(required.length > 0 ? { required } : {}),
    ...(parts.every((s) => s.additionalProperties === false) ? { additionalProperties: false } : {}),
  };
}

/** The structural schema of an io-ts built-in, by its tag; undefined for a codec whose structure is not known. */
function builtinSchema(c: Tagged): JsonSchema | undefined {
  const tag = c._tag ?? '';
  if (tag in PRIMITIVES) return PRIMITIVES[tag];
  switch (tag) {
    case 'LiteralType':
      return { const: c.value };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: jsonSchemaOf(c.type!) };
    case 'TupleType': {
      const items = (c.types ?? []).map((x) => jsonSchemaOf(x));
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    case 'InterfaceType':
      return objectSchema(c.props ?? {}, {}, false);
    case 'PartialType':
      return objectSchema({}, c.props ?? {}, false);
    case 'ExactType': {
      const inner = jsonSchemaOf(c.type!);
      return inner.type === 'object' && !('allOf' in inner) ? { ...inner, additionalProperties: false } : inner;
    }
    case 'ReadonlyType':
      return jsonSchemaOf(c.type!);
    case 'RefinementType':
      // t.Int is the one refinement io-ts names; others describe their base
      return c.name === 'Int' ? { type: 'integer' } : jsonSchemaOf(c.type!);
    case 'RecursiveType':
      return jsonSchemaOf(c.type!);
    case 'UnionType': {
      const parts = (c.types ?? []).map((x) => jsonSchemaOf(x));
      if (parts.every((p) => 'const' in p)) return { enum: parts.map((p) => p.const) };
      return { anyOf: parts };
    }
    case 'IntersectionType': {
      const parts = (c.types ?? []).map((x) => jsonSchemaOf(x));
      return mergeObjects(parts) ?? { allOf: parts };
    }
    case 'DictionaryType': {
      const value = jsonSchemaOf(c.codomain!);
      const keys = domainKeys(c.domain!);
      if (keys) return { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, value])), required: keys, additionalProperties: false };
      const names = jsonSchemaOf(c.domain!);
      const plainString = names.type === 'string' && Object.keys(names).every((k) => k === 'type' || k === 'description');
      return { type: 'object', additionalProperties: value, ...(plainString ? {} : { propertyNames: names }) };
    }
    default:
      return undefined;
  }
}

/** Tags whose default names only repeat the schema (`string`, `"a"`, `"a" | "b"`): no description. */
const SELF_DESCRIBING = new Set([...Object.keys(PRIMITIVES), 'LiteralType', 'KeyofType']);

/** Codecs whose schema is being written: a recursive codec names itself instead of looping. */
const inProgress = new Set<unknown>();

/**
 * The JSON Schema of what `codec` accepts, as a plain object (draft
 * 2020-12 keywords; no `$schema`, which a document adds at its root). A
 * codec of unknown structure gives `{ "description": <its name> }`.
 */
export function jsonSchemaOf(codec: t.Any | t.Decoder<unknown, unknown>): JsonSchema {
  const c = codec as unknown as Tagged & { [SCHEMA]?: SchemaSource };
  if (inProgress.has(c)) return { description: c.name };
  inProgress.add(c);
  try {
    const recorded = c[SCHEMA];
    let schema: JsonSchema | undefined;
    if (recorded !== undefined) schema = typeof recorded === 'function' ? recorded() : recorded;
    else if (c._tag === 'SettingsCodec' && c.config) schema = settingsSchema(codec as t.Decoder<unknown, unknown>, c.config);
    else schema = builtinSchema(c);
    if (schema === undefined) return { description: c.name };
    const described = schema.description !== undefined || (recorded === undefined && SELF_DESCRIBING.has(c._tag ?? ''));
    return described ? schema : { description: c.name, ...schema };
  } finally {
    inProgress.delete(c);
  }
}

/** A section codec that fills in defaults: its `config`'s schema, each property with its default. */
function settingsSchema(codec: t.Decoder<unknown, unknown>, config: t.Any): JsonSchema {
  const { description: _, ...schema } = jsonSchemaOf(config);
  const defaults = sectionDefaults(codec);
  if (!schema.properties || typeof defaults !== 'object' || defaults === null) return schema;
  const properties: Record<string, JsonSchema> = {};
  for (const [k, s] of Object.entries(schema.properties)) {
    const value = asJson((defaults as Record<string, unknown>)[k]);
    properties[k] = value === undefined ? s : { ...s, default: value };
  }
  return { ...schema, properties };
}

/**
 * The schema of a plugin section `{ "kind": KIND, ... }` whose other keys
 * `codec` decodes: `kind` is a `const` property, required. `description`
 * replaces the codec's name (a record's description, say), unless the
 * codec's structure is unknown: then the name follows it.
 */
export function sectionSchemaOf(kind: string, codec: t.Any | t.Decoder<unknown, unknown>, description?: string): JsonSchema {
  const kindSchema: JsonSchema = { const: kind };
  const withKind = (s: JsonSchema): JsonSchema => {
    if (s.type === 'object' && s.properties !== undefined) {
      const { properties, required, additionalProperties, ...others } = s;
      return {
        ...others,
        properties: { kind: kindSchema, ...properties },
        required: ['kind', ...(required ?? []).filter((k) => k !== 'kind')],
        ...(additionalProperties !== undefined ? { additionalProperties } : {}),
      };
    }
    if (s.anyOf) return { ...s, anyOf: s.anyOf.map(withKind) };
    if (s.oneOf) return { ...s, oneOf: s.oneOf.map(withKind) };
    // a codec of unknown structure: the kind, and whatever is known of the rest
    const { description: d, ...rest } = s;
    const kindOnly: JsonSchema = { type: 'object', properties: { kind: kindSchema }, required: ['kind'] };
    return { ...(d !== undefined ? { description: d } : {}), ...(Object.keys(rest).length > 0 ? { allOf: [kindOnly, rest] } : kindOnly) };
  };
  const described = jsonSchemaOf(codec);
  const { description: name, ...schema } = withKind(described);
  // of a codec whose structure is unknown, its name is all there is to read: kept beside the description
  const opaque = Object.keys(described).every((k) => k === 'description');
  const text = description !== undefined && name !== undefined && opaque ? `${description} (expected: ${name})` : (description ?? name);
  return { ...(text !== undefined ? { description: text } : {}), ...schema };
}
