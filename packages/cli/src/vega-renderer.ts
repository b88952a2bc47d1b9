import type * as ResvgJs from '@resvg/resvg-js';
import { xmlSafe } from '@multimech/core';
import { pathToFileURL } from 'url';
import { Worker } from 'worker_threads';

/**
 * vega and vega-lite are ES modules with top-level await, so CommonJS code
 * can neither `require()` them nor, inside a test runner's VM sandbox,
 * `import()` them. They are loaded by a real `import()` in a worker thread,
 * which compiles each vega-lite spec it is sent and renders it to SVG with a
 * headless vega View; the same path serves the command and the tests. The
 * worker starts loading at once (about 0.7 s of CPU), so a command that
 * starts its renderer before training has it ready when the run ends, and
 * one worker draws every chart of a command in turn.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const loaded = Promise.all([import(workerData.vega), import(workerData.vegaLite)]);
loaded.catch(() => {});
parentPort.on('message', async ({ id, spec }) => {
  try {
    const [vega, vegaLite] = await loaded;
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    try {
      parentPort.postMessage({ id, svg: await view.toSVG() });
    } finally {
      view.finalize();
    }
  } catch (e) {
    parentPort.postMessage({ id, error: (e && e.stack) || String(e) });
  }
});
`;

/**
 * A worker thread that draws vega-lite specs as SVG, one after another;
 * it keeps the process alive only while a chart is being drawn, and
 * `close` ends it.
 */
export class ChartRenderer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (svg: string) => void; reject: (e: Error) => void }>();
  private next = 0;
  private stopped: Error | undefined;

  constructor() {
    const workerData = {
      vega: pathToFileURL(require.resolve('vega')).href,
      vegaLite: pathToFileURL(require.resolve('vega-lite')).href,
    };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; svg?: string; error?: string }) => {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.settled(m.id);
      if (typeof m.svg === 'string') waiting.resolve(m.svg);
      else waiting.reject(new Error(`rendering the plot failed: ${m.error}`));
    });
    this.worker.once('error', (e) => this.fail(e));
    this.worker.once('exit', (code) => this.fail(new Error(`the plot renderer stopped (exit code ${code}) before it produced an SVG`)));
  }

  /** The spec drawn as an SVG document. */
  render(spec: object): Promise<string> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.next++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, spec });
    });
  }

  /** Ends the worker; charts still being drawn are refused. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = new Error('the plot renderer was closed before it produced an SVG');
    await this.worker.terminate();
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    this.stopped ??= e;
    for (const [id, waiting] of [...this.pending]) {
      this.settled(id);
      waiting.reject(this.stopped);
    }
  }
}

/** Renders a vega-lite spec to an SVG document, with `renderer` or a worker of its own. */
export async function renderVegaLiteSvg(spec: object, renderer?: ChartRenderer): Promise<string> {
  if (renderer) return renderer.render(spec);
  const own = new ChartRenderer();
  try {
    return await own.render(spec);
  } finally {
    await own.close();
  }
}

/** A drawn chart: the SVG, a PNG of it, and the vega-lite spec it was drawn from. */
export interface RenderedPlot {
  readonly svg: string;
  readonly png: Buffer;
  readonly spec: object;
}

/** The longest text a chart shows whole (a title, a mechanism's name); longer ones keep their ends. */
const CHART_TEXT_LIMIT = 1000;

/**
 * `spec` with every string longer than CHART_TEXT_LIMIT cut to its first and
 * last 100 characters around an ellipsis: a name or a title from a config may
 * be any length, and a chart as wide as a 200,000-character title cannot be
 * drawn. The same string is always cut the same way, so that a name in the
 * data still matches itself in the encodings.
 */
export function boundedChartText<T>(spec: T): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > CHART_TEXT_LIMIT ? `${v.slice(0, 100)}…${v.slice(-100)}` : v;
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(spec) as T;
}

/** Draws any vega-lite spec as SVG and as a PNG `pngWidth` pixels wide, with `renderer` (one started for this chart without it). */
export async function renderChart(given: object, pngWidth = 1000, renderer?: ChartRenderer): Promise<RenderedPlot> {
  const spec = boundedChartText(given);
  // a title or a name from a config may hold characters an XML document cannot (a control character)
  const svg = xmlSafe(await renderVegaLiteSvg(spec, renderer));
  return { svg, png: svgToPng(svg, pngWidth), spec };
}

/** Draws every spec, one after another in one worker (which loads vega once), as `renderChart` draws one. */
export async function renderCharts(specs: readonly object[], pngWidth = 1000): Promise<RenderedPlot[]> {
  if (specs.length === 0) return [];
  const renderer = new ChartRenderer();
  try {
    const drawn: RenderedPlot[] = [];
    for (const spec of specs) drawn.push(await renderChart(spec, pngWidth, renderer));
    return drawn;
  } finally {
    await renderer.close();
  }
}

/** Rasterises an SVG to PNG with the system's fonts (DejaVu Sans by default). */
export function svgToPng(svg: string, width?: number): Buffer {
  // a native module, loaded by the first picture (the command line's start and `--help` do without it)
  const { Resvg } = require('@resvg/resvg-js') as typeof ResvgJs;
  const resvg = new Resvg(xmlSafe(svg), {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: width ? { mode: 'width', value: width } : { mode: 'original' },
    background: 'white',
  });
  return resvg.render().asPng();
}
