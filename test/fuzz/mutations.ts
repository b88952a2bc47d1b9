/**
 * Seeded mutations of the example configs and netlists, for the fuzz test
 * (test/fuzz.test.ts) and its longer run (scripts/fuzz.js): each case is a
 * folder of files (a copy of an example, one file mutated) and a command
 * line. A mutation changes a type, a range, a key or an encoding; the case
 * records what it changed and where, so that a refusal can be checked to
 * name the file and the key.
 */
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** A small seeded generator (mulberry32): the same seed gives the same cases on every machine. */
export class FuzzRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** One case: the files of its folder (relative names), the command line (with `{dir}` for the folder), and what was mutated. */
export interface FuzzCase {
  readonly id: number;
  /** The example it comes from. */
  readonly example: string;
  readonly files: Readonly<Record<string, string | Buffer>>;
  /** Arguments after `multimech`, `{dir}` standing for the case's folder. */
  readonly args: readonly string[];
  /** The file mutated (a name in `files`). */
  readonly file: string;
  /** The class of the mutation: type, range, key, encoding, netlist. */
  readonly kind: 'type' | 'range' | 'key' | 'encoding' | 'netlist';
  /** What was done, for the report. */
  readonly what: string;
  /** The JSON path of a config mutation (`task.loss.kappa`); undefined for a mutation of the text. */
  readonly path?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Seed {
  readonly example: string;
  readonly command: 'train' | 'fidelity' | 'compare' | 'gradient';
  readonly config?: string;
  /** The config cut to a small budget (few epochs, examples, values). */
  readonly json?: Json;
  readonly netlist?: string;
  readonly extraArgs: readonly string[];
  readonly files: Record<string, string | Buffer>;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The files of an example folder (text), without tests and schemas. */
function exampleFiles(examples: string, example: string): Record<string, string> {
  const dir = path.join(examples, example);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.test.ts') || f.endsWith('.schema.json')) continue;
    files[f] = readFileSync(path.join(dir, f), 'utf8');
  }
  return files;
}

/** The examples as seeds, each cut to a budget the test can afford (1–2 epochs, few examples). */
export function seeds(examples = EXAMPLES): Seed[] {
  const list: Seed[] = [];
  const experiment = (example: string, cut: (c: Record<string, Json>) => void, extraArgs: string[] = []) => {
    const files = exampleFiles(examples, example);
    const json = JSON.parse(files['config.json']) as Record<string, Json>;
    delete json.$schema;
    cut(json);
    files['config.json'] = JSON.stringify(json, null, 2);
    list.push({ example, command: 'train', config: 'config.json', json, extraArgs, files });
  };
  const epochs = (n: number) => (c: Record<string, Json>) => {
    c.training = { ...((c.training as Record<string, Json>) ?? {}), epochs: n };
  };
  experiment('iris-frequency', (c) => {
    epochs(1)(c);
    (c.substrate as Record<string, Record<string, Json>>).network.hidden = [6];
  });
  experiment('iris-chemical', (c) => {
    epochs(1)(c);
    (c.substrate as Record<string, Record<string, Json>>).network.hidden = [6];
  });
  experiment('elastic-allostery', (c) => {
    epochs(1)(c);
    const net = (c.substrate as Record<string, Record<string, Json>>).network;
    net.width = 4;
    net.height = 4;
  });
  experiment('regression-diode', (c) => {
    epochs(1)(c);
    Object.assign(c.task as Record<string, Json>, { train: 8, test: 4 });
  });
  experiment('xor-diode', epochs(1), ['--allow-plugins']);
  // online training on flow edge lists with the table task: a few steps, evaluated twice
  const steps = (n: number, every: number) => (c: Record<string, Json>) => {
    c.training = { ...((c.training as Record<string, Json>) ?? {}), steps: n, evaluate: { every, unit: 'steps' } };
  };
  experiment('cl-flow-regression', steps(8, 4));
  experiment('cl-grid-allostery', steps(4, 2));
  for (const example of ['fidelity-ep', 'fidelity-noise', 'fidelity-nonlinear']) {
    const files = exampleFiles(examples, example);
    const json = JSON.parse(files['config.json']) as Record<string, Json>;
    delete json.$schema;
    const sweep = json.sweep as Record<string, Json[]>;
    sweep.values = sweep.values.slice(0, 2);
    json.examples = 2;
    const task = (json.experiment as Record<string, Record<string, Json>>).task;
    if (task.train !== undefined) Object.assign(task, { train: 4, test: 2 });
    files['config.json'] = JSON.stringify(json, null, 2);
    list.push({ example, command: 'fidelity', config: 'config.json', json, extraArgs: [], files });
  }
  {
    const files = exampleFiles(examples, 'iris-compare');
    const json = JSON.parse(files['config.json']) as Record<string, Json>;
    delete json.$schema;
    json.mechanisms = (json.mechanisms as Json[]).filter((m) => ['adjoint', 'ep'].includes((m as { name: string }).name));
    json.seeds = [1];
    json.fidelity = { examples: 2 };
    const base = json.base as Record<string, Record<string, Json>>;
    base.training = { epochs: 1 };
    base.substrate.network = { generator: 'layered', hidden: [4] };
    files['config.json'] = JSON.stringify(json, null, 2);
    list.push({ example: 'iris-compare', command: 'compare', config: 'config.json', json, extraArgs: ['--workers', '1'], files });
  }
  for (const [example, netlist] of [
    ['gradient', 'bridge.cir'],
    ['regression-diode', 'network.cir'],
  ] as const) {
    const files = { [netlist]: readFileSync(path.join(examples, example, netlist), 'utf8') };
    list.push({ example: `${example}/${netlist}`, command: 'gradient', netlist, extraArgs: [], files });
  }
  return list;
}

/** Every path of a JSON value, each with its value: `task.loss.kappa`, `substrate.network.hidden[0]`. */
function paths(value: Json, at: (string | number)[] = []): { path: (string | number)[]; value: Json }[] {
  const here = at.length > 0 ? [{ path: at, value }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return here;
}

/** A path as a config error shows it: `a.b[0].c`. */
export function pathText(p: readonly (string | number)[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function setAt(root: Json, p: readonly (string | number)[], value: Json | undefined): void {
  let o = root as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  const last = p[p.length - 1];
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
}

const ODD_STRINGS = [
  '',
  ' ',
  'x'.repeat(200_000),
  'bell\u0007 and \u001b[31mred\u001b[0m',
  'nul\u0000byte',
  'right\u202eto left',
  'e\u0301\u0301\u0301 combining',
  '\ud83d\ude00 emoji \ud83c\udf08',
  'lone \ud800 surrogate',
  '\uffff\ufffe',
  '../../../../etc/passwd',
  '/etc/passwd',
  '/dev/zero',
  '1 kohm',
  '1e400 Hz',
  'NaN',
  'Infinity',
  '-0',
  'line\nbreak',
];

const ODD_NUMBERS = [0, -0, -1, 0.5, 1.5, 3.7, 1e308, -1e308, 1e-308, 5e-324, 1e6, 1e9, 2 ** 31, 2 ** 53 + 2, 1e15, 1e22, 123456789, -2.5];

/** A value of another type than `v`. */
function otherType(rng: FuzzRng, v: Json): Json {
  const options: Json[] = ['text', 7, true, null, [], {}, [1, 2], { kind: 'x' }, '1 kohm', [[1]], ['a', 'b']];
  let o: Json;
  do o = rng.pick(options);
  while (typeof o === typeof v && Array.isArray(o) === Array.isArray(v) && (o === null) === (v === null));
  return clone(o);
}

/** A number out of the usual range, or an odd one. */
function oddNumber(rng: FuzzRng, v: number): number {
  const r = rng.int(4);
  if (r === 0) return v * rng.pick([1e6, -1, 1e300, 1e-300, 0.5, 1.0000001]);
  if (r === 1) return v + rng.pick([0.5, -0.5, 1, -1e9]);
  return rng.pick(ODD_NUMBERS);
}

const TYPO = (k: string) => (k.length > 1 ? k.slice(0, -1) : `${k}x`);

/** A config mutated by one operation on one path: its new text, the path and what was done. */
function mutateJson(rng: FuzzRng, json: Json): { text: string | Buffer; path?: string; kind: FuzzCase['kind']; what: string } {
  const root = clone(json);
  const all = paths(root);
  const numbers = all.filter((p) => typeof p.value === 'number');
  const strings = all.filter((p) => typeof p.value === 'string');
  const objects = all.filter((p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value));
  const choice = rng.int(100);
  if (choice < 30 && numbers.length > 0) {
    const p = rng.pick(numbers);
    const v = oddNumber(rng, p.value as number);
    setAt(root, p.path, v);
    return { text: JSON.stringify(root, null, 2), path: pathText(p.path), kind: 'range', what: `${pathText(p.path)}: ${p.value} → ${v}` };
  }
  if (choice < 50) {
    const p = rng.pick(all);
    const v = otherType(rng, p.value);
    setAt(root, p.path, v);
    return { text: JSON.stringify(root, null, 2), path: pathText(p.path), kind: 'type', what: `${pathText(p.path)}: ${JSON.stringify(p.value)?.slice(0, 40)} → ${JSON.stringify(v)}` };
  }
  if (choice < 60 && strings.length > 0) {
    const p = rng.pick(strings);
    const v = rng.pick(ODD_STRINGS);
    setAt(root, p.path, v);
    return { text: JSON.stringify(root, null, 2), path: pathText(p.path), kind: 'type', what: `${pathText(p.path)}: an odd string ${JSON.stringify(v.slice(0, 30))}` };
  }
  if (choice < 65) {
    // a number array made long or huge (hidden layers, strains, sweep values)
    const arrays = all.filter((p) => Array.isArray(p.value) && (p.value as Json[]).every((x) => typeof x === 'number') && (p.value as Json[]).length > 0);
    if (arrays.length > 0) {
      const p = rng.pick(arrays);
      const v = rng.int(2) === 0 ? [rng.pick([1e6, 1e8, 2 ** 31, 1e308])] : Array.from({ length: rng.pick([0, 50, 5000]) }, () => (p.value as number[])[0]);
      setAt(root, p.path, v);
      return { text: JSON.stringify(root, null, 2), path: pathText(p.path), kind: 'range', what: `${pathText(p.path)}: an array of ${v.length} (${v[0]})` };
    }
  }
  if (choice < 80 && objects.length > 0) {
    const p = rng.pick(objects);
    const o = p.value as Record<string, Json>;
    const keys = Object.keys(o);
    const op = rng.int(5);
    if (op === 0 && keys.length > 0) {
      const k = rng.pick(keys);
      delete o[k];
      return { text: JSON.stringify(root, null, 2), path: pathText([...p.path, k]), kind: 'key', what: `deleted ${pathText([...p.path, k])}` };
    }
    if (op === 1 && keys.length > 0) {
      const k = rng.pick(keys);
      o[TYPO(k)] = o[k];
      delete o[k];
      return { text: JSON.stringify(root, null, 2), path: pathText([...p.path, TYPO(k)]), kind: 'key', what: `renamed ${pathText([...p.path, k])} to ${TYPO(k)}` };
    }
    if (op === 2) {
      const k = rng.pick(['extra', 'Kind', 'constructor', 'toString', 'hasOwnProperty', 'limits', 'plugins']);
      o[k] = rng.pick<Json>([1, 'x', {}, ['./evil.js'], { epochs: 1e308 }]);
      return { text: JSON.stringify(root, null, 2), path: pathText([...p.path, k]), kind: 'key', what: `added ${pathText([...p.path, k])}` };
    }
    if (op === 3) {
      // __proto__ as a key of the text (JSON.parse makes it an own key)
      const inner = JSON.stringify(o);
      const spliced = inner === '{}' ? '{"__proto__":{"kind":"x"}}' : `{"__proto__":{"polluted":1},${inner.slice(1)}`;
      setAt(root, p.path, '\u0000MARK');
      const marked = JSON.stringify(root, null, 2).replace('"\\u0000MARK"', spliced);
      return { text: marked, path: pathText([...p.path, '__proto__']), kind: 'key', what: `added __proto__ to ${pathText(p.path)}` };
    }
    if (keys.length > 0) {
      // a key given twice, in the text
      const k = rng.pick(keys);
      setAt(root, p.path, '\u0000MARK');
      const inner = JSON.stringify(o);
      const twice = `{${JSON.stringify(k)}:${JSON.stringify(o[k])},${inner.slice(1)}`;
      return { text: JSON.stringify(root, null, 2).replace('"\\u0000MARK"', twice), path: pathText([...p.path, k]), kind: 'key', what: `${pathText([...p.path, k])} given twice` };
    }
  }
  return { ...mutateText(rng, JSON.stringify(root, null, 2)), kind: 'encoding' };
}

/** A text mutated in its encoding or bytes: a byte-order mark, UTF-16, invalid UTF-8, control characters, truncation, CRLF. */
function mutateText(rng: FuzzRng, text: string): { text: string | Buffer; what: string } {
  const at = rng.int(text.length);
  switch (rng.int(9)) {
    case 0:
      return { text: '\ufeff' + text, what: 'a byte-order mark at the start' };
    case 1:
      return { text: Buffer.from('\ufeff' + text, 'utf16le'), what: 'UTF-16LE' };
    case 2:
      return { text: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(at))]), what: `invalid UTF-8 at ${at}` };
    case 3:
      return { text: text.slice(0, at) + rng.pick(['\u0000', '\u0007', '\u001b[2J', '\u202e', '\ufeff']) + text.slice(at), what: `a control character at ${at}` };
    case 4:
      return { text: text.slice(0, at), what: `truncated at ${at}` };
    case 5:
      return { text: text.replace(/\n/g, '\r\n'), what: 'CRLF line ends' };
    case 6:
      return { text: text.replace(/\n/g, '\r'), what: 'CR line ends' };
    case 7:
      return { text: '', what: 'empty' };
    default:
      return { text: text.slice(0, at) + 'x'.repeat(100_000) + text.slice(at), what: `100,000 characters at ${at}` };
  }
}

const NETLIST_VALUES = ['0', '-1', '1e308', '1e-308', '1e400', 'abc', '1meg', '1t', '5e-324', '1k1k', '', '1e9999', 'NaN', 'inf', '1f'];

/** A netlist mutated by one operation on one line: its text and what was done. */
function mutateNetlist(rng: FuzzRng, text: string): { text: string | Buffer; what: string } {
  const lines = text.split('\n');
  const body = lines.map((l, i) => i).filter((i) => i > 0 && /^[RVICDB]/i.test(lines[i]));
  const i = body.length > 0 ? rng.pick(body) : 1;
  const tokens = (lines[i] ?? '').split(/\s+/);
  switch (rng.int(10)) {
    case 0:
    case 1: {
      const v = rng.pick(NETLIST_VALUES);
      tokens[tokens.length - 1] = v;
      lines[i] = tokens.join(' ');
      return { text: lines.join('\n'), what: `line ${i + 1}: value ${JSON.stringify(v)}` };
    }
    case 2: {
      const n = rng.pick(['0', 'gnd', 'out', 'nowhere', tokens[1] ?? 'a', 'a b', '']);
      if (tokens.length > 2) tokens[2] = n;
      lines[i] = tokens.join(' ');
      return { text: lines.join('\n'), what: `line ${i + 1}: node ${JSON.stringify(n)}` };
    }
    case 3:
      lines.splice(i, 1);
      return { text: lines.join('\n'), what: `line ${i + 1} deleted` };
    case 4:
      lines.splice(i, 0, lines[i]);
      return { text: lines.join('\n'), what: `line ${i + 1} twice` };
    case 5: {
      const extra = rng.pick([
        'Q1 a b c qmod',
        'B1 out 0 I=exp(v*1e6)',
        'B1 out 0 I=zeros(5000)',
        'B1 out 0 I=v^v^v^v^v',
        `B1 out 0 I=${'(v+'.repeat(200)}1${')'.repeat(200)}`,
        '.model dm D(IS=0 N=1)',
        '.model dm D(IS=1e308 N=1e-308)',
        '.include /etc/passwd',
        'R99 a',
        `R99 a b ${'9'.repeat(400)}`,
        'C1 out 0 1e308',
        'root:x:0:0:root:/root:/bin/bash',
      ]);
      lines.splice(i, 0, extra);
      return { text: lines.join('\n'), what: `line ${i + 1}: inserted ${JSON.stringify(extra.slice(0, 40))}` };
    }
    case 6:
      return { text: lines.slice(0, 1).join('\n'), what: 'title only' };
    default:
      return mutateText(rng, text);
  }
}

/** `count` cases from `seed`, spread over the seeds (examples) in turn. */
export function fuzzCases(seed: number, count: number, examples = EXAMPLES): FuzzCase[] {
  const rng = new FuzzRng(seed);
  const all = seeds(examples);
  const cases: FuzzCase[] = [];
  for (let id = 0; id < count; id++) {
    const s = all[id % all.length];
    const files: Record<string, string | Buffer> = { ...s.files };
    const netlistOfConfig = Object.keys(files).find((f) => f.endsWith('.cir'));
    if (s.command === 'gradient') {
      const m = mutateNetlist(rng, s.files[s.netlist!] as string);
      files[s.netlist!] = m.text;
      const target = s.netlist === 'bridge.cir' ? 'b=0.5' : 'out=0.2';
      cases.push({ id, example: s.example, files, args: ['gradient', `{dir}/${s.netlist}`, '--target', target, '--json'], file: s.netlist!, kind: 'netlist', what: m.what });
      continue;
    }
    const args = [s.command, `{dir}/${s.config}`, '--out', '{dir}/out', ...s.extraArgs];
    // a config that names a netlist: a third of its cases mutate the netlist
    if (netlistOfConfig && rng.int(3) === 0) {
      const m = mutateNetlist(rng, files[netlistOfConfig] as string);
      files[netlistOfConfig] = m.text;
      cases.push({ id, example: s.example, files, args, file: netlistOfConfig, kind: 'netlist', what: m.what });
      continue;
    }
    const m = mutateJson(rng, s.json!);
    files[s.config!] = m.text;
    cases.push({ id, example: s.example, files, args, file: s.config!, kind: m.kind, what: m.what, ...(m.path !== undefined ? { path: m.path } : {}) });
  }
  return cases;
}
