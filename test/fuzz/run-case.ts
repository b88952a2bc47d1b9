/**
 * Runs one fuzz case with the command line in-process and judges it: a
 * clean refusal (a non-zero exit, one `multimech: error:` line naming the
 * file and the key, no stack trace, no NaN or undefined, bounded lines) or
 * a run whose every output number is finite.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run } from '@multimech/cli';
import type { FuzzCase } from './mutations';

export interface CaseOutcome {
  readonly id: number;
  readonly outcome: 'refused' | 'ran';
  readonly code: number;
  readonly ms: number;
  /** What is wrong with the outcome (empty: a clean refusal or a finite run). */
  readonly problems: readonly string[];
  /** Whether a refusal named the mutated key itself (or a key inside or around it), beyond its section. */
  readonly exactKey?: boolean;
  readonly stderr: string;
}

/** Quoted text (an echoed input) left out, so that an input that says "NaN" is not taken for a NaN of ours. */
const unquoted = (s: string) => s.replace(/"(?:[^"\\]|\\.)*"|'[^'\n]*'/g, '""');

/** The numbers of a results folder that are not finite, by file: CSV fields and JSON values (JSON writes NaN as null). */
function nonFiniteOutputs(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const file = path.join(d, f);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      if (f.endsWith('.csv')) {
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        // columns of names (a mechanism's, a class's) hold text from the config, which may read "Infinity"
        const header = lines[0].split(',');
        const text = new Set(header.flatMap((h, j) => (/^(mechanism|name|class|label|status|kind|reason)$/i.test(h.trim()) ? [j] : [])));
        lines.slice(1).forEach((line, i) => {
          line.split(',').forEach((field, j) => {
            if (!text.has(j) && /^(NaN|-?Infinity|undefined|null)$/i.test(field.trim())) found.push(`${f} row ${i + 1}: ${header[j]} = ${field}`);
          });
        });
      } else if (f.endsWith('.json') && f !== 'config.json') {
        const visit = (v: unknown, at: string): void => {
          if (v === null && !/expected_slope$/.test(at)) found.push(`${f}: ${at} is null`);
          else if (typeof v === 'number' && !Number.isFinite(v)) found.push(`${f}: ${at} is ${v}`);
          else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`));
          else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, at ? `${at}.${k}` : k);
        };
        visit(JSON.parse(readFileSync(file, 'utf8')), '');
      }
    }
  };
  walk(dir);
  return found;
}

/** Whether `text` names a key of `mutated` (the path itself, one inside it, or one it sits in, at least two levels deep where it has two). */
function namesKey(text: string, mutated: string): boolean {
  const segments = mutated.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  for (let n = segments.length; n >= Math.min(2, segments.length); n--) {
    const prefix = segments.slice(0, n).map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join('');
    if (text.includes(prefix)) return true;
  }
  return false;
}

export async function runCase(c: FuzzCase): Promise<CaseOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), `multimech-fuzz-${c.id}-`));
  try {
    for (const [name, content] of Object.entries(c.files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    let stdout = '';
    let stderr = '';
    const start = Date.now();
    const code = await run(['node', 'multimech', ...c.args.map((a) => a.replace('{dir}', dir))], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: false, columns: 120 },
      env: {},
    });
    const ms = Date.now() - start;
    const problems: string[] = [];
    const shown = stderr.split(dir + path.sep).join('').split(dir).join('');
    if (code === 0) {
      const out = path.join(dir, 'out');
      if (c.args[0] !== 'gradient') problems.push(...nonFiniteOutputs(out));
      else {
        const json = JSON.parse(stdout) as { loss: number; gradient: Record<string, number> };
        for (const [k, v] of [['loss', json.loss], ...Object.entries(json.gradient)] as const) if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`gradient ${k} is ${v}`);
      }
      if (/\bNaN\b|\bundefined\b|internal error/.test(unquoted(stdout + stderr))) problems.push('NaN, undefined or an internal error in the output');
      return { id: c.id, outcome: 'ran', code, ms, problems, stderr: shown };
    }
    const errors = shown.match(/multimech: (internal )?error:/g) ?? [];
    if (errors.length !== 1) problems.push(`${errors.length} error lines`);
    if (/internal error/.test(shown)) problems.push('an internal error');
    if (/^\s+at\s/m.test(shown)) problems.push('a stack trace');
    if (/\bNaN\b|\bundefined\b/.test(unquoted(shown))) problems.push('NaN or undefined in the message');
    if (shown.split('\n').some((l) => l.length > 600)) problems.push('a line longer than 600 characters');
    const file = path.basename(c.file);
    if (!shown.includes(file)) problems.push(`does not name ${file}`);
    if (c.kind === 'netlist' && c.args[0] !== 'gradient' && !shown.includes(path.basename(c.args[1]))) problems.push(`does not name the config that named ${file}`);
    let exactKey: boolean | undefined;
    if (c.path !== undefined) {
      const section = c.path.match(/^[^.[]+/)![0];
      exactKey = namesKey(shown, c.path);
      if (!exactKey && !new RegExp(`(^|[\\s:'(])${section.replace(/\$/g, '\\$')}[.:\\[ ]`, 'm').test(shown)) problems.push(`does not name the key ${c.path}`);
    } else if (!new RegExp(`${file.replace(/\./g, '\\.')}(:\\d+|: [A-Za-z$_\\[])`).test(shown)) {
      problems.push(`does not name a line or a key of ${file}`);
    }
    return { id: c.id, outcome: 'refused', code, ms, problems, stderr: shown, ...(exactKey !== undefined ? { exactKey } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
