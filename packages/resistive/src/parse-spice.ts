import { InputFileError, MAX_SIGNAL, inRange, rangeText, type Range } from '@multimech/core';
import { DIODE_DEFAULTS, DiodeModel, Netlist, NetlistElement, NetlistElementKind, SpiceParameter, ValuedElement, normalizeNode } from './netlist';
import { netlistLaw } from './netlist-law';
import { parseSpiceNumber } from './spice-number';

const FORMS: Record<NetlistElementKind, string> = {
  R: "'Rname node node value'",
  I: "'Iname node node [DC] value'",
  V: "'Vname node node [DC] value'",
  D: "'Dname anode cathode model'",
  C: "'Cname node node value'",
  B: "'Bname node node I={expression of v}'",
};

const SUPPORTED = 'R resistor, I DC current source, V DC voltage source, D diode, C capacitor, B behavioural law';
const PARAM_FORM = "'.param NAME=value [NAME=value ...]'";
const OPTIONS_FORM = "'.options lawrange=lo,hi'";
const MODEL_FORM = "'.model NAME D(IS=value N=value)'";

/**
 * A resistance or a capacitance: wider than core's range of trainable
 * parameters, since a netlist may hold an insulator's leak (1e15 Ω and
 * more) beside a wire; G·V² stays finite for any drop a source can make.
 */
const ELEMENT_RANGE: Range = { min: 1e-24, max: 1e24 };

/**
 * The values a netlist may give, so that every network it describes runs
 * with finite numbers: a resistance or a capacitance in ELEMENT_RANGE
 * (its conductance enters the energy squared by the drops), a source up to core's largest signal, a diode whose current
 * stays finite over the drops the sources can make.
 */
export const NETLIST_RANGES: Readonly<Record<'R' | 'C' | 'V' | 'I', { range: Range; unit: string; what: string }>> = {
  R: { range: ELEMENT_RANGE, unit: 'ohm', what: 'resistance' },
  C: { range: ELEMENT_RANGE, unit: 'F', what: 'capacitance' },
  V: { range: { min: -MAX_SIGNAL, max: MAX_SIGNAL }, unit: 'V', what: 'voltage' },
  I: { range: { min: -MAX_SIGNAL, max: MAX_SIGNAL }, unit: 'A', what: 'current' },
};

const MODEL_RANGES: Readonly<Record<'IS' | 'N', { range: Range; unit: string; why: string }>> = {
  IS: { range: { min: 1e-30, max: 1 }, unit: 'A', why: 'a saturation current' },
  N: { range: { min: 0.1, max: 100 }, unit: '(dimensionless)', why: 'an emission coefficient' },
};

/** `.model NAME D(IS=… N=…)` (parentheses, commas and spaces around '=' optional): a diode model, or an InputFileError. */
function parseModel(card: string, fail: (detail: string) => never): DiodeModel & { line: number } {
  const m = /^\.model\s+(\S+)\s+([a-z]+)\s*(\(.*\)|[^()]*)$/i.exec(card.replace(/\s*=\s*/g, '='));
  if (!m) return fail(`expected ${MODEL_FORM}, got '${card}'`);
  const [, name, type, rest] = m;
  if (type.toLowerCase() !== 'd') {
    return fail(`unsupported model type '${type}' in .model ${name} (this reader supports diode models: ${MODEL_FORM})`);
  }
  const body = rest.startsWith('(') ? rest.slice(1, -1) : rest;
  const values: { IS: number; N: number } = { ...DIODE_DEFAULTS };
  const given = new Set<string>();
  for (const param of body.split(/[\s,]+/).filter((x) => x !== '')) {
    const eq = param.indexOf('=');
    if (eq <= 0) return fail(`expected KEY=VALUE in .model ${name}, got '${param}' (${MODEL_FORM})`);
    const key = param.slice(0, eq).toUpperCase();
    const text = param.slice(eq + 1);
    if (key !== 'IS' && key !== 'N') {
      return fail(`unknown diode model parameter '${param.slice(0, eq)}' in .model ${name} (supported: IS saturation current, N emission coefficient)`);
    }
    if (given.has(key)) return fail(`parameter ${key} given twice in .model ${name}`);
    given.add(key);
    const value = parseSpiceNumber(text);
    if (value === undefined || !(value > 0)) {
      return fail(`${key} of .model ${name} must be a positive number (with an optional suffix f p n u m k meg g t), got '${text}'`);
    }
    const range = MODEL_RANGES[key];
    if (!inRange(value, range.range)) return fail(`${key} of .model ${name} must lie in ${rangeText(range.range)} ${range.unit} (${range.why}), got '${text}'`);
    values[key] = value;
  }
  return { name, IS: values.IS, N: values.N, line: 0 };
}

/** A logical line: continuation (`+`) lines joined, inline `;` comments removed. */
interface Card {
  readonly text: string;
  readonly line: number;
}

function logicalLines(lines: readonly string[], file: string): Card[] {
  const cards: { text: string; line: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i];
    const semi = raw.indexOf(';');
    const text = (semi >= 0 ? raw.slice(0, semi) : raw).trim();
    if (text === '' || text.startsWith('*')) continue;
    if (text.startsWith('+')) {
      const last = cards[cards.length - 1];
      if (!last) throw new InputFileError(file, i + 1, "continuation line ('+') with no element line before it");
      const more = text.slice(1).trim();
      if (more) last.text += ' ' + more;
      continue;
    }
    cards.push({ text, line: i + 1 });
  }
  return cards;
}

/** The largest ratio of two resistors' conductances in one netlist: beyond it double precision keeps no digit of the weaker one's current. */
export const MAX_CONDUCTANCE_SPREAD = 1e16;

/**
 * Refuses resistors whose conductances differ by more than
 * MAX_CONDUCTANCE_SPREAD: the network's equations add their currents, and
 * the weaker one is lost in the rounding of the stronger (an equilibrium
 * that does not converge, or a gradient of noise). The element farthest
 * from the others (in decades) is named at its line, with the one at the
 * other end.
 */
function checkConductanceSpread(elements: readonly NetlistElement[], file: string): void {
  const resistors = elements.filter((e): e is ValuedElement => e.kind === 'R');
  if (resistors.length < 2) return;
  const decades = resistors.map((e) => -Math.log10(e.value));
  const lo = decades.indexOf(Math.min(...decades));
  const hi = decades.indexOf(Math.max(...decades));
  if (decades[hi] - decades[lo] <= Math.log10(MAX_CONDUCTANCE_SPREAD)) return;
  const sorted = [...decades].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const [odd, other] = decades[hi] - median >= median - decades[lo] ? [hi, lo] : [lo, hi];
  const g = (i: number) => (1 / resistors[i].value).toExponential(2);
  throw new InputFileError(
    file,
    resistors[odd].line,
    `conductance of '${resistors[odd].name}' (${g(odd)} S) and that of '${resistors[other].name}' (line ${resistors[other].line}, ${g(other)} S) differ by more than ` +
      `${MAX_CONDUCTANCE_SPREAD.toExponential(0).replace('e+', 'e')} times: the weaker one's current is lost in the rounding of the stronger one's`,
  );
}

/** How a card of a netlist starts: an element's name (a letter, then up to 63 letters, digits or _ - + . # $ [ ]) or a control card (`.model`). */
const CARD_HEAD = /^(?:[A-Za-z][A-Za-z0-9_\-+.#$[\]]{0,63}|\.[A-Za-z]+)$/;

/**
 * Refuses a file whose cards do not all start as a netlist's do, at the
 * first line that does not, without showing any of its content: a path to
 * another kind of file (a system file, a key) must not have its lines
 * printed. The title line is never shown.
 */
function checkNetlistShape(cards: readonly Card[], file: string): void {
  for (const card of cards) {
    const head = card.text.split(/\s+/)[0];
    if (!CARD_HEAD.test(head)) {
      throw new InputFileError(
        file,
        card.line,
        'is not a SPICE netlist line: it starts with neither an element name (a letter, then letters, digits or _ - + . # $ [ ], as in R1) nor a control card (.model, .end); ' +
          'its content is not shown (is this file a netlist?)',
      );
    }
  }
}

/** Characters a netlist (plain text) never holds: C0 controls but tab (and the line ends split off), DEL, a byte-order mark past the start. */
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/;

/** Names of the C0 controls, for messages. */
const CONTROL_NAMES = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI', 'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US'];

/**
 * Refuses a netlist with a control character (NUL, any C0 control but tab,
 * DEL) or a byte-order mark after the start, at its line and column: the
 * file is binary, or text in another encoding (UTF-16 reads as NULs). The
 * character is named, not echoed.
 */
function checkPlainText(lines: readonly string[], file: string): void {
  lines.forEach((text, i) => {
    const m = NOT_TEXT.exec(text);
    if (!m) return;
    const code = m[0].charCodeAt(0);
    const what =
      code === 0xfeff
        ? 'a byte-order mark (U+FEFF) after the start of the file'
        : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')} (${code === 0x7f ? 'DEL' : CONTROL_NAMES[code]})`;
    throw new InputFileError(file, i + 1, `${what} at column ${m.index + 1}: a netlist is plain text (is the file binary, or saved as UTF-16?)`);
  });
}

/**
 * Reads the SPICE subset of resistive networks: the first line is the title;
 * `*` comment lines, `;` inline comments and `+` continuation lines; `R`,
 * `I` (DC), `V` (DC), `D` (diode) and `C` (capacitor, farads) elements; `.model NAME D(IS=… N=…)`
 * cards (anywhere before `.end`, defaults IS = 1e-14 A and N = 1 as in
 * SPICE); behavioural elements `Bname a b I={expression of v}` (current
 * from a through the element to b as a mathjs expression of v = V(a) − V(b)),
 * with `.param NAME=value` cards for the constants they use and an optional
 * `.options lawrange=lo,hi` (default [−5, 5] V) on which every law must be
 * finite and monotone non-decreasing (see core's `expressionLaw`); an
 * optional `.end`, after which nothing may follow. Values take SI
 * suffixes (`1k`, `4.7meg`, `10uA`); names are case-insensitive (nodes are
 * stored in lower case, ground as `0`; element and model names keep their
 * spelling). Bad input throws an InputFileError naming the file, the line
 * and what was expected: a diode naming a model that no `.model` card
 * defines, an unknown model parameter, a model type other than D, a law
 * that does not parse, uses an unknown symbol or is not monotone (at the B
 * element's line, naming it), a control character or a byte-order mark
 * past the start (a byte-order mark at the start is skipped).
 */
export function parseSpice(text: string, file: string): Netlist {
  // a byte-order mark at the very start is skipped (editors write one); anywhere else it is refused below
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  checkPlainText(lines, file);
  const title = (lines[0] ?? '').trim();
  const elements: NetlistElement[] = [];
  const seen = new Map<string, NetlistElement>();
  const models: DiodeModel[] = [];
  const modelByName = new Map<string, DiodeModel>();
  let endLine: number | undefined;
  const parameters: SpiceParameter[] = [];
  let lawRange: [number, number] | undefined;

  const cards = logicalLines(lines, file);
  checkNetlistShape(cards, file);
  for (const { text: card, line } of cards) {
    const fail = (detail: string): never => {
      throw new InputFileError(file, line, detail);
    };
    if (endLine !== undefined) fail(`nothing may follow .end (line ${endLine}), found '${card}'`);
    const tokens = card.split(/\s+/);
    const head = tokens[0];
    if (head.startsWith('.')) {
      if (head.toLowerCase() === '.end') {
        if (tokens.length > 1) fail(`expected '.end' alone on its line, got '${card}'`);
        endLine = line;
        continue;
      }
      if (head.toLowerCase() === '.model') {
        const model = { ...parseModel(card, fail), line };
        const first = modelByName.get(model.name.toLowerCase());
        if (first) fail(`duplicate model name '${model.name}' (first defined on line ${first.line} as '${first.name}')`);
        modelByName.set(model.name.toLowerCase(), model);
        models.push(model);
        continue;
      }
      if (head.toLowerCase() === '.param') {
        const body = card.slice(head.length).replace(/\s*=\s*/g, '=').trim();
        if (body === '') fail(`expected ${PARAM_FORM}, got '${card}'`);
        for (const item of body.split(/\s+/)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(item);
          if (!m) fail(`expected ${PARAM_FORM}, got '${item}'`);
          const [, name, text] = m!;
          if (name === 'v') fail(`a parameter may not be named 'v' (the variable of behavioural laws)`);
          const value = parseSpiceNumber(text);
          if (value === undefined) fail(`bad number '${text}' for parameter '${name}' (expected a number with an optional suffix f p n u m k meg g t)`);
          const before = parameters.find((p) => p.name === name);
          if (before) fail(`parameter '${name}' given twice (first on line ${before.line})`);
          parameters.push({ name, value: value!, line });
        }
        continue;
      }
      if (head.toLowerCase() === '.options') {
        const m = /^lawrange=([^,\s]+),([^,\s]+)$/i.exec(card.slice(head.length).replace(/\s*([=,])\s*/g, '$1').trim());
        if (!m) fail(`expected ${OPTIONS_FORM} (the only option this reader supports), got '${card}'`);
        if (lawRange) fail(`lawrange given twice`);
        const lo = parseSpiceNumber(m![1]);
        const hi = parseSpiceNumber(m![2]);
        if (lo === undefined || hi === undefined || !(lo < hi)) fail(`lawrange must be two numbers lo < hi, got '${m![1]},${m![2]}'`);
        if (!(Math.abs(lo!) <= MAX_SIGNAL && Math.abs(hi!) <= MAX_SIGNAL)) {
          fail(`lawrange must lie in ${rangeText({ min: -MAX_SIGNAL, max: MAX_SIGNAL })} V (the largest drop a network's sources make), got '${m![1]},${m![2]}'`);
        }
        if (!(lo! <= 0 && hi! >= 0)) fail(`lawrange must contain 0 V (a law's co-content is taken from 0, and the network starts from rest), got '${m![1]},${m![2]}'`);
        lawRange = [lo!, hi!];
        continue;
      }
      fail(`unsupported control card '${head}' (this reader supports .model, .param, .options lawrange=lo,hi and .end)`);
    }
    const letter = head[0].toUpperCase();
    if (letter === 'B') {
      const m = /^i\s*=\s*(?:\{(.*)\}|(\S+))$/i.exec(card.split(/\s+/).slice(3).join(' '));
      if (tokens.length < 4 || !m || (m[1] ?? m[2]).trim() === '') fail(`expected ${FORMS.B}, got '${card}'`);
      const nodes: [string, string] = [normalizeNode(tokens[1]), normalizeNode(tokens[2])];
      if (nodes[0] === nodes[1]) fail(`element '${head}' connects node '${nodes[0]}' to itself`);
      const first = seen.get(head.toLowerCase());
      if (first) fail(`duplicate element name '${head}' (first defined on line ${first.line} as '${first.name}')`);
      const element: NetlistElement = { kind: 'B', name: head, nodes, expression: (m![1] ?? m![2]).trim(), line };
      seen.set(head.toLowerCase(), element);
      elements.push(element);
      continue;
    }
    if (letter !== 'R' && letter !== 'I' && letter !== 'V' && letter !== 'D' && letter !== 'C') {
      fail(`unknown element letter '${head[0]}' in '${head}' (supported elements: ${SUPPORTED})`);
    }
    const kind = letter as Exclude<NetlistElementKind, 'B'>;
    const key = head.toLowerCase();
    const first = seen.get(key);
    const duplicate = () => fail(`duplicate element name '${head}' (first defined on line ${first!.line} as '${first!.name}')`);
    if (kind === 'D') {
      if (tokens.length !== 4) fail(`expected ${FORMS.D}, got '${card}'`);
      const nodes: [string, string] = [normalizeNode(tokens[1]), normalizeNode(tokens[2])];
      if (nodes[0] === nodes[1]) fail(`element '${head}' connects node '${nodes[0]}' to itself`);
      if (first) duplicate();
      const element: NetlistElement = { kind, name: head, nodes, model: tokens[3], line };
      seen.set(key, element);
      elements.push(element);
      continue;
    }
    let valueToken: string | undefined;
    if (tokens.length === 4) valueToken = tokens[3];
    else if (tokens.length === 5 && (kind === 'I' || kind === 'V') && tokens[3].toLowerCase() === 'dc') valueToken = tokens[4];
    if (valueToken === undefined) fail(`expected ${FORMS[kind]}, got '${card}'`);
    const value = parseSpiceNumber(valueToken!);
    if (value === undefined) {
      fail(`bad number '${valueToken}' for '${head}' (expected a number with an optional suffix f p n u m k meg g t, e.g. 4.7k)`);
    }
    if (kind === 'R' && !(value! > 0)) fail(`resistance of '${head}' must be positive, got ${valueToken}`);
    if (kind === 'C' && !(value! > 0)) fail(`capacitance of '${head}' must be positive, got ${valueToken}`);
    const admissible = NETLIST_RANGES[kind];
    if (!inRange(value!, admissible.range)) {
      fail(`${admissible.what} of '${head}' must lie in ${rangeText(admissible.range)} ${admissible.unit} (the network's energy must stay finite), got ${valueToken}`);
    }
    const nodes: [string, string] = [normalizeNode(tokens[1]), normalizeNode(tokens[2])];
    if (nodes[0] === nodes[1]) fail(`element '${head}' connects node '${nodes[0]}' to itself`);
    if (first) duplicate();
    const element: NetlistElement = { kind, name: head, nodes, value: value!, line };
    seen.set(key, element);
    elements.push(element);
  }
  for (const e of elements) {
    if (e.kind === 'D' && !modelByName.has(e.model.toLowerCase())) {
      const known = models.length > 0 ? `models: ${models.map((m) => m.name).join(', ')}` : 'the netlist has no .model card';
      throw new InputFileError(file, e.line, `diode '${e.name}' names model '${e.model}', which no .model card defines (${known}); add e.g. '.model ${e.model} D(IS=1e-14 N=1)'`);
    }
  }
  checkConductanceSpread(elements, file);
  const netlist: Netlist = {
    title,
    elements,
    ...(models.length > 0 ? { models } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(lawRange ? { lawRange } : {}),
  };
  for (const e of elements) if (e.kind === 'B') netlistLaw(netlist, e, file);
  return netlist;
}
