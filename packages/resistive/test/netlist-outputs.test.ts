/**
 * Outputs a netlist-based network can never learn: on ground, on a node a
 * voltage source holds, repeated (or reversed), or the difference of two
 * held nodes. Each is refused with the node and what holds it named, in
 * the caller's terms where it gives them (a config key).
 */
import { InputFileError, MultimechError, Rng, SettingsError, adjointError, dcActivation, exampleGradient, mseLoss, productRule, type OutputSpec } from '@multimech/core';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';

const NET = 'held\nV1 a 0 1\nR1 a b 1k\nR2 b c 2k\nR3 c 0 1k\nV2 d 0 0.5\nR4 d c 3k\n.end\n';
const build = (outputs: OutputSpec[], onOutputProblems?: Parameters<typeof resistiveFromNetlist>[1]['onOutputProblems']) =>
  resistiveFromNetlist(parseSpice(NET, 'held.cir'), { file: 'held.cir', outputs, onOutputProblems });

describe('outputs of a netlist network', () => {
  it('accepts free nodes and differences against held ones', () => {
    expect(build(['b', 'c', ['b', '0'], ['c', 'a']]).boundary.outputs.map((o) => o.name)).toEqual(['b', 'c', 'v(b,0)', 'v(c,a)']);
  });

  it.each([
    [['b', '0'], "held.cir: output '0' is held by ground: its value is imposed, so no training can bring it to a target; choose a node the network is free to move"],
    [['GND'], "held.cir: output 'GND' is held by ground"],
    [['a', 'b'], "held.cir: output 'a' is held by voltage source 'V1' (line 2): its value is imposed"],
    [['b', 'd'], "held.cir: output 'd' is held by voltage source 'V2' (line 6)"],
    [['b', 'c', 'b'], "held.cir: output 'b' repeats outputs[0] ('b'): two targets on one value; give each output once"],
    [[['b', 'c'], ['c', 'b']], "held.cir: output 'v(c,b)' is outputs[0] ('v(b,c)') reversed: two targets on one value; give each output once"],
    [[['a', 'd']], "held.cir: output both nodes of 'v(a,d)' are held ('a' by voltage source 'V1' (line 2), 'd' by voltage source 'V2' (line 6)): their difference is imposed"],
    [[['b', 'b']], "held.cir: output 'v(b,b)' compares node 'b' with itself"],
  ] as [OutputSpec[], string][])('%j is refused, naming the node and what holds it', (outputs, message) => {
    expect(() => build(outputs)).toThrow(MultimechError);
    expect(() => build(outputs)).toThrow(message);
  });

  it('hands every problem to the caller to place (a config key)', () => {
    let seen: readonly { index: number; message: string }[] = [];
    expect(() =>
      build(['a', 'b', 'b'], (problems) => {
        seen = problems;
        throw new SettingsError(problems.map((p) => ({ section: 'substrate', key: `network.outputs[${p.index}]`, message: p.message })));
      }),
    ).toThrow(/^invalid configuration\n {2}substrate\.network\.outputs\[0\]: 'a' is held by voltage source 'V1' \(line 2\).*\n {2}substrate\.network\.outputs\[2\]: 'b' repeats outputs\[1\]/);
    expect(seen.map((p) => p.index)).toEqual([0, 2]);
  });
});

describe('outputs accepted by a caller that wants the network for its equilibrium', () => {
  it('build, and every learning path (exampleGradient) still refuses them before any gradient', () => {
    const s = build(['b', 'a'], () => undefined);
    expect(s.boundary.outputs.map((o) => o.name)).toEqual(['b', 'a']);
    expect(s.equilibrium(s.drive(s.defaultInputs!)).length).toBe(5);
    const pipeline = { substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng: new Rng(1) };
    expect(() => exampleGradient(pipeline, s.drive(s.defaultInputs!), [0.1, 0.2])).toThrow(
      "output 'a' is held by 'V1': its value is imposed, so no training can bring it to a target; choose a node the network is free to move",
    );
    const fine = build(['b', 'c']);
    expect(exampleGradient({ ...pipeline, substrate: fine }, fine.drive(fine.defaultInputs!), [0.1, 0.2]).gradient.every(Number.isFinite)).toBe(true);
  });
});

describe('a netlist that is not plain text', () => {
  it.each([
    ['t\nR1 a 0 1k\u0000\nV1 a 0 1\n', 2, 'the control character U+0000 (NUL) at column 10'],
    ['t\nR1 a 0 1k\nV1 a\u0007 0 1\n', 3, 'the control character U+0007 (BEL) at column 5'],
    ['t\u001b[2J\nR1 a 0 1k\nV1 a 0 1\n', 1, 'the control character U+001B (ESC) at column 2'],
    ['t\nR1 a 0 1k\n\ufeffV1 a 0 1\n', 3, 'a byte-order mark (U+FEFF) after the start of the file at column 1'],
    ['t\nR1 a 0 1k\u007f\nV1 a 0 1\n', 2, 'the control character U+007F (DEL) at column 10'],
  ])('%j is refused at line %i, the character named, not echoed', (text, line, what) => {
    let error: unknown;
    try {
      parseSpice(text, 'bin.cir');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).line).toBe(line);
    expect((error as Error).message).toBe(`bin.cir:${line}: ${what}: a netlist is plain text (is the file binary, or saved as UTF-16?)`);
  });

  it('a byte-order mark at the start is skipped, and tabs and CR LF line ends are text', () => {
    const net = parseSpice('\ufefftitle\r\nR1\ta\t0\t1k\r\nV1 a 0 1\r\n', 'bom.cir');
    expect(net.title).toBe('title');
    expect(net.elements.map((e) => e.name)).toEqual(['R1', 'V1']);
  });

  it('a netlist saved as UTF-16 is refused on its first line', () => {
    const utf16 = Buffer.from('title\nR1 a 0 1k\n', 'utf16le').toString('utf8');
    expect(() => parseSpice(utf16, 'wide.cir')).toThrow(/^wide\.cir:1: the control character U\+0000 \(NUL\) at column 2/);
  });
});
