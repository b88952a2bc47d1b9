import { NumericalError } from '../support/errors';
import { significant as shown } from '../support/format';
import type { Graph } from '../graph/graph';
import type { FixedElement, TwoTerminalLaw } from './two-terminal-law';


/**
 * The nonlinear two-terminal elements of a scalar network, as a set: each
 * carries the current `w·i(Δs)` of its law i, with a prefactor w that is 1
 * for a fixed element (a diode) and the edge's weight for a trainable
 * nonlinear edge. The set gives what they add to the energy (w·F(Δs), F the
 * co-content), to ∂E/∂s (their currents) and to H at a state (their
 * conductances w·i'(Δs), in the value slots the network's pattern gave
 * them), the Newton step limit they allow, and the messages when a law
 * fails at a drop. Ends, laws and prefactors are arrays: no per-element
 * object in the loops.
 */
export class TwoTerminalElements {
  private constructor(
    private readonly names: readonly string[],
    private readonly from: ArrayLike<number>,
    private readonly to: ArrayLike<number>,
    private readonly laws: readonly TwoTerminalLaw[],
    /** Per element: slots of (a,a), (b,b), (a,b), (b,a) in H's values, -1 when absent. */
    private readonly slots: Int32Array,
    /** Per element: the prefactor w (live), or undefined for 1 everywhere. */
    private readonly scale: Float64Array | undefined,
    private readonly sources: readonly (string | undefined)[],
  ) {}

  /** Fixed elements (prefactor 1), with their slots. */
  static fixed(elements: readonly FixedElement[], slots: Int32Array): TwoTerminalElements {
    return new TwoTerminalElements(
      elements.map((e) => e.name),
      Int32Array.from(elements, (e) => e.from),
      Int32Array.from(elements, (e) => e.to),
      elements.map((e) => e.law),
      slots,
      undefined,
      elements.map((e) => e.source),
    );
  }

  /** Every edge of a graph with one law and the prefactors `weights` (read live, so a weight update needs nothing here). */
  static trainable(graph: Graph, law: TwoTerminalLaw, weights: Float64Array, slots: Int32Array): TwoTerminalElements {
    return new TwoTerminalElements(graph.edgeNames, graph.from, graph.to, graph.edgeNames.map(() => law), slots, weights, []);
  }

  get size(): number {
    return this.laws.length;
  }

  private drop(state: Float64Array, k: number): number {
    return state[this.from[k]] - state[this.to[k]];
  }

  /** `total` plus each element's w·F(Δs), added in turn. */
  addCoContent(state: Float64Array, total: number): number {
    let e = total;
    const w = this.scale;
    for (let k = 0; k < this.laws.length; k++) {
      const F = this.laws[k].coContent(this.drop(state, k));
      e += w ? w[k] * F : F;
    }
    return e;
  }

  /** `total` plus each element's w·i(Δs)·Δs, the power it takes from the network, added in turn. */
  addPower(state: Float64Array, total: number): number {
    let p = total;
    const w = this.scale;
    for (let k = 0; k < this.laws.length; k++) {
      const v = this.drop(state, k);
      const i = this.laws[k].current(v);
      p += (w ? w[k] * i : i) * v;
    }
    return p;
  }

  /** Adds each element's current w·i(Δs) to the net flow out of its first node, and takes it from its second. */
  addCurrents(state: Float64Array, r: Float64Array): void {
    const w = this.scale;
    for (let k = 0; k < this.laws.length; k++) {
      const i = this.laws[k].current(this.drop(state, k));
      const flow = w ? w[k] * i : i;
      r[this.from[k]] += flow;
      r[this.to[k]] -= flow;
    }
  }

  /** Adds each element's conductance w·i'(Δs) at the state to H's values; a NumericalError where i' is negative or not finite. */
  addConductances(state: Float64Array, v: Float64Array): void {
    const s = this.slots;
    const w = this.scale;
    for (let k = 0; k < this.laws.length; k++) {
      const drop = this.drop(state, k);
      const slope = this.laws[k].conductance(drop);
      if (!(slope >= 0 && slope < Infinity)) {
        const source = this.sources[k];
        throw new NumericalError(
          `${source ? `${source}: ` : ''}${w ? 'di/dv of the law of edge' : 'conductance of'} '${this.names[k]}' is ${slope} at a drop of ${shown(drop)} V: ` +
            (slope < 0 ? 'the law is not monotone there (a two-terminal law must be strictly increasing)' : 'the law is not finite there'),
        );
      }
      const x = w ? w[k] * slope : slope;
      if (s[4 * k] >= 0) v[s[4 * k]] += x;
      if (s[4 * k + 1] >= 0) v[s[4 * k + 1]] += x;
      if (s[4 * k + 2] >= 0) v[s[4 * k + 2]] -= x;
      if (s[4 * k + 3] >= 0) v[s[4 * k + 3]] -= x;
    }
  }

  /**
   * The largest factor (≤ 1) of `scale`·step that no element's `limit`
   * shortens: each element whose drop the step raises may cap it, and the
   * whole step is scaled to the tightest cap, keeping its direction. `step`
   * is on the free rows (`freeIndex[node]`, -1 for a held node).
   */
  limitFactor(state: Float64Array, step: Float64Array, scale: number, freeIndex: Int32Array): number {
    let t = 1;
    for (let k = 0; k < this.laws.length; k++) {
      const law = this.laws[k];
      if (!law.limit) continue;
      const ra = freeIndex[this.from[k]];
      const rb = freeIndex[this.to[k]];
      const vOld = this.drop(state, k);
      const vNew = vOld + scale * ((ra >= 0 ? step[ra] : 0) - (rb >= 0 ? step[rb] : 0));
      if (!(vNew > vOld)) continue;
      const limited = law.limit(vNew, vOld);
      if (limited < vNew && limited > vOld) t = Math.min(t, (limited - vOld) / (vNew - vOld));
    }
    return t;
  }

  /**
   * The largest current w·|i(v)| an element that joins a held node to the
   * rest could carry with the free end at 0: v the held value (`va` at the
   * first end, `vb` at the second, 0 where the end is free), kept inside the
   * law's range. A scale for Newton's tolerance, not a bound.
   */
  pull(k: number, va: number, vb: number): number {
    const law = this.laws[k];
    const inRange = (v: number) => (law.range ? Math.min(Math.max(v, law.range[0]), law.range[1]) : v);
    const size = Math.max(Math.abs(law.current(inRange(va))), Math.abs(law.current(inRange(-vb))));
    return this.scale ? this.scale[k] * size : size;
  }

  /**
   * The error for a Hessian that does not factor at a state: the elements
   * that conduct no small-signal current there (a law whose slope is 0 at
   * that drop, with no conductance in parallel) leave a node floating. When
   * no element is flat, the cause is returned as it is.
   */
  singularAt(state: Float64Array, cause: Error): Error {
    const flat: string[] = [];
    for (let k = 0; k < this.laws.length; k++) {
      const drop = this.drop(state, k);
      const source = this.sources[k];
      if (!(this.laws[k].conductance(drop) > 0)) flat.push(`'${this.names[k]}'${source ? ` (${source})` : ''} at a drop of ${shown(drop)} V`);
    }
    if (flat.length === 0) return cause;
    return new NumericalError(
      `the network's Hessian is singular (${cause.message.split('\n')[0]}): di/dv = 0 for ${flat.join(', ')}, so a node joined to the rest only through ` +
        'such elements has no small-signal path; a two-terminal law must be strictly increasing (put a conductance in parallel, as gmin, or give the law a slope there)',
    );
  }
}
