import { duplicateKeyMessage, findDuplicateJsonKey } from '@multimech/core';

describe('findDuplicateJsonKey', () => {
  it('finds a key given twice in one object, with its path and both lines', () => {
    const text = '{\n  "seed": 1,\n  "training": {\n    "epochs": 5,\n    "batch": [1, {"a": 2}],\n    "epochs": 50\n  }\n}\n';
    expect(findDuplicateJsonKey(text)).toEqual({ key: 'epochs', path: 'training', firstLine: 4, line: 6 });
    expect(duplicateKeyMessage(findDuplicateJsonKey(text)!)).toBe('key "epochs" is given twice in training (lines 4 and 6): JSON would keep only the last; give it once');
  });

  it('at the top level, in arrays of objects, and with escapes that spell the same key', () => {
    expect(findDuplicateJsonKey('{"a": 1, "b": {"a": 2}, "a": 3}')).toEqual({ key: 'a', path: '', firstLine: 1, line: 1 });
    expect(findDuplicateJsonKey('{"m": [{"k": 1}, {"k": 2, "x": "\\"k\\"", "k": 3}]}')).toEqual({ key: 'k', path: 'm[1]', firstLine: 1, line: 1 });
    expect(findDuplicateJsonKey('{"kind": 1, "\\u006bind": 2}')).toMatchObject({ key: 'kind' });
  });

  it('finds nothing where keys repeat only across objects, or as string values', () => {
    expect(findDuplicateJsonKey('{"a": {"x": 1}, "b": {"x": 2}, "c": ["a", "a"], "d": "a"}')).toBeUndefined();
    expect(findDuplicateJsonKey('[{"x": 1}, {"x": 1}]')).toBeUndefined();
    expect(findDuplicateJsonKey('"just a string"')).toBeUndefined();
  });

  it('takes any nesting without recursion', () => {
    const deep = '{"a":'.repeat(50000) + '1' + '}'.repeat(50000);
    expect(findDuplicateJsonKey(deep)).toBeUndefined();
    expect(findDuplicateJsonKey('{"a":'.repeat(50000) + '{"z": 1, "z": 2}' + '}'.repeat(50000))?.path.length).toBeGreaterThan(50000);
  });
});
