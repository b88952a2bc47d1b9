import { ConformanceFailure } from './conformance-failure';

export interface Tolerance {
  /** Relative to the largest magnitude of `expected` (default 1e-9). */
  readonly rtol?: number;
  /** Absolute floor (default 0). */
  readonly atol?: number;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·max|expected| entrywise, naming
 * the worst entry when it fails. Works on numbers and arrays of numbers.
 */
export function expectClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  tolerance: Tolerance = {},
  what = 'value',
): void {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  if (a.length !== e.length) throw new ConformanceFailure(`${what}: ${a.length} entries, expected ${e.length}`);
  let scale = 0;
  for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
  const limit = (tolerance.atol ?? 0) + (tolerance.rtol ?? 1e-9) * scale;
  let worst = -1;
  let worstDiff = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    const diff = Number.isNaN(d) ? Infinity : d;
    if (diff > worstDiff) {
      worst = i;
      worstDiff = diff;
    }
  }
  if (worst >= 0 && !(worstDiff <= limit)) {
    const where = typeof actual === 'number' ? '' : `[${worst}]`;
    throw new ConformanceFailure(
      `${what}${where}: got ${a[worst]}, expected ${e[worst]} (difference ${worstDiff.toExponential(2)} > allowed ${limit.toExponential(2)})`,
    );
  }
}
