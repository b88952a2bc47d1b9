#!/usr/bin/env node
/**
 * Benchmark of multimech's sparse solvers (@multimech/sparse) on the
 * Hessians of physical networks: grounded weighted graph Laplacians with
 * conductances in [0.5, 2].
 *
 *   npx tsc -b packages/sparse && node scripts/bench-linalg.js
 *
 * Graphs: 100x100 and 316x316 5-point grids grounded at one corner, and a
 * connected random graph of 10^4 nodes and mean degree 4 grounded at 10
 * random nodes. For each, the median ms (after a warm-up) of:
 *   plan         planSolver: symbolic analysis, once per network
 *   factor       plan.factor: numeric work, once per parameter update
 *   solve        one right-hand side against the factor
 *   equilibrium  factor + solve
 *   FP step      factor + two solves (free and clamped states) + the O(edges)
 *                per-edge product update of the conductances and in-place
 *                re-assembly of the matrix values
 *
 * multimech runs with its defaults (method and ordering 'auto', the default
 * CG preconditioner) except the CG tolerance, set to the reference's 1e-10.
 *
 * When python3 can import scipy, the same matrices go through
 * scripts/bench_scipy.py (splu with COLAMD and MMD_AT_PLUS_A, Jacobi CG with
 * rtol 1e-10) and the ratios multimech / scipy-best are printed; the last
 * line is the worst equilibrium ratio over the graphs.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const linalg = require('@multimech/sparse');
const { mulberry32, gridGraph, randomGraph, groundedLaplacian, assembleLaplacian, randomWeights } = require('./bench-problems');

/** CG tolerance, the same as the scipy reference's rtol. */
const CG_TOLERANCE = 1e-10;
/** Time budget (ms) per measured operation; repeats stop once it is spent. */
const BUDGET_MS = 3000;
const MIN_REPEATS = 5;
const MAX_REPEATS = 30;

/** Median wall time of fn() in ms, after one warm-up run. */
function medianMs(fn) {
  fn();
  const times = [];
  let spent = 0;
  while (times.length < MAX_REPEATS && (times.length < MIN_REPEATS || spent < BUDGET_MS)) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    times.push(dt);
    spent += dt;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
}

/** The benchmark networks, each a grounded Laplacian with its edge slots. */
function buildProblems() {
  const rng = mulberry32(20240601);
  const problems = [];
  for (const side of [100, 316]) {
    const graph = gridGraph(side);
    problems.push({
      name: `grid${side}`,
      title: `grid ${side}x${side}`,
      lap: groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [0]),
    });
  }
  const n = 10000;
  const graph = randomGraph(n, 4, rng);
  const grounds = new Set();
  while (grounds.size < 10) grounds.add(Math.floor(rng() * n));
  problems.push({
    name: 'random10k',
    title: `random graph n=${n}, mean degree 4`,
    lap: groundedLaplacian(graph, randomWeights(graph.tail.length, rng), [...grounds]),
  });
  for (const p of problems) {
    const size = p.lap.matrix.rows;
    p.free = Float64Array.from({ length: size }, () => rng() - 0.5);
    // The clamped state nudges a few outputs.
    p.clamped = p.free.slice();
    for (let k = 0; k < 10; k++) p.clamped[Math.floor(rng() * size)] += 0.1;
  }
  return problems;
}

/** Per-edge product update of the conductances from the two states, then in-place re-assembly. */
function learningUpdate(lap, weights, xFree, xClamped) {
  const { tail, head } = lap.graph;
  const eta = 1e-3;
  for (let e = 0; e < weights.length; e++) {
    const dFree = xFree[tail[e]] - xFree[head[e]];
    const dClamped = xClamped[tail[e]] - xClamped[head[e]];
    const w = weights[e] * (1 + eta * (dFree * dFree - dClamped * dClamped));
    weights[e] = w < 0.1 ? 0.1 : w > 10 ? 10 : w;
  }
  assembleLaplacian(lap, weights);
}

/** Times multimech on one problem. */
function benchMultimech(p) {
  const A = p.lap.matrix;
  const n = A.rows;
  // Conductances as assembled: recover them from the off-diagonal slots.
  const weights = new Float64Array(p.lap.graph.tail.length);
  for (let e = 0; e < weights.length; e++) weights[e] = -A.values[p.lap.edgeSlots[4 * e + 2]];
  const options = { cgTolerance: CG_TOLERANCE };
  const plan = linalg.planSolver(A, options);
  const xFree = new Float64Array(n);
  const xClamped = new Float64Array(n);
  const residual = relativeResidual(A, plan.factor(A).solve(p.free, xFree), p.free);
  const planMs = medianMs(() => linalg.planSolver(A, options));
  const factorMs = medianMs(() => plan.factor(A));
  // A plan keeps its latest two factorizations usable: take a fresh one for the solves.
  const factor = plan.factor(A);
  const solveMs = medianMs(() => factor.solve(p.free, xFree));
  const eqMs = medianMs(() => plan.factor(A).solve(p.free, xFree));
  const fpMs = medianMs(() => {
    const f = plan.factor(A);
    f.solve(p.free, xFree);
    f.solve(p.clamped, xClamped);
    learningUpdate(p.lap, weights, xFree, xClamped);
  });
  return { plan, residual, planMs, factorMs, solveMs, eqMs, fpMs };
}

function relativeResidual(A, x, b) {
  const r = linalg.csrMultiply(A, x);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (r[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** A python3 that can import scipy, or the reason there is none. */
function findScipyPython() {
  const reasons = [];
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(exe, ['-c', 'import scipy, numpy; print(scipy.__version__)'], { encoding: 'utf8' });
    if (probe.error) {
      reasons.push(`${exe}: ${probe.error.code || probe.error.message}`);
    } else if (probe.status !== 0) {
      const last = (probe.stderr || '').trim().split('\n').pop();
      reasons.push(`${exe}: ${last}`);
    } else {
      return { exe, version: probe.stdout.trim() };
    }
  }
  return { reason: reasons.join('; ') };
}

/** Writes the matrices and right-hand sides as raw CSR arrays; returns the manifest path. */
function writeMatrices(problems) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-bench-'));
  const matrices = [];
  for (const p of problems) {
    const A = p.lap.matrix;
    const write = (suffix, typed) => fs.writeFileSync(path.join(dir, p.name + suffix), Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength));
    write('.indptr', A.rowPtr);
    write('.indices', A.colIdx);
    write('.data', A.values);
    write('.free', p.free);
    write('.clamped', p.clamped);
    matrices.push({ name: p.name, n: A.rows, nnz: A.rowPtr[A.rows] });
  }
  const manifest = path.join(dir, 'manifest.json');
  fs.writeFileSync(manifest, JSON.stringify({ matrices }));
  return { dir, manifest };
}

/** Runs bench_scipy.py on the given problems; returns its parsed JSON. */
function runScipy(python, problems) {
  const { dir, manifest } = writeMatrices(problems);
  try {
    const script = path.join(__dirname, 'bench_scipy.py');
    const run = spawnSync(python, [script, manifest], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    if (run.status !== 0) throw new Error(`bench_scipy.py failed with status ${run.status}: ${(run.stderr || '').trim().split('\n').pop()}`);
    return JSON.parse(run.stdout.trim().split('\n').pop());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Best scipy variant for an operation key ('eq_ms' or 'fp_ms'). */
function scipyBest(result, key) {
  let best = null;
  for (const [variant, r] of Object.entries(result)) {
    if (typeof r[key] !== 'number') continue;
    if (!best || r[key] < best.ms) best = { variant, ms: r[key] };
  }
  return best;
}

const fmt = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function printOurs(p, r) {
  const A = p.lap.matrix;
  const method = r.plan.method === 'cg' ? `cg with ${linalg.DEFAULT_CG_PRECONDITIONER} preconditioner` : r.plan.method;
  console.log(
    `${p.title}: n=${A.rows}, nnz(A)=${A.rowPtr[A.rows]}, ${method} (${r.plan.reason}), nnz(L)=${r.plan.nnzL}, residual ${r.residual.toExponential(1)}`,
  );
  console.log(
    `  multimech: plan ${fmt(r.planMs)} | factor ${fmt(r.factorMs)} | solve ${fmt(r.solveMs)} | equilibrium ${fmt(r.eqMs)} | FP step ${fmt(r.fpMs)}`,
  );
}

/** Prints scipy's timings for one problem and the ratios; returns the equilibrium ratio. */
function printComparison(p, r, res) {
  for (const [variant, v] of Object.entries(res)) {
    const parts = [];
    if (v.factor_ms !== undefined) parts.push(`factor ${fmt(v.factor_ms)}`, `solve ${fmt(v.solve_ms)}`);
    if (v.eq_ms !== undefined) parts.push(`equilibrium ${fmt(v.eq_ms)}`, `FP step ${fmt(v.fp_ms)}`);
    if (v.iterations !== undefined) parts.push(`${v.iterations} iterations${v.converged ? '' : ' (not converged)'}`);
    if (v.nnz_lu !== undefined) parts.push(`nnz(L+U)=${v.nnz_lu}`);
    if (v.derived) parts.push('timed once');
    console.log(`  scipy ${variant}: ${parts.join(' | ')}`);
  }
  const eq = scipyBest(res, 'eq_ms');
  const fp = scipyBest(res, 'fp_ms');
  const eqRatio = r.eqMs / eq.ms;
  const fpRatio = r.fpMs / fp.ms;
  console.log(
    `  ratio multimech/scipy-best: equilibrium ${eqRatio.toFixed(2)} (vs ${eq.variant} ${fmt(eq.ms)}) | FP step ${fpRatio.toFixed(2)} (vs ${fp.variant} ${fmt(fp.ms)})`,
  );
  return eqRatio;
}

function main() {
  const problems = buildProblems();
  const python = findScipyPython();
  console.log(`multimech linalg benchmark (node ${process.version}); median ms after a warm-up`);
  if (python.exe) {
    console.log(`reference: scipy ${python.version} (${python.exe} scripts/bench_scipy.py), run right after each graph`);
  } else {
    console.log(`scipy reference skipped: no python3 with scipy (${python.reason})`);
  }
  let worst = 0;
  for (const p of problems) {
    const r = benchMultimech(p);
    printOurs(p, r);
    if (!python.exe) continue;
    const reference = runScipy(python.exe, [p]);
    worst = Math.max(worst, printComparison(p, r, reference.results[p.name]));
  }
  if (python.exe) console.log(`worst ratio to scipy: ${worst.toFixed(2)}`);
}

main();
