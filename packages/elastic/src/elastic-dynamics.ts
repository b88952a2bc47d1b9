import { MultimechError, NumericalError, PhasorResponse, restatingSolverFailures, solvePhasor } from '@multimech/core';
import { largestEigenvalue } from '@multimech/sparse';
import type { ElasticBoundary } from './elastic-boundary';
import type { SpringSolver } from './spring-solver';

/** One value per node from a single value (every node) or a list; zeros when absent. */
function perNode(values: number | ArrayLike<number> | undefined, what: string, names: readonly string[], ok: (v: number) => boolean, expected: string): Float64Array {
  const n = names.length;
  if (values === undefined) return new Float64Array(n);
  if (typeof values === 'number') {
    if (!(Number.isFinite(values) && ok(values))) throw new MultimechError(`elastic network: ${what} must be ${expected}, got ${values}`);
    return new Float64Array(n).fill(values);
  }
  if (values.length !== n) throw new MultimechError(`elastic network: expected ${n} ${what} values (one per node), got ${values.length}`);
  const out = Float64Array.from(values);
  out.forEach((v, i) => {
    if (!(Number.isFinite(v) && ok(v))) throw new MultimechError(`${what} of node '${names[i]}' must be ${expected}, got ${v}`);
  });
  return out;
}

/**
 * The dynamics of a spring network (PHYSICS.md §3.3): node masses M and
 * viscous drag Γ, diagonal, in M ẍ + Γ ẋ = −∂E/∂x; the phasor response
 * (H − ω²M + iωΓ)⁻¹ f, and with masses the lowest resonance ω₀. Equilibria,
 * H and the adjoint do not depend on them.
 */
export class ElasticDynamics {
  /** Mass per node (zero everywhere when the network has none). */
  readonly nodeMass: Float64Array;
  /** Viscous drag per node (zero everywhere when the network has none). */
  readonly nodeDamping: Float64Array;
  /** Γ per dof: the drag of its node, zero on held dofs. */
  readonly dofDamping: Float64Array;
  /** M per dof: the mass of its node, zero on held dofs; absent without masses. */
  readonly dofMass: Float64Array | undefined;
  /** Whether the network has masses or damping (the 'dynamics' capability). */
  readonly present: boolean;

  constructor(
    private readonly held: ElasticBoundary,
    private readonly solver: SpringSolver,
    mass: number | ArrayLike<number> | undefined,
    damping: number | ArrayLike<number> | undefined,
  ) {
    const { graph, dim: d, reference, freeDofs } = held;
    this.nodeMass = perNode(mass, 'mass', graph.nodeNames, (v) => v > 0, 'a finite positive number');
    this.nodeDamping = perNode(damping, 'damping', graph.nodeNames, (v) => v >= 0, 'a finite non-negative number');
    const onFree = (perNodeValues: Float64Array) => {
      const out = new Float64Array(reference.length);
      for (const dof of freeDofs) out[dof] = perNodeValues[Math.floor(dof / d)];
      return out;
    };
    this.dofDamping = onFree(this.nodeDamping);
    this.dofMass = mass !== undefined ? onFree(this.nodeMass) : undefined;
    this.present = mass !== undefined || damping !== undefined;
  }

  /**
   * x = (H(state) − ω²M + iωΓ)⁻¹ f on the free dofs for each force f (one
   * value per dof, read at the free dofs), zero on held dofs; ω in rad per
   * unit of time. Solved in real arithmetic by core's `solvePhasor`
   * (BiCGSTAB on the 2n×2n block system). Without masses and damping it is
   * H⁻¹f with a zero imaginary part. The real part is the in-phase, the
   * imaginary part the quadrature amplitude: x(t) = Re[x e^{iωt}].
   */
  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse {
    const { freeDofs, reference } = this.held;
    if (!(Number.isFinite(omega) && omega >= 0)) throw new MultimechError(`phasorResponse: ω must be a finite number >= 0 rad per unit of time, got ${omega}`);
    const rhs = forces.map((f) => this.held.onFreeDofs(f, 'phasorResponse'));
    if (freeDofs.length === 0) return { real: forces.map(() => new Float64Array(reference.length)), imag: forces.map(() => new Float64Array(reference.length)) };
    const matrix = this.solver.hessian(state);
    const damping = Float64Array.from(freeDofs, (dof) => this.dofDamping[dof]);
    const mass = this.dofMass ? Float64Array.from(freeDofs, (dof) => this.dofMass![dof]) : undefined;
    const { real, imag } = solvePhasor(matrix, damping, omega, rhs, 1e-13, mass);
    return { real: real.map((x) => this.held.fromFreeDofs(x)), imag: imag.map((x) => this.held.fromFreeDofs(x)) };
  }

  /** ω₀ = 1/√θ with θ the largest eigenvalue of M^½ H⁻¹ M^½ (the generalized problem H x = λ M x, symmetrised); needs masses. */
  resonance(state: Float64Array): number {
    const { freeDofs } = this.held;
    const n = freeDofs.length;
    if (n === 0) return Infinity;
    const root = Float64Array.from(freeDofs, (dof) => Math.sqrt(this.dofMass![dof]));
    const factor = this.solver.factorAt(state);
    const theta = restatingSolverFailures(() => largestEigenvalue((v) => {
      const y = factor.solve(v.map((x, i) => x * root[i]));
      for (let i = 0; i < n; i++) y[i] *= root[i];
      return y;
    }, n, { what: 'lowest resonance' }));
    if (!(theta > 0)) throw new NumericalError(`lowest resonance: M^½ H⁻¹ M^½ has no positive eigenvalue (largest ${theta})`);
    return 1 / Math.sqrt(theta);
  }
}
