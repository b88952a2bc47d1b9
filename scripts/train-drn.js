#!/usr/bin/env node
/**
 * Trains a deep resistive network (docs/drn.md) on an image data set, by
 * each mechanism its config names, from the same initial network.
 *
 *   npx tsc -b && node scripts/train-drn.js CONFIG [--epochs N] [--train N] [--test N] [--json]
 *
 * CONFIG holds `task` (an `images` task section), `network` and `training`
 * (examples/drn-fashion-mnist/drn-xs.json). --epochs, --train and --test
 * replace the config's. Prints one line per epoch (train loss, train error
 * over the epoch, test error, seconds, the layered solver's sweeps) and a
 * table of every mechanism's final test error and seconds per epoch,
 * relative to the adjoint's when it ran; --json prints the histories as
 * JSON instead.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { MultimechError, decodeOrThrow } = require('../packages/core');
const { imagesSettings, imagesTask } = require('../packages/trainer');
const { drnMechanismOf, drnRunCodec, drnTrainingSettings, trainDrn } = require('../packages/resistive');

/** The positive integer after `name` in `args` (both removed), or undefined. */
function flag(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new MultimechError(`${name} needs a positive integer, got '${args[i + 1] ?? ''}'`);
  args.splice(i, 2);
  return v;
}

/** Reads and decodes a run config; `overrides` replace epochs and subset sizes. */
function loadRun(file, overrides = {}) {
  let raw;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MultimechError(`${file}: ${e.code ? `cannot read the config (${e.code})` : `not JSON (${e.message})`}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MultimechError(`${file}: expected an object with task, network and training`);
  const { description, task, ...rest } = raw;
  if (typeof task !== 'object' || task === null || task.kind !== 'images') throw new MultimechError(`${file}: task: expected an images task section ({ "kind": "images", "folder": ... })`);
  const { kind, ...section } = task;
  if (overrides.train) section.train = overrides.train;
  if (overrides.test) section.test = overrides.test;
  const taskSettings = decodeOrThrow(imagesSettings, section, 'task', file);
  const run = decodeOrThrow(drnRunCodec, rest, '', file);
  if (overrides.epochs) run.training.epochs = overrides.epochs;
  return { description, taskSettings, run, baseDir: path.dirname(file) };
}

/** Trains by every mechanism of a loaded run; `onEpoch(label, epoch)` hears each epoch. */
function runAll({ taskSettings, run, baseDir }, onEpoch = () => {}) {
  const task = imagesTask(taskSettings, baseDir);
  return run.training.mechanisms.map((m) => {
    const { mechanism, label } = drnMechanismOf(m);
    const { history } = trainDrn(task, drnTrainingSettings(run, mechanism), (e) => onEpoch(label, e));
    return { label, history };
  });
}

/** Each mechanism's final test error and mean seconds per epoch, relative to the adjoint's. */
function summaryTable(results) {
  const perEpoch = (h) => h.slice(1).reduce((a, e) => a + e.seconds, 0) / Math.max(h.length - 1, 1);
  const adjoint = results.find((r) => r.label === 'adjoint');
  const lines = ['| mechanism | test error (final) | best test error | seconds per epoch | time / adjoint |', '|---|---|---|---|---|'];
  for (const r of results) {
    const last = r.history[r.history.length - 1];
    const best = Math.min(...r.history.slice(1).map((e) => e.testError));
    const s = perEpoch(r.history);
    const ratio = adjoint ? (s / perEpoch(adjoint.history)).toFixed(2) : '—';
    lines.push(`| ${r.label} | ${(100 * last.testError).toFixed(2)}% | ${(100 * best).toFixed(2)}% | ${s.toFixed(1)} | ${ratio} |`);
  }
  return lines.join('\n');
}

module.exports = { flag, loadRun, runAll, summaryTable };

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const json = args.includes('--json');
    const rest = args.filter((a) => a !== '--json');
    const overrides = { epochs: flag(rest, '--epochs'), train: flag(rest, '--train'), test: flag(rest, '--test') };
    if (rest.length !== 1) {
      console.error('usage: node scripts/train-drn.js CONFIG [--epochs N] [--train N] [--test N] [--json]');
      process.exit(2);
    }
    const loaded = loadRun(rest[0], overrides);
    const results = runAll(loaded, (label, e) => {
      if (json) return;
      const pct = (x) => (Number.isNaN(x) ? '   —  ' : `${(100 * x).toFixed(2)}%`);
      console.log(`${label}  epoch ${e.epoch}  train loss ${Number.isNaN(e.trainLoss) ? '—' : e.trainLoss.toFixed(4)}  train error ${pct(e.trainError)}  test error ${pct(e.testError)}  ${e.seconds.toFixed(1)} s  sweeps per minibatch ${e.sweeps.free.toFixed(1)} free + ${e.sweeps.error.toFixed(1)} error phase`);
    });
    console.log(json ? JSON.stringify(results) : `\n${summaryTable(results)}`);
  } catch (e) {
    if (e instanceof MultimechError) {
      console.error(`multimech: error: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
