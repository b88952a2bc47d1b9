// docs/writing-a-substrate.md, "The JSON Schema of a config".
// snippet start
import * as t from 'io-ts';
import { jsonSchemaOf, numberWhere, positiveNumber, withSchema } from '@multimech/core';

// the bounds, for the schema, beside the predicate the codec checks
const jitter = numberWhere('a jitter in [0, 0.5)', (n) => n >= 0 && n < 0.5, { minimum: 0, exclusiveMaximum: 0.5 });

// a codec of your own: one positive number, or one per tube
const isPerTube = (u: unknown): u is number | number[] =>
  positiveNumber.is(u) || (Array.isArray(u) && u.length > 0 && u.every((x) => positiveNumber.is(x)));
const perTube = withSchema(
  new t.Type<number | number[], unknown, unknown>('a positive number (or one per tube)', isPerTube, (u, c) => (isPerTube(u) ? t.success(u) : t.failure(u, c)), (a) => a),
  () => ({ anyOf: [jsonSchemaOf(positiveNumber), { type: 'array', items: jsonSchemaOf(positiveNumber), minItems: 1 }] }),
);
// snippet end

export { jitter, perTube };
