import { NumericalError, fireMinimize, newtonMinimize } from '../src';

/** E(x) = Σ cosh(a_i x_i) − b_i x_i + ½ Σ (x_i − x_{i+1})²: strictly convex, stiff for large a. */
function problem(a: number[], b: number[]) {
  const n = a.length;
  return {
    size: n,
    energy: (x: Float64Array) => {
      let e = 0;
      for (let i = 0; i < n; i++) e += Math.cosh(a[i] * x[i]) - b[i] * x[i] + (i + 1 < n ? 0.5 * (x[i] - x[i + 1]) ** 2 : 0);
      return e;
    },
    gradient: (x: Float64Array) => {
      const g = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        g[i] += a[i] * Math.sinh(a[i] * x[i]) - b[i];
        if (i + 1 < n) {
          g[i] += x[i] - x[i + 1];
          g[i + 1] -= x[i] - x[i + 1];
        }
      }
      return g;
    },
    solve: (x: Float64Array, g: Float64Array) => {
      // tridiagonal Hessian: Thomas algorithm
      const d = new Float64Array(n);
      const off = new Float64Array(n);
      for (let i = 0; i < n; i++) d[i] = a[i] * a[i] * Math.cosh(a[i] * x[i]) + (i > 0 ? 1 : 0) + (i + 1 < n ? 1 : 0);
      for (let i = 0; i + 1 < n; i++) off[i] = -1;
      const c = new Float64Array(n);
      const y = new Float64Array(n);
      c[0] = off[0] / d[0];
      y[0] = g[0] / d[0];
      for (let i = 1; i < n; i++) {
        const m = d[i] - off[i - 1] * c[i - 1];
        c[i] = off[i] / m;
        y[i] = (g[i] - off[i - 1] * y[i - 1]) / m;
      }
      for (let i = n - 2; i >= 0; i--) y[i] -= c[i] * y[i + 1];
      return y;
    },
  };
}

describe('damped Newton', () => {
  it('finds the minimum of a stiff convex energy from far away', () => {
    const p = problem([1, 20, 40, 2], [0.5, 3, -2, 1]);
    // 40 widths of the stiffest exponential away: Newton walks down it about 1/a per step
    const r = newtonMinimize(p, Float64Array.from([1, -1, 1, -1]));
    expect(r.residual).toBeLessThan(1e-9);
    const g = p.gradient(r.x);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-9);
  });

  it('returns at once when started at the minimum', () => {
    const p = problem([1, 2], [0, 0]);
    const r = newtonMinimize(p, new Float64Array(2));
    expect(r.iterations).toBe(0);
  });

  it('fails with iterations, residual and the worst unknown named, never NaN', () => {
    const p = { ...problem([1, 2], [1, 1]), name: (i: number) => `node n${i}` };
    expect(() => newtonMinimize(p, new Float64Array(2), { maxIterations: 1 })).toThrow(NumericalError);
    expect(() => newtonMinimize(p, new Float64Array(2), { maxIterations: 1 })).toThrow(/after 1 Newton iterations: residual .*, worst at node n\d/);
  });
});

describe('FIRE', () => {
  it('reaches the minimum Newton reaches, from the energy and its gradient alone', () => {
    const p = problem([1, 2, 3, 1.5], [0.5, 3, -2, 1]);
    const newton = newtonMinimize(p, new Float64Array(4));
    const fire = fireMinimize(p, Float64Array.from([1, -1, 1, -1]), { tolerance: 1e-10 });
    expect(fire.residual).toBeLessThan(1e-10);
    expect(fire.iterations).toBeGreaterThan(10);
    for (let i = 0; i < 4; i++) expect(Math.abs(fire.x[i] - newton.x[i])).toBeLessThan(1e-9);
  });

  it('undoes steps into infinite energy and fails clearly when it cannot converge', () => {
    const p = { ...problem([1, 2], [1, 1]), name: (i: number) => `node n${i}` };
    expect(() => fireMinimize(p, new Float64Array(2), { maxIterations: 3 })).toThrow(/FIRE did not converge \(too many steps\) after 3 steps: residual .*, worst at node n\d/);
    const walled = { ...problem([1, 1], [0, 0]), energy: (x: Float64Array) => (x[0] > 0.5 ? Infinity : problem([1, 1], [0, 0]).energy(x)) };
    const r = fireMinimize(walled, Float64Array.from([0.4, 0.2]));
    expect(r.residual).toBeLessThan(1e-9);
  });
});
