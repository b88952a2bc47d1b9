import { MultimechError, Rng } from '@multimech/core';
import { DrnDiode } from './drn-diode';

/** The layers of a deep resistive network: input sources, hidden layers, outputs. */
export interface DrnShape {
  /** Input voltage sources (with the `images` task's pairs, twice the pixels: +gain·x then −gain·x). */
  readonly inputs: number;
  /** Units of each hidden layer, in order; any number of layers, none included. */
  readonly hidden: readonly number[];
  readonly outputs: number;
}

/** How the parameters start (the reference code's: weight gain 1 per layer, biases 0). */
export interface DrnInit {
  /** Per layer of weights: conductances uniform in [−gain/√n_pre, +gain/√n_pre], then clipped at 0 (about half start at 0). */
  readonly weightGains?: readonly number[];
  /** Bias currents uniform in [−gain, +gain] (0: all zero). */
  readonly biasGain?: number;
}

/** The largest number of conductances this network holds: 2^27 (1 GiB of doubles), more than DRN-XL's 51 million. */
export const MAX_DRN_CONDUCTANCES = 1 << 27;

/**
 * A deep resistive network (Scellier 2024; Scellier & Mishra 2025): layers
 * of nodes, each node of a layer tied by a trainable conductance to every
 * node of the next layer (none within a layer). Layer 0 is the input
 * voltage sources; each hidden node is tied to ground by a diode, the first
 * half of each hidden layer excitatory (the node cannot fall below 0 V with
 * an ideal diode) and the second half inhibitory (it cannot rise above 0 V);
 * the output layer is linear (no diode). Every hidden and output node
 * receives a trainable bias current. The energy (co-content) under input
 * potentials x:
 *
 *     E = Σ_k Σ_ij ½ W_k[i,j] (v_i − v_j)² − Σ_j b_j v_j + Σ_hidden F(−σ_j v_j)
 *
 * Parameters, flat: the conductances of every layer of weights (row-major,
 * W_k[i, j] at i·n_{k+1} + j, pre-synaptic row), then the bias currents of
 * layers 1 to the outputs. Conductances are bounded below by 0; biases are
 * free.
 */
export class DeepResistiveNetwork {
  /** Node count of every layer, inputs first, outputs last. */
  readonly sizes: readonly number[];
  readonly weights: Float64Array[];
  /** biases[k − 1] for layer k (1 … outputs). */
  readonly biases: Float64Array[];
  /** σ per node of each hidden layer: +1 excitatory, −1 inhibitory (orientation[k − 1] for layer k). */
  readonly orientation: Int8Array[];
  readonly parameterCount: number;
  readonly conductanceCount: number;
  /** Counts the changes of the parameters made through `initialize`, `setParameters` and `step` (what a solver may reuse is tied to it). */
  version = 0;

  constructor(
    readonly shape: DrnShape,
    readonly diode: DrnDiode,
  ) {
    const sizes = [shape.inputs, ...shape.hidden, shape.outputs];
    for (const [k, n] of sizes.entries()) {
      if (!Number.isInteger(n) || n < 1) throw new MultimechError(`layer ${k} of a deep resistive network needs a positive whole number of nodes, got ${n}`);
    }
    this.sizes = sizes;
    let conductances = 0;
    for (let k = 0; k + 1 < sizes.length; k++) conductances += sizes[k] * sizes[k + 1];
    if (conductances > MAX_DRN_CONDUCTANCES) throw new MultimechError(`a deep resistive network of layers ${sizes.join(', ')} has ${conductances} conductances, more than the limit ${MAX_DRN_CONDUCTANCES}`);
    this.weights = sizes.slice(0, -1).map((n, k) => new Float64Array(n * sizes[k + 1]));
    this.biases = sizes.slice(1).map((n) => new Float64Array(n));
    this.orientation = shape.hidden.map((n) => Int8Array.from({ length: n }, (_, j) => (j < Math.floor(n / 2) ? 1 : -1)));
    this.conductanceCount = conductances;
    this.parameterCount = conductances + sizes.slice(1).reduce((a, b) => a + b, 0);
  }

  /** The number of layers after the inputs (hidden layers and the outputs). */
  get freeLayers(): number {
    return this.sizes.length - 1;
  }

  /** The reference code's start: each layer of conductances uniform in ±gain/√n_pre and clipped at 0; biases uniform in ±biasGain (0). */
  initialize(rng: Rng, init: DrnInit = {}): this {
    this.weights.forEach((w, k) => {
      const gain = init.weightGains?.[k] ?? 1;
      const scale = gain / Math.sqrt(this.sizes[k]);
      for (let i = 0; i < w.length; i++) w[i] = Math.max(0, rng.uniform(-scale, scale));
    });
    const bg = init.biasGain ?? 0;
    for (const b of this.biases) for (let i = 0; i < b.length; i++) b[i] = bg > 0 ? rng.uniform(-bg, bg) : 0;
    this.version++;
    return this;
  }

  /** The parameters as one vector (conductances, then bias currents). */
  get parameters(): Float64Array {
    const out = new Float64Array(this.parameterCount);
    let o = 0;
    for (const w of this.weights) (out.set(w, o), (o += w.length));
    for (const b of this.biases) (out.set(b, o), (o += b.length));
    return out;
  }

  setParameters(theta: ArrayLike<number>): void {
    if (theta.length !== this.parameterCount) throw new MultimechError(`a deep resistive network of layers ${this.sizes.join(', ')} has ${this.parameterCount} parameters, got ${theta.length}`);
    let o = 0;
    for (const w of this.weights) for (let i = 0; i < w.length; i++) w[i] = theta[o++];
    for (const b of this.biases) for (let i = 0; i < b.length; i++) b[i] = theta[o++];
    this.version++;
  }

  /** The parameters' names: `W1[i,j]` (layer 0 → 1), …, `b1[j]`, …, as a netlist or a table would show them. */
  parameterName(p: number): string {
    let o = 0;
    for (const [k, w] of this.weights.entries()) {
      if (p < o + w.length) {
        const r = p - o;
        return `W${k + 1}[${Math.floor(r / this.sizes[k + 1])},${r % this.sizes[k + 1]}]`;
      }
      o += w.length;
    }
    for (const [k, b] of this.biases.entries()) {
      if (p < o + b.length) return `b${k + 1}[${p - o}]`;
      o += b.length;
    }
    throw new MultimechError(`no parameter ${p}`);
  }

  /**
   * One gradient step projected onto the bounds: conductances stay ≥ 0
   * (PHYSICS.md §5: projected gradient descent). Rates per layer of weights
   * and per layer of biases (layer 1 first), as the reference code sets them;
   * a single number serves every layer.
   */
  step(gradient: Float64Array, rates: { readonly weights: number | readonly number[]; readonly biases: number | readonly number[] }): number {
    const rate = (r: number | readonly number[], k: number) => (typeof r === 'number' ? r : r[k]);
    let o = 0;
    let clamped = 0;
    this.weights.forEach((w, k) => {
      const lr = rate(rates.weights, k);
      for (let i = 0; i < w.length; i++) {
        const next = w[i] - lr * gradient[o++];
        if (next < 0) ((w[i] = 0), clamped++);
        else w[i] = next;
      }
    });
    this.biases.forEach((b, k) => {
      const lr = rate(rates.biases, k);
      for (let i = 0; i < b.length; i++) b[i] -= lr * gradient[o++];
    });
    this.version++;
    return clamped;
  }
}
