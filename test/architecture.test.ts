/**
 * The dependency rules of docs/architecture.md, read off the packages as
 * they are: every import of a package's source and tests against its
 * package.json, the rules between packages, and no import loop inside a
 * package (between core's concept folders, or between any two files).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const PACKAGES = path.join(ROOT, 'packages');

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : filesUnder(p);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * The text of a file with the inside of every template literal blanked
 * (code that a file writes out, as the scaffold does, is not an import of
 * its own). Escapes and `${...}` nesting are followed; quotes and comments
 * outside templates are left as they are.
 */
function withoutTemplates(text: string): string {
  const out = text.split('');
  let depth = 0; // template literals open
  const braces: number[] = []; // per open `${`, the brace depth it closes at
  let brace = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const inTemplateText = depth > 0 && braces.length < depth;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (inTemplateText) {
      if (c === '\\') {
        out[i] = ' ';
        if (i + 1 < text.length) out[i + 1] = ' ';
        i++;
        continue;
      }
      if (c === '`') depth--;
      else if (c === '$' && text[i + 1] === '{') {
        braces.push(brace++);
        out[i] = ' ';
        out[++i] = ' ';
        continue;
      }
      if (depth > 0 || c !== '`') out[i] = c === '\n' ? '\n' : ' ';
    } else if (c === '`') depth++;
    else if (depth > 0 && c === '{') brace++;
    else if (depth > 0 && c === '}') {
      brace--;
      if (braces.length && braces[braces.length - 1] === brace) braces.pop();
    } else if (c === "'" || c === '"') quote = c;
    if (depth > 0 && braces.length < depth && c !== '`') out[i] = c === '\n' ? '\n' : ' ';
  }
  return out.join('');
}

/** Every module specifier a file imports or re-exports (static and dynamic), with `import type` included. */
function importsOf(file: string): string[] {
  const text = withoutTemplates(fs.readFileSync(file, 'utf8'));
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'/g)) specs.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*'([^']+)'/g)) specs.push(m[1]);
  for (const m of text.matchAll(/(?:import|require)\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]);
  return specs;
}

/** The package a bare specifier names: `@scope/name` or `name` (node: built-ins excluded). */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('node:') || path.isAbsolute(spec)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const BUILTINS = new Set(require('module').builtinModules as string[]);

const packages = fs
  .readdirSync(PACKAGES)
  .filter((d) => fs.existsSync(path.join(PACKAGES, d, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGES, dir, 'package.json'), 'utf8')) as Manifest;
    const src = filesUnder(path.join(PACKAGES, dir, 'src')).filter((f) => !f.endsWith('.test.ts'));
    const tests = [...filesUnder(path.join(PACKAGES, dir, 'test')), ...filesUnder(path.join(PACKAGES, dir, 'src')).filter((f) => f.endsWith('.test.ts'))];
    return { dir, manifest, src, tests };
  });

const short = (name: string) => name.replace('@multimech/', '');
const PLUGINS = ['resistive', 'flow', 'elastic', 'frequency', 'chemical', 'contrastive'];

function multimechImports(files: readonly string[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const f of files) {
    for (const spec of importsOf(f)) {
      const p = packageOf(spec);
      if (p?.startsWith('@multimech/')) used.set(short(p), [...(used.get(short(p)) ?? []), path.relative(ROOT, f)]);
    }
  }
  return used;
}

describe('every import is declared in its package.json', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_, p) => {
    const runtime = { ...p.manifest.dependencies, ...p.manifest.peerDependencies };
    const all = { ...runtime, ...p.manifest.devDependencies };
    const undeclared: string[] = [];
    for (const [files, declared, what] of [
      [p.src, runtime, 'dependencies or peerDependencies'],
      [p.tests, all, 'dependencies of any kind'],
    ] as const) {
      for (const f of files) {
        for (const spec of importsOf(f)) {
          const name = packageOf(spec);
          if (!name || BUILTINS.has(name) || name === p.manifest.name) continue;
          if (!(name in declared)) undeclared.push(`${path.relative(ROOT, f)} imports '${name}', not in its ${what}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('the rules between packages', () => {
  const byName = new Map(packages.map((p) => [short(p.manifest.name), p]));

  it('@multimech/sparse imports nothing of multimech', () => {
    expect([...multimechImports(byName.get('sparse')!.src).keys()]).toEqual([]);
  });

  it('core imports only sparse', () => {
    expect([...multimechImports(byName.get('core')!.src).keys()]).toEqual(['sparse']);
  });

  it('plugins never import each other, nor the trainer or the command line', () => {
    const found: string[] = [];
    for (const plugin of PLUGINS) {
      const p = byName.get(plugin);
      if (!p) continue;
      for (const [used, files] of multimechImports(p.src)) {
        if (used !== 'core' && used !== 'sparse') found.push(`${plugin} imports ${used} (${files[0]})`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the trainer imports no plugin', () => {
    expect([...multimechImports(byName.get('trainer')!.src).keys()].filter((u) => PLUGINS.includes(u))).toEqual([]);
  });
});

/** The cycles of a directed graph, each as a path that returns to its start (Tarjan's strongly connected components). */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!order.has(v)) visit(v);
  return found;
}

/** Relative imports between a package's source files, as a graph over files (or over what `group` maps a file to). */
function importGraph(files: readonly string[], group: (file: string) => string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const from = group(f);
    if (!edges.has(from)) edges.set(from, new Set());
    for (const spec of importsOf(f)) {
      if (!spec.startsWith('.')) continue;
      let target = path.resolve(path.dirname(f), spec);
      if (fs.existsSync(`${target}.ts`)) target = `${target}.ts`;
      else if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index.ts');
      const to = group(target);
      if (to !== from) edges.get(from)!.add(to);
    }
  }
  return edges;
}

describe('no import loops', () => {
  it("between core's concept folders", () => {
    const src = path.join(PACKAGES, 'core', 'src');
    const core = packages.find((p) => p.dir === 'core')!;
    const folders = importGraph(
      core.src.filter((f) => path.dirname(f) !== src),
      (f) => path.relative(src, path.dirname(f)),
    );
    expect(folders.size).toBeGreaterThanOrEqual(6);
    expect(cycles(folders)).toEqual([]);
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))('between the source files of %s', (_, p) => {
    const files = importGraph(p.src, (f) => path.relative(ROOT, f));
    expect(cycles(files)).toEqual([]);
  });

  it('code a file writes out in a template literal is not an import of its own', () => {
    const text = [
      "import { a } from './real';",
      'const file = `import { b } from \'@multimech/written\';\n${[1].map((x) => `nested ${x} from \'./inner\'`).join(\'\')}`;',
      "export { c } from './also-real';",
    ].join('\n');
    const specs = [...withoutTemplates(text).matchAll(/from\s*'([^']+)'/g)].map((m) => m[1]);
    expect(specs).toEqual(['./real', './also-real']);
  });

  it('the cycle finder finds a loop of three files and a file that imports itself', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['d'])],
      ['e', new Set(['a'])],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

/** A class as written: whether it is abstract, the class it extends (by name), and its members by name, each abstract or concrete. */
interface ClassShape {
  readonly name: string;
  readonly file: string;
  readonly abstract: boolean;
  readonly base?: string;
  readonly members: ReadonlyMap<string, 'abstract' | 'concrete'>;
}

function classesOf(file: string, text: string): ClassShape[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: ClassShape[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && node.name) {
      const has = (n: ts.Node, kind: ts.SyntaxKind) => (ts.canHaveModifiers(n) ? (ts.getModifiers(n) ?? []).some((m) => m.kind === kind) : false);
      const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const members = new Map<string, 'abstract' | 'concrete'>();
      for (const m of node.members) {
        if (ts.isConstructorDeclaration(m)) {
          for (const p of m.parameters) if (ts.isParameterPropertyDeclaration(p, m) && ts.isIdentifier(p.name)) members.set(p.name.text, 'concrete');
        } else if (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) {
          members.set(m.name.text, has(m, ts.SyntaxKind.AbstractKeyword) ? 'abstract' : 'concrete');
        }
      }
      out.push({ name: node.name.text, file, abstract: has(node, ts.SyntaxKind.AbstractKeyword), base: heritage?.getText(source), members });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/**
 * Equinox's rule, "abstract or final", over classes whose whole ancestry is
 * in the repository: a class that is extended is abstract, and no class
 * overrides a concrete member of an ancestor (it fills in abstract ones, and
 * may add its own). A class extending one from outside (Error, io-ts's
 * Type) follows that library's idiom and is not checked.
 */
function abstractOrFinal(classes: readonly ClassShape[]): string[] {
  const byName = new Map(classes.map((c) => [c.name, c]));
  const ancestry = (c: ClassShape): ClassShape[] | undefined => {
    const chain: ClassShape[] = [];
    for (let b = c.base; b !== undefined; ) {
      const parent = byName.get(b);
      if (!parent) return undefined;
      chain.push(parent);
      b = parent.base;
    }
    return chain;
  };
  const found: string[] = [];
  for (const c of classes) {
    const chain = ancestry(c);
    if (!chain || chain.length === 0) continue;
    if (!chain[0].abstract) found.push(`${c.name} (${c.file}) extends ${chain[0].name}, which is not abstract`);
    for (const [member] of c.members) {
      const over = chain.find((a) => a.members.get(member) === 'concrete');
      if (over) found.push(`${c.name} (${c.file}) overrides the concrete member '${member}' of ${over.name}`);
    }
  }
  return found;
}

describe('classes are abstract or final', () => {
  it('in the source of every package and example', () => {
    const files = [
      ...packages.flatMap((p) => p.src),
      ...fs.readdirSync(path.join(ROOT, 'examples')).flatMap((d) => filesUnder(path.join(ROOT, 'examples', d, 'src')).filter((f) => !f.endsWith('.test.ts'))),
    ];
    const classes = files.flatMap((f) => classesOf(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
    expect(classes.some((c) => c.name === 'ScalarSubstrate' && c.abstract)).toBe(true);
    expect(classes.filter((c) => c.base === 'ScalarSubstrate').length).toBeGreaterThanOrEqual(3);
    expect(abstractOrFinal(classes)).toEqual([]);
  });

  it('the check finds an extended concrete class and an overridden concrete member', () => {
    const text = [
      'abstract class Base { abstract readonly kind: string; energy(): number { return 0; } }',
      'class Fine extends Base { readonly kind = "fine"; extra(): number { return 1; } }',
      'class Overrider extends Base { readonly kind = "o"; override energy(): number { return 1; } }',
      'class Below extends Fine { readonly kind = "below"; }',
      'class Failure extends Error { readonly code = 1; }',
      'class Deeper extends Failure { readonly code = 2; }',
    ].join('\n');
    expect(abstractOrFinal(classesOf('x.ts', text))).toEqual([
      "Overrider (x.ts) overrides the concrete member 'energy' of Base",
      'Below (x.ts) extends Fine, which is not abstract',
      "Below (x.ts) overrides the concrete member 'kind' of Fine",
    ]);
  });
});

describe('one copy of core', () => {
  it('every package that builds on core but is not the command line takes @multimech/core (and sparse) as peerDependencies, never as dependencies', () => {
    const wrong: string[] = [];
    for (const p of packages) {
      const name = short(p.manifest.name);
      if (name === 'core' || name === 'sparse' || name === 'cli') continue;
      for (const shared of ['@multimech/core', '@multimech/sparse']) {
        const used = multimechImports(p.src).has(short(shared));
        if (p.manifest.dependencies?.[shared]) wrong.push(`${p.manifest.name} lists ${shared} in dependencies`);
        if (used && !p.manifest.peerDependencies?.[shared]) wrong.push(`${p.manifest.name} imports ${shared} without a peerDependency on it`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the command line names no physics', () => {
  it('only its list of built-in plugins (cli-plugins.ts) imports a plugin package; every other file renders what records declare', () => {
    const cli = packages.find((p) => p.dir === 'cli')!;
    const naming = cli.src
      .filter((f) => path.basename(f) !== 'cli-plugins.ts')
      .flatMap((f) => [...multimechImports([f]).keys()].filter((u) => PLUGINS.includes(u)).map((u) => `${path.relative(ROOT, f)} imports ${u}`));
    expect(naming).toEqual([]);
    // and the list itself is the only place: each built-in plugin named once
    const list = fs.readFileSync(cli.src.find((f) => path.basename(f) === 'cli-plugins.ts')!, 'utf8');
    for (const plugin of PLUGINS) expect(list).toContain(`@multimech/${plugin}`);
  });
});
