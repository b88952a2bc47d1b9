/**
 * The tables of the docs that restate the code are read back and held to
 * it: the capabilities each built-in substrate kind offers and each
 * mechanism requires (against the registries), and the check lists of the
 * conformance suites with their settings and defaults (against the suites).
 * A table that drifts from the code fails here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLI_PLUGINS } from '@multimech/cli';
import { corePlugin, createRegistries } from '@multimech/core';
import { mechanismChecks, substrateChecks } from '@multimech/conformance';

const ROOT = path.join(__dirname, '..');
const registries = createRegistries([corePlugin, ...CLI_PLUGINS]);

/** The rows of the markdown table whose header row starts with `header`, as cells. */
function table(doc: string, header: string): string[][] {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) throw new Error(`${doc}: no table headed '${header}'`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, line.lastIndexOf('|')).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

/** The names in backticks in a cell. */
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs/architecture.md: capabilities, as the records declare them', () => {
  it('each built-in substrate kind offers exactly the capabilities the table lists for it', () => {
    const rows = table('docs/architecture.md', '| capability | meaning | offered by |');
    const offered = new Map<string, Set<string>>();
    for (const [capability, , by] of rows) {
      for (const kind of ticked(by)) offered.set(kind, new Set([...(offered.get(kind) ?? []), ...ticked(capability)]));
    }
    const builtIn = registries.substrates.all();
    expect([...offered.keys()].sort()).toEqual(builtIn.map((r) => r.kind).sort());
    for (const r of builtIn) expect([...offered.get(r.kind)!].sort()).toEqual([...r.capabilities].sort());
  });

  it('each activation and error mechanism requires exactly what the table says in its records (the rest is their check on the network as built)', () => {
    const rows = table('docs/architecture.md', '| mechanism | requires |');
    const capabilities = new Set(registries.substrates.all().flatMap((r) => r.capabilities));
    const required = new Map<string, string[]>();
    for (const [kinds, requires] of rows) {
      // what a record requires comes first in the cell: the capabilities before any parenthesis or 'on the network as built'
      const recorded = requires.startsWith('nothing') ? [] : ticked(requires.split(/\(|;/)[0]).filter((c) => capabilities.has(c));
      for (const kind of ticked(kinds)) required.set(kind, recorded);
    }
    const mechanisms = [...registries.activations.all(), ...registries.errors.all()];
    expect([...required.keys()].sort()).toEqual(mechanisms.map((r) => r.kind).sort());
    for (const r of mechanisms) expect(required.get(r.kind)!.sort()).toEqual([...r.requires].sort());
  });
});

describe('the conformance check lists, as the suites run them', () => {
  /** `rtol` (1e-9), `step` (1e-4, ...) → { rtol: 1e-9, step: 1e-4 } */
  const settingsOf = (cell: string) =>
    cell === 'none' ? {} : Object.fromEntries([...cell.matchAll(/`(\w+)` \(([^,)]+)/g)].map((m) => [m[1], Number(m[2])]));

  it.each(['docs/writing-a-substrate.md', 'packages/conformance/README.md'])('%s: the substrate checks, in order, with their settings and defaults', (doc) => {
    const rows = table(doc, '| id | what it checks | settings (default) |');
    expect(rows.map((r) => ticked(r[0])[0])).toEqual(substrateChecks.map((c) => c.id));
    rows.forEach((r, i) => {
      const specs = substrateChecks[i].settings;
      expect(settingsOf(r[2])).toEqual(Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default])));
    });
  });

  it.each(['docs/writing-a-mechanism.md', 'packages/conformance/README.md'])('%s: the mechanism checks, in order', (doc) => {
    const rows = table(doc, '| id | what it checks | skipped when |');
    expect(rows.map((r) => ticked(r[0])[0])).toEqual(mechanismChecks.map((c) => c.id));
  });
});
