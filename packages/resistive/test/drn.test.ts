import { NumericalError, Rng } from '@multimech/core';
import {
  DeepResistiveNetwork,
  DrnBatch,
  IDEAL_DIODE,
  LayeredState,
  drnGradient,
  exactResponse,
  layeredEnergy,
  outputError,
  parameterForce,
  parseSpice,
  resistiveFromNetlist,
  shockleyDrnDiode,
  smallSignalLayered,
  solveLayered,
} from '../src';
import type { DrnDiode } from '../src';

/** A small DRN with every conductance positive (so each is a resistor of a netlist) and random bias currents. */
function network(hidden: number[], diode: DrnDiode, seed = 1, inputs = 6, outputs = 3): DeepResistiveNetwork {
  const rng = new Rng(seed);
  const net = new DeepResistiveNetwork({ inputs, hidden, outputs }, diode).initialize(rng, { biasGain: 0.05 });
  for (const w of net.weights) for (let i = 0; i < w.length; i++) w[i] += 0.02 + 0.05 * rng.next();
  return net;
}

function batchOf(net: DeepResistiveNetwork, size: number, seed = 2, gain = 2): DrnBatch {
  const rng = new Rng(seed);
  const n = net.sizes[0];
  const m = net.sizes[net.sizes.length - 1];
  const inputs = new Float64Array(size * n);
  for (let b = 0; b < size; b++) {
    // pairs +gain·x, −gain·x, as the images task gives them
    for (let i = 0; i < n / 2; i++) {
      const x = rng.next();
      inputs[b * n + i] = gain * x;
      inputs[b * n + n / 2 + i] = -gain * x;
    }
  }
  const targets = new Float64Array(size * m);
  for (let b = 0; b < size; b++) targets[b * m + (b % m)] = 1;
  return { size, inputs, targets };
}

const fmt = (x: number) => x.toPrecision(17);

/** The same network as a SPICE netlist: input sources, a resistor per conductance, a current source per bias, a diode per hidden node. */
function netlistOf(net: DeepResistiveNetwork, inputs: Float64Array, b: number, pinned?: (k: number, j: number) => boolean): string {
  const { sizes } = net;
  const top = sizes.length - 1;
  const name = (k: number, j: number) => (k === 0 ? `in${j}` : k === top ? `o${j}` : `h${k}_${j}`);
  const lines = ['deep resistive network'];
  for (let i = 0; i < sizes[0]; i++) lines.push(`V${i} ${name(0, i)} 0 ${fmt(inputs[b * sizes[0] + i])}`);
  net.weights.forEach((w, k) => {
    const m = sizes[k + 1];
    for (let i = 0; i < sizes[k]; i++) for (let j = 0; j < m; j++) lines.push(`R${k}_${i}_${j} ${name(k, i)} ${name(k + 1, j)} ${fmt(1 / w[i * m + j])}`);
  });
  for (let k = 1; k <= top; k++) for (let j = 0; j < sizes[k]; j++) lines.push(`I${k}_${j} 0 ${name(k, j)} ${fmt(net.biases[k - 1][j])}`);
  for (let k = 1; k < top; k++) {
    for (let j = 0; j < sizes[k]; j++) {
      if (pinned) {
        if (pinned(k, j)) lines.push(`VP${k}_${j} ${name(k, j)} 0 0`);
      } else if (net.orientation[k - 1][j] > 0) lines.push(`D${k}_${j} 0 ${name(k, j)} DM`);
      else lines.push(`D${k}_${j} ${name(k, j)} 0 DM`);
    }
  }
  if (net.diode.kind === 'shockley') lines.push(`.model DM D(IS=${net.diode.IS} N=${net.diode.N})`);
  lines.push('.end');
  return lines.join('\n');
}

/** The potentials of example b by damped Newton on the netlist (resistive substrate), by layer. */
function newtonPotentials(net: DeepResistiveNetwork, inputs: Float64Array, b: number, pinned?: (k: number, j: number) => boolean): number[][] {
  const top = net.sizes.length - 1;
  const outputs = Array.from({ length: net.sizes[top] }, (_, j) => `o${j}`);
  const substrate = resistiveFromNetlist(parseSpice(netlistOf(net, inputs, b, pinned), 'drn.cir'), { outputs, bounds: { min: 1e-9, max: 1e9 }, newton: { tolerance: 1e-14 } });
  const state = substrate.equilibrium(substrate.drive(substrate.defaultInputs!));
  const index = new Map(substrate.graph.nodeNames.map((n, i) => [n, i]));
  return net.sizes.slice(1).map((n, km1) => Array.from({ length: n }, (_, j) => state[index.get(km1 + 1 === top ? `o${j}` : `h${km1 + 1}_${j}`)!]));
}

const layer = (s: LayeredState, k: number, b: number, n: number) => [...s.layers[k].subarray(b * n, (b + 1) * n)];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function relativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) ((num += (a[i] - ref[i]) ** 2), (den += ref[i] ** 2));
  return Math.sqrt(num / den);
}

describe('the layered solver against damped Newton on the same network as a netlist', () => {
  it.each([[[4]], [[4, 3]], [[5, 4, 2]]])('Shockley diodes, hidden layers %j: every node agrees to 1e-10 V', (hidden) => {
    const net = network(hidden, shockleyDrnDiode(1e-6, 1), 3);
    const batch = batchOf(net, 3);
    const state = solveLayered(net, batch.inputs, batch.size);
    let conducting = 0;
    for (let b = 0; b < batch.size; b++) {
      const ref = newtonPotentials(net, batch.inputs, b);
      ref.forEach((values, km1) => {
        const mine = layer(state, km1 + 1, b, values.length);
        expect(maxAbsDiff(mine, values)).toBeLessThan(1e-10);
        if (km1 + 1 < net.sizes.length - 1) conducting += mine.filter((v, j) => net.orientation[km1][j] * v < -0.2).length;
      });
    }
    // the diodes matter: some hidden nodes sit on their diode's conducting side
    expect(conducting).toBeGreaterThan(0);
  });

  it('ideal diodes: the layered solution satisfies the constrained problem (KKT) and equals the linear network with its conducting diodes as 0 V sources, by Newton', () => {
    const net = network([5, 4], IDEAL_DIODE, 4);
    const batch = batchOf(net, 3);
    const state = solveLayered(net, batch.inputs, batch.size);
    const top = net.sizes.length - 1;
    let pinnedCount = 0;
    let freeCount = 0;
    for (let b = 0; b < batch.size; b++) {
      // KKT: ∂E/∂v = 0 at nodes off 0; at a node held at 0 the force points into the forbidden side
      for (let k = 1; k < top; k++) {
        const n = net.sizes[k];
        for (let j = 0; j < n; j++) {
          let a = 0;
          let c = net.biases[k - 1][j];
          const wIn = net.weights[k - 1];
          for (let i = 0; i < net.sizes[k - 1]; i++) ((a += wIn[i * n + j]), (c += wIn[i * n + j] * state.layers[k - 1][b * net.sizes[k - 1] + i]));
          const wOut = net.weights[k];
          const m = net.sizes[k + 1];
          for (let q = 0; q < m; q++) ((a += wOut[j * m + q]), (c += wOut[j * m + q] * state.layers[k + 1][b * m + q]));
          const v = state.layers[k][b * n + j];
          const grad = a * v - c;
          const sigma = net.orientation[k - 1][j];
          expect(sigma * v).toBeGreaterThanOrEqual(0);
          if (v === 0) {
            pinnedCount++;
            expect(sigma * grad).toBeGreaterThan(0);
          } else {
            freeCount++;
            expect(Math.abs(grad)).toBeLessThan(1e-11);
          }
        }
      }
      const pinned = (k: number, j: number) => state.layers[k][b * net.sizes[k] + j] === 0;
      const ref = newtonPotentials(net, batch.inputs, b, pinned);
      ref.forEach((values, km1) => expect(maxAbsDiff(layer(state, km1 + 1, b, values.length), values)).toBeLessThan(1e-10));
    }
    expect(pinnedCount).toBeGreaterThan(3);
    expect(freeCount).toBeGreaterThan(3);
  });

  it('ideal diodes: the minimum, against random feasible moves of the hidden and output nodes', () => {
    const net = network([6, 4], IDEAL_DIODE, 5);
    const batch = batchOf(net, 1);
    const state = solveLayered(net, batch.inputs, batch.size);
    const e0 = layeredEnergy(net, state, 0);
    const rng = new Rng(9);
    for (let trial = 0; trial < 200; trial++) {
      const moved: LayeredState = { ...state, layers: state.layers.map((l) => l.slice()) };
      for (let k = 1; k < net.sizes.length; k++) {
        for (let j = 0; j < net.sizes[k]; j++) {
          let v = moved.layers[k][j] + 1e-3 * rng.uniform(-1, 1);
          if (k < net.sizes.length - 1) v = net.orientation[k - 1][j] > 0 ? Math.max(0, v) : Math.min(0, v);
          moved.layers[k][j] = v;
        }
      }
      expect(layeredEnergy(net, moved, 0)).toBeGreaterThan(e0);
    }
  });

  it('a minibatch gives what each example gives alone', () => {
    const net = network([5, 3], IDEAL_DIODE, 6);
    const batch = batchOf(net, 4);
    const together = solveLayered(net, batch.inputs, 4);
    for (let b = 0; b < 4; b++) {
      const n0 = net.sizes[0];
      const alone = solveLayered(net, batch.inputs.slice(b * n0, (b + 1) * n0), 1);
      for (let k = 1; k < net.sizes.length; k++) expect(maxAbsDiff(layer(alone, k, 0, net.sizes[k]), layer(together, k, b, net.sizes[k]))).toBeLessThan(1e-12);
    }
  });

  it('a fixed number of sweeps (tolerance 0) stops there; a tolerance not reached within maxSweeps is refused, naming the node', () => {
    const net = network([5, 4], IDEAL_DIODE, 7);
    const batch = batchOf(net, 2);
    const four = solveLayered(net, batch.inputs, 2, { tolerance: 0, maxSweeps: 4 });
    expect(four.sweeps).toBe(4);
    const converged = solveLayered(net, batch.inputs, 2);
    expect(converged.sweeps).toBeGreaterThan(4);
    expect(maxAbsDiff(four.layers[3], converged.layers[3])).toBeGreaterThan(1e-8);
    expect(() => solveLayered(net, batch.inputs, 2, { maxSweeps: 3 })).toThrow(/the layered solve of the free state: not converged after 3 sweeps: layer \d, node \d+ still moved by/);
  });

  it('a negative nudge larger than an output\'s conductance is refused: the nudged energy has no minimum', () => {
    const net = network([4], IDEAL_DIODE, 8);
    const batch = batchOf(net, 1);
    expect(() => solveLayered(net, batch.inputs, 1, { nudge: { beta: -100, targets: batch.targets } })).toThrow(NumericalError);
    expect(() => solveLayered(net, batch.inputs, 1, { nudge: { beta: -100, targets: batch.targets } })).toThrow(/β = -100 has no minimum: output 0's conductances sum to/);
  });
});

describe('gradients on a deep resistive network: adjoint, EP, frequency propagation, coupled learning', () => {
  /** The batch's MSE loss at the free state, for finite differences. */
  const lossAt = (net: DeepResistiveNetwork, batch: DrnBatch) => outputError(net, solveLayered(net, batch.inputs, batch.size), batch.targets).loss;

  it.each([['Shockley', shockleyDrnDiode(1e-6, 1)], ['ideal', IDEAL_DIODE]] as const)('%s diodes: the adjoint matches central finite differences of the loss', (_, diode) => {
    const net = network([5, 4], diode, 11);
    const batch = batchOf(net, 3);
    const { gradient } = drnGradient(net, batch, { kind: 'adjoint' });
    const theta = net.parameters;
    const rng = new Rng(3);
    const picks = Array.from({ length: 24 }, () => Math.floor(rng.next() * theta.length));
    const h = 1e-6;
    const fd = picks.map((p) => {
      const t = theta.slice();
      t[p] += h;
      net.setParameters(t);
      const up = lossAt(net, batch);
      t[p] -= 2 * h;
      net.setParameters(t);
      const down = lossAt(net, batch);
      net.setParameters(theta);
      return (up - down) / (2 * h);
    });
    expect(relativeError(picks.map((p) => gradient[p]), fd)).toBeLessThan(1e-6);
    // biases and conductances of every layer among them
    expect(picks.some((p) => p >= net.conductanceCount)).toBe(true);
  });

  it('the exact response is H⁻¹e: the small-signal network relaxed by layered sweeps gives the same u', () => {
    const net = network([6, 5, 3], shockleyDrnDiode(1e-6, 1), 12);
    const batch = batchOf(net, 2);
    const free = solveLayered(net, batch.inputs, 2);
    const { force } = outputError(net, free, batch.targets);
    const exact = exactResponse(net, free, force);
    const relaxed = smallSignalLayered(net, free, force);
    for (let k = 1; k < net.sizes.length; k++) expect(maxAbsDiff(exact.layers[k], relaxed.layers[k])).toBeLessThan(1e-11);
  });

  it('Shockley diodes: frequency propagation (small-signal) equals the adjoint; centred EP approaches it as β², positive EP as β', () => {
    const net = network([5, 4], shockleyDrnDiode(1e-6, 1), 13);
    const batch = batchOf(net, 3);
    const adjoint = drnGradient(net, batch, { kind: 'adjoint' }).gradient;
    const frequency = drnGradient(net, batch, { kind: 'frequency' }).gradient;
    expect(relativeError(frequency, adjoint)).toBeLessThan(1e-9);
    const betas = [0.04, 0.02, 0.01];
    const centred = betas.map((beta) => relativeError(drnGradient(net, batch, { kind: 'ep', beta }).gradient, adjoint));
    const positive = betas.map((beta) => relativeError(drnGradient(net, batch, { kind: 'ep', beta, variant: 'positive' }).gradient, adjoint));
    const slope = (e: number[]) => Math.log(e[0] / e[2]) / Math.log(betas[0] / betas[2]);
    expect(slope(centred)).toBeGreaterThan(1.8);
    expect(slope(centred)).toBeLessThan(2.2);
    expect(slope(positive)).toBeGreaterThan(0.8);
    expect(slope(positive)).toBeLessThan(1.2);
    expect(centred[2]).toBeLessThan(positive[2]);
    // frequency propagation's lock-in on the nonlinear network itself: its bias falls as β², like centred EP's (PHYSICS.md §3.2)
    const amplitudes = [0.04, 0.02, 0.01];
    const lockIn = amplitudes.map((amplitude) => relativeError(drnGradient(net, batch, { kind: 'frequency', readout: 'lock-in', amplitude }).gradient, adjoint));
    expect(slope(lockIn)).toBeGreaterThan(1.8);
    expect(slope(lockIn)).toBeLessThan(2.2);
    expect(lockIn[2]).toBeGreaterThan(1e-8);
    // the estimate is the difference of ∂E/∂θ at the two nudged states (PHYSICS.md §5)
    const beta = 0.02;
    const free = solveLayered(net, batch.inputs, batch.size);
    const plus = solveLayered(net, batch.inputs, batch.size, { nudge: { beta, targets: batch.targets }, start: free });
    const minus = solveLayered(net, batch.inputs, batch.size, { nudge: { beta: -beta, targets: batch.targets }, start: free });
    const fp = parameterForce(net, plus);
    const fm = parameterForce(net, minus);
    const ep = drnGradient(net, batch, { kind: 'ep', beta }).gradient;
    expect(maxAbsDiff(ep, fp.map((x, i) => (x - fm[i]) / (2 * beta)))).toBeLessThan(1e-9);
    expect(centred[2]).toBeGreaterThan(1e-8); // a bias there is, and it is small
  });

  it('ideal diodes: frequency propagation (small-signal) gives the adjoint\'s first update; centred EP approaches it as β² (the MSE nudge curves the nudged states even where the network is linear)', () => {
    const net = network([8, 6], IDEAL_DIODE, 14, 10, 4);
    const batch = batchOf(net, 4);
    const adjoint = drnGradient(net, batch, { kind: 'adjoint' }).gradient;
    const frequency = drnGradient(net, batch, { kind: 'frequency' }).gradient;
    expect(relativeError(frequency, adjoint)).toBeLessThan(1e-9);
    const betas = [2e-3, 1e-3, 5e-4];
    const centred = betas.map((beta) => relativeError(drnGradient(net, batch, { kind: 'ep', beta }).gradient, adjoint));
    const slope = Math.log(centred[0] / centred[2]) / Math.log(betas[0] / betas[2]);
    expect(slope).toBeGreaterThan(1.9);
    expect(slope).toBeLessThan(2.1);
    expect(centred[2]).toBeLessThan(1e-4);
    // the lock-in on the network itself: exact while the amplitude moves no diode across its knee
    const lockIn = drnGradient(net, batch, { kind: 'frequency', readout: 'lock-in', amplitude: 1e-4 }).gradient;
    expect(relativeError(lockIn, adjoint)).toBeLessThan(1e-7);
    // coupled learning: not the gradient at any η, but close to it in direction at small η
    const cosine = (a: Float64Array, b: Float64Array) => {
      let ab = 0, aa = 0, bb = 0;
      for (let i = 0; i < a.length; i++) ((ab += a[i] * b[i]), (aa += a[i] ** 2), (bb += b[i] ** 2));
      return ab / Math.sqrt(aa * bb);
    };
    const cl = drnGradient(net, batch, { kind: 'cl', eta: 1e-3 }).gradient;
    expect(cosine(cl, adjoint)).toBeGreaterThan(0.85); // 0.91 measured
    expect(relativeError(cl, adjoint)).toBeGreaterThan(0.1); // 0.50: a different estimate, not a biased copy
    // and the updates that follow lower the loss
    const theta = net.parameters;
    const before = lossAt(net, batch);
    net.step(cl, { weights: 0.05, biases: 0.05 });
    expect(lossAt(net, batch)).toBeLessThan(before);
    net.setParameters(theta);
    net.step(adjoint, { weights: 0.05, biases: 0.05 });
    expect(lossAt(net, batch)).toBeLessThan(before);
  });
});
