import { studentTQuantile } from './student-t';

/**
 * Two values of a figure are a tie when they differ by at most this fraction
 * of the larger magnitude (or are equal: two "not reached" are a tie). Runs
 * that compute the same gradient differ by rounding, about 1e-12 relative;
 * accuracies differ by at least one test example when they differ at all.
 */
export const TIE_TOLERANCE = 1e-6;

/** The confidence of the intervals on the paired differences. */
export const CONFIDENCE = 0.95;

/** A mean over the seeds with its t-interval. */
export interface MeanInterval {
  readonly mean: number;
  /** The interval: absent with fewer than two values. */
  readonly low?: number;
  readonly high?: number;
}

/**
 * The mean of `values` and its two-sided `confidence` interval from
 * Student's t with n − 1 degrees of freedom: mean ± t((1 + confidence)/2,
 * n − 1) · s / √n, s the sample standard deviation. No interval for one
 * value (nothing to estimate the spread from).
 */
export function meanInterval(values: readonly number[], confidence = CONFIDENCE): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile((1 + confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, low: mean - half, high: mean + half };
}

/** Whether two values of a figure are the same within TIE_TOLERANCE (relative). */
export function tied(a: number, b: number, tolerance = TIE_TOLERANCE): boolean {
  return a === b || (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)));
}

/** A mechanism against the reference on one figure, seed by seed. */
export interface PairedComparison {
  /** Seeds both ran. */
  readonly n: number;
  /**
   * The mean over the seeds of (mechanism − reference), and its interval
   * (two seeds or more). Absent when a difference is not a number (a
   * target loss that one of the two never reached).
   */
  readonly difference?: MeanInterval;
  /** Seeds where the mechanism is better than the reference, the same within the tolerance, worse. */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
}

/**
 * Compares `values[i]` with `reference[i]` (the same seed): the mean
 * difference and its t-interval, and the wins, ties and losses, a win being
 * a larger value when `higherIsBetter`, else a smaller one. A value may be
 * Infinity ("never reached", for a time): it loses to any finite value, ties
 * with another Infinity, and leaves the mean difference undefined.
 */
export function pairedComparison(
  values: readonly number[],
  reference: readonly number[],
  options: { readonly higherIsBetter: boolean; readonly tolerance?: number; readonly confidence?: number },
): PairedComparison {
  if (values.length !== reference.length) throw new RangeError(`pairedComparison: ${values.length} values against ${reference.length} of the reference`);
  let wins = 0;
  let ties = 0;
  let losses = 0;
  const differences: number[] = [];
  values.forEach((v, i) => {
    const r = reference[i];
    differences.push(v - r);
    if (tied(v, r, options.tolerance)) ties++;
    else if (v > r === options.higherIsBetter) wins++;
    else losses++;
  });
  const n = values.length;
  const finite = differences.every(Number.isFinite);
  return { n, ...(n > 0 && finite ? { difference: meanInterval(differences, options.confidence) } : {}), wins, ties, losses };
}

/** Whether the interval lies wholly on one side of 0: -1 below, 1 above, 0 when it holds 0 or there is none. */
export function intervalSide(d: MeanInterval | undefined): -1 | 0 | 1 {
  if (d?.low === undefined || d.high === undefined) return 0;
  return d.low > 0 ? 1 : d.high < 0 ? -1 : 0;
}
