#!/usr/bin/env node
/**
 * Benchmark: the wall-clock time of one training epoch of a deep resistive
 * network by each mechanism, and its ratio to the exact adjoint's (the
 * backpropagation reference) in the same run.
 *
 *   npx tsc -b && node scripts/bench-drn.js [CONFIG] [--train N] [--test N]
 *
 * CONFIG defaults to examples/drn-fashion-mnist/drn-xs.json (DRN-XS on
 * Fashion-MNIST, 60,000 training images; Debian's dataset-fashion-mnist);
 * examples/drn-mnist/drn-1h.json times DRN-1H (1,024 hidden nodes) on MNIST
 * when its files are there. --train N times an epoch of the first N
 * images instead (the figure printed is for those N). The time excludes
 * the test set's evaluation. Each mechanism starts from the same network.
 */
'use strict';

const path = require('path');
const os = require('os');
const { MultimechError } = require('../packages/core');
const { loadRun, runAll, summaryTable } = require('./train-drn');

try {
  const args = process.argv.slice(2);
  const take = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const train = take('--train');
  const test = take('--test') ?? 1000;
  const config = args[0] ?? path.join(__dirname, '..', 'examples', 'drn-fashion-mnist', 'drn-xs.json');
  const loaded = loadRun(config, { epochs: 1, train, test });
  const n = loaded.taskSettings.train;
  console.log(`${path.relative(process.cwd(), config)}: hidden ${JSON.stringify(loaded.run.network.hidden)}, batch ${loaded.run.training.batchSize ?? 4}, one epoch of ${n === undefined ? 'every training image' : `${n} training image${n === 1 ? '' : 's'}`}; ${os.cpus().length} cores, Node ${process.version}`);
  const results = runAll(loaded, (label, e) => {
    if (e.epoch > 0) console.log(`${label}: ${e.seconds.toFixed(1)} s, test error ${(100 * e.testError).toFixed(2)}% on ${test} test images, sweeps per minibatch ${e.sweeps.free.toFixed(1)} free + ${e.sweeps.error.toFixed(1)} error phase`);
  });
  console.log(`\n${summaryTable(results)}`);
} catch (e) {
  if (e instanceof MultimechError) {
    console.error(`multimech: error: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
