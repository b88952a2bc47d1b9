import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { Rng, adjointError, dcActivation, dynamicsOf, exampleGradient, fidelity, mseLoss, productRule, logLogSlope } from '@multimech/core';
import { ElasticSubstrate, elasticFromTopology, triangularLattice } from '@multimech/elastic';
import { createFrequencyError } from '@multimech/frequency';

/**
 * The dynamic mode (PHYSICS.md §3.3): node masses M and viscous drag Γ give
 * the response (H − ω²M + iωΓ)⁻¹ f at ω, its lowest resonance ω₀ from
 * H x = λ M x, and the quasi-static response H⁻¹ f as ω → 0.
 */

/** A 5 x 4 lattice (bottom row pinned) with random stiffness, masses in [0.5, 2] and the given drag per unit mass. */
function network(seed: number, dragPerMass = 0.2): ElasticSubstrate {
  const rng = new Rng(seed);
  const topology = triangularLattice(5, 4, { sources: 1, targets: 1 });
  const mass = Float64Array.from(topology.graph.nodeNames, () => rng.uniform(0.5, 2));
  return elasticFromTopology(topology, {
    parameter: 'stiffness',
    stiffness: Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 1.5)),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
    mass,
    damping: mass.map((m) => dragPerMass * m),
  });
}


const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => norm(Array.from(a, (v, i) => v - b[i]));

describe('the dynamic mode of a spring network', () => {
  const s = network(3);
  const drive = s.drive([0.3]);
  const state = s.equilibrium(drive);
  const omega0 = s.lowestResonance!(state);
  const force = s.outputForce(state, [1]);

  it("declares 'dynamics' with masses or damping, and lacks it without", () => {
    expect(dynamicsOf(s)).toBe(s);
    expect(s.dofMass!.length).toBe(state.length);
    for (const dof of s.boundary.dirichlet) {
      expect(s.dofMass![dof]).toBe(0);
      expect(s.dofDamping[dof]).toBe(0);
    }
    const plain = elasticFromTopology(triangularLattice(5, 4, { sources: 1, targets: 1 }), {
      parameter: 'stiffness',
      stiffness: new Float64Array(43).fill(1),
      stiffnessBounds: { min: 0.01, max: 10 },
      restLengthBounds: { min: 0.5, max: 1.5 },
      inputs: 'force',
      outputs: 'distance',
    });
    expect(dynamicsOf(plain)).toBeUndefined();
    expect(plain.lowestResonance).toBeUndefined();
  });

  it('finds the lowest resonance of a loaded lattice as a dense generalized eigenvalue solve does', () => {
    const { matrix, freeDofs } = s.hessian(state);
    const n = matrix.rows;
    const B = Matrix.zeros(n, n);
    const root = Array.from(freeDofs, (dof) => Math.sqrt(s.dofMass![dof]));
    for (let i = 0; i < n; i++) {
      for (let p = matrix.rowPtr[i]; p < matrix.rowPtr[i + 1]; p++) B.set(i, matrix.colIdx[p], matrix.values[p] / (root[i] * root[matrix.colIdx[p]]));
    }
    const lambda = Math.min(...new EigenvalueDecomposition(B, { assumeSymmetric: true }).realEigenvalues);
    const dense = Math.sqrt(lambda);
    console.log(`lowest resonance of a loaded 5x4 lattice: ω₀ = ${omega0.toPrecision(12)} (dense: ${dense.toPrecision(12)})`);
    expect(Math.abs(omega0 - dense)).toBeLessThan(1e-10 * dense);
  });

  it('converges to the quasi-static response as ω → 0: the in-phase error falls as ω², the quadrature as ω', () => {
    const [quasiStatic] = s.linearResponse(state, [force]);
    const ratios = [0.3, 0.1, 0.03, 0.01];
    const inPhase: number[] = [];
    const quadrature: number[] = [];
    for (const r of ratios) {
      const { real, imag } = s.phasorResponse(state, [force], r * omega0);
      inPhase.push(diff(real[0], quasiStatic) / norm(quasiStatic));
      quadrature.push(norm(imag[0]) / norm(quasiStatic));
    }
    const inPhaseSlope = logLogSlope(ratios, inPhase);
    const quadratureSlope = logLogSlope(ratios, quadrature);
    console.log(
      `dynamic vs quasi-static response, ω/ω₀ = ${ratios.join(', ')}: in-phase error ${inPhase.map((e) => e.toExponential(2)).join(', ')} (slope ${inPhaseSlope.toFixed(3)}); ` +
        `quadrature ${quadrature.map((e) => e.toExponential(2)).join(', ')} (slope ${quadratureSlope.toFixed(3)})`,
    );
    expect(inPhaseSlope).toBeGreaterThan(1.95);
    expect(inPhaseSlope).toBeLessThan(2.05);
    expect(quadratureSlope).toBeGreaterThan(0.97);
    expect(quadratureSlope).toBeLessThan(1.03);
    expect(inPhase[inPhase.length - 1]).toBeLessThan(1e-3);
    // ω = 0 is the quasi-static response itself
    const { real, imag } = s.phasorResponse(state, [force], 0);
    expect(diff(real[0], quasiStatic)).toBeLessThan(1e-10 * norm(quasiStatic));
    expect(norm(imag[0])).toBe(0);
  });

  it('responds most near the computed ω₀ (light damping: a resonance peak)', () => {
    const light = network(3, 0.01);
    const x = light.equilibrium(light.drive([0.3]));
    const w0 = light.lowestResonance!(x);
    const f = light.outputForce(x, [1]);
    const amplitude = (w: number) => {
      const { real, imag } = light.phasorResponse(x, [f], w);
      return Math.hypot(norm(real[0]), norm(imag[0]));
    };
    let best = 0;
    let at = 0;
    for (let r = 0.9; r <= 1.1; r += 0.0025) {
      const a = amplitude(r * w0);
      if (a > best) [best, at] = [a, r];
    }
    const still = amplitude(0);
    const [below, above] = [amplitude(0.95 * w0), amplitude(1.05 * w0)];
    console.log(
      `resonance peak (drag 0.01 per unit mass): largest response at ω/ω₀ = ${at.toFixed(4)}, ${(best / still).toFixed(1)} x the static one; ` +
        `at 0.95 ω₀ ${(below / best).toFixed(3)} and at 1.05 ω₀ ${(above / best).toFixed(3)} of the peak`,
    );
    expect(Math.abs(at - 1)).toBeLessThan(0.005);
    expect(best).toBeGreaterThan(8 * still);
    expect(below).toBeLessThan(0.6 * best);
    expect(above).toBeLessThan(0.6 * best);
  });

  it("frequency propagation's small-signal update on springs with masses tends to the adjoint gradient as ω₂² → 0", () => {
    const target = s.readout(state).map((y) => y + 0.02);
    const pipeline = (error: typeof adjointError) => ({ substrate: s, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(1) });
    const exact = exampleGradient(pipeline(adjointError), drive, target).gradient;
    const ratios = [0.2, 0.1, 0.05, 0.025];
    const errors = ratios.map((r) => {
      const error = createFrequencyError({ mode: 'small-signal', frequency: (r * omega0) / (2 * Math.PI), amplitude: 1e-3 });
      return fidelity(exampleGradient(pipeline(error), drive, target).gradient, exact).relativeError;
    });
    const measured = logLogSlope(ratios, errors);
    console.log(`small-signal FP on springs with masses vs adjoint, ω₂/ω₀ = ${ratios.join(', ')}: relative error ${errors.map((e) => e.toExponential(2)).join(', ')} (slope ${measured.toFixed(3)})`);
    expect(measured).toBeGreaterThan(1.9);
    expect(measured).toBeLessThan(2.1);
    expect(errors[errors.length - 1]).toBeLessThan(1e-2);
  });

  it('reports the resonance ratio ω₂/ω₀, and its transient mode (masses: second-order BDF2) converges to the dynamic small-signal reading', () => {
    const target = s.readout(state).map((y) => y + 0.02);
    const pipeline = (error: typeof adjointError) => ({ substrate: s, activation: dcActivation, error, rule: productRule, loss: mseLoss, rng: new Rng(1) });
    const frequency = (0.3 * omega0) / (2 * Math.PI);
    const phasor = exampleGradient(pipeline(createFrequencyError({ mode: 'small-signal', frequency, amplitude: 1e-6 })), drive, target);
    expect(phasor.diagnostics!.resonanceRatio).toBeCloseTo(0.3, 12);
    const spp = [16, 32, 64];
    const rows = spp.map((samplesPerPeriod) => {
      const r = exampleGradient(pipeline(createFrequencyError({ mode: 'transient', frequency, amplitude: 1e-6, periods: 1, samplesPerPeriod })), drive, target);
      return { error: fidelity(r.gradient, phasor.gradient).relativeError, diagnostics: r.diagnostics! };
    });
    const order = logLogSlope(spp.map((p) => 1 / p), rows.map((r) => r.error));
    console.log(`transient FP on springs with masses vs the dynamic phasor, ${spp.join(', ')} samples per period: ${rows.map((r) => r.error.toExponential(2)).join(', ')} (order ${order.toFixed(2)})`);
    expect(order).toBeGreaterThan(1.8);
    expect(order).toBeLessThan(2.5); // measured 2.28: the coarsest step is still pre-asymptotic
    expect(rows[2].error).toBeLessThan(1e-3);
    expect(rows[2].diagnostics.resonanceRatio).toBeCloseTo(0.3, 12);
    // the start-up transient of a damped mass decays as e^(−Γt/2M): the settle time covers it
    expect(rows[2].diagnostics.relaxationTime).toBeGreaterThanOrEqual(2 / 0.2 - 1e-9);
  });
});
