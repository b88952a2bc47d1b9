import { Drive, Graph, NumericalError } from '@multimech/core';
import type { SpringParameters } from './spring-parameters';

/** Length of every spring in a state (dof = node·dim + axis). */
export function springLengths(graph: Graph, dim: number, state: Float64Array): Float64Array {
  const { from, to } = graph;
  const d = dim;
  const r = new Float64Array(from.length);
  for (let k = 0; k < from.length; k++) {
    let s = 0;
    for (let a = 0; a < d; a++) s += (state[from[k] * d + a] - state[to[k] * d + a]) ** 2;
    r[k] = Math.sqrt(s);
  }
  return r;
}

/**
 * The energy of central-force springs and its derivatives (PHYSICS.md §1-2,
 * elastic column): `E = Σ ½ k (r − ℓ)² − f·(x − X)` over the free dofs (X
 * the reference positions), `r = |x_a − x_b|`, `ê = (x_a − x_b)/r`; its
 * gradient in the positions; and per parameter the two local readings
 * (r − ℓ, ê·Δu), the local gradient (dC/dk = (r − ℓ) ê·Δu, dC/dℓ = −k ê·Δu)
 * and ∂E/∂θ.
 */
export class SpringEnergy {
  constructor(
    private readonly graph: Graph,
    private readonly dim: number,
    private readonly springs: SpringParameters,
    private readonly freeDofs: Int32Array,
    private readonly reference: Float64Array,
  ) {}

  /** Length of every spring in a state. */
  lengths(state: Float64Array): Float64Array {
    return springLengths(this.graph, this.dim, state);
  }

  /** Σ ½ k (r − ℓ)² over the springs. */
  private springEnergy(state: Float64Array): number {
    const r = this.lengths(state);
    const { stiffness, restLength } = this.springs;
    let e = 0;
    for (let k = 0; k < r.length; k++) e += 0.5 * stiffness[k] * (r[k] - restLength[k]) ** 2;
    return e;
  }

  energy(state: Float64Array, drive: Drive): number {
    let e = this.springEnergy(state);
    // the work of the forces is counted from the reference positions (a constant shift of E that keeps its rounding small)
    for (const dof of this.freeDofs) e -= drive.injection[dof] * (state[dof] - this.reference[dof]);
    return e;
  }

  residual(state: Float64Array, drive: Drive): Float64Array {
    const g = this.springForces(state);
    for (let i = 0; i < g.length; i++) g[i] -= drive.injection[i];
    return g;
  }

  /** ∂(Σ springs)/∂x at every dof: k (r − ℓ) ê at a, the opposite at b. */
  private springForces(state: Float64Array): Float64Array {
    const { from, to, edgeNames, nodeNames } = this.graph;
    const { stiffness, restLength } = this.springs;
    const d = this.dim;
    const g = new Float64Array(state.length);
    for (let k = 0; k < from.length; k++) {
      let r2 = 0;
      for (let a = 0; a < d; a++) r2 += (state[from[k] * d + a] - state[to[k] * d + a]) ** 2;
      const r = Math.sqrt(r2);
      if (!(r > 0)) {
        throw new NumericalError(`spring '${edgeNames[k]}' has zero length: nodes '${nodeNames[from[k]]}' and '${nodeNames[to[k]]}' coincide, so its force has no direction`);
      }
      const t = (stiffness[k] * (r - restLength[k])) / r;
      for (let a = 0; a < d; a++) {
        const f = t * (state[from[k] * d + a] - state[to[k] * d + a]);
        g[from[k] * d + a] += f;
        g[to[k] * d + a] -= f;
      }
    }
    return g;
  }

  /** r − ℓ per spring, once per parameter (θ = [k…, ℓ…] reads it twice). */
  activationReadings(state: Float64Array): Float64Array {
    const r = this.lengths(state);
    const m = r.length;
    const { restLength, theta } = this.springs;
    const out = new Float64Array(theta.length);
    for (let j = 0; j < out.length; j++) out[j] = r[j % m] - restLength[j % m];
    return out;
  }

  /** ê·Δu per spring (ê at the state), once per parameter. */
  errorReadings(state: Float64Array, response: Float64Array): Float64Array {
    const { from, to } = this.graph;
    const d = this.dim;
    const r = this.lengths(state);
    const m = from.length;
    const out = new Float64Array(this.springs.theta.length);
    for (let k = 0; k < m; k++) {
      if (!(r[k] > 0)) throw new NumericalError(`spring '${this.graph.edgeNames[k]}' has zero length: its direction is undefined`);
      let s = 0;
      for (let a = 0; a < d; a++) s += (state[from[k] * d + a] - state[to[k] * d + a]) * (response[from[k] * d + a] - response[to[k] * d + a]);
      out[k] = s / r[k];
      if (out.length > m) out[m + k] = out[k];
    }
    return out;
  }

  /** dC/dk = (r − ℓ)·ê·Δu; dC/dℓ = −k·ê·Δu (PHYSICS.md §2). */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    const { stiffness } = this.springs;
    const m = stiffness.length;
    return Float64Array.from(error, (e, j) => (this.springs.isRestLength(j) ? -stiffness[j % m] * e : activation[j] * e));
  }

  /** ∂E/∂k = ½ (r − ℓ)²; ∂E/∂ℓ = −k (r − ℓ). */
  parameterForce(state: Float64Array): Float64Array {
    const r = this.lengths(state);
    const m = r.length;
    const { stiffness, restLength, theta } = this.springs;
    return Float64Array.from(theta, (_, j) => {
      const k = j % m;
      const stretch = r[k] - restLength[k];
      return this.springs.isRestLength(j) ? -stiffness[k] * stretch : 0.5 * stretch * stretch;
    });
  }
}
