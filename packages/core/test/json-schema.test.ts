import { readFileSync, readdirSync } from 'fs';
import { isRight } from 'fp-ts/lib/Either';
import * as t from 'io-ts';
import * as path from 'path';
import {
  JsonSchema,
  QUANTITIES,
  Quantity,
  QUANTITY_PATTERN,
  adjointErrorRecord,
  dcActivationRecord,
  finiteNumber,
  generatedNetworkCodec,
  integer,
  jsonSchemaOf,
  nonEmptyString,
  nonNegativeInteger,
  nonNegativeNumber,
  numberWhere,
  oneOf,
  outputSpecCodec,
  parseQuantity,
  positiveInteger,
  positiveNumber,
  positiveQuantity,
  productRuleRecord,
  quantity,
  range,
  refine,
  sectionDefaults,
  sectionSchemaOf,
  strictObject,
  unitInterval,
  withDefaults,
  withSchema,
} from '../src';
import { KNOWN_KEYWORDS, keywordsOf, validate } from './json-schema-validator';

const accepts = (schema: JsonSchema, value: unknown) => validate(schema, value).length === 0;
const decodes = (codec: t.Decoder<unknown, unknown>, value: unknown) => isRight(codec.decode(value));

describe('jsonSchemaOf: io-ts built-ins', () => {
  it.each<[string, t.Any, JsonSchema]>([
    ['string', t.string, { type: 'string' }],
    ['number', t.number, { type: 'number' }],
    ['boolean', t.boolean, { type: 'boolean' }],
    ['unknown', t.unknown, {}],
    ['null', t.null, { type: 'null' }],
    ['literal', t.literal('dc'), { const: 'dc' }],
    ['keyof', t.keyof({ a: null, b: null }), { type: 'string', enum: ['a', 'b'] }],
    ['Int', t.Int, { description: 'Int', type: 'integer' }],
    ['array', t.array(t.number), { description: 'Array<number>', type: 'array', items: { type: 'number' } }],
    ['readonly array', t.readonlyArray(t.string), { description: 'ReadonlyArray<string>', type: 'array', items: { type: 'string' } }],
    [
      'tuple',
      t.tuple([t.number, t.string]),
      { description: '[number, string]', type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }], minItems: 2, maxItems: 2 },
    ],
    ['type', t.type({ a: t.number }), { description: '{ a: number }', type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }],
    ['partial', t.partial({ a: t.number }), { description: 'Partial<{ a: number }>', type: 'object', properties: { a: { type: 'number' } } }],
    [
      'strict',
      t.strict({ a: t.number }),
      { description: '{ a: number }', type: 'object', properties: { a: { type: 'number' } }, required: ['a'], additionalProperties: false },
    ],
    [
      'exact partial',
      t.exact(t.partial({ a: t.number })),
      { description: 'Partial<{ a: number }>', type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false },
    ],
    ['readonly', t.readonly(t.type({ a: t.number })), { description: '{ a: number }', type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }],
    ['union of literals', t.union([t.literal('a'), t.literal('b')]), { description: '("a" | "b")', enum: ['a', 'b'] }],
    ['union', t.union([t.string, t.number]), { description: '(string | number)', anyOf: [{ type: 'string' }, { type: 'number' }] }],
    [
      'intersection of objects',
      t.intersection([t.type({ a: t.number }), t.partial({ b: t.string })]),
      { description: '({ a: number } & Partial<{ b: string }>)', type: 'object', properties: { a: { type: 'number' }, b: { type: 'string' } }, required: ['a'] },
    ],
    ['intersection of others', t.intersection([t.string, nonEmptyString]), { description: '(string & a non-empty string)', allOf: [{ type: 'string' }, { description: 'a non-empty string', type: 'string', minLength: 1 }] }],
    ['record', t.record(t.string, t.number), { description: '{ [K in string]: number }', type: 'object', additionalProperties: { type: 'number' } }],
    [
      'record over keys',
      t.record(t.keyof({ x: null, y: null }), t.boolean),
      {
        description: '{ [K in "x" | "y"]: boolean }',
        type: 'object',
        properties: { x: { type: 'boolean' }, y: { type: 'boolean' } },
        required: ['x', 'y'],
        additionalProperties: false,
      },
    ],
  ])('%s', (_, codec, schema) => {
    expect(jsonSchemaOf(codec)).toEqual(schema);
  });

  it('describes a recursive codec without looping', () => {
    interface Tree {
      readonly value: number;
      readonly children: readonly Tree[];
    }
    const tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ value: t.number, children: t.array(tree) }));
    const schema = jsonSchemaOf(tree);
    expect(schema.properties?.value).toEqual({ type: 'number' });
    expect(schema.properties?.children).toEqual({ description: 'Array<Tree>', type: 'array', items: { description: 'Tree' } });
    expect(accepts(schema, { value: 1, children: [{ value: 2, children: [] }] })).toBe(true);
    expect(accepts(schema, { value: '1', children: [] })).toBe(false);
  });
});

describe("jsonSchemaOf: core's codecs", () => {
  it.each(([
    [finiteNumber, { type: 'number' }],
    [positiveNumber, { type: 'number', exclusiveMinimum: 0 }],
    [nonNegativeNumber, { type: 'number', minimum: 0 }],
    [positiveInteger, { type: 'integer', minimum: 1 }],
    [nonNegativeInteger, { type: 'integer', minimum: 0 }],
    [integer, { type: 'integer' }],
    [unitInterval, { type: 'number', minimum: 0, maximum: 1 }],
    [oneOf('voltage', 'current'), { type: 'string', enum: ['voltage', 'current'] }],
    [nonEmptyString, { type: 'string', minLength: 1 }],
    [range, { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2 }],
  ] as [t.Any, JsonSchema][]).map(([codec, schema]) => [codec.name, codec, schema] as const))('%s', (_, codec, schema) => {
    expect(jsonSchemaOf(codec)).toEqual({ description: codec.name, ...schema });
  });

  it('a number made by numberWhere without bounds is any number, named by what it expects', () => {
    expect(jsonSchemaOf(numberWhere('a non-zero finite number', (n) => n !== 0))).toEqual({ description: 'a non-zero finite number', type: 'number' });
    expect(jsonSchemaOf(numberWhere('a number in [0, 1)', (n) => n >= 0 && n < 1, { minimum: 0, exclusiveMaximum: 1 }))).toEqual({
      description: 'a number in [0, 1)',
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
    });
  });

  // where the schema says all the codec checks, both agree on every value
  const values: unknown[] = [-2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 1e9, '', 'a', 'voltage', 'current', 'Voltage', null, true, [], [1], [1, 2], [1, 2, 3], ['1', 2], {}, { a: 1 }];
  it.each<[string, t.Any]>([
    ['finiteNumber', finiteNumber],
    ['positiveNumber', positiveNumber],
    ['nonNegativeNumber', nonNegativeNumber],
    ['positiveInteger', positiveInteger],
    ['nonNegativeInteger', nonNegativeInteger],
    ['integer', integer],
    ['unitInterval', unitInterval],
    ['oneOf', oneOf('voltage', 'current')],
    ['nonEmptyString', nonEmptyString],
    ['t.array(positiveInteger)', t.array(positiveInteger)],
  ])('%s: the schema accepts exactly what the codec decodes', (_, codec) => {
    const schema = jsonSchemaOf(codec);
    expect(values.filter((v) => accepts(schema, v))).toEqual(values.filter((v) => decodes(codec, v)));
    expect(values.some((v) => accepts(schema, v))).toBe(true);
    expect(values.some((v) => !accepts(schema, v))).toBe(true);
  });

  it('range: a pair of numbers (lo <= hi is left to the codec)', () => {
    const schema = jsonSchemaOf(range);
    expect(accepts(schema, [0.5, 1.5])).toBe(true);
    expect(accepts(schema, [1])).toBe(false);
    expect(accepts(schema, [1, 2, 3])).toBe(false);
    expect(accepts(schema, [1, '2'])).toBe(false);
    expect(accepts(schema, [2, 1])).toBe(true);
    expect(decodes(range, [2, 1])).toBe(false);
  });

  const section = strictObject('a test section { size, mode?, init? }', { size: positiveInteger }, { mode: oneOf('fast', 'slow'), init: range });

  it('strictObject: required and optional keys, nothing else', () => {
    expect(jsonSchemaOf(section)).toEqual({
      description: 'a test section { size, mode?, init? }',
      type: 'object',
      properties: { size: jsonSchemaOf(positiveInteger), mode: jsonSchemaOf(oneOf('fast', 'slow')), init: jsonSchemaOf(range) },
      required: ['size'],
      additionalProperties: false,
    });
    const schema = jsonSchemaOf(section);
    for (const good of [{ size: 3 }, { size: 1, mode: 'slow', init: [0, 1] }]) {
      expect(validate(schema, good)).toEqual([]);
      expect(decodes(section, good)).toBe(true);
    }
    for (const [bad, problem] of [
      [{}, 'size: required'],
      [{ size: 0 }, 'size: expected >= 1, got 0'],
      [{ size: 2.5 }, 'size: expected integer, got 2.5'],
      [{ size: 2, mode: 'medium' }, 'mode: expected one of ["fast","slow"], got "medium"'],
      [{ size: 2, colour: 'red' }, 'colour: unknown key'],
      [[], '(root): expected object, got []'],
    ] as const) {
      expect(validate(schema, bad)).toEqual([problem]);
      expect(decodes(section, bad)).toBe(false);
    }
  });

  it('strictObject with no keys takes nothing but an empty object', () => {
    const schema = jsonSchemaOf(strictObject('a DC activation ({ "kind": "dc" })', {}));
    expect(schema).toEqual({ description: 'a DC activation ({ "kind": "dc" })', type: 'object', properties: {}, additionalProperties: false });
    expect(accepts(schema, {})).toBe(true);
    expect(accepts(schema, { eta: 0.1 })).toBe(false);
  });

  it("refine: the base codec's schema (the check across fields stays the codec's)", () => {
    const refined = refine(section, (v) => (v.init && v.init[1] > v.size ? [{ key: 'init', message: 'expected a range below size' }] : []));
    expect(jsonSchemaOf(refined)).toEqual(jsonSchemaOf(section));
    expect(refined.name).toBe(section.name);
    expect(decodes(refined, { size: 1, init: [0, 2] })).toBe(false);
    expect(accepts(jsonSchemaOf(refined), { size: 1, init: [0, 2] })).toBe(true);
  });

  it('a generated network: one branch per generator', () => {
    const schema = jsonSchemaOf(generatedNetworkCodec());
    expect(schema.description).toBe(generatedNetworkCodec().name);
    expect(schema.oneOf?.map((b) => b.properties?.generator.enum)).toEqual([['layered'], ['grid'], ['random']]);
    expect(schema.oneOf?.map((b) => b.required)).toEqual([
      ['generator', 'hidden'],
      ['generator', 'width', 'height'],
      ['generator', 'nodes', 'meanDegree'],
    ]);
    expect(validate(schema, { generator: 'layered', hidden: [20] })).toEqual([]);
    expect(validate(schema, { generator: 'random', nodes: 40, meanDegree: 4 })).toEqual([]);
    expect(accepts(schema, { generator: 'hexagonal', width: 2 })).toBe(false);
    expect(accepts(schema, { generator: 'grid', width: 2 })).toBe(false);
    expect(accepts(schema, { generator: 'layered', hidden: [0] })).toBe(false);
  });

  it('an output: a node name or a pair of node names', () => {
    const schema = jsonSchemaOf(t.array(outputSpecCodec));
    expect(validate(schema, ['out', ['a', 'b']])).toEqual([]);
    for (const bad of [[''], [['a']], [['a', 'b', 'c']], [3]]) {
      expect(accepts(schema, bad)).toBe(false);
      expect(decodes(t.array(outputSpecCodec), bad)).toBe(false);
    }
  });
});

describe('jsonSchemaOf: physical quantities', () => {
  it('a number, or a string that starts with a number and names a unit', () => {
    const schema = jsonSchemaOf(positiveQuantity('frequency'));
    expect(schema.description).toBe('a positive frequency in Hz (a number, or a string with its unit such as "1.7 kHz")');
    expect(schema.anyOf?.[0]).toEqual({ type: 'number', exclusiveMinimum: 0 });
    expect(schema.anyOf?.[1]).toMatchObject({ type: 'string', pattern: QUANTITY_PATTERN, examples: ['1.7 kHz'] });
    expect(jsonSchemaOf(quantity('voltage')).anyOf?.[0]).toEqual({ type: 'number' });
    for (const good of [1700, '1.7 kHz', '1.7kHz', ' 2e3 Hz', '.5 MHz']) expect(validate(schema, good)).toEqual([]);
    for (const bad of [0, -1, 'kHz', 'fast', '', true, null]) {
      expect(accepts(schema, bad)).toBe(false);
      expect(decodes(positiveQuantity('frequency'), bad)).toBe(false);
    }
  });

  it("the pattern accepts every quantity's example, which the codec reads", () => {
    for (const [q, { example }] of Object.entries(QUANTITIES)) {
      expect(typeof parseQuantity(example, q as Quantity)).toBe('number');
      expect(validate(jsonSchemaOf(quantity(q as Quantity)), example)).toEqual([]);
    }
  });
});

describe('jsonSchemaOf: sections that fill in their defaults (withDefaults)', () => {
  const config = strictObject('a test mechanism { beta?, variant? }', {}, { beta: positiveNumber, variant: oneOf('positive', 'centred'), seed: integer });
  const settings = withDefaults(config, (c) => ({ beta: c.beta ?? 0.01, variant: c.variant ?? 'centred', seed: c.seed, derived: 2 * (c.beta ?? 0.01) }));

  it("describes the config as written, each property with the default a section that sets nothing gets", () => {
    const schema = jsonSchemaOf(settings);
    expect(schema.description).toBe('a test mechanism { beta?, variant? }');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.beta).toEqual({ ...jsonSchemaOf(positiveNumber), default: 0.01 });
    expect(schema.properties?.variant).toEqual({ ...jsonSchemaOf(oneOf('positive', 'centred')), default: 'centred' });
    // no default where the settings leave it undefined; settings that are not keys of the config are not properties
    expect(schema.properties?.seed).toEqual(jsonSchemaOf(integer));
    expect(Object.keys(schema.properties ?? {})).toEqual(['beta', 'variant', 'seed']);
    expect(sectionDefaults(settings)).toEqual({ beta: 0.01, variant: 'centred', seed: undefined, derived: 0.02 });
  });

  it('gives no defaults when a section that sets nothing does not decode', () => {
    const needsSize = withDefaults(strictObject('a sized thing', { size: positiveInteger }, { mode: oneOf('a', 'b') }), (c) => ({ ...c, mode: c.mode ?? 'a' }));
    const schema = jsonSchemaOf(needsSize);
    expect(schema.required).toEqual(['size']);
    expect(schema.properties?.mode).not.toHaveProperty('default');
    expect(sectionDefaults(needsSize)).toBeUndefined();
    expect(sectionDefaults(config)).toEqual({});
  });
});

describe('withSchema: the schema of an opaque codec', () => {
  const even = () =>
    new t.Type<number, number, unknown>(
      'an even integer',
      (u): u is number => typeof u === 'number' && u % 2 === 0,
      (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c)),
      (n) => n,
    );

  it('a codec of unknown structure is only its name', () => {
    expect(jsonSchemaOf(even())).toEqual({ description: 'an even integer' });
    expect(jsonSchemaOf(t.array(even()))).toEqual({ description: 'Array<an even integer>', type: 'array', items: { description: 'an even integer' } });
  });

  it('records a schema on the codec itself, which keeps its behaviour', () => {
    const codec = even();
    expect(withSchema(codec, { type: 'integer', minimum: 0 })).toBe(codec);
    expect(jsonSchemaOf(codec)).toEqual({ description: 'an even integer', type: 'integer', minimum: 0 });
    expect(decodes(codec, 3)).toBe(false);
    expect(Object.keys(codec)).not.toContain('schema');
    expect(JSON.stringify(Object.keys(codec))).toBe(JSON.stringify(Object.keys(even())));
  });

  it('takes a function, called when a schema is asked for; a description of its own is kept', () => {
    let calls = 0;
    const codec = withSchema(even(), () => {
      calls++;
      return { description: 'twice an integer', type: 'integer' };
    });
    expect(calls).toBe(0);
    expect(jsonSchemaOf(strictObject('a thing', { n: codec }))).toMatchObject({ properties: { n: { description: 'twice an integer', type: 'integer' } } });
    expect(calls).toBe(1);
  });
});

describe('sectionSchemaOf: a plugin section with its kind', () => {
  it('adds kind as a required const property', () => {
    const schema = sectionSchemaOf('toy', strictObject('a toy { size? }', {}, { size: positiveNumber }), 'a toy substrate');
    expect(schema).toEqual({
      description: 'a toy substrate',
      type: 'object',
      properties: { kind: { const: 'toy' }, size: jsonSchemaOf(positiveNumber) },
      required: ['kind'],
      additionalProperties: false,
    });
    expect(validate(schema, { kind: 'toy', size: 2 })).toEqual([]);
    expect(validate(schema, { kind: 'other' })).toEqual(['kind: expected "toy", got "other"']);
    expect(validate(schema, { size: 2 })).toEqual(['kind: required']);
  });

  it('names the codec when no description is given, and keeps what is known of an opaque codec', () => {
    const opaque = new t.Type<object, object, unknown>('a blob', (u): u is object => typeof u === 'object', (u, c) => t.success(u as object), (a) => a);
    const schema = sectionSchemaOf('blob', opaque);
    expect(schema).toEqual({ description: 'a blob', type: 'object', properties: { kind: { const: 'blob' } }, required: ['kind'] });
    expect(accepts(schema, { kind: 'blob', anything: [1] })).toBe(true);
    expect(accepts(schema, { kind: 'clob' })).toBe(false);
    // the name of an opaque codec is all there is to read: it follows a given description
    expect(sectionSchemaOf('blob', opaque, 'a blob substrate').description).toBe('a blob substrate (expected: a blob)');
    expect(sectionSchemaOf('toy', strictObject('a toy', {}), 'a toy substrate').description).toBe('a toy substrate');
    const described = sectionSchemaOf('blob', withSchema(opaque, { anyOf: [{ type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false }] }));
    expect(described.anyOf?.[0].properties).toEqual({ kind: { const: 'blob' }, a: { type: 'number' } });
  });
});

describe('the example configs, as far as core describes them', () => {
  const examples = path.join(__dirname, '../../../examples');
  // an experiment config at the top level, or under "experiment" (a fidelity config)
  const experiments = readdirSync(examples)
    .map((dir) => path.join(examples, dir, 'config.json'))
    .filter((f) => {
      try {
        readFileSync(f);
        return true;
      } catch {
        return false;
      }
    })
    .map((f) => {
      const json = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      return [path.relative(examples, f), (json.experiment ?? json) as Record<string, Record<string, unknown> | undefined>] as const;
    })
    .filter(([, config]) => config.substrate !== undefined);

  it('finds the experiment configs', () => {
    expect(experiments.map(([f]) => f)).toEqual(expect.arrayContaining(['iris-frequency/config.json', 'iris-chemical/config.json', 'fidelity-ep/config.json']));
    expect(experiments.length).toBeGreaterThanOrEqual(8);
  });

  it("core's sections (dc, adjoint, product) and generated networks validate, and break when spoiled", () => {
    const core = { activation: dcActivationRecord, error: adjointErrorRecord, rule: productRuleRecord } as const;
    const network = jsonSchemaOf(generatedNetworkCodec());
    let checked = 0;
    for (const [file, config] of experiments) {
      for (const [key, record] of Object.entries(core)) {
        const section = config[key];
        if (section?.kind !== record.kind) continue;
        const schema = sectionSchemaOf(record.kind, record.configCodec);
        expect([file, validate(schema, section)]).toEqual([file, []]);
        expect(accepts(schema, { ...section, extra: 1 })).toBe(false);
        checked++;
      }
      const net = config.substrate?.network as Record<string, unknown> | undefined;
      if (net && 'generator' in net && ['resistive', 'flow'].includes(config.substrate?.kind as string)) {
        expect([file, validate(network, net)]).toEqual([file, []]);
        expect(accepts(network, { ...net, generator: 'hexagonal' })).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});

describe('the test validator', () => {
  it('knows every keyword the schemas use', () => {
    const used = new Set<string>();
    const codecs: t.Any[] = [positiveQuantity('frequency'), generatedNetworkCodec(), t.array(outputSpecCodec), t.record(t.string, t.number), t.tuple([t.number]), t.union([t.string, t.number])];
    for (const c of codecs) for (const k of keywordsOf(jsonSchemaOf(c))) used.add(k);
    expect([...used].filter((k) => !KNOWN_KEYWORDS.has(k))).toEqual([]);
    expect(() => validate({ multipleOf: 2 } as JsonSchema, 4)).toThrow(/does not know the keyword 'multipleOf'/);
  });
});
