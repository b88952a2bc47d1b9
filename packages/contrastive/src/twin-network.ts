import { Rng, type Substrate } from '@multimech/core';
import type { TwinSettings } from './coupled-learning-config';

/**
 * The two physical copies of a twin network (Dillavou et al. 2022, 2024:
 * the free and the clamped network are separate circuits whose edges share
 * one control value θ_k, a gate voltage, but whose devices differ). Copy c
 * realises edge k as θ_k·(1 + spread·ξ_ck), ξ_ck uniform in [−1, 1] drawn
 * once from the twin's seed (the free copy's edges first, then the clamped
 * copy's) and fixed for the run; with spread < 1 every component stays
 * positive. The factors do not depend on θ, so training moves both copies
 * together and their mismatch stays.
 */
export class TwinNetwork {
  private factors: { free: Float64Array; clamped: Float64Array } | undefined;

  constructor(readonly settings: TwinSettings) {}

  /** The per-edge factors 1 + spread·ξ of each copy, drawn at the first call for `edges` edges. */
  copyFactors(edges: number): { readonly free: Float64Array; readonly clamped: Float64Array } {
    if (!this.factors || this.factors.free.length !== edges) {
      const rng = new Rng(this.settings.seed);
      const draw = () => Float64Array.from({ length: edges }, () => 1 + this.settings.spread * rng.uniform(-1, 1));
      const free = draw();
      this.factors = { free, clamped: draw() };
    }
    return this.factors;
  }

  /** The parameters of each copy at the shared control values θ. */
  copies(theta: ArrayLike<number>): { readonly free: Float64Array; readonly clamped: Float64Array } {
    const { free, clamped } = this.copyFactors(theta.length);
    return {
      free: Float64Array.from(theta, (x, k) => x * free[k]),
      clamped: Float64Array.from(theta, (x, k) => x * clamped[k]),
    };
  }

  /**
   * Runs `f` with the substrate set to each copy in turn (`use('free')`,
   * `use('clamped')`), and leaves it at its own parameters θ afterwards,
   * whatever `f` does.
   */
  withCopies<T>(substrate: Substrate, f: (use: (copy: 'free' | 'clamped') => void) => T): T {
    const theta = Float64Array.from(substrate.parameters);
    const copies = this.copies(theta);
    try {
      return f((copy) => substrate.setParameters(copies[copy]));
    } finally {
      substrate.setParameters(theta);
    }
  }
}
