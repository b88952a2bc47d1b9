/**
 * A small seeded random number generator (mulberry32 for uniforms, Box-Muller
 * for normals). Every random choice in multimech draws from one of these, so
 * the same seed gives the same numbers on every machine.
 */
/** Everything an Rng holds: its 32-bit state and the spare normal deviate of the last Box-Muller pair, if any. */
export interface RngState {
  readonly state: number;
  readonly spare?: number;
}

export class Rng {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal deviate. */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** The generator's whole state, as plain JSON (for a checkpoint). */
  snapshot(): RngState {
    return this.spare === undefined ? { state: this.state } : { state: this.state, spare: this.spare };
  }

  /** Continues from a state taken by `snapshot`; the numbers that follow are the ones that followed the snapshot. */
  restore(snapshot: RngState): void {
    const { state, spare } = snapshot;
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new RangeError(`random generator state must be an unsigned 32-bit integer, got ${state}`);
    if (spare !== undefined && !Number.isFinite(spare)) throw new RangeError(`random generator spare normal must be finite, got ${spare}`);
    this.state = state;
    this.spare = spare;
  }

  /** An independent generator derived from this one (for a sub-task that must not shift this stream). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}
