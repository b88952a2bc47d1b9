import { learningCurveSpec, lossAxisName, renderLearningCurve } from '../src/learning-curve';
import { ChartRenderer, renderCharts } from '../src/vega-renderer';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('learning curve plot', () => {
  const data = {
    title: 'curve under test',
    epochs: [0, 1, 2, 3],
    trainLoss: [1, 0.5, 0.25, 0.125],
    testLoss: [1.1, 0.6, 0.3, 0.2],
    metric: { name: 'accuracy', train: [0.3, 0.6, 0.8, 0.9], test: [0.33, 0.5, 0.7, undefined] },
  };

  test('the spec has a loss panel (log scale for positive losses) and a metric panel, without missing points', () => {
    const spec = learningCurveSpec(data) as { vconcat: { title: string; data: { values: { series: string; value: number }[] }; encoding: { y: { scale: { type?: string } } } }[] };
    expect(spec.vconcat.map((p) => p.title)).toEqual(['loss', 'accuracy']);
    expect(spec.vconcat[0].data.values).toHaveLength(8);
    expect(spec.vconcat[0].encoding.y.scale.type).toBe('log');
    expect(spec.vconcat[1].data.values).toHaveLength(7); // the undefined test accuracy is left out
    expect(spec.vconcat[1].encoding.y.scale.type).toBeUndefined();
    const zeroLoss = learningCurveSpec({ ...data, trainLoss: [1, 0.5, 0, 0] }) as typeof spec;
    expect(zeroLoss.vconcat[0].encoding.y.scale.type).toBeUndefined();
  });

  test('axes with units, the loss named when it is given, train and test told apart by a dash, a relative error on a log axis', () => {
    type Spec = { vconcat: { encoding: { x: { title: string }; y: { title: string | string[]; scale: { type?: string } }; strokeDash: { scale: { range: number[][] } } } }[] };
    const spec = learningCurveSpec({ ...data, loss: { kind: 'cross-entropy', kappa: 20 } }) as Spec;
    expect(spec.vconcat[0].encoding.y.title).toEqual(['loss', 'cross-entropy, κ = 20 (nats)']);
    expect(spec.vconcat[1].encoding.y.title).toEqual(['accuracy', '(fraction classified right)']);
    expect(spec.vconcat.map((p) => p.encoding.x.title)).toEqual(['epoch (passes over the training set)', 'epoch (passes over the training set)']);
    expect(spec.vconcat[0].encoding.strokeDash.scale.range).toEqual([[1, 0], [6, 3]]);
    expect((learningCurveSpec(data) as Spec).vconcat[0].encoding.y.title).toBe('loss');
    const regression = learningCurveSpec({ ...data, loss: { kind: 'mse' }, metric: { name: 'relative error', train: [0.9, 0.5, 0.3, 0.2], test: [1, 0.6, 0.4, 0.3] } }) as Spec;
    expect(regression.vconcat[0].encoding.y.title).toEqual(['loss', '½‖y − t‖² (output units²)']);
    expect(regression.vconcat[1].encoding.y.title).toEqual(['relative error', '‖y − t‖ / ‖t‖ (dimensionless)']);
    expect(regression.vconcat[1].encoding.y.scale.type).toBe('log');
  });

  test('events (edges broken) are a dashed line and a label at their epoch on every panel; without them the panels are as before', async () => {
    type Layered = { vconcat: { title: string; layer: { mark: { type: string }; data?: { values: unknown[] } }[] }[] };
    const events = [{ epoch: 2, label: '9 edges broken' }];
    const spec = learningCurveSpec({ ...data, events }) as Layered;
    expect(spec.vconcat.map((p) => p.title)).toEqual(['loss', 'accuracy']);
    for (const p of spec.vconcat) {
      expect(p.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'text']);
      expect(p.layer[1].data!.values).toEqual(events);
    }
    expect(learningCurveSpec({ ...data, events: [] })).toEqual(learningCurveSpec(data));
    const plot = await renderLearningCurve({ ...data, events });
    // the label is drawn on both panels
    expect(plot.svg.split('9 edges broken').length - 1).toBeGreaterThanOrEqual(2);
    expect((await renderLearningCurve(data)).svg).not.toContain('edges broken');
  });

  test('renders an SVG document with the title, axes and one path per series, and a PNG of it', async () => {
    const plot = await renderLearningCurve(data);
    expect(plot.svg).toMatch(/^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(plot.svg.trim().endsWith('</svg>')).toBe(true);
    expect(plot.svg).toContain('curve under test');
    expect(plot.svg).toContain('epoch');
    expect(plot.svg).toContain('accuracy');
    // four line marks: train and test loss, train and test accuracy
    expect((plot.svg.match(/class="mark-line role-mark/g) ?? []).length).toBe(4);
    expect((plot.svg.match(/<path[^>]*d="M[^"]*L/g) ?? []).length).toBeGreaterThanOrEqual(4);

    expect(plot.png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const size = pngSize(plot.png);
    expect(size.width).toBe(1000);
    const svgWidth = Number(/width="(\d+(?:\.\d+)?)"/.exec(plot.svg)![1]);
    const svgHeight = Number(/height="(\d+(?:\.\d+)?)"/.exec(plot.svg)![1]);
    expect(size.height).toBeCloseTo((svgHeight * 1000) / svgWidth, -1);
  });

  test('one renderer draws chart after chart, each the chart a renderer of its own draws; closed, it refuses the next', async () => {
    const renderer = new ChartRenderer();
    const a = await renderLearningCurve(data, renderer);
    const b = await renderLearningCurve({ ...data, title: 'second curve' }, renderer);
    expect(a.svg).toBe((await renderLearningCurve(data)).svg);
    expect(b.svg).toContain('second curve');
    expect(b.svg).not.toContain('curve under test');
    await renderer.close();
    await expect(renderer.render(learningCurveSpec(data))).rejects.toThrow('the plot renderer was closed');
    const [c, d] = await renderCharts([learningCurveSpec(data), learningCurveSpec({ ...data, title: 'second curve' })]);
    expect(c.svg).toBe(a.svg);
    expect(d.svg).toBe(b.svg);
  });

  test("a spec vega cannot compile is refused with the renderer's reason, and the renderer goes on drawing", async () => {
    const renderer = new ChartRenderer();
    try {
      await expect(renderer.render({ mark: 'no-such-mark', data: { values: [] } })).rejects.toThrow(/^rendering the plot failed: /);
      expect(await renderer.render(learningCurveSpec(data))).toContain('curve under test');
    } finally {
      await renderer.close();
    }
  });

  test('a plot without a metric panel renders too', async () => {
    const plot = await renderLearningCurve({ title: 't', epochs: [0, 1], trainLoss: [2, 1], testLoss: [2, 1.5] });
    expect(plot.svg).toContain('loss');
    expect(plot.svg).not.toContain('accuracy');
  });
});

it("the loss axis names an MSE's scaling (the table task's loss.scaling): ½Σ by default", () => {
  expect(lossAxisName('mse')).toBe('½‖y − t‖² (output units²)');
  expect(lossAxisName('mse', { scaling: 'half-sum' })).toBe('½‖y − t‖² (output units²)');
  expect(lossAxisName('mse', { scaling: 'sum' })).toBe('‖y − t‖² (output units²)');
  expect(lossAxisName('mse', { scaling: 'half-mean' })).toBe('½‖y − t‖²/O (output units²)');
  expect(lossAxisName('mse', { scaling: 'mean' })).toBe('‖y − t‖²/O (output units²)');
});
