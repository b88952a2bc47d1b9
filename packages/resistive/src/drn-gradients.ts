import { NumericalError } from '@multimech/core';
import { DeepResistiveNetwork } from './deep-resistive-network';
import { shockleyLaw } from './drn-diode';
import { LayeredSolveOptions, LayeredState, nodeConductances, pinnedNodes, smallSignalLayered, solveLayered } from './layered-solver';

/** A minibatch: B examples' input potentials (B × inputs) and MSE targets (B × outputs), example-major. */
export interface DrnBatch {
  readonly size: number;
  readonly inputs: Float64Array;
  readonly targets: Float64Array;
}

/**
 * How the gradient of the MSE loss is obtained on a deep resistive network
 * (PHYSICS.md §2, §3.2, §5):
 *
 * - `adjoint`: exact, u = H⁻¹ e by block elimination of the layered Hessian
 *   (the digital reference);
 * - `ep`: equilibrium propagation with nudges ±β (`centred`, bias O(β²)) or
 *   0 and +β (`positive`, bias O(β)), each nudged state found by the layered
 *   solver from the free state;
 * - `cl`: coupled learning: the outputs clamped at v_o + η (y_o − v_o), the
 *   hidden layers re-equilibrated by the layered solver, and
 *   [∂E/∂θ(s^C) − ∂E/∂θ(s^F)] / η (PHYSICS.md §5);
 * - `frequency`: frequency propagation's small-signal reading: the error
 *   signal at ω₂ is the network's own linear response to the error current
 *   at the outputs, found by the network relaxing (the layered sweeps on the
 *   small-signal network), each edge multiplying it by its DC drop. With
 *   `readout: 'lock-in'`, the error current β e cos(ω₂t) drives the
 *   nonlinear network itself, which follows it quasi-statically (no
 *   capacitance: an equilibrium at each of `samples` instants over one
 *   period); each edge demodulates its drop: the DC part (→ Δv* + O(β²))
 *   times the first harmonic over β (→ Δu + O(β²)), PHYSICS.md §3.2.
 */
export type DrnMechanism =
  | { readonly kind: 'adjoint' }
  | { readonly kind: 'ep'; readonly beta: number; readonly variant?: 'centred' | 'positive' }
  | { readonly kind: 'cl'; readonly eta: number }
  | { readonly kind: 'frequency'; readonly readout?: 'small-signal' | 'lock-in'; readonly amplitude?: number; readonly samples?: number };

export interface DrnGradient {
  /** dC/dθ averaged over the batch, laid out as the network's parameters. */
  readonly gradient: Float64Array;
  /** The loss ½ Σ_o (v_o − y_o)² averaged over the batch, at the free state. */
  readonly loss: number;
  /** Examples whose largest output is that of their largest target. */
  readonly correct: number;
  readonly free: LayeredState;
  /** Sweeps of the layered solver: the free state's, and the error phase's (nudged states or small-signal response; 0 for the adjoint). */
  readonly sweeps: { readonly free: number; readonly error: number };
}

/** The batch mean of (∂²E/∂θ∂s)·u per parameter: Δv·Δu per conductance, −u per bias current (PHYSICS.md §2); a response u is zero at the inputs. */
export function productGradient(net: DeepResistiveNetwork, v: LayeredState, u: LayeredState): Float64Array {
  const { sizes } = net;
  const B = v.batch;
  const g = new Float64Array(net.parameterCount);
  let o = 0;
  for (let k = 0; k + 1 < sizes.length; k++) {
    const n = sizes[k];
    const m = sizes[k + 1];
    const vi = v.layers[k];
    const ui = u.layers[k];
    const vj = v.layers[k + 1];
    const uj = u.layers[k + 1];
    // mean (v_i − v_j)(u_i − u_j) = mean v_i u_i + mean v_j u_j − mean (v_i u_j + u_i v_j)
    const rowTerm = new Float64Array(n);
    const colTerm = new Float64Array(m);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) rowTerm[i] += (vi[b * n + i] * ui[b * n + i]) / B;
    for (let b = 0; b < B; b++) for (let j = 0; j < m; j++) colTerm[j] += (vj[b * m + j] * uj[b * m + j]) / B;
    for (let i = 0; i < n; i++) {
      const row = o + i * m;
      for (let j = 0; j < m; j++) g[row + j] = rowTerm[i] + colTerm[j];
    }
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) {
        const a = vi[b * n + i] / B;
        const c = ui[b * n + i] / B;
        const row = o + i * m;
        const bm = b * m;
        // inputs carry no response (c = 0) and many pixels are 0 (a = 0)
        if (c === 0) {
          if (a !== 0) for (let j = 0; j < m; j++) g[row + j] -= a * uj[bm + j];
        } else if (a === 0) for (let j = 0; j < m; j++) g[row + j] -= c * vj[bm + j];
        else for (let j = 0; j < m; j++) g[row + j] -= a * uj[bm + j] + c * vj[bm + j];
      }
    }
    o += n * m;
  }
  for (let k = 1; k < sizes.length; k++) {
    const n = sizes[k];
    for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) g[o + j] -= u.layers[k][b * n + j] / B;
    o += n;
  }
  return g;
}

/** The batch mean of ∂E/∂θ at a state: ½ (Δv)² per conductance, −v per bias current (what EP differences). */
export function parameterForce(net: DeepResistiveNetwork, v: LayeredState): Float64Array {
  const g = productGradient(net, v, v);
  for (let i = 0; i < net.conductanceCount; i++) g[i] *= 0.5;
  return g;
}

/** Cholesky factor of a dense symmetric positive definite n × n matrix (row-major), in place (lower triangle). */
function cholesky(a: Float64Array, n: number, what: string): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] ** 2;
    if (!(d > 0)) throw new NumericalError(`${what}: the layered Hessian is not positive definite (pivot ${j}: ${d})`);
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
}

function choleskySolve(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
}

/**
 * u = H⁻¹ f exactly, for each example of a state, f a current at the
 * outputs (B × outputs): block elimination of the block-tridiagonal layered
 * Hessian from the first hidden layer to the outputs (each Schur complement
 * S_k = D_k − W̃ᵀ S_{k−1}⁻¹ W̃ dense and Cholesky-factored; S_1 diagonal),
 * then back substitution. Nodes an ideal diode holds at 0 are removed (u = 0
 * there); a Shockley diode adds its small-signal conductance. It costs
 * Σ_k n_{k−1} n_k² per example: a few thousand operations for DRN-XS and
 * DRN-1H, whose only dense block is the outputs', n_k³ per hidden layer
 * after the first for deeper networks. `layerForces` (per layer k ≥ 1,
 * index k − 1, B × n_k; the outputs' added to `force`) applies forces at
 * hidden nodes too: their Schur-reduced right-hand sides are carried
 * forward, g_k = f_k + W̃ᵀ S_{k−1}⁻¹ g_{k−1}, and u_k = S_k⁻¹ g_k + S_k⁻¹ W̃_k u_{k+1}.
 */
export function exactResponse(net: DeepResistiveNetwork, state: LayeredState, force: Float64Array, layerForces?: readonly (Float64Array | undefined)[]): LayeredState {
  const { sizes } = net;
  const top = sizes.length - 1;
  const B = state.batch;
  const pinned = pinnedNodes(net, state);
  const diode = net.diode;
  const law = diode.kind === 'shockley' ? shockleyLaw(diode) : undefined;
  const layers = sizes.map((n) => new Float64Array(B * n));
  const sums = nodeConductances(net, state);
  for (let b = 0; b < B; b++) {
    // D_k and the masks
    const D: Float64Array[] = [new Float64Array(0)];
    const free: Uint8Array[] = [new Uint8Array(sizes[0])];
    for (let k = 1; k <= top; k++) {
      const n = sizes[k];
      const d = sums[k - 1].slice();
      const f = new Uint8Array(n);
      if (k < top && law) for (let j = 0; j < n; j++) d[j] += law.conductance(-net.orientation[k - 1][j] * state.layers[k][b * n + j]);
      for (let j = 0; j < n; j++) {
        f[j] = pinned(k, b, j) ? 0 : 1;
        if (!f[j]) d[j] = 1;
      }
      D.push(d);
      free.push(f);
    }
    // forward elimination: S[k] (k = 1 diagonal, dense after), SinvW[k] = S_k⁻¹ W̃_k (n_k × n_{k+1}), for back substitution
    const S: Float64Array[] = [new Float64Array(0), D[1]];
    const dense: boolean[] = [false, false];
    const SinvW: Float64Array[] = [new Float64Array(0)];
    const what = `the exact response of example ${b}`;
    for (let k = 2; k <= top; k++) {
      const n = sizes[k - 1];
      const m = sizes[k];
      const w = net.weights[k - 1];
      const wt = new Float64Array(n * m);
      for (let i = 0; i < n; i++) if (free[k - 1][i]) for (let j = 0; j < m; j++) if (free[k][j]) wt[i * m + j] = w[i * m + j];
      const x = new Float64Array(n * m); // S_{k−1}⁻¹ W̃
      if (!dense[k - 1]) {
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * m + j] = wt[i * m + j] / S[k - 1][i];
      } else {
        const col = new Float64Array(n);
        for (let j = 0; j < m; j++) {
          for (let i = 0; i < n; i++) col[i] = wt[i * m + j];
          choleskySolve(S[k - 1], n, col);
          for (let i = 0; i < n; i++) x[i * m + j] = col[i];
        }
      }
      SinvW.push(x);
      const s = new Float64Array(m * m);
      for (let j = 0; j < m; j++) s[j * m + j] = D[k][j];
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < m; p++) {
          const wp = wt[i * m + p];
          if (wp === 0) continue;
          for (let q = 0; q < m; q++) s[p * m + q] -= wp * x[i * m + q];
        }
      }
      cholesky(s, m, what);
      S.push(s);
      dense.push(true);
    }
    if (layerForces) {
      // forces at hidden nodes: g_k = f_k + W̃ᵀ S_{k−1}⁻¹ g_{k−1} (= SinvW[k−1]ᵀ g_{k−1}), h_k = S_k⁻¹ g_k, then u_k = h_k + SinvW[k] u_{k+1}
      const g: Float64Array[] = [new Float64Array(0)];
      const h: Float64Array[] = [new Float64Array(0)];
      for (let k = 1; k <= top; k++) {
        const m = sizes[k];
        const gk = new Float64Array(m);
        const fk = layerForces[k - 1];
        for (let j = 0; j < m; j++) if (free[k][j]) gk[j] = (fk ? fk[b * m + j] : 0) + (k === top ? force[b * m + j] : 0);
        if (k > 1) {
          const n = sizes[k - 1];
          const x = SinvW[k - 1];
          const gp = g[k - 1];
          for (let i = 0; i < n; i++) {
            const gi = gp[i];
            if (gi === 0) continue;
            for (let j = 0; j < m; j++) gk[j] += x[i * m + j] * gi;
          }
        }
        const hk = gk.slice();
        if (dense[k]) choleskySolve(S[k], m, hk);
        else for (let j = 0; j < m; j++) hk[j] /= S[k][j];
        g.push(gk);
        h.push(hk);
      }
      layers[top].set(h[top], b * sizes[top]);
      for (let k = top - 1; k >= 1; k--) {
        const n = sizes[k];
        const m = sizes[k + 1];
        const x = SinvW[k];
        const up = layers[k + 1];
        for (let i = 0; i < n; i++) {
          let s = h[k][i];
          for (let j = 0; j < m; j++) s += x[i * m + j] * up[b * m + j];
          layers[k][b * n + i] = s;
        }
      }
      continue;
    }
    // back substitution: u_M = S_M⁻¹ f, u_k = S_k⁻¹ W̃_k u_{k+1} = SinvW[k] u_{k+1}
    const nOut = sizes[top];
    const uTop = layers[top].subarray(b * nOut, (b + 1) * nOut);
    for (let j = 0; j < nOut; j++) uTop[j] = free[top][j] ? force[b * nOut + j] : 0;
    if (dense[top]) choleskySolve(S[top], nOut, uTop);
    else for (let j = 0; j < nOut; j++) uTop[j] /= S[top][j];
    for (let k = top - 1; k >= 1; k--) {
      const n = sizes[k];
      const m = sizes[k + 1];
      const x = SinvW[k];
      const up = layers[k + 1];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += x[i * m + j] * up[b * m + j];
        layers[k][b * n + i] = s;
      }
    }
  }
  return { batch: B, layers, sweeps: 0, change: 0 };
}

/** The MSE loss, its error force e = y − v_o at the outputs, and the examples classified right, at a state. */
export function outputError(net: DeepResistiveNetwork, state: LayeredState, targets: Float64Array): { loss: number; force: Float64Array; correct: number } {
  const top = net.sizes.length - 1;
  const n = net.sizes[top];
  const out = state.layers[top];
  const force = new Float64Array(state.batch * n);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < state.batch; b++) {
    let best = 0;
    let label = 0;
    for (let j = 0; j < n; j++) {
      const i = b * n + j;
      force[i] = targets[i] - out[i];
      loss += (0.5 * force[i] ** 2) / state.batch;
      if (out[i] > out[b * n + best]) best = j;
      if (targets[i] > targets[b * n + label]) label = j;
    }
    if (best === label) correct++;
  }
  return { loss, force, correct };
}

/** The gradient of the batch's MSE loss by one mechanism; the free state by the layered solver. */
export function drnGradient(net: DeepResistiveNetwork, batch: DrnBatch, mechanism: DrnMechanism, options: LayeredSolveOptions & { readonly errorOptions?: LayeredSolveOptions } = {}): DrnGradient {
  const free = solveLayered(net, batch.inputs, batch.size, options);
  const { loss, force, correct } = outputError(net, free, batch.targets);
  const errorOptions = options.errorOptions ?? options;
  if (mechanism.kind === 'adjoint') {
    const u = exactResponse(net, free, force);
    return { gradient: productGradient(net, free, u), loss, correct, free, sweeps: { free: free.sweeps, error: 0 } };
  }
  if (mechanism.kind === 'frequency' && mechanism.readout === 'lock-in') {
    const beta = mechanism.amplitude ?? 1e-3;
    const samples = mechanism.samples ?? 8;
    if (!(beta > 0 && Number.isFinite(beta))) throw new NumericalError(`frequency propagation's lock-in needs a positive finite amplitude β, got ${beta}`);
    if (!(Number.isInteger(samples) && samples >= 3)) throw new NumericalError(`frequency propagation's lock-in needs at least 3 samples per period, got ${samples}`);
    const dc: Float64Array[] = free.layers.map((l) => new Float64Array(l.length));
    const first = free.layers.map((l) => new Float64Array(l.length));
    const current = new Float64Array(force.length);
    let state = free;
    let sweeps = 0;
    for (let q = 0; q < samples; q++) {
      const c = Math.cos((2 * Math.PI * q) / samples);
      for (let i = 0; i < force.length; i++) current[i] = beta * c * force[i];
      state = solveLayered(net, batch.inputs, batch.size, { ...errorOptions, outputCurrent: current, start: state });
      sweeps += state.sweeps;
      for (let k = 1; k < dc.length; k++) {
        const l = state.layers[k];
        for (let i = 0; i < l.length; i++) ((dc[k][i] += l[i] / samples), (first[k][i] += (2 * c * l[i]) / (samples * beta)));
      }
    }
    dc[0] = batch.inputs;
    const gradient = productGradient(net, { ...free, layers: dc }, { ...free, layers: first });
    return { gradient, loss, correct, free, sweeps: { free: free.sweeps, error: sweeps } };
  }
  if (mechanism.kind === 'frequency') {
    const u = smallSignalLayered(net, free, force, errorOptions);
    return { gradient: productGradient(net, free, u), loss, correct, free, sweeps: { free: free.sweeps, error: u.sweeps } };
  }
  if (mechanism.kind === 'cl') {
    const eta = mechanism.eta;
    if (!(eta > 0 && Number.isFinite(eta))) throw new NumericalError(`coupled learning needs a positive finite η, got ${eta}`);
    const top = net.sizes.length - 1;
    const clamp = free.layers[top].map((v, i) => v + eta * force[i]);
    const clamped = solveLayered(net, batch.inputs, batch.size, { ...errorOptions, clampOutputs: clamp, start: free });
    return { gradient: contrast(net, clamped, free, 1 / eta), loss, correct, free, sweeps: { free: free.sweeps, error: clamped.sweeps } };
  }
  const beta = mechanism.beta;
  if (!(beta > 0 && Number.isFinite(beta))) throw new NumericalError(`equilibrium propagation needs a positive finite β, got ${beta}`);
  const plus = solveLayered(net, batch.inputs, batch.size, { ...errorOptions, nudge: { beta, targets: batch.targets }, start: free });
  const centred = (mechanism.variant ?? 'centred') === 'centred';
  const minus = centred ? solveLayered(net, batch.inputs, batch.size, { ...errorOptions, nudge: { beta: -beta, targets: batch.targets }, start: free }) : free;
  const gradient = contrast(net, plus, minus, 1 / (centred ? 2 * beta : beta));
  return { gradient, loss, correct, free, sweeps: { free: free.sweeps, error: plus.sweeps + (centred ? minus.sweeps : 0) } };
}

/** scale × [∂E/∂θ(a) − ∂E/∂θ(b)] for two states under the same inputs: what EP and CL estimate the gradient by. */
export function contrast(net: DeepResistiveNetwork, plus: LayeredState, minus: LayeredState, scale: number): Float64Array {
  // ½(Δa)² − ½(Δb)² = Δ((a + b)/2) · Δ(a − b): one pass over the conductances gives the difference of ∂E/∂θ
  const mid: LayeredState = { ...plus, layers: plus.layers.map((l, k) => l.map((x, i) => 0.5 * (x + minus.layers[k][i]))) };
  const diff: LayeredState = { ...plus, layers: plus.layers.map((l, k) => (k === 0 ? new Float64Array(l.length) : l.map((x, i) => x - minus.layers[k][i]))) };
  const gradient = productGradient(net, mid, diff);
  for (let i = 0; i < gradient.length; i++) gradient[i] *= scale;
  return gradient;
}
