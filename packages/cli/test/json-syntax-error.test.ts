import { InputFileError } from '@multimech/core';
import { findJsonSyntaxError } from '../src/json-syntax-error';
import { lineAndColumn, parseJsonText } from '../src/read-input-file';

describe('JSON syntax errors', () => {
  test.each([
    ['{"a": 1 "b": 2}', 8, "expected ',' or '}' after a property value"],
    ['{"a": tru}', 9, "expected 'true', found \"}\""],
    ['[1, 2,]', 6, "expected a value (no trailing comma before ']')"],
    ['{"a": 1,}', 8, "no trailing comma before '}'"],
    ['{"a": 01}', 7, "expected ',' or '}'"],
    ['{"a": "x\ny"}', 8, 'control character'],
    ['{"a": "\\q"}', 8, 'expected an escape character'],
    ["{'a': 1}", 1, 'expected a property name in double quotes'],
    ['{"a": 1}}', 8, 'expected the end of the file'],
    ['', 0, 'found the end of the file'],
    ['{"a": [1, 2', 11, "expected ',' or ']'"],
    ['{"a": -}', 7, 'expected a digit'],
    ['{"a": 1e}', 8, 'expected a digit'],
  ])('%j fails at offset %i: %s', (text, offset, message) => {
    expect(() => JSON.parse(text)).toThrow();
    const e = findJsonSyntaxError(text);
    expect(e?.offset).toBe(offset);
    expect(e?.message).toContain(message);
  });

  test.each(['{}', '[]', ' {"a": [1, -2.5e-3, true, false, null, "\\u00e9\\n", {"b": {}}]} ', '0', '"s"'])('%j is valid', (text) => {
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  test('lines and columns are 1-based', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  test('parseJsonText reports file:line and the column; a byte-order mark is accepted', () => {
    expect(parseJsonText('\ufeff{"a": 1}', 'c.json')).toEqual({ a: 1 });
    try {
      parseJsonText('{\n  "a": 1,\n  "b": [1 2]\n}', 'c.json');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InputFileError);
      expect((e as Error).message).toBe("c.json:3: invalid JSON at column 11: expected ',' or ']' after an array element, found \"2\"");
    }
  });
});
