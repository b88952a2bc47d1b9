#!/usr/bin/env python3
"""Reference timings for scripts/bench-linalg.js: scipy on the same matrices.

Usage: bench_scipy.py MANIFEST.json

The manifest lists matrices written by bench-linalg.js as raw little-endian
CSR arrays (indptr/indices int32, data float64) plus two right-hand sides
(free and clamped). For each matrix this times, as the minimum of several
repeats after a warm-up:

  * scipy.sparse.linalg.splu (permc_spec COLAMD and MMD_AT_PLUS_A):
    factor, one solve, equilibrium (factor + solve), FP step (factor + 2 solves);
  * Jacobi-preconditioned scipy.sparse.linalg.cg (relative tolerance 1e-10):
    equilibrium (one solve), FP step (two solves, the second from the first's
    solution).

Operations slower than SLOW_S on their first run are timed once and the
combined ones derived from their parts, so the slow cases (splu on a
random graph, CG on a large grid) do not take minutes.

Prints one JSON object on stdout.
"""

import inspect
import json
import os
import resource
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

# Time budget per measured operation: repeats stop early once it is spent.
BUDGET_S = 1.5
MAX_REPEATS = 15
MIN_REPEATS = 3
# Operations slower than this on their first run are timed once, and the
# combined operations are derived by adding their parts ("derived": true).
SLOW_S = 2.0


# BENCH_CLOCK=cpu: this process's CPU time instead of wall time (a shared machine).
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter


def timed(fn):
    """(result of fn(), time in s)."""
    t0 = CLOCK()
    out = fn()
    return out, CLOCK() - t0


def median_ms(fn):
    """Minimum wall time of fn() in ms: one warm-up, then repeats within the budget
    (the minimum: the machine is shared, the least disturbed run is the figure)."""
    fn()
    times = []
    spent = 0.0
    while len(times) < MAX_REPEATS and (len(times) < MIN_REPEATS or spent < BUDGET_S):
        _, dt = timed(fn)
        times.append(dt)
        spent += dt
    return 1e3 * float(np.min(times))


def load(entry, folder):
    n = entry["n"]

    def read(suffix, dtype):
        return np.fromfile(os.path.join(folder, entry["name"] + suffix), dtype=dtype)

    indptr = read(".indptr", "<i4")
    indices = read(".indices", "<i4")
    data = read(".data", "<f8")
    A = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    return A, read(".free", "<f8"), read(".clamped", "<f8")


def time_splu(A, b1, b2, spec):
    Acsc = A.tocsc()
    lu, first = timed(lambda: spla.splu(Acsc, permc_spec=spec))
    x = lu.solve(b1)
    out = {
        "nnz_lu": int(lu.L.nnz + lu.U.nnz),
        "relres": float(np.linalg.norm(A @ x - b1) / np.linalg.norm(b1)),
        "solve_ms": median_ms(lambda: lu.solve(b1)),
    }
    if first > SLOW_S:
        out["factor_ms"] = 1e3 * first
        out["eq_ms"] = out["factor_ms"] + out["solve_ms"]
        out["fp_ms"] = out["factor_ms"] + 2 * out["solve_ms"]
        out["derived"] = True
        return out

    def fp_step():
        f = spla.splu(Acsc, permc_spec=spec)
        f.solve(b1)
        f.solve(b2)

    out["factor_ms"] = median_ms(lambda: spla.splu(Acsc, permc_spec=spec))
    out["eq_ms"] = median_ms(lambda: spla.splu(Acsc, permc_spec=spec).solve(b1))
    out["fp_ms"] = median_ms(fp_step)
    return out


def cg_tolerance_kwargs(tol):
    params = inspect.signature(spla.cg).parameters
    return {"rtol": tol} if "rtol" in params else {"tol": tol}


def time_cg(A, b1, b2, tol=1e-10):
    n = A.shape[0]
    M = sp.diags(1.0 / A.diagonal())
    kwargs = cg_tolerance_kwargs(tol)
    kwargs["atol"] = 0.0
    maxiter = 10 * n
    iterations = [0]

    def count(_xk):
        iterations[0] += 1

    def solve(b, x0=None):
        return spla.cg(A, b, x0=x0, M=M, maxiter=maxiter, **kwargs)

    def fp_step():
        # The clamped state starts from the free one.
        x1, _ = solve(b1)
        return solve(b2, x1)

    (x, info), first = timed(lambda: spla.cg(A, b1, M=M, maxiter=maxiter, callback=count, **kwargs))
    relres = float(np.linalg.norm(A @ x - b1) / np.linalg.norm(b1))
    out = {"iterations": iterations[0], "converged": info == 0, "relres": relres}
    if info != 0:
        return out
    if first > SLOW_S:
        _, second = timed(lambda: solve(b2, x))
        out["eq_ms"] = 1e3 * first
        out["fp_ms"] = 1e3 * (first + second)
        out["derived"] = True
        return out
    out["eq_ms"] = median_ms(lambda: solve(b1))
    out["fp_ms"] = median_ms(fp_step)
    return out


def main():
    manifest_path = sys.argv[1]
    folder = os.path.dirname(os.path.abspath(manifest_path))
    with open(manifest_path) as f:
        manifest = json.load(f)
    results = {}
    for entry in manifest["matrices"]:
        A, b1, b2 = load(entry, folder)
        out = {}
        for spec in entry.get("splu", ["COLAMD", "MMD_AT_PLUS_A"]):
            out["splu_" + spec] = time_splu(A, b1, b2, spec)
        out["cg_jacobi"] = time_cg(A, b1, b2)
        results[entry["name"]] = out
        print(f"# scipy done: {entry['name']}", file=sys.stderr, flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "results": results, "peak_rss_kb": peak}))


if __name__ == "__main__":
    main()
