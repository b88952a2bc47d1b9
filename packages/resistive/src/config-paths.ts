import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';

const ARRAYS = new Set(['ArrayType', 'ReadonlyArrayType', 'TupleType', 'ReadonlyTupleType']);

/** An entry io-ts adds for a member of an intersection (`[0]`, `[1]`), which is not part of the JSON path. */
function isIntersectionMember(entry: t.ContextEntry, parent: t.ContextEntry | undefined): boolean {
  const tag = (entry.type as { _tag?: string })._tag;
  const parentTag = (parent?.type as { _tag?: string } | undefined)?._tag;
  return /^\d+$/.test(entry.key) && (tag === 'InterfaceType' || tag === 'PartialType') && !ARRAYS.has(parentTag ?? '');
}

/**
 * Core's `strictObject` validates optional keys through an io-ts
 * intersection whose member index shows in reported paths
 * (`network[0].hidden` for `network.hidden`). This wrapper drops those
 * entries at every depth; it is a no-op once core keeps them out.
 */
export function withConfigPaths<A>(codec: t.Type<A, unknown, unknown>): t.Type<A, unknown, unknown> {
  return new t.Type<A, unknown, unknown>(
    codec.name,
    codec.is,
    (u, c) => {
      const result = codec.validate(u, c);
      if (!isLeft(result)) return result;
      return t.failures(
        result.left.map((e) => ({ ...e, context: e.context.filter((entry, i) => i < c.length || !isIntersectionMember(entry, e.context[i - 1])) })),
      );
    },
    codec.encode,
  );
}
