import type { TrainingSummary } from '@multimech/trainer';
import type { PlannedRun } from './sweep-plan';
import type { RunResult } from './training-job';

/** A finished run of a sweep: what it was, and its result. */
export interface FinishedRun {
  readonly run: Pick<PlannedRun, 'key' | 'label' | 'seed' | 'point' | 'decoded' | 'mechanism'>;
  readonly result: RunResult;
}

/** The figures a run is judged by, read from its summary. */
export type FigureName = 'final_loss' | 'test_accuracy' | 'train_accuracy' | 'relative_error' | 'seconds';

/** The figures of a task: classification has accuracies, regression the relative error. */
export function figureNames(classification: boolean): FigureName[] {
  return classification ? ['final_loss', 'test_accuracy', 'train_accuracy', 'seconds'] : ['final_loss', 'relative_error', 'seconds'];
}

/** A figure of a run's summary (undefined when the task does not report it). */
export function figureOf(summary: TrainingSummary, figure: FigureName): number | undefined {
  return summary[figure];
}

/** A swept value as an axis shows it: the number its codec decoded (`"1.7 kHz"` → 1700), else the value as written. */
export function axisValue(run: FinishedRun['run'], path: string): number | string {
  const decoded = run.decoded[path];
  if (decoded !== undefined) return decoded;
  const v = run.point[path];
  return typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
}

/** A figure over the runs that share a value of the knob (and a mechanism): mean, sample standard deviation, range, count. */
export interface KnobPoint {
  readonly x: number | string;
  readonly mechanism: string;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

function stats(values: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values) };
}

const order = (a: number | string, b: number | string) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

/**
 * A figure against one knob: for each mechanism (`''` when the sweep has
 * none) and each value of the knob, the figure over the runs there (the
 * seeds, and the other knobs' values), in the knob's order. Runs without
 * the figure (or with a value that is not finite) are left out.
 */
export function knobSeries(runs: readonly FinishedRun[], knob: string, figure: FigureName): KnobPoint[] {
  const groups = new Map<string, { x: number | string; mechanism: string; values: number[] }>();
  for (const { run, result } of runs) {
    const v = figureOf(result.summary, figure);
    if (v === undefined || !Number.isFinite(v)) continue;
    const x = axisValue(run, knob);
    const mechanism = run.mechanism ?? '';
    const id = JSON.stringify([mechanism, x]);
    const g = groups.get(id) ?? { x, mechanism, values: [] };
    g.values.push(v);
    groups.set(id, g);
  }
  return [...groups.values()]
    .map(({ x, mechanism, values }) => ({ x, mechanism, ...stats(values), runs: values.length }))
    .sort((a, b) => (a.mechanism < b.mechanism ? -1 : a.mechanism > b.mechanism ? 1 : order(a.x, b.x)));
}

/** A cell of a heatmap: a mechanism's mean figure at one value of each of two knobs, over the seeds (and any other knobs). */
export interface HeatmapCell {
  readonly x: number | string;
  readonly y: number | string;
  readonly mechanism: string;
  readonly mean: number;
  readonly runs: number;
}

/** The heatmap of a figure over two knobs, per mechanism. */
export function heatmapCells(runs: readonly FinishedRun[], xKnob: string, yKnob: string, figure: FigureName): HeatmapCell[] {
  const groups = new Map<string, { x: number | string; y: number | string; mechanism: string; values: number[] }>();
  for (const { run, result } of runs) {
    const v = figureOf(result.summary, figure);
    if (v === undefined || !Number.isFinite(v)) continue;
    const x = axisValue(run, xKnob);
    const y = axisValue(run, yKnob);
    const mechanism = run.mechanism ?? '';
    const id = JSON.stringify([mechanism, x, y]);
    const g = groups.get(id) ?? { x, y, mechanism, values: [] };
    g.values.push(v);
    groups.set(id, g);
  }
  return [...groups.values()].map(({ x, y, mechanism, values }) => ({ x, y, mechanism, mean: stats(values).mean, runs: values.length }));
}

/**
 * The mean of each figure over the seeds, per point and mechanism, in the
 * order of the runs: the lines of the sweep's table.
 */
export function pointSummaries(runs: readonly FinishedRun[], figures: readonly FigureName[]): { readonly run: FinishedRun['run']; readonly runs: number; readonly means: Readonly<Partial<Record<FigureName, number>>> }[] {
  const groups = new Map<string, { run: FinishedRun['run']; results: RunResult[] }>();
  for (const r of runs) {
    const id = JSON.stringify([r.run.point, r.run.mechanism ?? '']);
    const g = groups.get(id) ?? { run: r.run, results: [] };
    g.results.push(r.result);
    groups.set(id, g);
  }
  return [...groups.values()].map(({ run, results }) => {
    const means: Partial<Record<FigureName, number>> = {};
    for (const f of figures) {
      const values = results.map((r) => figureOf(r.summary, f)).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (values.length > 0) means[f] = stats(values).mean;
    }
    return { run, runs: results.length, means };
  });
}
