#!/usr/bin/env node
/**
 * Start-up benchmark: how long multimech takes before it does anything.
 *
 *   npx tsc -b && node scripts/bench-startup.js [--runs N]
 *
 * Every figure is the median over N fresh Node processes (default 5), so
 * nothing is cached in the process; the operating system's file cache is
 * warm after the first. For each:
 *   node alone      `node -e 0`: what any of the figures below pays first
 *   import          `require()` of a package's public entry (its `main`, the
 *                   built dist), timed inside the process, and the whole
 *                   process (start, import, exit) timed from outside
 *   --help          `multimech --help` through the built bin, the process
 *                   from start to exit (aim: under 0.3 s)
 *   first epoch     `multimech train examples/iris-frequency/config.json`,
 *                   from the process's start to its first epoch event
 *                   (epoch 0: the figures before training, the first line
 *                   it prints), after which the run is stopped (aim: under
 *                   0.5 s)
 * and whether mathjs was loaded at that point (it is loaded only by a
 * quantity written with a unit, `"1 kohm"`, or a law written as an
 * expression). --help and the demo are observed by scripts/startup-probe.js,
 * preloaded with `node -r`; the command line has no timing option.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'multimech.js');
const PROBE = path.join(__dirname, 'startup-probe.js');
const DEMO = 'examples/iris-frequency/config.json';
const PACKAGES = [
  '@multimech/sparse',
  '@multimech/core',
  '@multimech/resistive',
  '@multimech/flow',
  '@multimech/elastic',
  '@multimech/frequency',
  '@multimech/chemical',
  '@multimech/contrastive',
  '@multimech/conformance',
  '@multimech/trainer',
  '@multimech/cli',
];
const AIMS = { help: 300, demo: 500 };

/** Run in a fresh process per package: times its require and says whether mathjs came with it. */
const IMPORT_CHILD = `
const name = process.argv[1];
const t0 = performance.now();
require(name);
const ms = performance.now() - t0;
const mathjs = Object.keys(require.cache).some((f) => f.includes(${JSON.stringify(`${path.sep}node_modules${path.sep}mathjs${path.sep}`)}));
process.stdout.write(JSON.stringify({ ms, mathjs }));
`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
}

/** Runs `node ...args` to its end; returns its wall time (ms) and what it printed. */
function timed(args, stdio = ['ignore', 'pipe', 'pipe']) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ').slice(0, 80)} failed (exit ${r.status}): ${r.stderr}`);
  return { ms, output: r.output };
}

function importOf(name, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const { ms, output } = timed(['-e', IMPORT_CHILD, name]);
    samples.push({ wall: ms, ...JSON.parse(output[1]) });
  }
  return { require: median(samples.map((s) => s.ms)), wall: median(samples.map((s) => s.wall)), mathjs: samples.some((s) => s.mathjs) };
}

function help(runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const { ms, output } = timed(['-r', PROBE, BIN, '--help'], ['ignore', 'pipe', 'pipe', 'pipe']);
    samples.push({ wall: ms, ...JSON.parse(output[3]) });
  }
  return { wall: median(samples.map((s) => s.wall)), mathjs: samples.some((s) => s.mathjs) };
}

/** One demo run, stopped at its first epoch event: the wall time from spawn to the probe's report. */
function demoOnce(out) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-r', PROBE, BIN, 'train', DEMO, '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let report = '';
    let done = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdio[3].on('data', (d) => {
      report += d;
      if (done || !report.includes('\n')) return;
      done = true;
      const wall = performance.now() - t0;
      const probe = JSON.parse(report.split('\n')[0]);
      child.kill();
      if (probe.at !== 'epoch') reject(new Error(`multimech train ${DEMO} ended without an epoch: ${stderr}`));
      else resolve({ wall, mathjs: probe.mathjs });
    });
    child.on('exit', () => {
      if (!done) reject(new Error(`multimech train ${DEMO} ended before its first epoch: ${stderr}`));
    });
    child.on('error', reject);
  });
}

async function demo(runs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-bench-'));
  try {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await demoOnce(path.join(dir, `run-${i}`)));
    return { wall: median(samples.map((s) => s.wall)), mathjs: samples.some((s) => s.mathjs) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x) => `${x.toFixed(0)} ms`.padStart(7);
const yesNo = (b) => (b ? 'yes' : 'no');
const aim = (x, limit) => `aim < ${(limit / 1000).toFixed(1)} s: ${x < limit ? 'met' : 'missed'}`;

async function main() {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error('--runs expects a positive integer');
  if (!fs.existsSync(path.join(ROOT, 'packages', 'cli', 'dist', 'main.js'))) throw new Error('the packages are not built: run npx tsc -b first');

  timed(['-e', '0']); // warms the file cache for node itself
  console.log(`multimech start-up benchmark (node ${process.version}); median of ${runs} fresh processes each`);
  // start-up times move with whatever else the machine runs: say how busy it was
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log(`node alone (node -e 0): ${ms(median(Array.from({ length: runs }, () => timed(['-e', '0']).ms))).trim()}`);
  console.log('import of each public entry: require() inside the process | the whole process | mathjs loaded');
  for (const name of PACKAGES) {
    const r = importOf(name, runs);
    console.log(`  ${name.padEnd(24)} ${ms(r.require)} | ${ms(r.wall)} | mathjs ${yesNo(r.mathjs)}`);
  }
  const h = help(runs);
  console.log(`multimech --help: ${ms(h.wall).trim()} (${aim(h.wall, AIMS.help)}) | mathjs ${yesNo(h.mathjs)}`);
  const d = await demo(runs);
  console.log(`multimech train ${DEMO}, start to first epoch event: ${ms(d.wall).trim()} (${aim(d.wall, AIMS.demo)}) | mathjs ${yesNo(d.mathjs)}`);
}

main().catch((e) => {
  console.error(`bench-startup: ${e.message}`);
  process.exit(1);
});
