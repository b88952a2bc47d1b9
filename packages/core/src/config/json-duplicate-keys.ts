import { echoed } from '../support/format';

/** A key given twice in one JSON object: JSON.parse keeps the last silently. */
export interface DuplicateJsonKey {
  /** The key, as JSON.parse reads it (escapes decoded). */
  readonly key: string;
  /** The object's path, `training` or `mechanisms[2].error`; '' for the top level. */
  readonly path: string;
  /** 1-based lines of its first and its second occurrence. */
  readonly firstLine: number;
  readonly line: number;
}

interface Frame {
  readonly kind: 'object' | 'array';
  readonly path: string;
  /** Object: the keys so far, with their lines. */
  readonly keys?: Map<string, number>;
  /** Array: the index of the next element. */
  index: number;
  /** Object: the key whose value comes next. */
  key?: string;
}

/**
 * The first key given twice in one object of a JSON text that JSON.parse
 * accepted, with the object's path and both lines; undefined when there is
 * none. One pass over the text without recursion (any nesting), comparing
 * keys as JSON.parse reads them (`"a"` and `"\u0061"` are the same key).
 */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | undefined {
  const stack: Frame[] = [];
  let line = 1;
  const childPath = (frame: Frame | undefined): string => {
    if (!frame) return '';
    if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
    const key = frame.key ?? '';
    return frame.path ? `${frame.path}.${key}` : key;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
    } else if (ch === '"') {
      // a string: a key when an object expects one, else a value
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.key === undefined) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        const first = top.keys!.get(key);
        if (first !== undefined) return { key, path: top.path, firstLine: first, line };
        top.keys!.set(key, line);
        top.key = key;
      }
    } else if (ch === '{' || ch === '[') {
      const path = childPath(stack[stack.length - 1]);
      stack.push(ch === '{' ? { kind: 'object', path, keys: new Map(), index: 0 } : { kind: 'array', path, index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.key = undefined;
      else if (top) top.index++;
    }
  }
  return undefined;
}

/** What is wrong with a duplicate key, for a message at its second line: `key "epochs" is given twice in training (lines 3 and 7): ...`. */
export function duplicateKeyMessage(twice: DuplicateJsonKey): string {
  const where = twice.path ? `in ${echoed(twice.path)} ` : 'at the top level ';
  return `key ${echoed(JSON.stringify(twice.key))} is given twice ${where}(lines ${twice.firstLine} and ${twice.line}): JSON would keep only the last; give it once`;
}
