import type { TextSink } from './cli-io';
import { EpochFigures, StatusLine, epochLogLine, progressBar, remainingTime } from './progress-display';

/** Which run a progress report is about. */
export interface RunLabel {
  readonly mechanism: string;
  readonly seed: number;
}

/**
 * One progress display for every run of a comparison. On a terminal: one
 * line redrawn in place with the runs finished, a bar over all the runs'
 * epochs, the runs in progress (`mechanism:seed epoch/epochs`) and the ETA.
 * Otherwise: a plain log line per epoch of every run, prefixed with the run
 * (`[adjoint seed 2] epoch 3/20 loss ...`), and a line when a run ends.
 */
export class ComparisonProgress {
  private readonly start: number;
  private readonly line: StatusLine;
  private readonly done: number[];
  private readonly running = new Set<number>();
  private finishedRuns = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly sink: TextSink,
    private readonly runs: readonly RunLabel[],
    private readonly epochs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
    this.line = new StatusLine(sink);
    this.done = runs.map(() => 0);
  }

  get interactive(): boolean {
    return this.sink.isTTY === true;
  }

  started(run: number): void {
    this.running.add(run);
    this.draw(false);
  }

  epoch(run: number, e: EpochFigures): void {
    this.done[run] = e.epoch;
    if (this.interactive) this.draw(false);
    else this.sink.write(`${this.label(run)} ${epochLogLine(e)}\n`);
  }

  finished(run: number): void {
    this.running.delete(run);
    this.done[run] = this.epochs;
    this.finishedRuns++;
    if (this.interactive) this.draw(true);
    else this.sink.write(`${this.label(run)} done (${this.finishedRuns}/${this.runs.length} runs)\n`);
  }

  /** Ends the terminal line (a no-op for log lines). */
  finish(): void {
    this.line.finish();
  }

  /** The terminal line. */
  status(): string {
    const total = this.runs.length * this.epochs;
    const fraction = total > 0 ? this.done.reduce((s, d) => s + d, 0) / total : 1;
    const active = [...this.running].map((i) => `${this.runs[i].mechanism}:${this.runs[i].seed} ${this.done[i]}/${this.epochs}`);
    const eta = remainingTime((this.now() - this.start) / 1000, fraction);
    return `runs ${this.finishedRuns}/${this.runs.length} ${progressBar(fraction)} ${Math.round(fraction * 100)}%${active.length ? ' ' + active.join(', ') : ''} ETA ${eta}`;
  }

  private label(run: number): string {
    return `[${this.runs[run].mechanism} seed ${this.runs[run].seed}]`;
  }

  private draw(always: boolean, minIntervalMs = 100): void {
    if (!this.interactive || (!always && this.now() - this.lastDraw < minIntervalMs)) return;
    this.line.draw(this.status());
    this.lastDraw = this.now();
  }
}
