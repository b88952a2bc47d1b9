import { InputFileError } from '@multimech/core';
import { Netlist, NetlistElement, NetlistElementKind, normalizeNode } from './netlist';
import { parseSpiceNumber } from './spice-number';

const FORMS: Record<NetlistElementKind, string> = {
  R: "'Rname node node value'",
  I: "'Iname node node [DC] value'",
  V: "'Vname node node [DC] value'",
};

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

/**
 * Reads the SPICE subset of resistive networks: the first line is the title;
 * `*` comment lines, `;` inline comments and `+` continuation lines; `R`,
 * `I` (DC) and `V` (DC) elements; an optional `.end`, after which nothing may
 * follow. Values take SI suffixes (`1k`, `4.7meg`, `10uA`); names are
 * case-insensitive (nodes are stored in lower case, ground as `0`; element
 * names keep their spelling). Bad input throws an InputFileError naming the
 * file, the line and what was expected.
 */
export function parseSpice(text: string, file: string): Netlist {
  const lines = text.split(/\r\n|\r|\n/);
  const title = (lines[0] ?? '').trim();
  const elements: NetlistElement[] = [];
  const seen = new Map<string, NetlistElement>();
  let endLine: number | undefined;

  for (const { text: card, line } of logicalLines(lines, file)) {
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
      fail(`unsupported control card '${head}' (this reader supports only .end)`);
    }
    const letter = head[0].toUpperCase();
    if (letter === 'D' || letter === 'C') {
      fail(`unknown element '${head}': diodes (D) and capacitors (C) are not supported yet (supported elements: R, I, V)`);
    }
    if (letter !== 'R' && letter !== 'I' && letter !== 'V') {
      fail(`unknown element letter '${head[0]}' in '${head}' (supported elements: R resistor, I DC current source, V DC voltage source)`);
    }
    const kind = letter as NetlistElementKind;
    let valueToken: string | undefined;
    if (tokens.length === 4) valueToken = tokens[3];
    else if (tokens.length === 5 && kind !== 'R' && tokens[3].toLowerCase() === 'dc') valueToken = tokens[4];
    if (valueToken === undefined) fail(`expected ${FORMS[kind]}, got '${card}'`);
    const value = parseSpiceNumber(valueToken!);
    if (value === undefined) {
      fail(`bad number '${valueToken}' for '${head}' (expected a number with an optional suffix f p n u m k meg g t, e.g. 4.7k)`);
    }
    if (kind === 'R' && !(value! > 0)) fail(`resistance of '${head}' must be positive, got ${valueToken}`);
    const nodes: [string, string] = [normalizeNode(tokens[1]), normalizeNode(tokens[2])];
    if (nodes[0] === nodes[1]) fail(`element '${head}' connects node '${nodes[0]}' to itself`);
    const key = head.toLowerCase();
    const first = seen.get(key);
    if (first) fail(`duplicate element name '${head}' (first defined on line ${first.line} as '${first.name}')`);
    const element: NetlistElement = { kind, name: head, nodes, value: value!, line };
    seen.set(key, element);
    elements.push(element);
  }
  return { title, elements };
}
