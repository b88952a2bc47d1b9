import type { HeatmapCell, KnobPoint } from '@multimech/sweep';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans', legend: { symbolOpacity: 1, labelLimit: 260 } };

/** A knob's axis: quantitative (log when asked and every value is positive) when every value is a number, else the values in their order. */
function axis(field: string, title: string, values: readonly (number | string)[], log: boolean): object {
  if (values.every((v) => typeof v === 'number')) {
    const useLog = log && values.every((v) => (v as number) > 0);
    return { field, type: 'quantitative', title, scale: useLog ? { type: 'log' } : { zero: false } };
  }
  return { field, type: 'ordinal', title, sort: [...new Set(values)] };
}

/** Whether a knob's values call for a log axis: all positive and spanning two decades or more. */
export function logScaleFits(values: readonly (number | string)[]): boolean {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  return numbers.length === values.length && numbers.length > 1 && Math.min(...numbers) > 0 && Math.max(...numbers) / Math.min(...numbers) >= 100;
}

/**
 * A figure against one knob: per mechanism, a line through the mean over the
 * seeds (and over the other knobs' values), in a band from the lowest to the
 * highest run.
 */
export function knobSpec(options: {
  readonly title: string;
  readonly knob: string;
  readonly yTitle: string;
  readonly points: readonly KnobPoint[];
  /** The mechanisms, when the sweep has them (one colour each). */
  readonly mechanisms?: readonly string[];
  readonly logX?: boolean;
  readonly logY?: boolean;
}): object {
  const { points, mechanisms } = options;
  const x = axis('x', options.knob, points.map((p) => p.x), options.logX === true);
  const logY = options.logY === true && points.length > 0 && points.every((p) => p.min > 0);
  const color = mechanisms ? { color: { field: 'mechanism', type: 'nominal', title: 'mechanism', scale: { domain: [...mechanisms] } } } : {};
  return {
    $schema: SCHEMA,
    title: { text: options.title, subtitle: 'mean over the runs at each value; band: lowest to highest' },
    background: 'white',
    config: CONFIG,
    width: 480,
    height: 260,
    data: { values: points },
    layer: [
      {
        mark: { type: 'errorband', opacity: 0.2 },
        encoding: { x, y: { field: 'min', type: 'quantitative', title: options.yTitle, scale: logY ? { type: 'log', nice: false } : { zero: false } }, y2: { field: 'max' }, ...color },
      },
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: options.yTitle }, ...color },
      },
    ],
  };
}

/** A figure over two knobs: a cell per pair of values, coloured by the mean over the seeds, one panel per mechanism. */
export function heatmapSpec(options: {
  readonly title: string;
  readonly xKnob: string;
  readonly yKnob: string;
  readonly figure: string;
  readonly cells: readonly HeatmapCell[];
  readonly mechanisms?: readonly string[];
  /** Whether a higher value is better (accuracy): the colour scale runs the other way. */
  readonly higherIsBetter?: boolean;
}): object {
  const order = (values: readonly (number | string)[]) =>
    [...new Set(values)].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  const x = { field: 'x', type: 'ordinal', title: options.xKnob, sort: order(options.cells.map((c) => c.x)) };
  const y = { field: 'y', type: 'ordinal', title: options.yKnob, sort: order(options.cells.map((c) => c.y)).reverse() };
  // viridis is bright at its top: the better half of the cells (the top, reversed when lower is better) gets dark text
  const means = options.cells.map((c) => c.mean);
  const middle = means.length > 0 ? (Math.min(...means) + Math.max(...means)) / 2 : 0;
  const reverse = options.higherIsBetter !== true;
  const bright = `datum.mean ${reverse ? '<' : '>'} ${middle}`;
  const layer = [
    { mark: 'rect', encoding: { x, y, color: { field: 'mean', type: 'quantitative', title: options.figure, scale: { scheme: 'viridis', reverse } } } },
    {
      mark: { type: 'text', fontSize: 10 },
      encoding: { x, y, text: { field: 'mean', type: 'quantitative', format: '.3~g' }, color: { condition: { test: bright, value: 'black' }, value: 'white' } },
    },
  ];
  const spec = { $schema: SCHEMA, title: options.title, background: 'white', config: CONFIG, data: { values: options.cells } };
  if (options.mechanisms && options.mechanisms.length > 1) {
    return { ...spec, facet: { column: { field: 'mechanism', type: 'nominal', title: 'mechanism', sort: [...options.mechanisms] } }, spec: { width: 260, height: 220, layer } };
  }
  return { ...spec, width: 360, height: 260, layer };
}
