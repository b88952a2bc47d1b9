/*
 * Shared by the C reference harnesses of scripts/bench-linalg.js: reading a
 * benchmark network written by the script, the per-edge learning update
 * (the same as the script's), residuals, timing and peak memory.
 *
 * A network NAME in folder DIR is a set of raw little-endian files:
 *   NAME.meta     text: n nnz edges grounds
 *   NAME.indptr   int32[n+1]   CSR of the grounded Laplacian (symmetric)
 *   NAME.indices  int32[nnz]
 *   NAME.data     float64[nnz]
 *   NAME.free     float64[n]   right-hand side of the free state
 *   NAME.clamped  float64[n]   right-hand side of the clamped state
 *   NAME.tail     int32[edges], NAME.head int32[edges]
 *   NAME.weights  float64[edges]
 *   NAME.slots    int32[4 edges]  slots of (t,t), (h,h), (t,h), (h,t); -1 for a held node
 *   NAME.gslots   int32[grounds]  diagonal slots that get +1
 */
#ifndef BENCH_IO_H
#define BENCH_IO_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
  int n, nnz, m, g;
  int *indptr, *indices, *tail, *head, *slots, *gslots;
  double *data, *free_rhs, *clamped_rhs, *weights;
} network;

static void *read_file(const char *dir, const char *name, const char *suffix, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  void *out = malloc(bytes ? bytes : 1);
  if (bytes && fread(out, 1, bytes, f) != bytes) { fprintf(stderr, "short read %s\n", path); exit(2); }
  fclose(f);
  return out;
}

static network read_network(const char *dir, const char *name) {
  network w;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.meta", dir, name);
  FILE *f = fopen(path, "r");
  if (!f || fscanf(f, "%d %d %d %d", &w.n, &w.nnz, &w.m, &w.g) != 4) { fprintf(stderr, "bad meta %s\n", path); exit(2); }
  fclose(f);
  w.indptr = read_file(dir, name, ".indptr", sizeof(int) * (w.n + 1));
  w.indices = read_file(dir, name, ".indices", sizeof(int) * w.nnz);
  w.data = read_file(dir, name, ".data", sizeof(double) * w.nnz);
  w.free_rhs = read_file(dir, name, ".free", sizeof(double) * w.n);
  w.clamped_rhs = read_file(dir, name, ".clamped", sizeof(double) * w.n);
  w.tail = read_file(dir, name, ".tail", sizeof(int) * w.m);
  w.head = read_file(dir, name, ".head", sizeof(int) * w.m);
  w.weights = read_file(dir, name, ".weights", sizeof(double) * w.m);
  w.slots = read_file(dir, name, ".slots", sizeof(int) * 4 * w.m);
  w.gslots = read_file(dir, name, ".gslots", sizeof(int) * w.g);
  return w;
}

/* The per-edge product update of the conductances from the two states and
 * the in-place re-assembly of the values, as bench-linalg.js does it.
 * Nodes without a row (held) read as 0; here every node has a row. */
static void learning_update(network *w, double *values, const double *xf, const double *xc) {
  const double eta = 1e-3;
  for (int e = 0; e < w->m; e++) {
    double df = xf[w->tail[e]] - xf[w->head[e]];
    double dc = xc[w->tail[e]] - xc[w->head[e]];
    double v = w->weights[e] * (1 + eta * (df * df - dc * dc));
    w->weights[e] = v < 0.1 ? 0.1 : v > 10 ? 10 : v;
  }
  memset(values, 0, sizeof(double) * w->nnz);
  for (int e = 0; e < w->m; e++) {
    double v = w->weights[e];
    const int *s = w->slots + 4 * e;
    if (s[0] >= 0) values[s[0]] += v;
    if (s[1] >= 0) values[s[1]] += v;
    if (s[2] >= 0) values[s[2]] -= v;
    if (s[3] >= 0) values[s[3]] -= v;
  }
  for (int k = 0; k < w->g; k++) values[w->gslots[k]] += 1;
}

/* ||b - A x|| / ||b|| with A in CSR (values `values`). */
static double relative_residual(const network *w, const double *values, const double *x, const double *b) {
  double num = 0, den = 0;
  for (int i = 0; i < w->n; i++) {
    double s = 0;
    for (int p = w->indptr[i]; p < w->indptr[i + 1]; p++) s += values[p] * x[w->indices[p]];
    num += (b[i] - s) * (b[i] - s);
    den += b[i] * b[i];
  }
  return sqrt(num / den);
}

/* Wall time, or this process's CPU time when BENCH_CLOCK=cpu (for a machine
 * shared with other work; meaningful for one thread only). */
static double now_ms(void) {
  static int clock_id = -1;
  if (clock_id < 0) {
    const char *which = getenv("BENCH_CLOCK");
    clock_id = which && strcmp(which, "cpu") == 0 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
  }
  struct timespec t;
  clock_gettime(clock_id, &t);
  return 1e3 * t.tv_sec + 1e-6 * t.tv_nsec;
}

static long peak_rss_kb(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/* Repeats: at least MIN, at most MAX, stopping once BUDGET ms are spent (once only when SLOW). */
#define BENCH_MIN_REPEATS 3
#define BENCH_MAX_REPEATS 20
#define BENCH_BUDGET_MS 1500.0
/* A step slower than this is timed once. */
#define BENCH_SLOW_MS 2000.0

#endif
