import { Rng } from '@multimech/core';
import { CheckSettings, resolveCheckSettings } from './check-settings';
import type { SubstrateFixture } from './substrate-fixture';
import { SubstrateCheck, SubstrateCheckId, substrateCheckIds, substrateChecks } from './substrate-checks';

export interface ConformanceOptions {
  /** Checks this substrate does not claim to pass; each registers as `it.skip` titled `[id] skipped: reason`. */
  readonly skip?: readonly { readonly id: string; readonly reason: string }[];
  /** Seed of the random directions, pairs and drives the checks draw (default 1). */
  readonly seed?: number;
  /**
   * Finite-difference steps and tolerances by check id, over the check's
   * defaults (`substrateChecks[i].settings` lists what each takes):
   * `{ 'parameter-derivative': { rtol: 1e-5 }, stationarity: { step: 1e-5 } }`.
   */
  readonly settings?: { readonly [id in SubstrateCheckId]?: CheckSettings };
}

/**
 * Runs one check on every fixture, with its settings over its defaults; a
 * failure names the check and the fixture.
 */
export function runCheck(check: SubstrateCheck, fixtures: readonly SubstrateFixture[], seed = 1, settings: CheckSettings = {}): void {
  if (fixtures.length === 0) throw new Error('makeFixtures returned no fixtures');
  const resolved = resolveCheckSettings(check.id, check.settings, settings);
  const rng = new Rng(seed);
  for (const fixture of fixtures) {
    try {
      check.run(fixture, rng.fork(), resolved);
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
 * when `options.skip` names it, with a reason (`[id] skipped: reason`), or
 * when it requires a capability that the fixtures' substrate does not
 * declare (superposition needs 'linear', rigid-body needs 'vector-state'):
 * then the title gives the check's own reason. The fixtures are built once
 * at registration to read their capabilities.
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
  const settings = new Map<string, CheckSettings>();
  for (const [id, given] of Object.entries(options.settings ?? {})) {
    const check = substrateChecks.find((c) => c.id === id);
    if (!check) throw new Error(`runSubstrateConformance('${name}'): unknown check id '${id}' in options.settings (ids: ${substrateCheckIds.join(', ')})`);
    resolveCheckSettings(id, check.settings, given, `runSubstrateConformance('${name}'): options.settings`);
    settings.set(id, given ?? {});
  }
  const capabilities = probeCapabilities(name, makeFixtures);
  describe(`${name}: substrate conformance`, () => {
    for (const check of substrateChecks) {
      const missing = capabilities && check.requires && !capabilities.has(check.requires.capability);
      const reason = skips.get(check.id) ?? (missing ? check.requires?.reason : undefined);
      if (reason !== undefined) {
        it.skip(`[${check.id}] skipped: ${reason}`, () => undefined);
      } else {
        it(`[${check.id}] ${check.description}`, () => runCheck(check, makeFixtures(), options.seed, settings.get(check.id)));
      }
    }
  });
}

/**
 * The capabilities every fixture shares (fixtures of one run are one kind of
 * substrate); undefined when the fixtures cannot be built now (the checks
 * then run and report that themselves).
 */
function probeCapabilities(name: string, makeFixtures: () => SubstrateFixture[]): ReadonlySet<string> | undefined {
  let fixtures: SubstrateFixture[];
  try {
    fixtures = makeFixtures();
  } catch {
    return undefined;
  }
  if (fixtures.length === 0) return undefined;
  const first = fixtures[0].substrate.capabilities;
  for (const f of fixtures) {
    const caps = f.substrate.capabilities;
    if (caps.size !== first.size || [...caps].some((c) => !first.has(c))) {
      throw new Error(
        `runSubstrateConformance('${name}'): fixture '${f.label}' declares capabilities [${[...caps].join(', ')}], but '${fixtures[0].label}' declares [${[...first].join(', ')}]: run one suite per kind`,
      );
    }
  }
  return first;
}
