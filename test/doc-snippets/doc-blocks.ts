/**
 * The fenced blocks of a doc and the markers in front of them. Every
 * TypeScript block of docs/writing-a-mechanism.md and
 * docs/writing-a-substrate.md follows one of:
 *
 * - `<!-- snippet: FILE -->`: the block is, word for word, the code of FILE
 *   between the lines `// snippet start` and `// snippet end` (FILE may
 *   import what the doc's text says comes from elsewhere before it, and
 *   export what a test checks after it); FILE is type-checked by
 *   test/doc-snippets.test.ts and run by the doc's own test;
 * - `<!-- excerpt: FILE -->`: the block is, word for word, a part of FILE, a
 *   source or test of this repository (compiled by `tsc -b` or run by jest).
 *
 * A block that a snippet prints follows `<!-- printed by: FILE -->`.
 */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

export interface DocBlock {
  /** The block's language (`ts`, `sh`, '' ...). */
  readonly lang: string;
  readonly body: string;
  /** The marker in front of it, if any: `snippet`, `excerpt` or `printed by`, and its file. */
  readonly marker?: { readonly kind: 'snippet' | 'excerpt' | 'printed by'; readonly file: string };
  /** The line the block starts on (1-based), for messages. */
  readonly line: number;
}

export function docBlocks(doc: string): DocBlock[] {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const blocks: DocBlock[] = [];
  for (const m of text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const before = text.slice(0, m.index).trimEnd().split('\n').pop() ?? '';
    const marker = /^<!-- (snippet|excerpt|printed by): (\S+) -->$/.exec(before);
    blocks.push({
      lang: m[1].trim(),
      body: m[2],
      line: text.slice(0, m.index).split('\n').length,
      ...(marker ? { marker: { kind: marker[1] as 'snippet' | 'excerpt' | 'printed by', file: marker[2] } } : {}),
    });
  }
  return blocks;
}

/** The code of a snippet file between `// snippet start` and `// snippet end`. */
export function snippetOf(file: string): string {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = text.indexOf('// snippet start\n');
  const end = text.indexOf('// snippet end');
  if (start < 0 || end < start) throw new Error(`${file}: no '// snippet start' ... '// snippet end'`);
  return text.slice(start + '// snippet start\n'.length, end);
}

/** The block the doc says `file` prints. */
export function printedBy(doc: string, file: string): string {
  const block = docBlocks(doc).find((b) => b.marker?.kind === 'printed by' && b.marker.file === file);
  if (!block) throw new Error(`${doc}: no block marked <!-- printed by: ${file} -->`);
  return block.body;
}

/** Runs `f` and returns what it printed with console.log, one line per call (formatted as console.log formats it). */
export function printed(f: () => void): string {
  const { format } = require('util') as typeof import('util');
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    f();
  } finally {
    console.log = log;
  }
  return lines.map((l) => l + '\n').join('');
}
