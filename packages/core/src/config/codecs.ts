import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { ConfigError, ConfigProblem } from '../support/errors';
import { echoed } from '../support/format';
import { JsonSchema, objectSchema, jsonSchemaOf, withSchema } from './json-schema';

/**
 * io-ts building blocks whose failures read well: every codec has a name
 * that completes "expected ...", objects reject unknown keys (a typo is an
 * error, not a silently ignored setting), and `decodeOrThrow` turns failures
 * into one line per problem with its JSON path.
 */

/** A value as a message shows it: as JSON (a string quoted), control characters escaped, a long one's middle left out (`echoed`). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    s = undefined; // a cycle, a bigint: not from JSON
  }
  return echoed(s === undefined ? String(value) : s);
}

/**
 * A number codec with a predicate, named by what it expects ("a positive
 * number"). `schema` says in JSON Schema what the predicate allows (its
 * bounds: `{ exclusiveMinimum: 0 }`; `{ type: 'integer' }`), for
 * `jsonSchemaOf`; without it the schema is any number.
 */
export function numberWhere(name: string, ok: (n: number) => boolean, schema: JsonSchema = {}): t.Type<number, number, unknown> {
  return withSchema(
    new t.Type<number, number, unknown>(
      name,
      (u): u is number => typeof u === 'number' && Number.isFinite(u) && ok(u),
      (u, c) => (typeof u === 'number' && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c)),
      (n) => n,
    ),
    { type: 'number', ...schema },
  );
}

export const finiteNumber = numberWhere('a finite number', () => true);
export const positiveNumber = numberWhere('a positive number', (n) => n > 0, { exclusiveMinimum: 0 });
export const nonNegativeNumber = numberWhere('a non-negative number', (n) => n >= 0, { minimum: 0 });
export const positiveInteger = numberWhere('a positive integer', (n) => Number.isInteger(n) && n > 0, { type: 'integer', minimum: 1 });
export const nonNegativeInteger = numberWhere('a non-negative integer', (n) => Number.isInteger(n) && n >= 0, { type: 'integer', minimum: 0 });
export const integer = numberWhere('an integer', (n) => Number.isInteger(n), { type: 'integer' });
export const unitInterval = numberWhere('a number in [0, 1]', (n) => n >= 0 && n <= 1, { minimum: 0, maximum: 1 });

/** One of a fixed set of strings, with one clear message when it is none of them. */
export function oneOf<V extends string>(...values: readonly V[]): t.Type<V, V, unknown> {
  const name = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  return withSchema(
    new t.Type<V, V, unknown>(
      name,
      (u): u is V => typeof u === 'string' && (values as readonly string[]).includes(u),
      (u, c) => (typeof u === 'string' && (values as readonly string[]).includes(u) ? t.success(u as V) : t.failure(u, c)),
      (v) => v,
    ),
    { type: 'string', enum: [...values] },
  );
}

/** A non-empty string. */
export const nonEmptyString = withSchema(
  new t.Type<string, string, unknown>(
    'a non-empty string',
    (u): u is string => typeof u === 'string' && u.length > 0,
    (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)),
    (s) => s,
  ),
  { type: 'string', minLength: 1 },
);

/** A pair [lo, hi] with lo <= hi. */
export const range = withSchema(
  new t.Type<[number, number], [number, number], unknown>(
    'a range [lo, hi] of finite numbers with lo <= hi',
    (u): u is [number, number] =>
      Array.isArray(u) && u.length === 2 && u.every((x) => typeof x === 'number' && Number.isFinite(x)) && u[0] <= u[1],
    (u, c) =>
      Array.isArray(u) && u.length === 2 && u.every((x) => typeof x === 'number' && Number.isFinite(x)) && u[0] <= u[1]
        ? t.success([u[0], u[1]] as [number, number])
        : t.failure(u, c),
    (r) => r,
  ),
  // lo <= hi is left to the codec: JSON Schema cannot compare two items
  { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2 },
);

type Props = t.Props;
type Out<R extends Props, O extends Props> = t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>;

/**
 * An object codec with required and optional keys that refuses unknown keys,
 * naming them and the keys it knows.
 */
export function strictObject<R extends Props, O extends Props = {}>(
  name: string,
  required: R,
  optional?: O,
): t.Type<Out<R, O>, unknown, unknown> {
  const req = t.type(required);
  const opt = t.partial(optional ?? ({} as O));
  const known = [...Object.keys(required), ...Object.keys(optional ?? {})];
  const codec = new t.Type<Out<R, O>, unknown, unknown>(
    name,
    (u): u is Out<R, O> => req.is(u) && opt.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
      const unknownKeys = Object.keys(u).filter((k) => !known.includes(k));
      const errors: t.Errors = unknownKeys.map((k) => ({
        value: (u as Record<string, unknown>)[k],
        context: [...c, { key: k, type: t.unknown, actual: (u as Record<string, unknown>)[k] }],
        message: known.length > 0 ? `unknown key (known keys: ${known.join(', ')})` : 'unknown key (this section takes no settings)',
      }));
      const a = req.validate(u, c);
      const b = opt.validate(u, c);
      if (isLeft(a)) errors.push(...a.left);
      if (isLeft(b)) errors.push(...b.left);
      if (errors.length > 0 || isLeft(a) || isLeft(b)) return t.failures(errors);
      // each side's own keys: a.right is the input itself where no required value changed, and would undo a decoded optional value
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(optional ?? {})) if (k in (b.right as object)) out[k] = (b.right as Record<string, unknown>)[k];
      for (const k of Object.keys(required)) out[k] = (a.right as Record<string, unknown>)[k];
      return t.success(out as Out<R, O>);
    },
    (a) => a,
  );
  return withSchema(codec, () => objectSchema(required, optional ?? {}, true));
}

/** The JSON path of an io-ts error: `substrate.edges[3].conductance`. */
export function errorPath(error: t.ValidationError): string {
  let path = '';
  const ctx = error.context;
  for (let i = 1; i < ctx.length; i++) {
    const parent = ctx[i - 1].type as t.Mixed & { _tag?: string };
    const key = ctx[i].key;
    const tag = parent._tag;
    if (tag === 'UnionType' || tag === 'IntersectionType') continue;
    if (key === '') continue;
    if (tag === 'ArrayType' || tag === 'ReadonlyArrayType' || tag === 'TupleType' || /^\d+$/.test(key)) path += `[${key}]`;
    else path += path ? `.${key}` : key;
  }
  return path;
}

/** One readable problem per io-ts error; duplicates at one path keep the first. */
export function reportErrors(errors: t.Errors, prefix = ''): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const rel = errorPath(e);
    const path = prefix && rel ? (rel.startsWith('[') ? prefix + rel : `${prefix}.${rel}`) : prefix || rel;
    const last = e.context[e.context.length - 1];
    const message = e.message ?? `expected ${last?.type.name ?? 'a valid value'}, got ${describe(e.value)}`;
    const key = `${path}\u0000${message}`;
    if (seen.has(path) || seen.has(key)) continue;
    seen.add(path);
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}

/** Decodes or throws a ConfigError whose lines carry `prefix`-ed JSON paths. */
export function decodeOrThrow<A>(codec: t.Type<A, unknown, unknown>, value: unknown, prefix = '', source?: string): A {
  const result = codec.decode(value);
  if (isLeft(result)) throw new ConfigError(reportErrors(result.left, prefix), source);
  return result.right;
}

/**
 * A codec that decodes with `codec`, then runs a check across fields of the
 * decoded value; every problem the check returns is reported at its key's
 * JSON path (`conductance.max: expected a maximum above min`); a dotted key
 * names a nested field.
 */
export function refine<A>(
  codec: t.Type<A, unknown, unknown>,
  check: (value: A) => readonly { readonly key: string; readonly message: string }[],
): t.Type<A, unknown, unknown> {
  const refined = new t.Type<A, unknown, unknown>(
    codec.name,
    (u): u is A => codec.is(u) && check(u as A).length === 0,
    (u, c) => {
      const r = codec.validate(u, c);
      if (isLeft(r)) return r;
      const problems = check(r.right);
      if (problems.length === 0) return r;
      return t.failures(
        problems.map((p) => {
          // a dotted key (`conductance.init`) names a nested field
          let actual: unknown = r.right;
          const context = [...c];
          for (const key of p.key.split('.')) {
            actual = (actual as Record<string, unknown> | undefined)?.[key];
            context.push({ key, type: t.unknown, actual });
          }
          return { value: actual, context, message: p.message };
        }),
      );
    },
    codec.encode,
  );
  // the check across fields is the codec's: the schema is the base codec's
  return withSchema(refined, () => jsonSchemaOf(codec));
}

/** Problems for keys that only apply when `field` has another value: `only(value, 'kind', { kappa: ['cross-entropy'] })`. */
export function onlyWith(
  value: object,
  field: string,
  fieldValue: string,
  applies: Readonly<Record<string, readonly string[]>>,
): { key: string; message: string }[] {
  return Object.entries(applies)
    .filter(([key, where]) => key in value && !where.includes(fieldValue))
    .map(([key, where]) => ({
      key,
      message: `applies only with ${field} ${where.map((w) => `'${w}'`).join(' or ')}, not '${fieldValue}': remove it`,
    }));
}

/**
 * The codec of a plugin's config section: it decodes with `config` (as
 * written, every optional key optional) and fills in every default, so a
 * section is decoded once, into settings that `create` and `check` use as
 * they are. `config` and `fill` stay readable, for a JSON Schema of what may
 * be written and for the defaults (`fill` of a section that sets nothing).
 */
export class SettingsCodec<C, S> extends t.Type<S, unknown, unknown> {
  readonly _tag = 'SettingsCodec' as const;

  constructor(
    readonly config: t.Type<C, unknown, unknown>,
    readonly fill: (config: C) => S,
  ) {
    super(
      config.name,
      (u): u is S => typeof u === 'object' && u !== null,
      (u, c) => {
        const r = config.validate(u, c);
        return isLeft(r) ? r : t.success(fill(r.right));
      },
      (s) => s,
    );
  }
}

/** `new SettingsCodec(config, fill)`: a section codec that fills in its defaults. */
export function withDefaults<C, S>(config: t.Type<C, unknown, unknown>, fill: (config: C) => S): SettingsCodec<C, S> {
  return new SettingsCodec(config, fill);
}

/**
 * The config a section codec reads, as written: the `config` part of a
 * `withDefaults` codec (`t.TypeOf` of it), else what the codec decodes to.
 * For a TypeScript config, a value that JSON may give as a quantity with
 * its unit (`"1.7 kHz"`) is its number in SI units here, unless the plugin's
 * section type says otherwise.
 */
export type ConfigOf<C> = C extends { readonly _tag: 'SettingsCodec'; readonly config: t.Type<infer Config, unknown, unknown> } ? Config : C extends t.Decoder<unknown, infer A> ? A : never;

/**
 * A plugin section as written in a config: `{ kind: K }` with the keys of
 * `Config` (one object type, not an intersection, so that it also fits
 * `{ kind: string; [key: string]: unknown }`, and a key it does not have is
 * a compile error in an object literal).
 *
 *     export type ResistiveSection = WrittenSection<'resistive', ConfigOf<typeof resistiveSettings>>;
 */
export type WrittenSection<K extends string, Config> = Config extends unknown ? { [P in keyof ({ readonly kind: K } & Config)]: ({ readonly kind: K } & Config)[P] } : never;
