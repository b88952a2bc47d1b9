#!/usr/bin/env node
/**
 * Benchmark: the wall-clock time of one training epoch of a deep resistive
 * network by each mechanism, and its ratio to the exact adjoint's (the
 * backpropagation reference) in the same run.
 *
 *   npx tsc -b && node scripts/bench-drn.js [CONFIG] [--train N] [--test N] [--chunk N]
 *
 * CONFIG defaults to examples/drn-fashion-mnist/drn-xs.json (DRN-XS on
 * Fashion-MNIST, 60,000 training images; Debian's dataset-fashion-mnist);
 * examples/drn-fashion-mnist/drn-1h.json times DRN-1H (1,024 hidden
 * nodes). --train N times an epoch of the first N images instead. Each
 * mechanism trains its own copy of one initial network on the same
 * minibatches in the same order; the mechanisms take turns every --chunk
 * images (400 by default), so that a load that comes and goes on a shared
 * machine falls on all of them alike. What is timed is the gradient and
 * the update (the free state, the error phase, the step); assembling the
 * minibatches and evaluating the test set (its first --test images, 1,000
 * by default, whose error is printed) are not.
 */
'use strict';

const path = require('path');
const os = require('os');
const { MultimechError, Rng } = require('../packages/core');
const { imagesTask } = require('../packages/trainer');
const { DeepResistiveNetwork, drnGradient, drnMechanismOf, drnTrainingSettings, evaluateDrn } = require('../packages/resistive');
const { flag, loadRun } = require('./train-drn');

try {
  const args = process.argv.slice(2);
  const take = (name) => flag(args, name);
  const train = take('--train');
  const test = take('--test') ?? 1000;
  const chunk = take('--chunk') ?? 400;
  const config = args[0] ?? path.join(__dirname, '..', 'examples', 'drn-fashion-mnist', 'drn-xs.json');
  const loaded = loadRun(config, { epochs: 1, train, test });
  const task = imagesTask(loaded.taskSettings, loaded.baseDir);
  const runs = loaded.run.training.mechanisms.map((m) => {
    const { mechanism, label } = drnMechanismOf(m);
    const s = drnTrainingSettings(loaded.run, mechanism);
    const net = new DeepResistiveNetwork({ inputs: task.inputCount, hidden: s.hidden, outputs: task.outputCount }, s.diode).initialize(new Rng(s.seed ?? 1), s.init);
    return { label, mechanism, net, settings: s, seconds: 0 };
  });
  const { batchSize = 4, seed = 1 } = runs[0].settings;
  const rates = runs[0].settings.learningRates ?? { weights: 0.006, biases: 0.006 };
  const order = new Rng(seed).shuffle([...task.train.keys()]);
  const nIn = task.inputCount;
  const nOut = task.outputCount;
  console.log(
    `${path.relative(process.cwd(), config)}: hidden ${JSON.stringify(runs[0].settings.hidden)}, batch ${batchSize}, one epoch of ${order.length} training images, turns of ${chunk}; ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  for (let c = 0; c < order.length; c += chunk) {
    const batches = [];
    for (let s = c; s < Math.min(c + chunk, order.length); s += batchSize) {
      const size = Math.min(batchSize, order.length - s, c + chunk - s);
      const inputs = new Float64Array(size * nIn);
      const targets = new Float64Array(size * nOut);
      for (let b = 0; b < size; b++) {
        const ex = task.train[order[s + b]];
        inputs.set(ex.inputs, b * nIn);
        targets.set(ex.target, b * nOut);
      }
      batches.push({ size, inputs, targets });
    }
    for (const r of runs) {
      const start = process.hrtime.bigint();
      for (const batch of batches) r.net.step(drnGradient(r.net, batch, r.mechanism, r.settings.solver).gradient, rates);
      r.seconds += Number(process.hrtime.bigint() - start) / 1e9;
    }
  }
  const adjoint = runs.find((r) => r.label === 'adjoint');
  console.log('| mechanism | seconds per epoch | time / adjoint | test error after it |');
  console.log('|---|---|---|---|');
  for (const r of runs) {
    const error = evaluateDrn(r.net, task.test, r.settings.solver).error;
    console.log(`| ${r.label} | ${r.seconds.toFixed(1)} | ${adjoint ? (r.seconds / adjoint.seconds).toFixed(2) : '—'} | ${(100 * error).toFixed(2)}% |`);
  }
  console.log(`load average at the end ${os.loadavg()[0].toFixed(1)}`);
} catch (e) {
  if (e instanceof MultimechError) {
    console.error(`multimech: error: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
