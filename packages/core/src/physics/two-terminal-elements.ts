import { NumericalError } from '../support/errors';
import type { FixedElement } from './two-terminal-law';

/** A number for a message: six significant digits. */
function shown(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/**
 * The nonlinear two-terminal elements of a scalar network, as a set: what
 * they add to the energy (their co-contents F(Δs)), to ∂E/∂s (their currents
 * i(Δs)) and to H at a state (their conductances i'(Δs), in the value slots
 * the network's pattern gave them), the Newton step limit they allow, and
 * the messages when a law fails at a drop.
 */
export class TwoTerminalElements {
  constructor(
    readonly elements: readonly FixedElement[],
    /** Per element: slots of (a,a), (b,b), (a,b), (b,a) in H's values, -1 when absent. */
    private readonly slots: Int32Array,
  ) {}

  get size(): number {
    return this.elements.length;
  }

  /** `total` plus each element's co-content F(Δs), added in turn. */
  addCoContent(state: Float64Array, total: number): number {
    let e = total;
    for (const el of this.elements) e += el.law.coContent(state[el.from] - state[el.to]);
    return e;
  }

  /** Adds each element's current i(Δs) to the net flow out of its first node, and takes it from its second. */
  addCurrents(state: Float64Array, r: Float64Array): void {
    for (const el of this.elements) {
      const flow = el.law.current(state[el.from] - state[el.to]);
      r[el.from] += flow;
      r[el.to] -= flow;
    }
  }

  /** Adds each element's conductance i'(Δs) at the state to H's values; a NumericalError where it is negative or not finite. */
  addConductances(state: Float64Array, v: Float64Array): void {
    const s = this.slots;
    this.elements.forEach((e, k) => {
      const drop = state[e.from] - state[e.to];
      const x = e.law.conductance(drop);
      if (!(x >= 0 && x < Infinity)) {
        throw new NumericalError(
          `${e.source ? `${e.source}: ` : ''}conductance of '${e.name}' is ${x} at a drop of ${shown(drop)} V: ` +
            (x < 0 ? 'the law is not monotone there (a two-terminal law must be strictly increasing)' : 'the law is not finite there'),
        );
      }
      if (s[4 * k] >= 0) v[s[4 * k]] += x;
      if (s[4 * k + 1] >= 0) v[s[4 * k + 1]] += x;
      if (s[4 * k + 2] >= 0) v[s[4 * k + 2]] -= x;
      if (s[4 * k + 3] >= 0) v[s[4 * k + 3]] -= x;
    });
  }

  /**
   * The largest factor (≤ 1) of `scale`·step that no element's `limit`
   * shortens: each element whose drop the step raises may cap it, and the
   * whole step is scaled to the tightest cap, keeping its direction. `step`
   * is on the free rows (`freeIndex[node]`, -1 for a held node).
   */
  limitFactor(state: Float64Array, step: Float64Array, scale: number, freeIndex: Int32Array): number {
    let t = 1;
    for (const e of this.elements) {
      if (!e.law.limit) continue;
      const ra = freeIndex[e.from];
      const rb = freeIndex[e.to];
      const vOld = state[e.from] - state[e.to];
      const vNew = vOld + scale * ((ra >= 0 ? step[ra] : 0) - (rb >= 0 ? step[rb] : 0));
      if (!(vNew > vOld)) continue;
      const limited = e.law.limit(vNew, vOld);
      if (limited < vNew && limited > vOld) t = Math.min(t, (limited - vOld) / (vNew - vOld));
    }
    return t;
  }

  /**
   * The error for a Hessian that does not factor at a state: the elements
   * that conduct no small-signal current there (a law whose slope is 0 at
   * that drop, with no conductance in parallel) leave a node floating. When
   * no element is flat, the cause is returned as it is.
   */
  singularAt(state: Float64Array, cause: Error): Error {
    const flat = this.elements.flatMap((e) => {
      const drop = state[e.from] - state[e.to];
      return e.law.conductance(drop) > 0 ? [] : [`'${e.name}'${e.source ? ` (${e.source})` : ''} at a drop of ${shown(drop)} V`];
    });
    if (flat.length === 0) return cause;
    return new NumericalError(
      `the network's Hessian is singular (${cause.message.split('\n')[0]}): di/dv = 0 for ${flat.join(', ')}, so a node joined to the rest only through ` +
        'such elements has no small-signal path; a two-terminal law must be strictly increasing (put a conductance in parallel, as gmin, or give the law a slope there)',
    );
  }
}
