/**
 * Every relative link and every repository path a doc names must exist:
 * the links `[text](path#anchor)` of docs/*.md, README.md and
 * packages/*\/README.md (an anchor must be a heading of the file it points
 * to, as GitHub makes them), the repository paths written in backticks
 * outside code blocks (`packages/core/src/...`, `examples/...`,
 * `scripts/...`, `core/src/...`, a package's `src/...` and `test/...`), and
 * the files that `multimech` command lines in code blocks name under
 * `examples/`.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PACKAGES = fs.readdirSync(path.join(ROOT, 'packages')).filter((p) => fs.existsSync(path.join(ROOT, 'packages', p, 'package.json')));
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((e) => fs.statSync(path.join(ROOT, 'examples', e)).isDirectory());

const DOCS = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...PACKAGES.map((p) => `packages/${p}/README.md`).filter((f) => fs.existsSync(path.join(ROOT, f))),
];

/** The text outside fenced code blocks, and the fenced blocks' contents. */
function split(text: string): { prose: string; code: string[] } {
  const code: string[] = [];
  const prose = text.replace(/^```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm, (_, body: string) => {
    code.push(body);
    return '';
  });
  return { prose, code };
}

/** GitHub's anchors of a markdown file's headings (lower case, punctuation dropped, spaces as '-', repeats numbered). */
function anchors(text: string): Set<string> {
  const { prose } = split(text);
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Inline code spans of the prose. */
function codeSpans(prose: string): string[] {
  return [...prose.matchAll(/(`+)([^`]+?)\1/g)].map((m) => m[2]);
}

const exists = (p: string) => fs.existsSync(path.join(ROOT, p));

/** Where a path written in a doc may lie: from the root, under packages/ (`core/src/...`), in the README's own package, or in some package or example (`src/lock-in.ts`). */
function candidates(doc: string, p: string): string[] {
  const own = doc.startsWith('packages/') ? [path.dirname(doc)] : [];
  if (/^(packages|examples|scripts|docs|test)\//.test(p) && !/^test\//.test(p)) return [p];
  if (/^[a-z-]+\/(src|test)\//.test(p) && PACKAGES.includes(p.split('/')[0])) return [`packages/${p}`];
  if (/^(src|test)\//.test(p)) return [p, ...own.map((d) => `${d}/${p}`), ...PACKAGES.map((d) => `packages/${d}/${p}`), ...EXAMPLES.map((e) => `examples/${e}/${p}`)];
  return [];
}

/** Tokens of a code span or a command line that look like repository paths. */
function pathTokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((t) => t.replace(/^\.\//, '').replace(/[,;:)]+$/, '').replace(/^\(/, ''))
    .filter((t) => /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]*$/.test(t) && !t.includes('*') && !t.startsWith('runs/'));
}

/** What is broken in a doc's links: a missing file, or an anchor no heading of the file makes. */
function brokenLinks(doc: string, text: string): string[] {
  const { prose } = split(text);
  const broken: string[] = [];
  for (const m of prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    const [file, anchor] = target.split('#');
    const resolved = path.resolve(path.dirname(path.join(ROOT, doc)), file);
    if (file !== '' && !fs.existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    const headings = file === '' ? anchors(text) : resolved.endsWith('.md') ? anchors(fs.readFileSync(resolved, 'utf8')) : undefined;
    if (anchor !== undefined && headings && !headings.has(anchor)) broken.push(`${target}: no heading with that anchor`);
  }
  return broken;
}

/** The repository paths a doc names in backticks, and the examples/ files its multimech command lines name, that do not exist. */
function missingPaths(doc: string, text: string): string[] {
  const { prose, code } = split(text);
  const missing = new Set<string>();
  for (const span of codeSpans(prose)) {
    for (const token of pathTokens(span)) {
      const where = candidates(doc, token);
      if (where.length > 0 && !where.some(exists)) missing.add(token);
    }
  }
  for (const block of code) {
    for (const line of block.split('\n').filter((l) => /^(\$ )?npx multimech /.test(l.trim()))) {
      for (const token of pathTokens(line.replace(/#.*$/, '')).filter((t) => t.startsWith('examples/'))) if (!exists(token)) missing.add(token);
    }
  }
  return [...missing];
}

describe('the docs name files that exist', () => {
  it.each(DOCS)('%s: every relative link (and its anchor) exists', (doc) => {
    expect(brokenLinks(doc, fs.readFileSync(path.join(ROOT, doc), 'utf8'))).toEqual([]);
  });

  it.each(DOCS)('%s: every repository path in backticks, and every examples/ file a multimech command names, exists', (doc) => {
    expect(missingPaths(doc, fs.readFileSync(path.join(ROOT, doc), 'utf8'))).toEqual([]);
  });

  it('finds what is broken: a missing file, a missing anchor, a path in backticks, a command line\'s file', () => {
    const text = [
      '# Title',
      'See [the physics](physics.md#2-the-exact-gradient-the-reference), [nowhere](nowhere.md), [no such heading](cli.md#no-such-heading), [this page](#title), [the web](https://example.org).',
      'It lives in `packages/core/src/nowhere.ts`, `core/src/physics/newton.ts`, `src/lock-in.ts` and `src/no-such-file.ts`; `runs/iris` is made by a run.',
      '```sh',
      'npx multimech train examples/no-such-example/config.json --out runs/x',
      'npx multimech train examples/iris-frequency/config.json',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/made-up.md', text)).toEqual(['nowhere.md: no such file', 'cli.md#no-such-heading: no heading with that anchor']);
    expect(missingPaths('docs/made-up.md', text)).toEqual(['packages/core/src/nowhere.ts', 'src/no-such-file.ts', 'examples/no-such-example/config.json']);
  });
});
