import { echoed } from '@multimech/core';
import type { EpochEvent } from '@multimech/trainer';
import { BatchedWriter } from './batched-writer';
import type { TextSink } from './cli-io';

/** Characters a terminal shows in no column: combining marks, zero-width spaces and joiners, variation selectors. */
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\ufe00-\ufe0f])$/u;
/** Characters a terminal shows in two columns: East Asian wide and full-width forms, and emoji. */
const DOUBLE_WIDTH = /^(?:[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]|\p{Extended_Pictographic})$/u;

/** Columns a character takes on a terminal (0, 1 or 2). */
function columnsOf(ch: string): number {
  return ZERO_WIDTH.test(ch) ? 0 : DOUBLE_WIDTH.test(ch) ? 2 : 1;
}

/**
 * Any text as one terminal line shows it: every character a terminal would
 * act on escaped (`\u001b`, a line end), a lone half of a UTF-16 pair as
 * U+FFFD, and, with `columns`, cut to that many columns counting wide
 * characters twice and combining marks not at all, never inside a
 * character. A name from a config (a mechanism's, a run's) cannot break
 * the line or move the cursor.
 */
export function terminalText(text: string, columns?: number): string {
  const safe = echoed(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'), Number.MAX_SAFE_INTEGER);
  if (columns === undefined) return safe;
  let used = 0;
  let out = '';
  for (const ch of safe) {
    const w = columnsOf(ch);
    if (used + w > columns) break;
    used += w;
    out += ch;
  }
  return out;
}

/** The figures of one epoch that the display shows. */
export type EpochFigures = Omit<EpochEvent, 'seconds' | 'clamped' | 'steps'> & { readonly steps?: number };

/** Where training is inside an epoch (a subset of the trainer's StepEvent). */
export interface StepPosition {
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
}

const fmt = (x: number | undefined, digits = 3): string => (x === undefined ? '-' : Number.isFinite(x) ? x.toPrecision(digits) : String(x));
const fixed = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(2));

/**
 * One plain log line for an epoch: `epoch 3/50 loss 0.412 train_acc 0.81 test_acc 0.78`;
 * an evaluation inside an epoch (every N steps) says where: `epoch 2.50/3 (step 10)`.
 */
export function epochLogLine(e: EpochFigures): string {
  const at = Number.isInteger(e.epoch) ? `${e.epoch}/${e.epochs}` : `${e.epoch.toFixed(2)}/${e.epochs}${e.steps !== undefined ? ` (step ${e.steps})` : ''}`;
  const parts = [`epoch ${at}`, `loss ${fmt(e.trainLoss)}`, `test_loss ${fmt(e.testLoss)}`];
  if (e.trainAccuracy !== undefined || e.testAccuracy !== undefined) {
    parts.push(`train_acc ${fixed(e.trainAccuracy)}`, `test_acc ${fixed(e.testAccuracy)}`);
  }
  if (e.trainRelativeError !== undefined || e.testRelativeError !== undefined) {
    parts.push(`train_rel_err ${fmt(e.trainRelativeError)}`, `test_rel_err ${fmt(e.testRelativeError)}`);
  }
  return parts.join(' ');
}

/** A run's outcome in one line: `loss 1.07 → 0.151 test_acc 0.90` (or `test_rel_err 0.612`), from its first and last epoch. */
export function runOutcome(first: EpochFigures | undefined, last: EpochFigures | undefined): string {
  if (last === undefined) return '';
  const parts = [`loss ${first !== undefined && first !== last ? `${fmt(first.trainLoss)} → ` : ''}${fmt(last.trainLoss)}`];
  if (last.testAccuracy !== undefined) parts.push(`test_acc ${fixed(last.testAccuracy)}`);
  if (last.testRelativeError !== undefined) parts.push(`test_rel_err ${fmt(last.testRelativeError)}`);
  return parts.join(' ');
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `[######..................]`: a bar `width` characters wide, filled to `fraction` (0 to 1). */
export function progressBar(fraction: number, width = 24): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

/** Time left at the rate so far (`m:ss`), `0:00` when done, `?` before anything is done. */
export function remainingTime(elapsedSeconds: number, fraction: number): string {
  return fraction > 0 && fraction < 1 ? formatDuration((elapsedSeconds * (1 - fraction)) / fraction) : fraction >= 1 ? '0:00' : '?';
}

/**
 * One line of a terminal redrawn in place (`\r`, erase the line, the new
 * text cut to the terminal's width), ended by `finish()`.
 */
export class StatusLine {
  private drawn = false;
  private text = '';

  constructor(private readonly sink: TextSink) {}

  draw(line: string): void {
    const columns = this.sink.columns;
    line = terminalText(line, columns ? columns - 1 : undefined);
    this.sink.write(`\r\x1b[2K${line}`);
    this.drawn = true;
    this.text = line;
  }

  /** Writes a whole line above the status line, which is drawn again below it. */
  above(line: string): void {
    this.sink.write(`${this.drawn ? '\r\x1b[2K' : ''}${terminalText(line)}\n`);
    if (this.drawn) this.sink.write(this.text);
  }

  /** Ends the line if one was drawn. */
  finish(): void {
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}

/** The shortest time between two redraws of the bar, and between two writes of log lines. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Training progress on stderr. On a terminal: one bar redrawn in place
 * (epoch i/N, loss, accuracy or relative error, ETA), at most every
 * `PROGRESS_INTERVAL_MS` and at the end. Otherwise: one plain log line per
 * epoch, which reads well in a CI log or a file; on a stream of the process
 * (a sink with a file descriptor, where each write is a system call), lines
 * that come closer together than that interval are written together.
 * `beforeWrite` runs before log lines are written (the command writes the
 * epochs' metrics rows there, so that a line seen means its row is in the
 * file).
 */
export class ProgressDisplay {
  private readonly start: number;
  private last: EpochFigures | undefined;
  private readonly line: StatusLine;
  private lastDraw = -Infinity;
  /** An epoch not drawn yet (it came too soon after the last redraw). */
  private undrawn = false;
  private readonly log: BatchedWriter;

  constructor(
    private readonly sink: TextSink,
    private readonly now: () => number = Date.now,
    options: { readonly beforeWrite?: () => void } = {},
  ) {
    this.start = now();
    this.line = new StatusLine(sink);
    const write = (text: string) => {
      options.beforeWrite?.();
      sink.write(text);
    };
    this.log = new BatchedWriter(write, typeof (sink as { fd?: unknown }).fd === 'number' ? PROGRESS_INTERVAL_MS : 0, now);
  }

  get interactive(): boolean {
    return this.sink.isTTY === true;
  }

  epoch(e: EpochFigures): void {
    this.last = e;
    if (!this.interactive) this.log.add(epochLogLine(e) + '\n');
    else if (this.now() - this.lastDraw >= PROGRESS_INTERVAL_MS || e.epoch >= e.epochs) this.draw(e.epoch, e.epochs, 0, 1);
    else this.undrawn = true;
  }

  /** Redraws the bar inside an epoch, at most every `minIntervalMs`. */
  step(s: StepPosition, epochs: number, minIntervalMs = 100): void {
    if (!this.interactive || this.now() - this.lastDraw < minIntervalMs) return;
    this.draw(s.epoch - 1, epochs, s.step, s.stepsPerEpoch, s.loss);
  }

  /** Draws the last epoch if it was not, and ends the bar's line; writes the log lines not yet written. */
  finish(): void {
    const e = this.last;
    if (this.undrawn && e) this.draw(e.epoch, e.epochs, 0, 1);
    this.log.flush();
    this.line.finish();
  }

  /** The bar for `done` whole epochs plus `step/steps` of the next. */
  bar(done: number, epochs: number, step: number, steps: number, stepLoss?: number): string {
    const fraction = epochs > 0 ? Math.min(1, (done + (steps > 0 ? step / steps : 0)) / epochs) : 1;
    const eta = remainingTime((this.now() - this.start) / 1000, fraction);
    const e = this.last;
    const figures: string[] = [];
    if (e) {
      figures.push(`loss ${fmt(e.trainLoss)}`);
      if (e.testAccuracy !== undefined) figures.push(`acc ${fixed(e.trainAccuracy)}/${fixed(e.testAccuracy)}`);
      if (e.testRelativeError !== undefined) figures.push(`rel_err ${fmt(e.testRelativeError)}`);
    }
    if (stepLoss !== undefined) figures.push(`batch ${fmt(stepLoss)}`);
    const epochLabel = `epoch ${Math.min(done + (step > 0 ? 1 : 0), epochs)}/${epochs}`;
    return `${epochLabel} ${progressBar(fraction)} ${Math.round(fraction * 100)}% ${figures.join(' ')} ETA ${eta}`;
  }

  private draw(done: number, epochs: number, step: number, steps: number, stepLoss?: number): void {
    this.line.draw(this.bar(done, epochs, step, steps, stepLoss));
    this.lastDraw = this.now();
    this.undrawn = false;
  }
}
