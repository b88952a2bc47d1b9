import { Rng } from '@multimech/core';
import type { SubstrateFixture } from './substrate-fixture';
import { SubstrateCheck, substrateCheckIds, substrateChecks } from './substrate-checks';

export interface ConformanceOptions {
  /** Checks this substrate does not claim to pass; each registers as `it.skip` titled `[id] skipped: reason`. */
  readonly skip?: readonly { readonly id: string; readonly reason: string }[];
  /** Seed of the random directions, pairs and drives the checks draw (default 1). */
  readonly seed?: number;
}

/** Runs one check on every fixture; a failure names the fixture. */
export function runCheck(check: SubstrateCheck, fixtures: readonly SubstrateFixture[], seed = 1): void {
  if (fixtures.length === 0) throw new Error('makeFixtures returned no fixtures');
  const rng = new Rng(seed);
  for (const fixture of fixtures) {
    try {
      check.run(fixture, rng.fork());
    } catch (e) {
      const err = e as Error;
      err.message = `[${check.id}] fixture '${fixture.label}': ${err.message}`;
      throw err;
    }
  }
}

/**
 * Registers the substrate conformance suite with jest: one `describe` named
 * after the substrate, one `it` per check titled `[id] description`. Each
 * check builds fresh fixtures with `makeFixtures`. A check is skipped only
 * when `options.skip` names it, with a reason (`[id] skipped: reason`).
 */
export function runSubstrateConformance(name: string, makeFixtures: () => SubstrateFixture[], options: ConformanceOptions = {}): void {
  const skips = new Map<string, string>();
  for (const { id, reason } of options.skip ?? []) {
    if (!(substrateCheckIds as readonly string[]).includes(id)) {
      throw new Error(`runSubstrateConformance('${name}'): unknown check id '${id}' in options.skip (ids: ${substrateCheckIds.join(', ')})`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new Error(`runSubstrateConformance('${name}'): skipping '${id}' needs a reason`);
    }
    skips.set(id, reason);
  }
  describe(`${name}: substrate conformance`, () => {
    for (const check of substrateChecks) {
      const reason = skips.get(check.id);
      if (reason !== undefined) {
        it.skip(`[${check.id}] skipped: ${reason}`, () => undefined);
      } else {
        it(`[${check.id}] ${check.description}`, () => runCheck(check, makeFixtures(), options.seed));
      }
    }
  });
}
