import type * as ResvgJs from '@resvg/resvg-js';
import { xmlSafe } from '@multimech/core';
import { pathToFileURL } from 'url';
import { Worker } from 'worker_threads';

/**
 * vega and vega-lite are ES modules with top-level await, so CommonJS code
 * can neither `require()` them nor, inside a test runner's VM sandbox,
 * `import()` them. They are loaded by a real `import()` in a worker thread,
 * which compiles the vega-lite spec and renders it to SVG with a headless
 * vega View; the same path serves the command and the tests.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
(async () => {
  const vega = await import(workerData.vega);
  const vegaLite = await import(workerData.vegaLite);
  const view = new vega.View(vega.parse(vegaLite.compile(workerData.spec).spec), { renderer: 'none' });
  try {
    parentPort.postMessage({ svg: await view.toSVG() });
  } finally {
    view.finalize();
  }
})().catch((e) => parentPort.postMessage({ error: (e && e.stack) || String(e) }));
`;

/** Renders a vega-lite spec to an SVG document. */
export function renderVegaLiteSvg(spec: object): Promise<string> {
  const workerData = {
    vega: pathToFileURL(require.resolve('vega')).href,
    vegaLite: pathToFileURL(require.resolve('vega-lite')).href,
    spec,
  };
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    let settled = false;
    worker.once('message', (m: { svg?: string; error?: string }) => {
      settled = true;
      if (typeof m.svg === 'string') resolve(m.svg);
      else reject(new Error(`rendering the plot failed: ${m.error}`));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the plot renderer stopped (exit code ${code}) before it produced an SVG`));
      settled = true;
    });
  });
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

/** Draws any vega-lite spec as SVG and as a PNG `pngWidth` pixels wide. */
export async function renderChart(given: object, pngWidth = 1000): Promise<RenderedPlot> {
  const spec = boundedChartText(given);
  // a title or a name from a config may hold characters an XML document cannot (a control character)
  const svg = xmlSafe(await renderVegaLiteSvg(spec));
  return { svg, png: svgToPng(svg, pngWidth), spec };
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
