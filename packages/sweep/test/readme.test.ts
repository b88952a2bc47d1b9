import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { LocalExecutor, decodeSweep, knobSeries, planSweep, trainJob } from '../src';

it("the README's snippet plans 8 keyed runs, runs them, and gives each amplitude's mean and spread over its 4 runs", async () => {
  const plugins = [resistivePlugin, frequencyPlugin];
  const sweep = decodeSweep({
    base: {
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
      task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
      error: { kind: 'frequency', mode: 'transient', periods: 4, samplesPerPeriod: 8 },
      training: { epochs: 5 },
    },
    sweep: { mode: 'grid', parameters: { 'error.amplitude': [0.001, 0.3], 'optimizer.learningRate': [0.05, 0.2] } },
    seeds: [1, 2],
  });
  const plan = planSweep(sweep, { plugins: () => plugins, versions: { '@multimech/sweep': '0.1.0' }, baseDir: '.' });
  expect(plan.runs).toHaveLength(8);
  expect(plan.runs[0].key).toMatch(/^[0-9a-f]{16}$/);
  const executor = new LocalExecutor(1, undefined, (job, onEpoch) => trainJob(job, plugins, onEpoch));
  const results = await executor.run(plan.runs);
  const runs = plan.runs.map((run, i) => ({ run, result: results[i] }));
  const series = knobSeries(runs, 'error.amplitude', 'final_loss');
  expect(series.map((p) => [p.x, p.runs])).toEqual([
    [0.001, 4],
    [0.3, 4],
  ]);
  for (const p of series) {
    const losses = runs.filter((r) => r.run.point['error.amplitude'] === p.x).map((r) => r.result.summary.final_loss);
    expect(p.mean).toBeCloseTo(losses.reduce((s, x) => s + x, 0) / 4, 15);
    expect(p.min).toBe(Math.min(...losses));
    expect(p.max).toBe(Math.max(...losses));
    expect(p.std).toBeGreaterThan(0);
  }
  // on a linear network the transient lock-in is exact at any amplitude: the amplitude barely moves the loss, the learning rate does
  expect(Math.abs(series[1].mean - series[0].mean)).toBeLessThan(1e-6 * series[0].mean);
  const rates = knobSeries(runs, 'optimizer.learningRate', 'final_loss');
  expect(rates.map((p) => p.x)).toEqual([0.05, 0.2]);
  expect(rates[1].mean).toBeLessThan(rates[0].mean);
});
