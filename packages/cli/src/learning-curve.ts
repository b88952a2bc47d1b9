import { type RenderedPlot, renderChart } from './vega-renderer';

/** Figures per epoch to plot: the loss, and accuracy or relative error, on train and test. */
export interface LearningCurveData {
  readonly title: string;
  readonly epochs: readonly number[];
  readonly trainLoss: readonly number[];
  readonly testLoss: readonly number[];
  /** A second panel, e.g. `accuracy` or `relative error`. */
  readonly metric?: {
    readonly name: string;
    readonly train: readonly (number | undefined)[];
    readonly test: readonly (number | undefined)[];
  };
}

type Row = { epoch: number; value: number; series: string };

function rows(epochs: readonly number[], series: Record<string, readonly (number | undefined)[]>): Row[] {
  const out: Row[] = [];
  for (const [name, values] of Object.entries(series)) {
    epochs.forEach((epoch, i) => {
      const v = values[i];
      if (v !== undefined && Number.isFinite(v)) out.push({ epoch, value: v, series: name });
    });
  }
  return out;
}

function panel(title: string, data: Row[], logScale: boolean): object {
  return {
    title,
    width: 420,
    height: 180,
    data: { values: data },
    mark: { type: 'line', point: data.length <= 60 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title, scale: logScale ? { type: 'log', nice: false } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'test'] } },
    },
  };
}

/** The vega-lite spec of a learning curve: loss against epoch, and the metric below it. */
export function learningCurveSpec(data: LearningCurveData): object {
  const loss = rows(data.epochs, { train: data.trainLoss, test: data.testLoss });
  const panels = [panel('loss', loss, loss.length > 0 && loss.every((r) => r.value > 0))];
  if (data.metric) panels.push(panel(data.metric.name, rows(data.epochs, { train: data.metric.train, test: data.metric.test }), false));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: data.title,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    vconcat: panels,
  };
}

/** Draws the learning curve as SVG (vega-lite → vega View) and PNG (resvg). */
export function renderLearningCurve(data: LearningCurveData): Promise<RenderedPlot> {
  return renderChart(learningCurveSpec(data));
}
