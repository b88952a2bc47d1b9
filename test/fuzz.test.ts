/**
 * Fuzz: seeded mutations of the example configs and netlists (types,
 * ranges, keys, encodings; test/fuzz/mutations.ts), each run by the
 * command line in-process on a small budget (one epoch, few examples).
 * Every case is either a clean refusal (a non-zero exit, one
 * `multimech: error:` line naming the file and the key, no stack trace, no
 * NaN or undefined) or a run whose every output number is finite.
 *
 * MULTIMECH_FUZZ_SEED and MULTIMECH_FUZZ_CASES choose other cases (the
 * longer run is `node scripts/fuzz.js --seed S --cases N`, which sets them);
 * MULTIMECH_FUZZ_REPORT names a file for the counts and every case's outcome.
 */
import { writeFileSync } from 'fs';
import { fuzzCases } from './fuzz/mutations';
import { CaseOutcome, runCase } from './fuzz/run-case';

const SEED = Number(process.env.MULTIMECH_FUZZ_SEED ?? 13);
const CASES = Number(process.env.MULTIMECH_FUZZ_CASES ?? 300);

describe(`fuzz: ${CASES} mutated configs and netlists (seed ${SEED})`, () => {
  it('each is refused cleanly, naming the file and the key, or runs with finite numbers', async () => {
    const outcomes: (CaseOutcome & { what: string; example: string })[] = [];
    for (const c of fuzzCases(SEED, CASES)) outcomes.push({ ...(await runCase(c)), what: c.what, example: c.example });
    const failed = outcomes.filter((o) => o.problems.length > 0);
    const count = (f: (o: CaseOutcome) => boolean) => outcomes.filter(f).length;
    const counts = {
      cases: outcomes.length,
      refused: count((o) => o.outcome === 'refused'),
      ran: count((o) => o.outcome === 'ran'),
      failed: failed.length,
      refusalsNamingTheExactKey: count((o) => o.exactKey === true),
      refusalsOfAConfigKey: count((o) => o.exactKey !== undefined),
      slowestMs: Math.max(...outcomes.map((o) => o.ms)),
    };
    if (process.env.MULTIMECH_FUZZ_REPORT) writeFileSync(process.env.MULTIMECH_FUZZ_REPORT, JSON.stringify({ seed: SEED, counts, outcomes }, null, 1));
    expect(failed.map((o) => `case ${o.id} (${o.example}: ${o.what}): ${o.problems.join('; ')}\n${o.stderr.slice(0, 600)}`)).toEqual([]);
    // both outcomes occur: the mutations reach past the decoding
    expect(counts.refused).toBeGreaterThan(CASES / 4);
    expect(counts.ran).toBeGreaterThan(CASES / 20);
  }, Math.max(600_000, CASES * 3_000));
});
