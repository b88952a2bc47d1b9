#!/usr/bin/env node
/**
 * Benchmark of multimech's equilibrium solver (@multimech/sparse) against
 * the best references on this machine, on the Hessians of physical
 * networks: grounded weighted graph Laplacians with conductances in [0.5, 2].
 *
 *   npx tsc -b packages/sparse && node scripts/bench-linalg.js [--max-edges N] [--only NAME,...] [--clock cpu|wall]
 *
 * Graphs: 2-D grids and 3-D cubic lattices grounded at one corner, random
 * 4-regular graphs grounded at 10 random nodes, with about 10^4, 10^5 and
 * 10^6 edges each, and a layered network with its inputs grounded.
 *
 * What is timed, for every solver, is one frequency-propagation training
 * step on the same matrix: the numeric work for the current conductances
 * (refactorization, or multigrid setup), two solves (free and clamped
 * states, relative residual 1e-10 for iterative solvers, the free state from
 * zero and the clamped one from the free one) and the
 * O(edges) per-edge product update of the conductances with the in-place
 * re-assembly of the matrix values. The figure is the minimum over repeats
 * (the machine is shared: the minimum is the least disturbed run).
 *
 * multimech runs in a fresh Node process per graph with its defaults
 * (method 'auto') except the CG tolerance; its peak memory is that
 * process's peak resident set, network construction included.
 *
 * References, each in its own process on files the multimech process writes:
 *   CHOLMOD     scripts/bench-c/cholmod_step.c against libsuitesparse-dev:
 *               analysis once, numeric refactorization + two solves per step;
 *               one OpenBLAS thread, and two beside it
 *   hypre       scripts/bench-c/hypre_step.c against libhypre-dev:
 *               BoomerAMG-preconditioned CG with the setup reused across
 *               steps, and with the setup redone every step (one process)
 *   scipy       scripts/bench_scipy.py: splu (COLAMD, MMD_AT_PLUS_A) and
 *               Jacobi CG, on graphs of at most SCIPY_MAX_EDGES edges
 * A reference whose library or compiler is missing is skipped with the
 * reason printed. The ratio of each graph is multimech's step over the best
 * single-threaded reference step; the last line is the worst ratio.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

/** CG tolerance of every iterative solver here (relative 2-norm residual). */
const CG_TOLERANCE = 1e-10;
/** Time budget (ms) of repeats per measured step; at least MIN_REPEATS, at most MAX_REPEATS. */
const BUDGET_MS = 1500;
const MIN_REPEATS = 3;
const MAX_REPEATS = 20;
/** A step slower than this (ms) is timed once. */
const SLOW_MS = 2000;
/** scipy runs only on graphs up to this many edges (its splu and Jacobi CG take minutes beyond). */
const SCIPY_MAX_EDGES = 120000;
/** Each solver process is stopped after this long (ms). */
const PROCESS_TIMEOUT_MS = 15 * 60 * 1000;

/** The benchmark graphs: class, name, title and how to build them (deterministic). */
function graphSpecs() {
  const specs = [];
  for (const [side, label] of [[71, '1e4'], [224, '1e5'], [708, '1e6']]) {
    specs.push({ cls: '2-D grid', approx: Number(label), name: `grid2d-${label}`, title: `2-D grid ${side}x${side}`, seed: side, build: (p) => p.gridGraph(side), grounds: () => [0] });
  }
  for (const [side, label] of [[15, '1e4'], [33, '1e5'], [70, '1e6']]) {
    specs.push({ cls: '3-D lattice', approx: Number(label), name: `lattice3d-${label}`, title: `3-D lattice ${side}^3`, seed: 1000 + side, build: (p) => p.latticeGraph(side), grounds: () => [0] });
  }
  for (const [nodes, label] of [[5000, '1e4'], [50000, '1e5'], [500000, '1e6']]) {
    specs.push({
      cls: 'random 4-regular',
      approx: Number(label),
      name: `regular4-${label}`,
      title: `random 4-regular n=${nodes}`,
      seed: 2000 + nodes,
      build: (p, rng) => p.randomRegularGraph(nodes, rng),
      grounds: (graph, rng) => {
        const set = new Set();
        while (set.size < 10) set.add(Math.floor(rng() * graph.nodes));
        return [...set];
      },
    });
  }
  const sizes = [10, 100, 100, 100, 100, 10];
  specs.push({
    cls: 'layered',
    approx: 32000,
    name: 'layered',
    title: `layered ${sizes.join('-')}`,
    seed: 3000,
    build: (p) => p.layeredGraph(sizes).graph,
    grounds: () => Array.from({ length: sizes[0] }, (_, i) => i),
  });
  return specs;
}

/** Builds a spec's network: the grounded Laplacian, its conductances and two right-hand sides. */
function buildProblem(spec) {
  const problems = require('./bench-problems');
  const rng = problems.mulberry32(spec.seed);
  const graph = spec.build(problems, rng);
  const grounds = spec.grounds(graph, rng);
  const weights = problems.randomWeights(graph.tail.length, rng);
  const lap = problems.groundedLaplacian(graph, weights, grounds);
  const n = lap.matrix.rows;
  const free = Float64Array.from({ length: n }, () => rng() - 0.5);
  const clamped = free.slice();
  for (let k = 0; k < 10; k++) clamped[Math.floor(rng() * n)] += 0.1;
  return { lap, weights, free, clamped, edges: graph.tail.length };
}

/** Per-edge product update of the conductances from the two states, then in-place re-assembly. */
function learningUpdate(lap, weights, xFree, xClamped) {
  const { assembleLaplacian } = require('./bench-problems');
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

function relativeResidual(linalg, A, x, b) {
  const r = linalg.csrMultiply(A, x);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (r[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/**
 * The clock: 'wall', or 'cpu', this process's CPU time (for a machine
 * shared with other work, where a wall-clock step includes the time others
 * ran; the references then use their CPU clocks too, except the two-thread
 * figures, which stay wall time). Set by --clock, passed on in BENCH_CLOCK.
 */
let CLOCK = process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall';
function now() {
  if (CLOCK === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Minimum time of fn() in ms over repeats within the budget, after one warm-up run (which is timed too). */
function minMs(fn) {
  const t0 = now();
  fn();
  const first = now() - t0;
  if (first > SLOW_MS) return { ms: first, repeats: 1 };
  let best = first;
  let spent = 0;
  let repeats = 0;
  while (repeats < MAX_REPEATS && (repeats < MIN_REPEATS || spent < BUDGET_MS)) {
    const t = now();
    fn();
    const dt = now() - t;
    best = Math.min(best, dt);
    spent += dt;
    repeats++;
  }
  return { ms: best, repeats: repeats + 1 };
}

/** Writes a problem's files for the reference harnesses (see scripts/bench-c/bench_io.h). */
function writeProblem(dir, name, p) {
  const A = p.lap.matrix;
  const write = (suffix, typed) => fs.writeFileSync(path.join(dir, name + suffix), Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength));
  write('.indptr', A.rowPtr);
  write('.indices', A.colIdx);
  write('.data', A.values);
  write('.free', p.free);
  write('.clamped', p.clamped);
  write('.tail', p.lap.graph.tail);
  write('.head', p.lap.graph.head);
  write('.weights', p.weights);
  write('.slots', p.lap.edgeSlots);
  write('.gslots', p.lap.groundSlots);
  fs.writeFileSync(path.join(dir, name + '.meta'), `${A.rows} ${A.rowPtr[A.rows]} ${p.lap.graph.tail.length} ${p.lap.groundSlots.length}\n`);
}

/** The child process: builds one network, writes it for the references, times multimech, prints JSON. */
function child(name, dir) {
  const spec = graphSpecs().find((s) => s.name === name);
  const linalg = require('@multimech/sparse');
  const p = buildProblem(spec);
  writeProblem(dir, name, p);
  const A = p.lap.matrix;
  const n = A.rows;
  const options = { cgTolerance: CG_TOLERANCE };
  let t0 = now();
  const plan = linalg.planSolver(A, options);
  const planMs = now() - t0;
  const xFree = new Float64Array(n);
  const xClamped = new Float64Array(n);
  t0 = now();
  const first = plan.factor(A);
  const firstFactorMs = now() - t0;
  const residual = relativeResidual(linalg, A, first.solve(p.free, xFree), p.free);
  // A plan keeps two factorizations alive, each with its own storage (a
  // multigrid hierarchy for CG): create the second before timing steps, which
  // then all reuse storage, as training does.
  plan.factor(A);
  let factorMs = Infinity;
  let solveMs = Infinity;
  const step = minMs(() => {
    const s0 = now();
    const f = plan.factor(A);
    const s1 = now();
    // The two states against one factorization, as the mechanisms solve them
    // (an iterative method starts the clamped state from the free one).
    const [xf, xc] = f.solveMany([p.free, p.clamped]);
    const s2 = now();
    learningUpdate(p.lap, p.weights, xf, xc);
    factorMs = Math.min(factorMs, s1 - s0);
    solveMs = Math.min(solveMs, s2 - s1);
  });
  const stepResidual = relativeResidual(linalg, A, plan.factor(A).solve(p.free, xFree), p.free);
  const out = {
    n,
    nnz: A.rowPtr[n],
    edges: p.edges,
    method: plan.method,
    detail: plan.preconditioner ? `${plan.preconditioner} preconditioner` : '',
    reason: plan.reason,
    nnzL: plan.nnzL,
    planMs,
    firstFactorMs,
    factorMs,
    solveMs,
    stepMs: step.ms,
    repeats: step.repeats,
    residual: Math.max(residual, stepResidual),
    peakRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** Runs a command; returns its last stdout line parsed as JSON, or { error }. */
function runJson(command, args, env) {
  const run = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: PROCESS_TIMEOUT_MS,
    env: { ...process.env, ...env },
  });
  if (run.error) return { error: run.error.code === 'ETIMEDOUT' ? `stopped after ${PROCESS_TIMEOUT_MS / 60000} min` : run.error.message };
  if (run.status !== 0) {
    const last = (run.stderr || '').trim().split('\n').pop() || `signal ${run.signal}`;
    return { error: `exit ${run.status}: ${last}` };
  }
  try {
    return JSON.parse(run.stdout.trim().split('\n').pop());
  } catch {
    return { error: `unreadable output: ${run.stdout.slice(0, 200)}` };
  }
}

/** Compiles the C harnesses into `dir`; returns { cholmod, hypre } each a path or { reason }. */
function buildHarnesses(dir) {
  const source = path.join(__dirname, 'bench-c');
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error) return { cholmod: { reason: 'no C compiler (cc)' }, hypre: { reason: 'no C compiler (cc)' } };
  const compile = (name, header, flags) => {
    if (!header.some((h) => fs.existsSync(h))) return { reason: `${header[0]} not found (apt-get install ${name === 'cholmod_step' ? 'libsuitesparse-dev' : 'libhypre-dev'})` };
    const exe = path.join(dir, name);
    const run = spawnSync('cc', ['-O2', '-o', exe, path.join(source, `${name}.c`), ...flags, '-lm'], { encoding: 'utf8' });
    if (run.status !== 0) return { reason: `cc failed: ${(run.stderr || '').trim().split('\n')[0]}` };
    return { exe };
  };
  const mpiInclude = '/usr/lib/x86_64-linux-gnu/openmpi/include';
  return {
    cholmod: compile('cholmod_step', ['/usr/include/suitesparse/cholmod.h'], ['-I/usr/include/suitesparse', '-lcholmod']),
    hypre: compile('hypre_step', ['/usr/include/hypre/HYPRE.h'], ['-I/usr/include/hypre', `-I${mpiInclude}`, '-lHYPRE', '-lmpi']),
  };
}

/** A python3 that can import scipy, or the reason there is none. */
function findScipyPython() {
  const reasons = [];
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(exe, ['-c', 'import scipy, numpy; print(scipy.__version__)'], { encoding: 'utf8' });
    if (probe.error) reasons.push(`${exe}: ${probe.error.code || probe.error.message}`);
    else if (probe.status !== 0) reasons.push(`${exe}: ${(probe.stderr || '').trim().split('\n').pop()}`);
    else return { exe, version: probe.stdout.trim() };
  }
  return { reason: reasons.join('; ') };
}

const fmt = (ms) => (ms === undefined || !Number.isFinite(ms) ? '-' : ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0));
const mib = (kb) => (kb === undefined ? '-' : `${Math.round(kb / 1024)} MiB`);

/** Times the references on one written network; returns rows { solver, threads, stepMs, peakKb, residual, note } and skips. */
function runReferences(dir, spec, ours, tools) {
  const rows = [];
  const skips = [];
  const threads = (k) => ({ OPENBLAS_NUM_THREADS: String(k), OMP_NUM_THREADS: String(k), BENCH_CLOCK: k > 1 ? 'wall' : CLOCK });
  if (tools.cholmod.exe) {
    for (const k of [1, 2]) {
      const r = runJson(tools.cholmod.exe, [dir, spec.name], threads(k));
      if (r.error) skips.push(`CHOLMOD ${k} thread(s): ${r.error}`);
      else if (r.skipped) {
        skips.push(`CHOLMOD: ${r.skipped}`);
        break;
      }
      else rows.push({ solver: 'CHOLMOD', threads: k, stepMs: r.step_ms, peakKb: r.peak_rss_kb, residual: r.residual, note: `factor ${fmt(r.factor_ms)} | solve ${fmt(r.solve_ms)} | ${r.ordering} ordering, nnz(L)=${r.nnz_l}` });
    }
  }
  if (tools.hypre.exe) {
    const strong = spec.cls === '3-D lattice' ? '0.5' : '0.25';
    for (const mode of ['reuse', 'resetup']) {
      const r = runJson(tools.hypre.exe, [dir, spec.name, mode, strong], threads(1));
      if (r.error) skips.push(`hypre ${mode}: ${r.error}`);
      else
        rows.push({
          solver: `hypre AMG-CG ${mode === 'reuse' ? 'setup reused' : 'setup per step'}`,
          threads: 1,
          stepMs: r.step_ms,
          peakKb: r.peak_rss_kb,
          residual: r.residual,
          note: `${mode === 'reuse' ? `setup ${fmt(r.setup_ms)} once` : `setup ${fmt(r.resetup_ms)}`} | first solve ${fmt(r.solve_ms)} | ${r.iterations} iterations`,
        });
    }
  }
  if (tools.python.exe && ours.edges <= SCIPY_MAX_EDGES) {
    const manifest = path.join(dir, `${spec.name}.manifest.json`);
    // SuperLU fills a 3-D or random graph of 10^5 edges beyond minutes: splu only on grids and small graphs.
    const splu = spec.cls === '2-D grid' || ours.edges <= 40000 ? ['COLAMD', 'MMD_AT_PLUS_A'] : [];
    fs.writeFileSync(manifest, JSON.stringify({ matrices: [{ name: spec.name, n: ours.n, nnz: ours.nnz, splu }] }));
    const r = runJson(tools.python.exe, [path.join(__dirname, 'bench_scipy.py'), manifest], { BENCH_CLOCK: CLOCK });
    if (r.error) skips.push(`scipy: ${r.error}`);
    else {
      for (const [variant, v] of Object.entries(r.results[spec.name])) {
        if (typeof v.fp_ms !== 'number') {
          skips.push(`scipy ${variant}: not converged`);
          continue;
        }
        const parts = [];
        if (v.factor_ms !== undefined) parts.push(`factor ${fmt(v.factor_ms)}`, `solve ${fmt(v.solve_ms)}`);
        if (v.iterations !== undefined) parts.push(`${v.iterations} iterations`);
        if (v.derived) parts.push('timed once');
        rows.push({ solver: `scipy ${variant}`, threads: 1, stepMs: v.fp_ms, peakKb: r.peak_rss_kb, residual: v.relres, note: parts.join(' | ') });
      }
    }
  } else if (tools.python.exe) {
    skips.push(`scipy: not run above ${SCIPY_MAX_EDGES} edges`);
  }
  return { rows, skips };
}

/** Least-squares slope of log(time) against log(edges). */
function growthExponent(points) {
  const xs = points.map((p) => Math.log(p.edges));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  let maxEdges = Infinity;
  let only = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--max-edges') maxEdges = Number(args[++i]);
    else if (args[i] === '--clock' && (args[i + 1] === 'cpu' || args[i + 1] === 'wall')) CLOCK = process.env.BENCH_CLOCK = args[++i];
    else if (args[i] === '--only') only = new Set(args[++i].split(','));
    else {
      console.error(`bench-linalg: unknown argument ${args[i]} (expected --max-edges N, --only NAME,..., --clock cpu|wall)`);
      process.exit(2);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-bench-'));
  try {
    const tools = { ...buildHarnesses(dir), python: findScipyPython() };
    console.log(`multimech equilibrium solver benchmark (node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)})`);
    const clock = process.env.BENCH_CLOCK === 'cpu' ? "each process's CPU time (two-thread figures: wall time)" : 'wall time';
    console.log(`one training step = numeric refactorization or setup + two solves (rtol 1e-10) + per-edge update; minimum ms over repeats, ${clock}; one thread unless said`);
    console.log(tools.cholmod.exe ? 'CHOLMOD: scripts/bench-c/cholmod_step.c (libsuitesparse-dev)' : `CHOLMOD skipped: ${tools.cholmod.reason}`);
    console.log(tools.hypre.exe ? 'hypre BoomerAMG: scripts/bench-c/hypre_step.c (libhypre-dev; built without OpenMP, so no two-thread figure)' : `hypre skipped: ${tools.hypre.reason}`);
    console.log(tools.python.exe ? `scipy ${tools.python.version}: scripts/bench_scipy.py (up to ${SCIPY_MAX_EDGES} edges)` : `scipy skipped: ${tools.python.reason}`);
    console.log('multimech is single-threaded: no two-thread figure');
    const table = [];
    for (const spec of graphSpecs()) {
      if ((only && !only.has(spec.name)) || spec.approx > maxEdges) continue;
      const ours = runJson(process.execPath, [__filename, '--child', spec.name, dir], { BENCH_CLOCK: CLOCK });
      if (ours.error) {
        console.log(`${spec.title}: multimech failed: ${ours.error}`);
        table.push({ spec, ours: null });
        continue;
      }
      const { rows, skips } = runReferences(dir, spec, ours, tools);
      for (const f of fs.readdirSync(dir)) if (f.startsWith(spec.name + '.')) fs.rmSync(path.join(dir, f));
      console.log(`\n${spec.title}: n=${ours.n}, edges=${ours.edges}, nnz(A)=${ours.nnz}`);
      const method = ours.detail ? `${ours.method}, ${ours.detail}` : ours.method;
      console.log(
        `  ${'multimech'.padEnd(34)} step ${fmt(ours.stepMs).padStart(7)} ms | peak ${mib(ours.peakRssKb).padStart(9)} | residual ${ours.residual.toExponential(1)} | ${method} (${ours.reason}) | plan ${fmt(ours.planMs)} | factor ${fmt(ours.factorMs)} | both solves ${fmt(ours.solveMs)}`,
      );
      for (const r of rows) {
        const label = `${r.solver}${r.threads > 1 ? `, ${r.threads} threads` : ''}`;
        console.log(`  ${label.padEnd(34)} step ${fmt(r.stepMs).padStart(7)} ms | peak ${mib(r.peakKb).padStart(9)} | residual ${r.residual.toExponential(1)} | ${r.note}`);
      }
      for (const s of skips) console.log(`  skipped ${s}`);
      const single = rows.filter((r) => r.threads === 1);
      const best = single.reduce((a, r) => (!a || r.stepMs < a.stepMs ? r : a), null);
      const two = rows.filter((r) => r.threads === 2).reduce((a, r) => (!a || r.stepMs < a.stepMs ? r : a), null);
      const ratio = best ? ours.stepMs / best.stepMs : null;
      if (best) console.log(`  ratio to the best reference (${best.solver}, ${fmt(best.stepMs)} ms): ${ratio.toFixed(2)}${two ? ` | to the best two-thread figure (${two.solver}, ${fmt(two.stepMs)} ms): ${(ours.stepMs / two.stepMs).toFixed(2)}` : ''}`);
      table.push({ spec, ours, best, two, ratio });
    }
    console.log('\ngraph                   edges      multimech ms  method        peak       best reference              ms      ratio');
    for (const t of table) {
      if (!t.ours) {
        console.log(`${t.spec.name.padEnd(22)}  failed`);
        continue;
      }
      console.log(
        `${t.spec.name.padEnd(22)}  ${String(t.ours.edges).padEnd(9)}  ${fmt(t.ours.stepMs).padStart(12)}  ${(t.ours.detail ? `${t.ours.method}/${t.ours.detail.split(' ')[0]}` : t.ours.method).padEnd(12)}  ${mib(t.ours.peakRssKb).padStart(9)}  ${(t.best ? t.best.solver : 'none').padEnd(26)}  ${fmt(t.best?.stepMs).padStart(7)}  ${t.ratio ? t.ratio.toFixed(2) : '-'}`,
      );
    }
    const classes = [...new Set(table.map((t) => t.spec.cls))];
    for (const cls of classes) {
      const rows = table.filter((t) => t.spec.cls === cls && t.ours);
      if (rows.length < 2) continue;
      const mm = growthExponent(rows.map((t) => ({ edges: t.ours.edges, ms: t.ours.stepMs })));
      const ref = rows.every((t) => t.best) ? growthExponent(rows.map((t) => ({ edges: t.ours.edges, ms: t.best.stepMs }))) : NaN;
      console.log(`growth exponent of the step time in edges, ${cls}: multimech ${mm.toFixed(2)} | best reference ${Number.isFinite(ref) ? ref.toFixed(2) : '-'}`);
    }
    const ratios = table.filter((t) => t.ratio).map((t) => t.ratio);
    if (ratios.length) console.log(`worst ratio to the best reference: ${Math.max(...ratios).toFixed(2)}`);
    else console.log('worst ratio to the best reference: - (no reference ran)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
