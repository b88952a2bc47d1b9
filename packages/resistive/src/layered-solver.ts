import { NumericalError } from '@multimech/core';
import { DeepResistiveNetwork } from './deep-resistive-network';
import { nodeMinimum, shockleyLaw } from './drn-diode';

/** How far the layered solver goes. */
export interface LayeredSolveOptions {
  /**
   * Converged when no node moves by more than `tolerance` × max(1, largest
   * |v|) in a sweep (default 1e-13). 0: exactly `maxSweeps` sweeps, as the
   * reference code's fixed iteration count (4 for DRN-XS), converged or not.
   */
  readonly tolerance?: number;
  /** At most this many sweeps (default 100,000); past it, without convergence, a NumericalError naming the largest change. */
  readonly maxSweeps?: number;
}

/** The states of a minibatch: layers[k] holds B × sizes[k] values, example-major; layers[0] the inputs. */
export interface LayeredState {
  readonly batch: number;
  readonly layers: Float64Array[];
  /** Sweeps made, and the largest change of a node in the last one. */
  readonly sweeps: number;
  readonly change: number;
  /** What a solve from this state under the same inputs reuses: the current the inputs drive into layer 1 (B × n_1), and each node's total conductance. */
  readonly reuse?: { readonly version: number; readonly inputs: Float64Array; readonly inputCurrent: Float64Array; readonly sums: Float64Array[] };
}

/** The MSE nudge β·C = β·½ Σ_o (v_o − y_o)² added to the energy (EP's nudged states), y per example. */
export interface LayeredNudge {
  readonly beta: number;
  readonly targets: Float64Array;
}

/**
 * What one layer's closed form needs besides the neighbours: the current
 * the input sources drive into layer 1 (computed once per minibatch), and
 * for the small-signal network the linearisation.
 */
interface SweepProblem {
  /** Per layer k ≥ 1: current into each node from fixed sources (inputs into layer 1, biases, nudge, force), B × n_k. */
  readonly drive: Float64Array[];
  /** Per layer k ≥ 1: the node's total conductance to its neighbours (+ the nudge's β at the outputs; + a diode's small-signal conductance), B × n_k or n_k. */
  readonly diagonal: Float64Array[];
  readonly diagonalPerExample: boolean;
  /** Per hidden node: what to do with it. 'diode' minimises with the diode, 'linear' takes c/a, 'pinned' holds 0. */
  readonly node: (k: number, b: number, j: number, a: number, c: number, old: number) => number;
}

/** Per layer k ≥ 1 (index k − 1): each node's total conductance to the layers before and after it. */
export function columnAndRowSums(net: DeepResistiveNetwork): Float64Array[] {
  const { sizes, weights } = net;
  return sizes.slice(1).map((n, km1) => {
    const k = km1 + 1;
    const a = new Float64Array(n);
    const wIn = weights[k - 1];
    const nPrev = sizes[k - 1];
    for (let i = 0; i < nPrev; i++) for (let j = 0; j < n; j++) a[j] += wIn[i * n + j];
    if (k < sizes.length - 1) {
      const wOut = weights[k];
      const nNext = sizes[k + 1];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let m = 0; m < nNext; m++) s += wOut[j * nNext + m];
        a[j] += s;
      }
    }
    return a;
  });
}

/** out (B × n_{k+1}) += V (B × n_k) W_k: the current layer k drives into layer k + 1 through its conductances (zero potentials skipped). */
export function forwardCurrent(net: DeepResistiveNetwork, k: number, v: Float64Array, batch: number, out: Float64Array): void {
  const n = net.sizes[k];
  const m = net.sizes[k + 1];
  const w = net.weights[k];
  for (let b = 0; b < batch; b++) {
    const o = b * m;
    for (let i = 0; i < n; i++) {
      const x = v[b * n + i];
      if (x === 0) continue;
      const row = i * m;
      for (let j = 0; j < m; j++) out[o + j] += x * w[row + j];
    }
  }
}

/** out (B × n_k) += V (B × n_{k+1}) W_kᵀ: the current layer k + 1 drives back into layer k. */
function backwardCurrent(net: DeepResistiveNetwork, k: number, v: Float64Array, batch: number, out: Float64Array): void {
  const n = net.sizes[k];
  const m = net.sizes[k + 1];
  const w = net.weights[k];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const row = j * m;
      const vo = b * m;
      for (let q = 0; q < m; q++) s += w[row + q] * v[vo + q];
      out[b * n + j] += s;
    }
  }
}

function sweepUntilConverged(net: DeepResistiveNetwork, batch: number, layers: Float64Array[], problem: SweepProblem, options: LayeredSolveOptions, what: string): LayeredState {
  const tolerance = options.tolerance ?? 1e-13;
  const maxSweeps = options.maxSweeps ?? 100000;
  const top = net.sizes.length - 1;
  const c = net.sizes.map((n) => new Float64Array(batch * n));
  // layers in two groups: odd, then even (each group depends only on the other: an exact block-coordinate step)
  const groups = [
    Array.from({ length: top }, (_, i) => i + 1).filter((k) => k % 2 === 1),
    Array.from({ length: top }, (_, i) => i + 1).filter((k) => k % 2 === 0),
  ];
  let sweeps = 0;
  let change = Infinity;
  let worst = { k: 0, j: 0 };
  while (sweeps < maxSweeps) {
    change = 0;
    let scale = 1;
    for (const group of groups) {
      for (const k of group) {
        const n = net.sizes[k];
        const ck = c[k];
        ck.set(problem.drive[k]);
        if (k > 1) forwardCurrent(net, k - 1, layers[k - 1], batch, ck);
        if (k < top) backwardCurrent(net, k, layers[k + 1], batch, ck);
        const vk = layers[k];
        const diag = problem.diagonal[k];
        for (let b = 0; b < batch; b++) {
          for (let j = 0; j < n; j++) {
            const idx = b * n + j;
            const a = problem.diagonalPerExample ? diag[idx] : diag[j];
            const old = vk[idx];
            const v = problem.node(k, b, j, a, ck[idx], old);
            vk[idx] = v;
            const d = Math.abs(v - old);
            if (d > change) ((change = d), (worst = { k, j }));
            const av = Math.abs(v);
            if (av > scale) scale = av;
          }
        }
      }
    }
    sweeps++;
    if (!Number.isFinite(change)) throw new NumericalError(`${what}: a node's potential became ${change} at sweep ${sweeps} (layer ${worst.k}, node ${worst.j})`);
    if (tolerance > 0 && change <= tolerance * scale) return { batch, layers, sweeps, change };
  }
  if (tolerance > 0) {
    throw new NumericalError(
      `${what}: not converged after ${sweeps} sweeps: layer ${worst.k}, node ${worst.j} still moved by ${change.toExponential(3)} V (tolerance ${tolerance} × the largest potential); raise maxSweeps`,
    );
  }
  return { batch, layers, sweeps, change };
}

function zeros(net: DeepResistiveNetwork, batch: number): Float64Array[] {
  return net.sizes.map((n) => new Float64Array(batch * n));
}

/**
 * The equilibrium of a minibatch of B examples (inputs: B × sizes[0] source
 * potentials), or its nudged state `argmin E + β C` with C the MSE at the
 * outputs: exact block-coordinate minimisation. Nodes of one layer are not
 * connected to each other, so given its two neighbouring layers each node's
 * minimum is in closed form (a weighted average of its neighbours' potentials
 * plus its bias current over its total conductance, clipped by an ideal
 * diode; one scalar Newton solve with a Shockley diode). Odd layers are
 * updated together, then even layers, until no node moves (the reference
 * code's 'asynchronous' order). The energy falls at every layer update and
 * is strictly convex on the free nodes, so the sweeps converge to its unique
 * minimum. `start` (free layers as a previous state holds them) warm-starts
 * it; the current the inputs drive into layer 1 is computed once.
 * `outputCurrent` (B × outputs) injects currents at the outputs (frequency
 * propagation's error signal at one instant); `clampOutputs` (B × outputs)
 * holds the outputs at those potentials (coupled learning's clamped state).
 */
export function solveLayered(
  net: DeepResistiveNetwork,
  inputs: Float64Array,
  batch: number,
  options: LayeredSolveOptions & {
    readonly nudge?: LayeredNudge;
    readonly start?: LayeredState;
    readonly outputCurrent?: Float64Array;
    readonly clampOutputs?: Float64Array;
    /** Currents injected at the nodes of each layer k ≥ 1 (index k − 1, B × n_k), or none: a network's drive that injects at free nodes. */
    readonly nodeCurrent?: readonly (Float64Array | undefined)[];
  } = {},
): LayeredState {
  const { sizes } = net;
  const top = sizes.length - 1;
  if (inputs.length !== batch * sizes[0]) throw new NumericalError(`the layered solver got ${inputs.length} input values for ${batch} examples of ${sizes[0]} inputs`);
  const layers = options.start ? options.start.layers.map((l) => l.slice()) : zeros(net, batch);
  layers[0] = inputs;
  const reused = options.start?.reuse?.inputs === inputs && options.start.reuse.version === net.version ? options.start.reuse : undefined;
  const sums = reused?.sums ?? columnAndRowSums(net);
  const drive = zeros(net, batch);
  if (reused) drive[1].set(reused.inputCurrent);
  else forwardCurrent(net, 0, inputs, batch, drive[1]);
  const reuse = { version: net.version, inputs, inputCurrent: drive[1].slice(), sums };
  for (let k = 1; k <= top; k++) {
    const bk = net.biases[k - 1];
    const n = sizes[k];
    for (let b = 0; b < batch; b++) for (let j = 0; j < n; j++) drive[k][b * n + j] += bk[j];
  }
  const diagonal: Float64Array[] = [new Float64Array(0), ...sums];
  const nudge = options.nudge;
  const nOut = sizes[top];
  if (nudge) {
    if (nudge.targets.length !== batch * nOut) throw new NumericalError(`the nudge has ${nudge.targets.length} targets for ${batch} examples of ${nOut} outputs`);
    const out = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      out[j] = sums[top - 1][j] + nudge.beta;
      if (!(out[j] > 0)) {
        throw new NumericalError(
          `the nudged energy E + βC with β = ${nudge.beta} has no minimum: output ${j}'s conductances sum to ${sums[top - 1][j]}, which β does not leave positive (use a smaller |β|)`,
        );
      }
    }
    diagonal[top] = out;
    for (let b = 0; b < batch; b++) for (let j = 0; j < nOut; j++) drive[top][b * nOut + j] += nudge.beta * nudge.targets[b * nOut + j];
  }
  const clamp = options.clampOutputs;
  if (clamp) {
    if (clamp.length !== batch * nOut) throw new NumericalError(`the clamped outputs have ${clamp.length} values for ${batch} examples of ${nOut} outputs`);
    layers[top].set(clamp);
  }
  const current = options.outputCurrent;
  if (current) {
    if (current.length !== batch * nOut) throw new NumericalError(`the output current has ${current.length} values for ${batch} examples of ${nOut} outputs`);
    for (let i = 0; i < current.length; i++) drive[top][i] += current[i];
  }
  if (options.nodeCurrent) {
    for (let k = 1; k <= top; k++) {
      const injected = options.nodeCurrent[k - 1];
      if (!injected) continue;
      if (injected.length !== batch * sizes[k]) throw new NumericalError(`the injected currents of layer ${k} have ${injected.length} values for ${batch} examples of ${sizes[k]} nodes`);
      for (let i = 0; i < injected.length; i++) drive[k][i] += injected[i];
    }
  }
  for (let j = 0; j < nOut; j++) {
    if (!(diagonal[top][j] > 0)) throw new NumericalError(`output ${j} of the deep resistive network has no conductance to the layer before it: its potential is not defined`);
  }
  const diode = net.diode;
  const what = nudge ? `the layered solve of the nudged state (β = ${nudge.beta})` : clamp ? 'the layered solve of the clamped state' : 'the layered solve of the free state';
  const solved = sweepUntilConverged(
    net,
    batch,
    layers,
    {
      drive,
      diagonal,
      diagonalPerExample: false,
      node: (k, b, j, a, c, old) => (k === top ? (clamp ? clamp[b * nOut + j] : c / a) : nodeMinimum(a, c, net.orientation[k - 1][j], diode, old, () => `${what}: example ${b}, layer ${k}, node ${j}`)),
    },
    options,
    what,
  );
  return { ...solved, reuse };
}

/**
 * The small-signal network at a state: the same layers and conductances,
 * the inputs held at 0 V, no bias currents, each diode replaced by its
 * small-signal conductance (a Shockley diode's i'(v_d); an ideal diode that
 * conducts at the state holds its node at 0, one that does not is open).
 * `isPinned(k, b, j)` says which nodes an ideal diode holds: those at
 * exactly 0 V at the state.
 */
function smallSignalProblem(net: DeepResistiveNetwork, state: LayeredState, force: Float64Array): SweepProblem & { pinned: (k: number, b: number, j: number) => boolean } {
  const { sizes } = net;
  const top = sizes.length - 1;
  const batch = state.batch;
  const sums = nodeConductances(net, state);
  const drive = zeros(net, batch);
  drive[top].set(force);
  const diagonal: Float64Array[] = [new Float64Array(0)];
  const diode = net.diode;
  for (let k = 1; k <= top; k++) {
    const n = sizes[k];
    const d = new Float64Array(batch * n);
    for (let b = 0; b < batch; b++) for (let j = 0; j < n; j++) d[b * n + j] = sums[k - 1][j];
    if (k < top && diode.kind === 'shockley') {
      const law = shockleyLaw(diode);
      for (let b = 0; b < batch; b++) for (let j = 0; j < n; j++) d[b * n + j] += law.conductance(-net.orientation[k - 1][j] * state.layers[k][b * n + j]);
    }
    diagonal.push(d);
  }
  const pinned = pinnedNodes(net, state);
  return {
    drive,
    diagonal,
    diagonalPerExample: true,
    pinned,
    node: (k, b, j, a, c) => (pinned(k, b, j) ? 0 : c / a),
  };
}

/**
 * The small-signal response u of the network at a state to a current
 * `force` (B × outputs) injected at the outputs: what frequency
 * propagation's error signal settles to at ω₂ in the quasi-static limit
 * (PHYSICS.md §3.2, β → 0), found by the network's own relaxation, the same
 * layered sweeps on the linearised network. u = H⁻¹ f on the free nodes.
 */
export function smallSignalLayered(net: DeepResistiveNetwork, state: LayeredState, force: Float64Array, options: LayeredSolveOptions = {}): LayeredState {
  const problem = smallSignalProblem(net, state, force);
  return sweepUntilConverged(net, state.batch, zeros(net, state.batch), problem, options, 'the layered solve of the small-signal response');
}

/** Whether a hidden node sits at 0 V held by its conducting ideal diode (the active constraints). */
export function pinnedNodes(net: DeepResistiveNetwork, state: LayeredState): (k: number, b: number, j: number) => boolean {
  const top = net.sizes.length - 1;
  return (k, b, j) => net.diode.kind === 'ideal' && k < top && state.layers[k][b * net.sizes[k] + j] === 0;
}

/** Each node's total conductance (per layer k ≥ 1, index k − 1): what a state solved under the network's present parameters carries, or computed anew. */
export function nodeConductances(net: DeepResistiveNetwork, state: LayeredState): Float64Array[] {
  return state.reuse && state.reuse.version === net.version ? state.reuse.sums : columnAndRowSums(net);
}

/** The energy E(θ, s) of example b of a state (diodes' co-content included; ideal diodes add nothing on their allowed side), plus β C if nudged. */
export function layeredEnergy(net: DeepResistiveNetwork, state: LayeredState, b: number, nudge?: LayeredNudge): number {
  const { sizes } = net;
  const top = sizes.length - 1;
  let e = 0;
  for (let k = 0; k < top; k++) {
    const n = sizes[k];
    const m = sizes[k + 1];
    const w = net.weights[k];
    const v = state.layers[k];
    const u = state.layers[k + 1];
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) e += 0.5 * w[i * m + j] * (v[b * n + i] - u[b * m + j]) ** 2;
  }
  for (let k = 1; k <= top; k++) {
    const n = sizes[k];
    for (let j = 0; j < n; j++) {
      const v = state.layers[k][b * n + j];
      e -= net.biases[k - 1][j] * v;
      if (k < top) {
        const sigma = net.orientation[k - 1][j];
        if (net.diode.kind === 'shockley') e += shockleyLaw(net.diode).coContent(-sigma * v);
        else if (sigma * v < 0) return Infinity;
      }
    }
  }
  if (nudge) {
    const n = sizes[top];
    for (let j = 0; j < n; j++) e += 0.5 * nudge.beta * (state.layers[top][b * n + j] - nudge.targets[b * n + j]) ** 2;
  }
  return e;
}
