import { intervalSide, meanInterval, pairedComparison, tied } from '../src/paired-statistics';
import { logGamma, regularizedIncompleteBeta, studentTCdf, studentTQuantile } from '../src/student-t';

describe("Student's t", () => {
  test('ln Γ at integers and halves', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10.5)).toBeCloseTo(Math.log(1133278.3889487855), 10); // Γ(10.5) = 19!! √π / 2^10
  });

  test('the regularised incomplete beta function against closed forms', () => {
    // I_x(2, 3) = 6x²/2 − 8x³/3 + 3x⁴/4 times 4·3 = 6x² − 8x³ + 3x⁴
    const x = 0.4;
    expect(regularizedIncompleteBeta(x, 2, 3)).toBeCloseTo(6 * x ** 2 - 8 * x ** 3 + 3 * x ** 4, 13);
    // I_x(½, ½) = (2/π) asin √x
    expect(regularizedIncompleteBeta(0.3, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.3)), 13);
    // I_x(a, 1) = x^a, on both branches of the continued fraction
    expect(regularizedIncompleteBeta(0.2, 3, 1)).toBeCloseTo(0.008, 14);
    expect(regularizedIncompleteBeta(0.95, 3, 1)).toBeCloseTo(0.95 ** 3, 13);
    expect([regularizedIncompleteBeta(0, 2, 2), regularizedIncompleteBeta(1, 2, 2)]).toEqual([0, 1]);
  });

  test('the CDF: Cauchy for one degree of freedom, symmetric', () => {
    for (const t of [-3, -0.5, 0, 0.7, 12.706]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
    // two degrees of freedom: ½ + t / (2√(2 + t²))
    expect(studentTCdf(1.3, 2)).toBeCloseTo(0.5 + 1.3 / (2 * Math.sqrt(2 + 1.3 ** 2)), 13);
    expect(studentTCdf(-1.5, 7) + studentTCdf(1.5, 7)).toBeCloseTo(1, 14);
  });

  test('the quantiles of the tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(0.475 * Math.PI), 9); // the Cauchy quantile
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.025 * 0.975), 9); // (2p − 1)/√(2p(1 − p)) for ν = 2
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
    expect(studentTQuantile(0.95, 3)).toBeCloseTo(2.353, 3);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.95996, 4); // the normal's
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(() => studentTQuantile(1, 3)).toThrow(/p must be in \(0, 1\), got 1/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom must be positive/);
  });
});

describe('paired differences', () => {
  test('the t-interval of a mean, by hand', () => {
    // 1..5: mean 3, s = √2.5, s/√5 = √0.5, t(0.975, 4) = 2.776445: half-width 1.963243
    const a = meanInterval([1, 2, 3, 4, 5]);
    expect(a.mean).toBe(3);
    expect(a.low).toBeCloseTo(1.036757, 5);
    expect(a.high).toBeCloseTo(4.963243, 5);
    // −0.02, −0.04, −0.03: mean −0.03, s = 0.01, t(0.975, 2) = 4.302653: half-width 0.0248414
    const b = meanInterval([-0.02, -0.04, -0.03]);
    expect(b.mean).toBeCloseTo(-0.03, 15);
    expect(b.low).toBeCloseTo(-0.0548414, 6);
    expect(b.high).toBeCloseTo(-0.0051586, 6);
    expect(intervalSide(b)).toBe(-1);
    expect(intervalSide(a)).toBe(1);
    expect(intervalSide(meanInterval([-1, 2]))).toBe(0);
    // one value: a mean, no interval
    expect(meanInterval([0.25])).toEqual({ mean: 0.25 });
    expect(intervalSide(meanInterval([0.25]))).toBe(0);
  });

  test('wins, ties and losses, higher or lower being better', () => {
    const accuracy = pairedComparison([0.9, 0.8, 0.7, 0.75], [0.8, 0.8, 0.75, 0.7], { higherIsBetter: true });
    expect([accuracy.wins, accuracy.ties, accuracy.losses]).toEqual([2, 1, 1]);
    expect(accuracy.n).toBe(4);
    expect(accuracy.difference!.mean).toBeCloseTo(0.025, 15);
    const loss = pairedComparison([0.9, 0.8, 0.7, 0.75], [0.8, 0.8, 0.75, 0.7], { higherIsBetter: false });
    expect([loss.wins, loss.ties, loss.losses]).toEqual([1, 1, 2]);
    // rounding is a tie; a relative difference of 1e-5 is not
    expect(tied(0.151, 0.151 * (1 + 1e-12))).toBe(true);
    expect(tied(0.151, 0.151 * (1 + 1e-5))).toBe(false);
    expect(tied(0, 0)).toBe(true);
    const rounding = pairedComparison([1 + 1e-13, 2], [1, 2], { higherIsBetter: false });
    expect([rounding.wins, rounding.ties, rounding.losses]).toEqual([0, 2, 0]);
  });

  test('"never reached" loses to any time, ties with itself, and leaves no mean difference', () => {
    const epochs = pairedComparison([3, Infinity, Infinity, 5], [4, 6, Infinity, 5], { higherIsBetter: false });
    expect([epochs.wins, epochs.ties, epochs.losses]).toEqual([1, 2, 1]);
    expect(epochs.difference).toBeUndefined();
    const reached = pairedComparison([3, 4, 9], [4, 6, 8], { higherIsBetter: false });
    expect(reached.difference!.mean).toBeCloseTo(-2 / 3, 15); // (−1 − 2 + 1)/3
    expect(() => pairedComparison([1], [1, 2], { higherIsBetter: true })).toThrow(/1 values against 2/);
  });
});
