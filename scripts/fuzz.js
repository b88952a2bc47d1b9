#!/usr/bin/env node
'use strict';
/**
 * The longer fuzz run: `node scripts/fuzz.js --cases 2000 --seed 7`.
 *
 * Runs the suite's fuzz test (test/fuzz.test.ts: seeded mutations of the
 * example configs and netlists, each run by the command line in-process)
 * with N cases from seed S, and prints how many were refused cleanly, how
 * many ran with finite numbers, and how many failed (with each failing
 * case: what was mutated, what is wrong, the first error line). Exits 1
 * when a case failed. `--report FILE` keeps every case's outcome as JSON.
 */
const { spawnSync } = require('child_process');
const { mkdtempSync, readFileSync, rmSync } = require('fs');
const os = require('os');
const path = require('path');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined) {
    process.stderr.write(`fuzz: ${name} needs a value\n`);
    process.exit(2);
  }
  return v;
}

const cases = Number(option('--cases', '2000'));
const seed = Number(option('--seed', '1'));
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
  process.stderr.write('fuzz: usage: node scripts/fuzz.js [--cases N] [--seed S] [--report FILE]\n');
  process.exit(2);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'multimech-fuzz-report-'));
const report = option('--report', path.join(tmp, 'report.json'));
const root = path.join(__dirname, '..');
const start = Date.now();
const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [root] }), 'test/fuzz.test.ts', '--runInBand', '--silent'], {
  cwd: root,
  env: { ...process.env, MULTIMECH_FUZZ_SEED: String(seed), MULTIMECH_FUZZ_CASES: String(cases), MULTIMECH_FUZZ_REPORT: report },
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
let data;
try {
  data = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  process.stderr.write(`fuzz: the fuzz test wrote no report (exit ${r.status}):\n${(r.stderr || '').slice(-4000)}\n`);
  process.exit(1);
}
const { counts, outcomes } = data;
const failing = outcomes.filter((o) => o.problems.length > 0);
const clean = outcomes.filter((o) => o.problems.length === 0 && o.outcome === 'refused').length;
const ran = outcomes.filter((o) => o.problems.length === 0 && o.outcome === 'ran').length;
for (const o of failing) {
  const line = o.stderr.split('\n').find((l) => l.startsWith('multimech:')) || o.stderr.split('\n')[0] || '';
  process.stdout.write(`case ${o.id} (${o.example}: ${o.what}): ${o.problems.join('; ')}\n    ${line.slice(0, 300)}\n`);
}
process.stdout.write(
  `fuzz: seed ${seed}, ${counts.cases} cases in ${((Date.now() - start) / 1000).toFixed(0)} s: ${clean} refused cleanly, ${ran} ran with finite numbers, ${failing.length} failing` +
    ` (refusals naming the exact key: ${counts.refusalsNamingTheExactKey} of ${counts.refusalsOfAConfigKey} refusals of a config key; slowest case ${(counts.slowestMs / 1000).toFixed(1)} s)\n`,
);
if (report.startsWith(tmp)) rmSync(tmp, { recursive: true, force: true });
process.exit(failing.length > 0 ? 1 : 0);
