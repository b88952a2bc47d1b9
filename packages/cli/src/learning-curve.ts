import { type ChartRenderer, type RenderedPlot, renderChart } from './vega-renderer';

/** Figures per epoch to plot: the loss, and accuracy or relative error, on train and test. */
export interface LearningCurveData {
  readonly title: string;
  readonly epochs: readonly number[];
  readonly trainLoss: readonly number[];
  readonly testLoss: readonly number[];
  /** The task's loss, its kind and settings (`{ kind: 'cross-entropy', kappa: 20 }`): named, with its unit, on the loss axis. */
  readonly loss?: { readonly kind: string; readonly kappa?: unknown };
  /** A second panel, e.g. `accuracy` or `relative error`. */
  /** Events marked on every panel by a vertical line and its label at the epoch (edges broken by `training.damage`). */
  readonly events?: readonly { readonly epoch: number; readonly label: string }[];
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

/** The squared error under each named scaling (the table task's `loss.scaling`), O the number of outputs. */
const MSE_AXIS: Readonly<Record<string, string>> = {
  'half-sum': '½‖y − t‖²',
  sum: '‖y − t‖²',
  'half-mean': '½‖y − t‖²/O',
  mean: '‖y − t‖²/O',
};

/**
 * The name of a task's loss for an axis, with its unit: `cross-entropy, κ = 20
 * (nats)`, `½‖y − t‖² (output units²)` (or its named scaling: `‖y − t‖²/O`
 * for `mean`); another kind as it is.
 */
export function lossAxisName(kind: string, settings?: { readonly kappa?: unknown; readonly scaling?: unknown }): string {
  if (kind === 'cross-entropy') return `cross-entropy${typeof settings?.kappa === 'number' ? `, κ = ${settings.kappa}` : ''} (nats)`;
  if (kind === 'mse') return `${(typeof settings?.scaling === 'string' && MSE_AXIS[settings.scaling]) || MSE_AXIS['half-sum']} (output units²)`;
  return kind;
}

/** A metric's axis title with its unit: accuracy as a fraction, the relative error ‖y − t‖/‖t‖; another name as it is. */
export function metricAxisTitle(name: string): string | string[] {
  if (name === 'accuracy') return ['accuracy', '(fraction classified right)'];
  if (name === 'relative error') return ['relative error', '‖y − t‖ / ‖t‖ (dimensionless)'];
  return name;
}

function panel(title: string, axisTitle: string | string[], data: Row[], logScale: boolean): object {
  return {
    title,
    width: 420,
    height: 180,
    data: { values: data },
    mark: { type: 'line', point: data.length <= 60 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch (passes over the training set)', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: axisTitle, scale: logScale ? { type: 'log', nice: false } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'test'] } },
      // test dashed: the two stay apart where they overlap, in grey too
      strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'test'], range: [[1, 0], [6, 3]] } },
    },
  };
}

/** A panel with the events drawn over it: a dashed vertical line at each event's epoch, its label at the top (the loss, which falls) or the bottom (an accuracy, which rises). */
function withEvents(p: object, events: LearningCurveData['events'], labelAtBottom = false): object {
  if (!events || events.length === 0) return p;
  const { title, width, height, ...line } = p as { title: string; width: number; height: number };
  const values = events.map((e) => ({ epoch: e.epoch, label: e.label }));
  const colour = '#b03a2e';
  return {
    title,
    width,
    height,
    layer: [
      line,
      { data: { values }, mark: { type: 'rule', color: colour, strokeDash: [3, 3] }, encoding: { x: { field: 'epoch', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'text', color: colour, align: 'left', baseline: labelAtBottom ? 'bottom' : 'top', dx: 4, dy: labelAtBottom ? -2 : 2 },
        encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { value: labelAtBottom ? height : 0 }, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

const positive = (rows: readonly Row[]) => rows.length > 0 && rows.every((r) => r.value > 0);

/** The vega-lite spec of a learning curve: loss against epoch, and the metric below it. */
export function learningCurveSpec(data: LearningCurveData): object {
  const loss = rows(data.epochs, { train: data.trainLoss, test: data.testLoss });
  const panels = [panel('loss', data.loss ? ['loss', lossAxisName(data.loss.kind, data.loss)] : 'loss', loss, positive(loss))];
  if (data.metric) {
    const metric = rows(data.epochs, { train: data.metric.train, test: data.metric.test });
    // an error on a log axis (when every value is positive); an accuracy on a linear one
    panels.push(panel(data.metric.name, metricAxisTitle(data.metric.name), metric, data.metric.name !== 'accuracy' && positive(metric)));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: data.title,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    vconcat: panels.map((p, i) => withEvents(p, data.events, i > 0)),
  };
}

/** Draws the learning curve as SVG (vega-lite → vega View) and PNG (resvg), with `renderer` where the caller started one. */
export function renderLearningCurve(data: LearningCurveData, renderer?: ChartRenderer): Promise<RenderedPlot> {
  return renderChart(learningCurveSpec(data), 1000, renderer);
}
