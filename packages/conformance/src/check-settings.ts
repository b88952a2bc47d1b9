/**
 * The finite-difference step and the tolerance of one check, where it has
 * them. Every value is relative: a step is a fraction of a scale the check
 * reads off the fixture (the law's scale along a probe, each parameter), a
 * tolerance a fraction of the size of what is compared. Each check says in
 * its `settings` which it takes, what they are relative to and their
 * defaults.
 */
export interface CheckSettings {
  /** The finite-difference step, as a fraction of the scale the check names. */
  readonly step?: number;
  /** The tolerance of the check's comparison, relative to the scale the check names. */
  readonly rtol?: number;
  /** `parameter-derivative` only: the relative step h of the loss's finite differences through the equilibrium (core's `finiteDifferenceGradient`). */
  readonly gradientStep?: number;
}

export type CheckSettingKey = keyof CheckSettings;

/** One setting a check takes: its default and what it is relative to. */
export interface CheckSettingSpec {
  readonly default: number;
  readonly meaning: string;
}

/** The settings a check takes, by key. */
export type CheckSettingSpecs = { readonly [K in CheckSettingKey]?: CheckSettingSpec };

/** Every setting a check takes, with its default where none is given. */
export type ResolvedCheckSettings = { readonly [K in CheckSettingKey]: number };

/**
 * The settings a check runs with: the given values over its defaults.
 * Throws (naming `where`) on a key the check does not take or a value that
 * is not a positive finite number.
 */
export function resolveCheckSettings(id: string, specs: CheckSettingSpecs, given: CheckSettings = {}, where = 'settings'): ResolvedCheckSettings {
  const takes = Object.keys(specs) as CheckSettingKey[];
  for (const [key, value] of Object.entries(given) as [string, unknown][]) {
    if (!(takes as string[]).includes(key)) {
      throw new Error(`${where}: check '${id}' takes no '${key}' (${takes.length ? `it takes ${takes.join(', ')}` : 'it takes no settings'})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error(`${where}: '${key}' of check '${id}' must be a positive number, got ${JSON.stringify(value)}`);
    }
  }
  const out: Record<string, number> = { step: NaN, rtol: NaN, gradientStep: NaN };
  for (const key of takes) out[key] = given[key] ?? specs[key]!.default;
  return out as ResolvedCheckSettings;
}
