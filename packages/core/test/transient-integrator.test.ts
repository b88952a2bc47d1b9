import { logLogSlope } from '@multimech/core';
import {
  NumericalError,
  ScalarSubstrate,
  TransientIntegrator,
  createGraph,
  slowestRelaxationTime,
  solvePhasor,
  uniformBounds,
  type Boundary,
  type DynamicSubstrate,
  type FixedElement,
  type PhasorResponse,
} from '../src';

/**
 * The integrator on small networks whose response is known in closed form,
 * written on core's ScalarSubstrate so that no plugin is needed: node 0 is
 * ground (held at 0), a current is injected at node 1, the output is the
 * last node. Damping (a capacitance) and mass are given per node.
 */
class ChainSubstrate extends ScalarSubstrate implements DynamicSubstrate {
  readonly kind = 'test/chain';
  readonly parameterName = 'conductance';
  readonly dofDamping: Float64Array;
  readonly dofMass?: Float64Array;

  /**
   * `nodes` nodes n1 … beside ground g; edges [from, to, conductance] by node
   * index (0 is g); inputs: a current into n1, then a voltage source at each
   * node of `sources` (held, like ground).
   */
  constructor(nodes: number, edges: [number, number, number][], damping: number[], mass?: number[], elements: FixedElement[] = [], sources: number[] = []) {
    const names = Array.from({ length: nodes + 1 }, (_, i) => (i === 0 ? 'g' : `n${i}`));
    const boundary: Boundary = {
      dirichlet: Int32Array.from([0, ...sources]),
      dirichletNames: ['g', ...sources.map((n) => `V${n}`)],
      inputs: [{ name: 'I', type: 'flow', node: 1 }, ...sources.map((node, i) => ({ name: `V${node}`, type: 'potential' as const, node, dirichletIndex: i + 1 }))],
      outputs: [{ name: 'out', node: nodes }],
    };
    const graph = createGraph(
      names,
      edges.map(([from, to], k) => ({ name: `w${k + 1}`, from, to })),
    );
    super({ graph, boundary, parameters: edges.map((e) => e[2]), bounds: uniformBounds(edges.length, 1e-9, 1e9), elements, capabilities: ['dynamics'] });
    this.dofDamping = Float64Array.from([0, ...damping]);
    if (mass) this.dofMass = Float64Array.from([0, ...mass]);
  }

  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse {
    const { matrix, freeDofs } = this.hessian(state);
    const pick = (x: ArrayLike<number>) => Float64Array.from(freeDofs, (d) => x[d]);
    const { real, imag } = solvePhasor(matrix, pick(this.dofDamping), omega, forces.map(pick), 1e-13, this.dofMass ? pick(this.dofMass) : undefined);
    const scatter = (x: Float64Array) => {
      const s = new Float64Array(this.dofDamping.length);
      freeDofs.forEach((d, r) => (s[d] = x[r]));
      return s;
    };
    return { real: real.map(scatter), imag: imag.map(scatter) };
  }
}


describe('TransientIntegrator: second order (a damped mass on a spring)', () => {
  // k = 1, m = 1, γ = 0.4: ω₀ = 1, ζ = 0.2, ω_d = √(1 − ζ²); a unit step force at t = 0
  const s = new ChainSubstrate(1, [[0, 1, 1]], [0.4], [1]);
  const zeta = 0.2;
  const wd = Math.sqrt(1 - zeta * zeta);
  const exact = (t: number) => 1 - Math.exp(-zeta * t) * (Math.cos(wd * t) + (zeta / wd) * Math.sin(wd * t));

  it('follows the underdamped step response with an error that falls as h² (BDF2)', () => {
    const steps = [0.1, 0.05, 0.025, 0.0125];
    const errors = steps.map((h) => {
      const integrator = new TransientIntegrator(s, new Float64Array(2), { step: h });
      const drive = s.drive([1]);
      let worst = 0;
      for (let j = 1; j <= Math.round(12 / h); j++) {
        integrator.advance(drive);
        worst = Math.max(worst, Math.abs(integrator.state[1] - exact(integrator.now)));
      }
      return worst;
    });
    const order = logLogSlope(steps, errors);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.3);
    expect(errors[3]).toBeLessThan(1e-3); // on an overshoot of 1.53
    // a linear substrate's step matrix is factored once per formula (backward Euler's first step, then BDF2's)
    const integrator = new TransientIntegrator(s, new Float64Array(2), { step: 0.05 });
    for (let j = 0; j < 100; j++) integrator.advance(s.drive([1]));
    expect(integrator.factorizations).toBe(2);
  });

  it('settles on the phasor 1/(k − ω²m + iωγ) that the substrate solves, at ω near resonance', () => {
    const omega = 0.9;
    const { real, imag } = s.phasorResponse(new Float64Array(2), [Float64Array.from([0, 1])], omega);
    const den = (1 - omega * omega) ** 2 + (omega * 0.4) ** 2;
    expect(real[0][1]).toBeCloseTo((1 - omega * omega) / den, 10);
    expect(imag[0][1]).toBeCloseTo((-omega * 0.4) / den, 10);
    const period = (2 * Math.PI) / omega;
    const errors = [64, 128, 256].map((N) => {
      const h = period / N;
      const integrator = new TransientIntegrator(s, new Float64Array(2), { step: h });
      const settle = 30 * N; // 30 periods: e^(−ζ·30·2π/0.9) ≈ 1e-18
      let re = 0;
      let im = 0;
      for (let j = 1; j <= settle + N; j++) {
        integrator.advance(s.drive([Math.cos(omega * j * h)]));
        if (j > settle) {
          re += (2 / N) * integrator.state[1] * Math.cos(omega * j * h);
          im -= (2 / N) * integrator.state[1] * Math.sin(omega * j * h);
        }
      }
      return Math.hypot(re - real[0][1], im - imag[0][1]) / Math.hypot(real[0][1], imag[0][1]);
    });
    const order = logLogSlope([64, 128, 256].map((N) => 1 / N), errors);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.2);
    expect(errors[2]).toBeLessThan(1e-3);
  });

  it('gives the decay time 2m/γ of the underdamped mode as the slowest relaxation time; infinite without damping', () => {
    expect(slowestRelaxationTime(s, new Float64Array(2))).toBeCloseTo(5, 12);
    expect(slowestRelaxationTime(new ChainSubstrate(1, [[0, 1, 1]], [0], [1]), new Float64Array(2))).toBe(Infinity);
  });
});

describe('TransientIntegrator: a node without capacitance is algebraic (DAE index 1)', () => {
  // g —G1— n1 —G2— n2 —G3— g, a capacitor C at n1 only, a current step I at n1
  const [G1, G2, G3, C, I] = [1e-3, 2e-3, 5e-4, 1e-7, 1e-3];
  const s = new ChainSubstrate(2, [[0, 1, G1], [1, 2, G2], [2, 0, G3]], [C, 0]);
  const divider = G2 / (G2 + G3);
  const G = G1 + (G2 * G3) / (G2 + G3);
  const tau = C / G;

  it('holds Kirchhoff at the node without a capacitor at every step, and the other node follows the RC step with τ = C/(G1 + G2‖G3)', () => {
    const integrator = new TransientIntegrator(s, new Float64Array(3), { step: tau / 50 });
    let worstKcl = 0;
    let worst = 0;
    for (let j = 1; j <= 250; j++) {
      integrator.advance(s.drive([I]));
      const [, v1, v2] = integrator.state;
      worstKcl = Math.max(worstKcl, Math.abs(v2 - divider * v1) / Math.abs(v1));
      worst = Math.max(worst, Math.abs(v1 - (I / G) * (1 - Math.exp(-integrator.now / tau))));
    }
    expect(worstKcl).toBeLessThan(1e-12);
    // measured 2.7e-4 at h = τ/50: mostly the first, backward-Euler step (h²/2τ² = 2e-4)
    expect(worst / (I / G)).toBeLessThan(4e-4);
    expect(slowestRelaxationTime(s, new Float64Array(3))).toBeCloseTo(tau, 15);
  });
});

describe('TransientIntegrator on a nonlinear network', () => {
  // a cubic conductance i = g3 v³ + g1 v across the capacitor, fed through 1 kΩ
  const cubic = (g3: number, g1: number): FixedElement => ({
    name: 'B1',
    from: 1,
    to: 0,
    law: { current: (v) => g3 * v ** 3 + g1 * v, conductance: (v) => 3 * g3 * v * v + g1, coContent: (v) => (g3 * v ** 4) / 4 + (g1 * v * v) / 2 },
  });
  const s = new ChainSubstrate(1, [[0, 1, 1e-3]], [1e-7], undefined, [cubic(1e-3, 1e-5)]);
  const run = (h: number, stop: number, options: { maxIterations?: number } = {}) => {
    const integrator = new TransientIntegrator(s, new Float64Array(2), { step: h, ...options });
    const record: number[] = [];
    let most = 0;
    for (let j = 1; j <= Math.round(stop / h); j++) {
      // a 5 mA current, cosine at 2 kHz: the drop swings into the cubic's steep part
      most = Math.max(most, integrator.advance(s.drive([5e-3 * Math.cos(2 * Math.PI * 2000 * j * h)])).iterations);
      record.push(integrator.state[1]);
    }
    return { record, most, factorizations: integrator.factorizations };
  };

  it('solves each step by Newton, refactoring on the one analysis, and converges at second order', () => {
    const stop = 1e-3;
    const reference = run(stop / 8192, stop);
    const steps = [stop / 256, stop / 512, stop / 1024];
    const errors = steps.map((h) => {
      const { record } = run(h, stop);
      const every = Math.round(h / (stop / 8192));
      return Math.max(...record.map((v, j) => Math.abs(v - reference.record[(j + 1) * every - 1])));
    });
    const order = logLogSlope(steps, errors);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.3);
    const coarse = run(stop / 256, stop);
    expect(coarse.most).toBeGreaterThan(1); // nonlinear: more than one Newton iteration per step
    expect(coarse.factorizations).toBeGreaterThan(256);
    expect(Math.max(...coarse.record.map(Math.abs))).toBeGreaterThan(1); // the drop reached the cubic's steep part (volts)
  });

  it('converges at rest under a voltage source, where the net node currents cancel to rounding, and resolves a signal 1e-9 of the branch currents', () => {
    // 2 V at n2 through 1 kΩ into n1, the cubic law and 100 nF from n1 to ground: branch currents of about 1 mA; a 1 pA signal current at 1 kHz
    const law = cubic(1e-3, 1e-5);
    const rc = new ChainSubstrate(2, [[2, 1, 1e-3]], [1e-7, 0], undefined, [{ ...law, from: 1, to: 0 }], [2]);
    const rest = rc.equilibrium(rc.drive([0, 2]));
    const omega = 2 * Math.PI * 1000;
    const N = 256;
    const h = (2 * Math.PI) / omega / N;
    const integrator = new TransientIntegrator(rc, rest, { step: h });
    let re = 0;
    let im = 0;
    const periods = 10; // τ = C/(G + i'(v)) ≈ 30 µs: settled long before the last period
    for (let j = 1; j <= periods * N; j++) {
      integrator.advance(rc.drive([1e-12 * Math.cos(omega * j * h), 2]));
      if (j > (periods - 1) * N) {
        const dv = integrator.state[1] - rest[1];
        re += (2 / N) * dv * Math.cos(omega * j * h);
        im -= (2 / N) * dv * Math.sin(omega * j * h);
      }
    }
    // the small-signal phasor 1e-12/(G + i'(v*) + iωC)
    const g = 1e-3 + law.law.conductance(rest[1]);
    const den = g * g + (omega * 1e-7) ** 2;
    const exact = { re: (1e-12 * g) / den, im: (-1e-12 * omega * 1e-7) / den };
    expect(Math.hypot(re - exact.re, im - exact.im) / Math.hypot(exact.re, exact.im)).toBeLessThan(1e-3);
  });

  it('reports a step that does not converge as a NumericalError with the time, the iterations and the residual, not a NaN', () => {
    let error: unknown;
    try {
      run(1e-5, 1e-4, { maxIterations: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NumericalError);
    expect((error as Error).message).toMatch(/^transient step to t = 1\.00000e-5 s \(h = 1\.000e-5 s\) did not converge after 1 Newton iterations: residual [\d.]+e-\d+ at dof n1/);
  });

  it('names the dof where the step equation is not finite, rather than carrying a NaN', () => {
    // a law that is not finite beyond 1 V: the 5 mA drive pushes the drop past it within the first steps
    const wall: FixedElement = { name: 'B1', from: 1, to: 0, law: { current: (v) => (v < 1 ? 1e-5 * v : NaN), conductance: (v) => (v < 1 ? 1e-5 : NaN), coContent: (v) => 5e-6 * v * v } };
    const bad = new ChainSubstrate(1, [[0, 1, 1e-6]], [1e-9], undefined, [wall]);
    const integrator = new TransientIntegrator(bad, new Float64Array(2), { step: 1e-5 });
    expect(() => {
      for (let j = 0; j < 100; j++) integrator.advance(bad.drive([5e-3]));
    }).toThrow(/^transient step to t = [\d.]+e-\d s \(h = 1\.000e-5 s\): the step equation is not finite at dof n1 after \d+ Newton iterations/);
    expect(Array.from(integrator.state).every(Number.isFinite)).toBe(true);
  });

  it('refuses a step that is not a positive number, and a start state of the wrong size', () => {
    expect(() => new TransientIntegrator(s, new Float64Array(2), { step: 0 })).toThrow(/the time step must be a positive number of seconds, got 0/);
    expect(() => new TransientIntegrator(s, new Float64Array(2), { step: NaN })).toThrow(/got NaN/);
    expect(() => new TransientIntegrator(s, new Float64Array(3), { step: 1e-6 })).toThrow(/expected a start state of 2 values, got 3/);
  });
});
