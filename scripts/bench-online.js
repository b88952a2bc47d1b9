#!/usr/bin/env node
/**
 * What `multimech train` costs beyond training, on a run of many short
 * epochs: 1,000 epochs of one update each (a layered resistive network with
 * 8 hidden nodes, a regression task of 16 training and 4 test examples in
 * one minibatch, the adjoint: about 0.3 ms an epoch), evaluated after every
 * epoch; the in-process figure also on 4 hidden nodes and 8 examples (about
 * 0.1 ms an epoch, where what the results cost weighs most).
 *
 *   npx tsc -b && node scripts/bench-online.js [--runs N] [--epochs E]
 *
 * Figures (medians over N runs, default 3):
 *   training    the same run through the library (createExperiment,
 *               trainer.run()) in a fresh Node process, timed inside it,
 *               with no results written: the time training takes
 *   total       `multimech train CONFIG --out DIR` through the built bin,
 *               from the process's start to its exit
 *   fixed       the same command for a run of 1 epoch, less that run's
 *               training: start-up, the config, the results written once
 *               (plots, parameters, summary)
 *   per epoch   total − fixed − training: what the results cost while the
 *               run goes on (metrics rows, checkpoints, the log line), the
 *               part that grows with the epochs
 *   in one process  trainer.run() against runAsync() with the command's
 *               writing at every evaluation (a metrics row appended, the
 *               checkpoint schedule, the log line), in one fresh process,
 *               alternated 15 times (medians, and the best of each), in the
 *               process's CPU time: the per-epoch part without the noise of
 *               separate processes and of a loaded machine
 * and the overheads as percentages of training: (total − training), and the
 * per-epoch part alone. The aim: the per-epoch part within a few percent.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'multimech.js');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench-online: ${name} expects a positive integer, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return value;
}
const RUNS = option('--runs', 3);
const EPOCHS = option('--epochs', 1000);

/** The network of the command-level figures: 8 hidden nodes, 16 examples in one minibatch (about 0.3 ms an epoch). */
const SMALL = { hidden: 8, train: 16 };
/** A smaller one for the in-process figure too: 4 hidden nodes, 8 examples (about 0.1 ms an epoch), where the results weigh most. */
const TINY = { hidden: 4, train: 8 };

const config = (epochs, size = SMALL) => ({
  name: 'bench-online',
  seed: 1,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [size.hidden] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: size.train, test: 4 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.05, momentum: 0, batchSize: size.train },
  training: { epochs },
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

/**
 * Seconds of trainer.run() in a fresh Node process (as cold as the
 * command's), timed inside it from the run's start to its end.
 */
function trainingSeconds(epochs) {
  const script = `
    const { createExperiment } = require('@multimech/trainer');
    const { resistivePlugin } = require('@multimech/resistive');
    const { trainer } = createExperiment(${JSON.stringify(config(epochs))}, [resistivePlugin]);
    const t0 = performance.now();
    trainer.run();
    process.stdout.write(String((performance.now() - t0) / 1000));
  `;
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const p = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (p.status !== 0) {
      process.stderr.write(`bench-online: the library run failed (exit ${p.status}):\n${p.stderr}\n`);
      process.exit(1);
    }
    times.push(Number(p.stdout));
  }
  return median(times);
}

/**
 * In one fresh process, seconds of trainer.run() with no listener against
 * trainer.runAsync() with what `multimech train` does at each evaluation
 * (its metrics.csv row appended, its checkpoint schedule asked and a
 * checkpoint written when due, its log line, to a file), alternated after a
 * warm-up, medians: the per-epoch cost of the results without the noise of
 * separate processes.
 */
function inProcessSeconds(epochs, size = SMALL) {
  const script = `
    const fs = require('fs');
    const path = require('path');
    const { createExperiment, CheckpointSchedule, checkpointSettings } = require('@multimech/trainer');
    const { resistivePlugin } = require('@multimech/resistive');
    const { MetricsFile, ProgressDisplay, atomicWriteSync } = require('@multimech/cli');
    const config = ${JSON.stringify(config(epochs, size))};
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'multimech-bench-online-'));
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const plain = () => {
      const { trainer } = createExperiment(config, [resistivePlugin]);
      const t0 = cpu();
      trainer.run();
      return (cpu() - t0) / 1000;
    };
    const writing = async () => {
      const { trainer } = createExperiment(config, [resistivePlugin]);
      const metrics = new MetricsFile(path.join(dir, 'metrics.csv'), false);
      const schedule = new CheckpointSchedule(checkpointSettings(undefined), trainer.stepsPerEpoch, undefined);
      const log = fs.openSync(path.join(dir, 'log.txt'), 'w');
      // the command's display on a stream of the process (a file descriptor), its metrics rows written before its lines
      const progress = new ProgressDisplay({ fd: log, write: (text) => fs.writeSync(log, text) }, Date.now, { beforeWrite: () => metrics.flush() });
      let saving = 0;
      let saved = 0;
      const save = () => {
        const t = cpu();
        const state = trainer.checkpoint();
        atomicWriteSync(path.join(dir, 'checkpoint.json'), JSON.stringify(state) + '\\n');
        schedule.written(state.steps);
        saving += cpu() - t;
        saved++;
      };
      trainer.on('epoch', (e) => {
        metrics.append(e);
        if (schedule.due(e.steps)) save();
        progress.epoch(e);
      });
      trainer.on('step', (s) => progress.step(s, config.training.epochs));
      const t0 = cpu();
      await trainer.runAsync({ stop: () => false });
      progress.finish();
      metrics.close();
      if (!schedule.isWrittenAt(trainer.stepsTaken)) save();
      fs.closeSync(log);
      const seconds = (cpu() - t0) / 1000;
      return { rows: seconds - saving / 1000, checkpoints: saving / 1000, saved };
    };
    (async () => {
      plain();
      await writing();
      const a = [], b = [], c = [];
      let saved = 0;
      for (let r = 0; r < ${Math.max(15, RUNS)}; r++) {
        a.push(plain());
        const w = await writing();
        b.push(w.rows);
        c.push(w.checkpoints);
        saved = w.saved;
      }
      const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
      fs.rmSync(dir, { recursive: true, force: true });
      process.stdout.write(JSON.stringify({ plain: med(a), writing: med(b), plainBest: Math.min(...a), writingBest: Math.min(...b), checkpoints: med(c), saved }));
    })();
  `;
  const p = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (p.status !== 0) {
    process.stderr.write(`bench-online: the in-process run failed (exit ${p.status}):\n${p.stderr}\n`);
    process.exit(1);
  }
  return JSON.parse(p.stdout);
}

/** Seconds of `multimech train` from spawn to exit. */
function commandSeconds(epochs, dir) {
  const file = path.join(dir, `bench-${epochs}.json`);
  fs.writeFileSync(file, JSON.stringify(config(epochs)));
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const out = path.join(dir, `run-${epochs}-${r}`);
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [BIN, 'train', file, '--out', out], { encoding: 'utf8' });
    times.push((performance.now() - t0) / 1000);
    if (p.status !== 0) {
      process.stderr.write(`bench-online: multimech train failed (exit ${p.status}):\n${p.stderr}\n`);
      process.exit(1);
    }
    const rows = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n').length - 1;
    if (rows !== epochs + 1) {
      process.stderr.write(`bench-online: expected ${epochs + 1} rows in metrics.csv, got ${rows}\n`);
      process.exit(1);
    }
  }
  return median(times);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-bench-online-'));
try {
  const training = trainingSeconds(EPOCHS);
  const trainingOne = trainingSeconds(1);
  const total = commandSeconds(EPOCHS, dir);
  const fixed = commandSeconds(1, dir) - trainingOne;
  const perEpoch = total - fixed - training;
  const inProcess = inProcessSeconds(EPOCHS);
  const inProcessTiny = inProcessSeconds(EPOCHS, TINY);
  const pct = (x) => `${((100 * x) / training).toFixed(1)}%`;
  const s = (x) => `${x.toFixed(3)} s`;
  console.log(`multimech train, ${EPOCHS} epochs of one update (medians of ${RUNS} runs; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`);
  console.log(`  training                 ${s(training)}`);
  console.log(`  total                    ${s(total)}`);
  console.log(`  fixed (start, results)   ${s(fixed)}`);
  console.log(`  per epoch (rows, checkpoints, log): ${s(perEpoch)} (${((1000 * perEpoch) / EPOCHS).toFixed(3)} ms an epoch)`);
  const more = (w, p) => `${((100 * (w - p)) / p).toFixed(1)}%`;
  const line = (label, r) =>
    `  in one process, ${label} (alternated, CPU time, which the machine's load disturbs less than wall time): training ${s(r.plain)}, with a metrics row and a log line at every evaluation ${s(r.writing)} (${more(r.writing, r.plain)} more); best of each ${s(r.plainBest)} and ${s(r.writingBest)} (${more(r.writingBest, r.plainBest)}); the ${r.saved} checkpoints the default schedule writes (the first evaluation, the end) ${s(r.checkpoints)}`;
  console.log(line(`${SMALL.hidden} hidden nodes, ${SMALL.train} examples`, inProcess));
  console.log(line(`${TINY.hidden} hidden nodes, ${TINY.train} examples`, inProcessTiny));
  console.log(`overhead: total ${pct(total - training)} of training; the per-epoch part ${pct(perEpoch)} of training; in one process (best of each) ${more(inProcess.writingBest, inProcess.plainBest)} on ${SMALL.hidden} hidden nodes, ${more(inProcessTiny.writingBest, inProcessTiny.plainBest)} on ${TINY.hidden}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
