import { PROGRESS_INTERVAL_MS, ProgressDisplay, StatusLine, epochLogLine, formatDuration, progressBar, remainingTime } from '../src/progress-display';

function sink(isTTY: boolean, columns?: number) {
  const out = { text: '', isTTY, columns, write: (s: string) => (out.text += s) };
  return out;
}

describe('progress display', () => {
  test('log lines for classification and regression', () => {
    expect(epochLogLine({ epoch: 3, epochs: 50, trainLoss: 0.41234, testLoss: 0.5, trainAccuracy: 0.8095, testAccuracy: 0.7777 })).toBe(
      'epoch 3/50 loss 0.412 test_loss 0.500 train_acc 0.81 test_acc 0.78',
    );
    expect(epochLogLine({ epoch: 1, epochs: 2, trainLoss: 0.0123, testLoss: 0.02, trainRelativeError: 0.5, testRelativeError: 0.61234 })).toBe(
      'epoch 1/2 loss 0.0123 test_loss 0.0200 train_rel_err 0.500 test_rel_err 0.612',
    );
  });

  test('without a terminal: one line per epoch, nothing per step', () => {
    const s = sink(false);
    const p = new ProgressDisplay(s);
    p.epoch({ epoch: 0, epochs: 2, trainLoss: 1, testLoss: 1 });
    p.step({ epoch: 1, step: 1, stepsPerEpoch: 4, loss: 0.9 }, 2);
    p.epoch({ epoch: 1, epochs: 2, trainLoss: 0.5, testLoss: 0.6 });
    p.finish();
    expect(s.text).toBe('epoch 0/2 loss 1.00 test_loss 1.00\nepoch 1/2 loss 0.500 test_loss 0.600\n');
  });

  test('on a terminal: a bar redrawn in place with an ETA from the elapsed time', () => {
    const s = sink(true);
    let t = 1000;
    const p = new ProgressDisplay(s, () => t);
    p.epoch({ epoch: 0, epochs: 4, trainLoss: 1, testLoss: 1, trainAccuracy: 0.25, testAccuracy: 0.2 });
    expect(s.text).toBe('\r\x1b[2Kepoch 0/4 [........................] 0% loss 1.00 acc 0.25/0.20 ETA ?');
    t += 30_000; // one epoch took 30 s: three remain
    p.epoch({ epoch: 1, epochs: 4, trainLoss: 0.5, testLoss: 0.6, trainAccuracy: 0.5, testAccuracy: 0.4 });
    expect(s.text.endsWith('\r\x1b[2Kepoch 1/4 [######..................] 25% loss 0.500 acc 0.50/0.40 ETA 1:30')).toBe(true);
    t += 15_000; // half way through epoch 2
    p.step({ epoch: 2, step: 5, stepsPerEpoch: 10, loss: 0.45 }, 4);
    expect(s.text.endsWith('\r\x1b[2Kepoch 2/4 [#########...............] 38% loss 0.500 acc 0.50/0.40 batch 0.450 ETA 1:15')).toBe(true);
    const before = s.text;
    t += 50; // steps closer than 100 ms apart are not redrawn
    p.step({ epoch: 2, step: 6, stepsPerEpoch: 10, loss: 0.44 }, 4);
    expect(s.text).toBe(before);
    p.finish();
    expect(s.text.endsWith('\n')).toBe(true);
  });

  test('many short epochs: log lines written together, the bar redrawn at most every interval and at the end', () => {
    const log = { ...sink(false), fd: 2 }; // a stream of the process: each write a system call
    log.write = (s: string) => (log.text += s);
    let t = 0;
    const p = new ProgressDisplay(log, () => t);
    p.epoch({ epoch: 0, epochs: 3, trainLoss: 1, testLoss: 1 });
    expect(log.text).toBe('epoch 0/3 loss 1.00 test_loss 1.00\n');
    t = 10;
    p.epoch({ epoch: 1, epochs: 3, trainLoss: 0.5, testLoss: 0.5 });
    expect(log.text.split('\n')).toHaveLength(2); // waiting for the next write
    t = 10 + PROGRESS_INTERVAL_MS;
    p.epoch({ epoch: 2, epochs: 3, trainLoss: 0.25, testLoss: 0.25 });
    expect(log.text).toBe('epoch 0/3 loss 1.00 test_loss 1.00\nepoch 1/3 loss 0.500 test_loss 0.500\nepoch 2/3 loss 0.250 test_loss 0.250\n');
    p.finish();
    expect(log.text.split('\n')).toHaveLength(4);

    const bar = sink(true);
    t = 0;
    const q = new ProgressDisplay(bar, () => t);
    q.epoch({ epoch: 0, epochs: 4, trainLoss: 1, testLoss: 1 });
    t = 10;
    q.epoch({ epoch: 1, epochs: 4, trainLoss: 0.5, testLoss: 0.5 });
    expect(bar.text).not.toContain('epoch 1/4');
    q.finish();
    expect(bar.text.endsWith('epoch 1/4 [######..................] 25% loss 0.500 ETA 0:00\n')).toBe(true);

    const end = sink(true);
    t = 0;
    const r = new ProgressDisplay(end, () => t);
    r.epoch({ epoch: 0, epochs: 2, trainLoss: 1, testLoss: 1 });
    t = 10;
    r.epoch({ epoch: 2, epochs: 2, trainLoss: 0.1, testLoss: 0.1 });
    expect(end.text).toContain('epoch 2/2'); // the last epoch is drawn at once
  });

  test('the bar is cut to the terminal width', () => {
    const s = sink(true, 30);
    new ProgressDisplay(s, () => 0).epoch({ epoch: 0, epochs: 4, trainLoss: 1, testLoss: 1 });
    expect(s.text.replace('\r\x1b[2K', '')).toHaveLength(29);
  });

  test('durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(89.6)).toBe('1:30');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('?');
  });
});

describe('progress pieces', () => {
  test('the bar is clamped to [0, 1]; the time left is extrapolated from the rate so far', () => {
    expect(progressBar(0.5, 8)).toBe('[####....]');
    expect(progressBar(1.7, 4)).toBe('[####]');
    expect(progressBar(-1, 4)).toBe('[....]');
    expect(remainingTime(30, 0.25)).toBe('1:30');
    expect(remainingTime(30, 0)).toBe('?');
    expect(remainingTime(30, 1)).toBe('0:00');
  });

  test('a status line redraws in place, cut to the terminal, and ends only if it drew', () => {
    const s = sink(true, 10);
    const line = new StatusLine(s);
    line.finish();
    expect(s.text).toBe('');
    line.draw('0123456789abc');
    line.draw('short');
    line.finish();
    line.finish();
    expect(s.text).toBe('\r\x1b[2K012345678\r\x1b[2Kshort\n');
  });
});
