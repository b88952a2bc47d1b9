/**
 * A netlist is data: its B expressions cannot reach mathjs functions with
 * side effects. Once, a netlist's `createUnit` redefined kHz for everything
 * read after it (a whole comparison's lock-in windows); now it is refused at
 * its line, and quantities read later are what they say.
 */
import { InputFileError, decodeOrThrow, parseQuantity, positiveQuantity } from '@multimech/core';
import { parseSpice } from '@multimech/resistive';

const netlist = (law: string) => `hostile\nV1 in 0 1\nR1 in a 1k\nB1 a 0 I={${law}}\n.end\n`;

const refusal = (text: string): InputFileError => {
  try {
    parseSpice(text, 'hostile.cir');
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    return e as InputFileError;
  }
  throw new Error('the netlist was accepted');
};

describe('a netlist whose law reaches for mathjs', () => {
  it.each([
    // each of these once ran, redefining kHz as 1 Hz before the law was refused for not being a number
    ['1e-3*v + 0*createUnit("kHz", "1 Hz")', 'createUnit'],
    ['1e-3*v + 0*evaluate("createUnit(\'kHz\', \'1 Hz\')")', 'evaluate'],
    ['createUnit("kHz", "1 Hz", {override: true})', 'createUnit'],
    ['1e-3*v + 0*import({kHz: 1}, {override: true})', 'import'],
  ])('%s is refused at its line, and a config read after it still reads "1.7 kHz" as 1700 Hz', (law, fn) => {
    const e = refusal(netlist(law));
    expect(e.line).toBe(4);
    expect(e.message.startsWith(`hostile.cir:4: law of 'B1': the function '${fn}' is not allowed in `)).toBe(true);
    expect(parseQuantity('1.7 kHz', 'frequency')).toBe(1700);
    expect(decodeOrThrow(positiveQuantity('frequency'), '1.7 kHz', 'error.frequency')).toBe(1700);
    expect(decodeOrThrow(positiveQuantity('resistance'), '1 kohm', 'r')).toBe(1000);
  });

  it('a law of 20,000 terms is refused by its length, before it is parsed', () => {
    const e = refusal(netlist(Array.from({ length: 20000 }, () => '1e-3*v').join('+')));
    expect(e.message).toBe("hostile.cir:4: law of 'B1': the expression is 139,999 characters long, more than the 1,000 a law may have");
  });
});
