import { readFileSync } from 'fs';
import * as path from 'path';
import { CheckpointSchedule } from '@multimech/trainer';
import { type EpochRow, metricsCsv } from '../src/metrics-csv';
import { METRICS_FLUSH_MS, MetricsFile } from '../src/metrics-file';
import { tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('metrics-file')));
afterAll(() => cleanup());

const row = (epoch: number, diagnostics?: Record<string, number>): EpochRow => ({
  epoch,
  epochs: 6,
  trainLoss: 1 / (epoch + 1),
  testLoss: 1.5 / (epoch + 1),
  trainRelativeError: 0.5 / (epoch + 1),
  testRelativeError: 0.7 / (epoch + 1),
  seconds: 0.01 * epoch,
  clamped: epoch % 2,
  ...(diagnostics ? { diagnostics } : {}),
});

describe('metrics.csv written as the run goes', () => {
  it('rows appended one by one make the file metricsCsv writes for them all, a diagnostic column that appears later included', () => {
    const rows = [row(0), row(1, { residualMax: 1e-9 }), row(2, { residualMax: 2e-9 }), row(3, { residualMax: 1e-9, negativeMin: -0.5 }), row(4, { residualMax: 3e-9 })];
    const file = path.join(dir, 'appended.csv');
    const metrics = new MetricsFile(file, false, { physical: true });
    for (const r of rows) metrics.append(r);
    // rows close together are written together: closing (or `flush`) writes the last of them
    metrics.close();
    expect(readFileSync(file, 'utf8')).toBe(metricsCsv(rows, false, { physical: true }));
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/,clamped,diag_negativeMin,diag_residualMax,physical_seconds,/);
  });

  it('started from the rows of a checkpoint, the file holds those rows only, and the next rows follow them once each', () => {
    const file = path.join(dir, 'resumed.csv');
    const first = new MetricsFile(file, true);
    for (let e = 0; e <= 5; e++) first.append(row(e));
    first.close(); // the earlier run ended
    // a checkpoint at epoch 3: the rows 4 and 5 are trained again
    const again = new MetricsFile(file, true, {}, [0, 1, 2, 3].map((e) => row(e)));
    expect(readFileSync(file, 'utf8')).toBe(metricsCsv([0, 1, 2, 3].map((e) => row(e)), true));
    for (let e = 4; e <= 5; e++) again.append(row(e));
    again.flush();
    const epochs = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('rows close together are written together', () => {
  it('the first row at once, the next ones within a second, and none twice or lost', async () => {
    const file = path.join(dir, 'batched.csv');
    const metrics = new MetricsFile(file, false);
    const rows = () => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    metrics.append(row(0));
    metrics.append(row(1));
    expect(rows()).toEqual([0, 1]);
    metrics.append(row(2));
    metrics.append(row(3));
    expect(rows()).toEqual([0, 1]);
    await new Promise((resolve) => setTimeout(resolve, METRICS_FLUSH_MS + 200));
    expect(rows()).toEqual([0, 1, 2, 3]);
    metrics.append(row(4));
    metrics.append(row(5));
    metrics.close();
    expect(rows()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('when checkpoints are due', () => {
  it('every 2 epochs of 3 steps, at evaluations every 4 steps: the first evaluation, then the first one past each 6 steps', () => {
    const schedule = new CheckpointSchedule({ every: 2, unit: 'epochs' }, 3, undefined);
    const due = [];
    for (const steps of [0, 4, 8, 12, 16, 20, 24]) {
      if (schedule.due(steps)) {
        due.push(steps);
        schedule.written(steps);
      }
    }
    expect(due).toEqual([0, 8, 12, 20, 24]);
    expect(schedule.isWrittenAt(24)).toBe(true);
  });

  it('every 10 seconds, continuing from a checkpoint after 30 steps: not at once, then once the time has passed', () => {
    let now = 0;
    const schedule = new CheckpointSchedule({ seconds: 10 }, 5, 30, () => now);
    now = 9_999;
    expect(schedule.due(35)).toBe(false);
    now = 10_000;
    expect(schedule.due(40)).toBe(true);
    schedule.written(40);
    now = 15_000;
    expect(schedule.due(45)).toBe(false);
    expect(schedule.due(40)).toBe(false);
  });
});
