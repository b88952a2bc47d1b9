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

/**
 * An energy whose evaluation is off by up to `noise` near x = s (as a sum of
 * terms far larger than their changes is off by its rounding), modelled by
 * a kink of slope `noise` at s: E(x) = E₀ + ½ Σ a_i (x_i − c_i)² + noise·Σ|x_i − s_i|.
 * Its gradient is the exact one of the quadratic. From s, every step towards
 * the minimum c raises the computed E when noise > a·|s − c|.
 */
function roundedQuadratic(a: number[], c: number[], s: number[], e0: number, noise: number) {
  return {
    size: a.length,
    energy: (x: Float64Array) => a.reduce((e, ai, i) => e + 0.5 * ai * (x[i] - c[i]) ** 2 + noise * Math.abs(x[i] - s[i]), e0),
    gradient: (x: Float64Array) => Float64Array.from(a, (ai, i) => ai * (x[i] - c[i])),
    solve: (_x: Float64Array, g: Float64Array) => Float64Array.from(g, (gi, i) => gi / a[i]),
  };
}

describe('damped Newton where the energy no longer resolves the steps', () => {
  const a = [2, 0.5, 1];
  const c = [0.3, -0.2, 1];
  // 2e-9 from the minimum: the residual 4e-9 is above the tolerance 1e-9, the decrease a step promises (1e-17) far below the noise
  const s = c.map((ci, i) => ci + (i === 0 ? 2e-9 : -1e-9));

  it.each([
    ['an energy far from zero (the step is judged by the slope at its end)', 1e-4],
    ['an energy near zero (the full step, since it lowers the gradient)', 0],
  ])('converges from a point that is a minimum of the rounded energy: %s', (_label, e0) => {
    const p = roundedQuadratic(a, c, s, e0, 1e-8);
    const start = Float64Array.from(s);
    const r = newtonMinimize(p, start, { tolerance: 1e-9 });
    expect(r.iterations).toBeLessThanOrEqual(2);
    expect(r.residual).toBeLessThan(1e-15);
    for (let i = 0; i < 3; i++) expect(Math.abs(r.x[i] - c[i])).toBeLessThan(1e-15);
  });

  it('still refuses steps that raise an energy it resolves: no accepted iterate raises E beyond its rounding', () => {
    const p = problem([1, 20, 40, 2], [0.5, 3, -2, 1]);
    const energies: number[] = [];
    // solve is called once per iteration, at the accepted iterate; an overshooting step (3 × Newton) must be cut back
    const r = newtonMinimize({ ...p, solve: (x, g) => (energies.push(p.energy(x)), p.solve(x, g).map((v) => 3 * v)) }, Float64Array.from([1, -1, 1, -1]));
    expect(r.residual).toBeLessThan(1e-9);
    expect(energies.length).toBeGreaterThan(3);
    // the overshoot is cut back to 1.5 × Newton (t = ½) while E resolves it: about one iteration per halving of the residual
    expect(r.iterations).toBeLessThan(80);
    for (let k = 1; k < energies.length; k++) expect(energies[k]).toBeLessThanOrEqual(energies[k - 1] + 1e-15 * Math.abs(energies[k - 1]));
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
