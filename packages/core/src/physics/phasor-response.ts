import { MultimechError, restatingSolverFailures } from '../support/errors';
import { planSolver, type CsrMatrix } from '@multimech/sparse';
import type { Substrate } from '../contracts/substrate';

/** The complex response x = real + i·imag to each force, one value per dof (zero on Dirichlet dofs). */
export interface PhasorResponse {
  readonly real: Float64Array[];
  readonly imag: Float64Array[];
}

/**
 * A substrate with the 'dynamics' capability (PHYSICS.md §3.3): besides H it
 * has, per dof, a damping Γ (a node capacitance to ground for a resistive
 * network; a viscous drag for springs) and optionally an inertia M (a node
 * mass for springs; none for circuits and flow), both diagonal. The state
 * then obeys M s̈ + Γ ṡ = −∂E/∂s, and at angular frequency ω a force f of
 * amplitude cos(ωt) gives the phasor response x = (H − ω²M + iωΓ)⁻¹ f, whose
 * real part is the in-phase and whose imaginary part is the quadrature
 * amplitude of the state (x(t) = Re[x e^{iωt}]).
 */
export interface DynamicSubstrate extends Substrate {
  /** Γ per dof (one value per entry of a state; zero where a dof has none, and on Dirichlet dofs). */
  readonly dofDamping: Float64Array;
  /** M per dof, where the substrate has inertia (absent or all zero: first-order dynamics Γ ṡ = −∂E/∂s). */
  readonly dofMass?: Float64Array;
  /** (H(state) − ω²M + iωΓ)⁻¹ f on the free dofs for each force f (ω in rad/s). */
  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse;
  /**
   * The lowest natural angular frequency ω₀ (rad/s) at a state, where the
   * substrate has inertia: the smallest √λ of H x = λ M x. Frequency
   * propagation reports ω/ω₀ as its resonance diagnostic.
   */
  lowestResonance?(state: Float64Array): number;
}

/** The substrate as a DynamicSubstrate when it has the 'dynamics' capability and a phasorResponse. */
export function dynamicsOf(substrate: Substrate): DynamicSubstrate | undefined {
  const d = substrate as Partial<DynamicSubstrate>;
  return substrate.capabilities.has('dynamics') && typeof d.phasorResponse === 'function' ? (substrate as DynamicSubstrate) : undefined;
}

/**
 * Solves (H − ω²M + iωC) x = b for real right-hand sides b in real
 * arithmetic: with K = H − ω²M, the 2n×2n system [[K, −ωC], [ωC, K]]
 * [Re x; Im x] = [b; 0], with C (damping) and M (mass, optional) diagonal,
 * by BiCGSTAB with ILU(0) (no dense fallback). H must be square with sorted
 * columns and a stored diagonal (any Hessian from core's linalg). A solve
 * that does not reach `tolerance` throws a NumericalError naming ω and the
 * residual reached.
 */
export function solvePhasor(
  H: CsrMatrix,
  capacitance: ArrayLike<number>,
  omega: number,
  rhs: readonly Float64Array[],
  tolerance = 1e-13,
  mass?: ArrayLike<number>,
): { real: Float64Array[]; imag: Float64Array[] } {
  const n = H.rows;
  if (H.cols !== n || capacitance.length !== n) {
    throw new MultimechError(`phasor solve: expected a square H and ${n} capacitances, got ${H.rows}x${H.cols} and ${capacitance.length}`);
  }
  if (mass !== undefined && mass.length !== n) throw new MultimechError(`phasor solve: expected ${n} masses, got ${mass.length}`);
  if (!Number.isFinite(omega) || omega < 0) throw new MultimechError(`phasor solve: ω must be finite and ≥ 0, got ${omega}`);
  const nnz = H.rowPtr[n];
  const rowPtr = new Int32Array(2 * n + 1);
  const colIdx = new Int32Array(2 * nnz + 2 * n);
  const values = new Float64Array(2 * nnz + 2 * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = p;
    for (let q = H.rowPtr[i]; q < H.rowPtr[i + 1]; q++, p++) {
      colIdx[p] = H.colIdx[q];
      values[p] = H.values[q] - (mass !== undefined && H.colIdx[q] === i ? omega * omega * mass[i] : 0);
    }
    colIdx[p] = n + i;
    values[p++] = -omega * capacitance[i];
  }
  for (let i = 0; i < n; i++) {
    rowPtr[n + i] = p;
    colIdx[p] = i;
    values[p++] = omega * capacitance[i];
    for (let q = H.rowPtr[i]; q < H.rowPtr[i + 1]; q++, p++) {
      colIdx[p] = n + H.colIdx[q];
      values[p] = H.values[q] - (mass !== undefined && H.colIdx[q] === i ? omega * omega * mass[i] : 0);
    }
  }
  rowPtr[2 * n] = p;
  const K = { rows: 2 * n, cols: 2 * n, rowPtr, colIdx, values };
  const where = `phasor solve at ω = ${omega} rad/s`;
  const solver = restatingSolverFailures(() => planSolver(K, { method: 'bicgstab', bicgstabTolerance: tolerance }).factor(K), where);
  const real: Float64Array[] = [];
  const imag: Float64Array[] = [];
  for (const b of rhs) {
    if (b.length !== n) throw new MultimechError(`phasor solve: expected a right-hand side of ${n} values, got ${b.length}`);
    const big = new Float64Array(2 * n);
    big.set(b);
    const x = b.some((v) => v !== 0) ? restatingSolverFailures(() => solver.solve(big), where) : big;
    real.push(x.slice(0, n));
    imag.push(x.slice(n));
  }
  return { real, imag };
}
