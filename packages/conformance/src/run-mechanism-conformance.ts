import { ConformanceFailure } from './conformance-failure';
import { mechanismCases, mechanismCheckIds } from './mechanism-checks';
import type { MechanismSubject } from './mechanism-subject';

export interface MechanismConformanceOptions {
  /** Checks this mechanism does not claim to pass; each registers as `it.skip` titled `[id] skipped: reason`. */
  readonly skip?: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Registers the mechanism conformance suite with jest: one `describe` named
 * after the mechanism, one `it` per check, titled `[id] description` (a
 * claim check once per claim, `[id] claim label`). A check is skipped when
 * `options.skip` names it, with a reason, or when it does not apply to the
 * subject (no noise declared, no registries, no claim of its kind): the
 * title then gives the reason. The checks themselves are plain functions
 * (`mechanismCases`, `runMechanismCheck`) that return results; only this
 * registration uses jest.
 */
export function runMechanismConformance<S>(name: string, typed: MechanismSubject<S>, options: MechanismConformanceOptions = {}): void {
  // the record's settings type matters to the caller only: the suite decodes every section with the record's own codec
  const subject = typed as unknown as MechanismSubject;
  const skips = new Map<string, string>();
  for (const { id, reason } of options.skip ?? []) {
    if (!(mechanismCheckIds as readonly string[]).includes(id)) {
      throw new Error(`runMechanismConformance('${name}'): unknown check id '${id}' in options.skip (ids: ${mechanismCheckIds.join(', ')})`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error(`runMechanismConformance('${name}'): skipping '${id}' needs a reason`);
    skips.set(id, reason);
  }
  const cases = mechanismCases(subject);
  describe(`${name}: mechanism conformance`, () => {
    const skipped = new Set<string>();
    for (const c of cases) {
      const reason = skips.get(c.id) ?? c.skip;
      if (reason !== undefined) {
        if (!skipped.has(c.id)) it.skip(`[${c.id}] skipped: ${reason}`, () => undefined);
        skipped.add(c.id);
        continue;
      }
      it(c.title, () => {
        const result = c.run();
        if (!result.passed) throw new ConformanceFailure(result.message);
      });
    }
  });
}
