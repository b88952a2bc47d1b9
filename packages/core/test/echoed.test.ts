import { ConfigError, ECHO_LIMIT, decodeOrThrow, echoed, parseQuantity, positiveInteger, positiveQuantity, strictObject } from '@multimech/core';

describe('echoed: input as a message shows it', () => {
  it('leaves a short, plain text alone', () => {
    expect(echoed('1 kohm')).toBe('1 kohm');
    expect(echoed('tab\tkept')).toBe('tab\tkept');
    expect(echoed('ünïcödé ✓ 電')).toBe('ünïcödé ✓ 電');
  });

  it('escapes what a terminal would act on: controls, DEL, C1, line separators, bidirectional overrides', () => {
    expect(echoed('bell\u0007')).toBe('bell\\u0007');
    expect(echoed('\u001b[31mred')).toBe('\\u001b[31mred');
    expect(echoed('a\nb\rc\u0000')).toBe('a\\u000ab\\u000dc\\u0000');
    expect(echoed('\u007f\u009b\u2028\u202e')).toBe('\\u007f\\u009b\\u2028\\u202e');
  });

  it('leaves out the middle of a long text, saying how much, within the limit', () => {
    const long = 'a'.repeat(100000) + 'b'.repeat(100000);
    const shown = echoed(long, 200);
    expect(shown.length).toBeLessThanOrEqual(200);
    expect(shown).toMatch(/^a+…\(199,\d{3} more characters\)…b+$/);
    const left = Number(/\((\d+,\d+) more/.exec(shown)![1].replace(',', ''));
    expect(shown.length - `…(${left.toLocaleString('en-US')} more characters)…`.length + left).toBe(200000);
    expect(echoed('x'.repeat(ECHO_LIMIT))).toBe('x'.repeat(ECHO_LIMIT));
    expect(echoed('x'.repeat(ECHO_LIMIT + 1)).length).toBeLessThanOrEqual(ECHO_LIMIT);
  });

  it('never splits an escape or a character made of two code units', () => {
    const shown = echoed('\u0007'.repeat(1000), 100);
    expect(shown).toMatch(/^(\\u0007)+…\(\d+ more characters\)…(\\u0007)+$/);
    const emoji = echoed('😀'.repeat(1000), 100);
    expect(emoji).toMatch(/^(😀)+…\(\d+ more characters\)…(😀)+$/u);
  });
});

describe('a 200,000-character value is never echoed whole', () => {
  const huge = 'z'.repeat(200000);
  const lines = (f: () => unknown): string[] => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message.split('\n');
    }
    throw new Error('accepted');
  };

  it('in a codec failure', () => {
    const codec = strictObject('settings', { epochs: positiveInteger });
    const [, line] = lines(() => decodeOrThrow(codec, { epochs: huge }, 'training', 'c.json'));
    expect(line.length).toBeLessThan(150);
    expect(line).toMatch(/^ {2}training\.epochs: expected a positive integer, got "z+…\(199,9\d\d more characters\)…z+"$/);
    const [, controls] = lines(() => decodeOrThrow(codec, { epochs: 'x\u0007\u001b[2J' }, 'training'));
    expect(controls).toBe('  training.epochs: expected a positive integer, got "x\\u0007\\u001b[2J"');
  });

  it('in a quantity that does not read, whatever mathjs quotes of it', () => {
    const message = parseQuantity(`1 ${huge}`, 'frequency');
    expect(typeof message).toBe('string');
    expect((message as string).length).toBeLessThan(400);
    expect(message).toMatch(/cannot read "1 z+…\(\d{3},\d{3} more characters\)…z+"/);
    const [, line] = lines(() => decodeOrThrow(positiveQuantity('frequency'), `${huge} Hz`, 'error.frequency'));
    expect(line.length).toBeLessThan(500);
  });
});
