import { createHash } from 'crypto';

/**
 * JSON with every object's keys sorted (recursively) and no whitespace: two
 * values that are equal as JSON give the same text, whatever order their
 * keys were written in. `undefined` members are left out, as JSON.stringify
 * does; a number is written as JSON.stringify writes it (so `1e-3` and
 * `0.001` are one text).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** Keys of an experiment config that name or describe a run without changing what it computes. */
const NOT_HASHED = ['name', 'description', '$schema'];

/** Length of a run key: the first 16 hexadecimal digits (64 bits) of the SHA-256. */
export const RUN_KEY_LENGTH = 16;

/**
 * The key of a run: the SHA-256 (its first 16 hex digits) of the canonical
 * JSON of the run's resolved experiment config (its name, description and
 * `$schema` left out) and of the versions of the @multimech packages in use.
 * The same run under the same code has the same key on every machine; a
 * changed setting, seed or package version gives another.
 */
export function runKey(resolvedConfig: Readonly<Record<string, unknown>>, versions: Readonly<Record<string, string>>): string {
  const config = Object.fromEntries(Object.entries(resolvedConfig).filter(([k]) => !NOT_HASHED.includes(k)));
  return createHash('sha256').update(canonicalJson({ config, versions })).digest('hex').slice(0, RUN_KEY_LENGTH);
}

/**
 * The versions of the named packages as installed (each package's
 * `package.json`, resolved from `from`, then from this package); a package
 * that cannot be found is left out.
 */
export function packageVersions(names: readonly string[], from: readonly string[] = []): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of [...new Set(names)].sort()) {
    try {
      const file = require.resolve(`${name}/package.json`, { paths: [...from, __dirname] });
      versions[name] = (require(file) as { version: string }).version;
    } catch {
      // not installed here
    }
  }
  return versions;
}
