import { NumericalError, OutputPort } from '@multimech/core';
import type { ElasticOutput } from './elastic-boundary';

/**
 * What a spring network's outputs read of a state, and the error force
 * their loss puts on it: a displacement from the reference position, or a
 * pair's change of distance (nonlinear: its Jacobian is the pair's unit
 * vector at the state).
 */
export class ElasticReadout {
  constructor(
    private readonly outputs: readonly ElasticOutput[],
    /** The output ports, for their names in messages. */
    private readonly ports: readonly OutputPort[],
    private readonly dim: number,
    private readonly reference: Float64Array,
  ) {}

  readout(state: Float64Array): Float64Array {
    const d = this.dim;
    return Float64Array.from(this.outputs, (o, i) => {
      if (o.type === 'displacement') return state[o.node * d + o.axis] - this.reference[o.node * d + o.axis];
      let s = 0;
      for (let a = 0; a < d; a++) s += (state[o.a * d + a] - state[o.b * d + a]) ** 2;
      return Math.sqrt(s) - this.pairReference(i);
    });
  }

  private pairReference(i: number): number {
    const o = this.outputs[i] as { a: number; b: number };
    const d = this.dim;
    let s = 0;
    for (let a = 0; a < d; a++) s += (this.reference[o.a * d + a] - this.reference[o.b * d + a]) ** 2;
    return Math.sqrt(s);
  }

  /** e = −Jᵀ ∂C/∂y, J the readout's Jacobian at the state (ê_ab rows for distances). */
  outputForce(state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    const d = this.dim;
    const e = new Float64Array(state.length);
    this.outputs.forEach((o, i) => {
      if (o.type === 'displacement') {
        e[o.node * d + o.axis] -= dCdy[i];
        return;
      }
      let r2 = 0;
      for (let a = 0; a < d; a++) r2 += (state[o.a * d + a] - state[o.b * d + a]) ** 2;
      const r = Math.sqrt(r2);
      if (!(r > 0)) throw new NumericalError(`output '${this.ports[i].name}': the pair's nodes coincide, so its distance has no gradient`);
      for (let a = 0; a < d; a++) {
        const u = (state[o.a * d + a] - state[o.b * d + a]) / r;
        e[o.a * d + a] -= dCdy[i] * u;
        e[o.b * d + a] += dCdy[i] * u;
      }
    });
    return e;
  }
}
