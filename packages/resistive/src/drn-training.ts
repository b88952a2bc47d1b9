import { MultimechError, Rng, Task } from '@multimech/core';
import { DeepResistiveNetwork, DrnInit } from './deep-resistive-network';
import { DrnDiode, IDEAL_DIODE } from './drn-diode';
import { DrnBatch, DrnMechanism, drnGradient, outputError } from './drn-gradients';
import { LayeredSolveOptions, solveLayered } from './layered-solver';

/** How a deep resistive network is trained: the reference code's DRN-XS by default (batch 4, learning rate 0.006 without momentum, × 0.99 per epoch). */
export interface DrnTrainingSettings {
  readonly hidden: readonly number[];
  readonly diode?: DrnDiode;
  readonly init?: DrnInit;
  readonly mechanism: DrnMechanism;
  readonly epochs: number;
  readonly batchSize?: number;
  /** Per layer of weights and of biases (layer 1 first), or one number for all (0.006). */
  readonly learningRates?: { readonly weights: number | readonly number[]; readonly biases: number | readonly number[] };
  /** The learning rates are multiplied by this after every epoch (0.99). */
  readonly decay?: number;
  readonly seed?: number;
  /** The layered solver of the free and nudged states (default: converged to 1e-13 of the largest potential). */
  readonly solver?: LayeredSolveOptions;
  /** Examples solved together when the test set is evaluated (does not change the figures; default 100). */
  readonly evaluationBatch?: number;
}

/** One epoch's figures (epoch 0: before training). */
export interface DrnEpoch {
  readonly epoch: number;
  /** Mean MSE loss and error rate over the epoch's minibatches at their free states, before each update (the reference code's training figures); NaN at epoch 0. */
  readonly trainLoss: number;
  readonly trainError: number;
  readonly testLoss: number;
  readonly testError: number;
  /** Wall-clock seconds of the epoch's training (not its evaluation). */
  readonly seconds: number;
  /** Mean sweeps of the layered solver per minibatch: free state, error phase. */
  readonly sweeps: { readonly free: number; readonly error: number };
}

function fillBatch(examples: Task['train'], order: readonly number[], from: number, size: number, nIn: number, nOut: number): DrnBatch {
  const inputs = new Float64Array(size * nIn);
  const targets = new Float64Array(size * nOut);
  for (let b = 0; b < size; b++) {
    const ex = examples[order[from + b]];
    inputs.set(ex.inputs, b * nIn);
    targets.set(ex.target, b * nOut);
  }
  return { size, inputs, targets };
}

/** The mean MSE loss and the error rate of a network on examples (the free state of each, by the layered solver). */
export function evaluateDrn(net: DeepResistiveNetwork, examples: Task['train'], solver: LayeredSolveOptions = {}, batch = 100): { loss: number; error: number } {
  const nIn = net.sizes[0];
  const nOut = net.sizes[net.sizes.length - 1];
  const order = [...examples.keys()];
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < examples.length; s += batch) {
    const size = Math.min(batch, examples.length - s);
    const b = fillBatch(examples, order, s, size, nIn, nOut);
    const r = outputError(net, solveLayered(net, b.inputs, size, solver), b.targets);
    loss += r.loss * size;
    correct += r.correct;
  }
  return { loss: loss / examples.length, error: 1 - correct / examples.length };
}

/**
 * Trains a deep resistive network on a task whose inputs are potentials
 * (the `images` task's pairs +gain·x, −gain·x) and whose targets are MSE
 * targets: each minibatch's free states by the layered solver, the
 * mechanism's gradient, one projected SGD step (conductances kept ≥ 0),
 * the learning rates decayed after each epoch. The examples are shuffled by
 * the seed each epoch. `onEpoch` hears epoch 0 (the network as initialised)
 * and every epoch after.
 */
export function trainDrn(task: Task, settings: DrnTrainingSettings, onEpoch?: (e: DrnEpoch) => void): { network: DeepResistiveNetwork; history: DrnEpoch[] } {
  if (task.inputType !== 'potential') throw new MultimechError(`a deep resistive network's inputs are voltage sources, but task '${task.kind}' drives its inputs as currents`);
  if (task.loss.kind !== 'mse') {
    throw new MultimechError(`a deep resistive network trains on the MSE loss (the layered solver's nudge is quadratic), but task '${task.kind}' has loss '${task.loss.kind}': give the task { "loss": { "kind": "mse" } }`);
  }
  const rng = new Rng(settings.seed ?? 1);
  const net = new DeepResistiveNetwork({ inputs: task.inputCount, hidden: settings.hidden, outputs: task.outputCount }, settings.diode ?? IDEAL_DIODE).initialize(rng, settings.init);
  const batchSize = settings.batchSize ?? 4;
  const decay = settings.decay ?? 0.99;
  const rates0 = settings.learningRates ?? { weights: 0.006, biases: 0.006 };
  const solver = settings.solver ?? {};
  const evaluationBatch = settings.evaluationBatch ?? 100;
  const history: DrnEpoch[] = [];
  const record = (e: DrnEpoch) => (history.push(e), onEpoch?.(e));
  const test0 = evaluateDrn(net, task.test, solver, evaluationBatch);
  record({ epoch: 0, trainLoss: NaN, trainError: NaN, testLoss: test0.loss, testError: test0.error, seconds: 0, sweeps: { free: 0, error: 0 } });
  const nIn = net.sizes[0];
  const nOut = net.sizes[net.sizes.length - 1];
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const factor = decay ** (epoch - 1);
    const scale = (r: number | readonly number[]) => (typeof r === 'number' ? r * factor : r.map((x) => x * factor));
    const rates = { weights: scale(rates0.weights), biases: scale(rates0.biases) };
    const order = rng.shuffle([...task.train.keys()]);
    const start = Date.now();
    let loss = 0;
    let correct = 0;
    let steps = 0;
    let free = 0;
    let error = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const size = Math.min(batchSize, order.length - s);
      const batch = fillBatch(task.train, order, s, size, nIn, nOut);
      const g = drnGradient(net, batch, settings.mechanism, solver);
      loss += g.loss * size;
      correct += g.correct;
      free += g.sweeps.free;
      error += g.sweeps.error;
      steps++;
      net.step(g.gradient, rates);
    }
    const seconds = (Date.now() - start) / 1000;
    const test = evaluateDrn(net, task.test, solver, evaluationBatch);
    record({
      epoch,
      trainLoss: loss / order.length,
      trainError: 1 - correct / order.length,
      testLoss: test.loss,
      testError: test.error,
      seconds,
      sweeps: { free: free / steps, error: error / steps },
    });
  }
  return { network: net, history };
}
