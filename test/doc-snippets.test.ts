/**
 * The TypeScript of docs/writing-a-mechanism.md and
 * docs/writing-a-substrate.md is real (see test/doc-snippets/doc-blocks.ts
 * for the markers): each block is a snippet file's code or a part of a
 * source, word for word, and every snippet file compiles with the
 * TypeScript compiler under `strict`, against the packages' sources. The
 * doc's own test runs the snippets and checks what they print.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ROOT, docBlocks, snippetOf } from './doc-snippets/doc-blocks';

const DOCS = ['docs/writing-a-mechanism.md', 'docs/writing-a-substrate.md'];

describe.each(DOCS)('%s', (doc) => {
  const blocks = docBlocks(doc);
  const folder = path.join('test', 'doc-snippets', path.basename(doc, '.md'));

  it('every TypeScript block is a snippet or an excerpt, word for word', () => {
    const wrong: string[] = [];
    for (const b of blocks.filter((b) => b.lang === 'ts')) {
      const where = `${doc}:${b.line}`;
      if (!b.marker || b.marker.kind === 'printed by') wrong.push(`${where}: no <!-- snippet: FILE --> or <!-- excerpt: FILE --> in front of it`);
      else if (!fs.existsSync(path.join(ROOT, b.marker.file))) wrong.push(`${where}: no file ${b.marker.file}`);
      else if (b.marker.kind === 'snippet' && snippetOf(b.marker.file) !== b.body) wrong.push(`${where}: not the code of ${b.marker.file}, word for word`);
      else if (b.marker.kind === 'excerpt' && !fs.readFileSync(path.join(ROOT, b.marker.file), 'utf8').includes(b.body)) wrong.push(`${where}: not a part of ${b.marker.file}, word for word`);
    }
    expect(wrong).toEqual([]);
  });

  it('every snippet file of the doc is shown in it', () => {
    const shown = new Set(blocks.filter((b) => b.marker?.kind === 'snippet').map((b) => b.marker!.file));
    const files = fs.readdirSync(path.join(ROOT, folder)).map((f) => path.join(folder, f).split(path.sep).join('/'));
    const snippets = files.filter((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').includes('// snippet start\n'));
    expect(snippets.filter((f) => !shown.has(f))).toEqual([]);
    expect(snippets.length).toBeGreaterThan(0);
  });
});

it('every snippet file compiles (strict TypeScript, against the packages\' sources)', () => {
  const files = DOCS.flatMap((doc) => docBlocks(doc).filter((b) => b.marker?.kind === 'snippet').map((b) => path.join(ROOT, b.marker!.file)));
  const program = ts.createProgram([...new Set(files)], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node20,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node', 'jest'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    paths: { '@multimech/*': [path.join(ROOT, 'packages', '*', 'src')] },
  });
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  expect(ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host)).toBe('');
});
