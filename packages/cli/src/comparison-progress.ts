import type { TextSink } from './cli-io';
import { EpochFigures, StatusLine, epochLogLine, progressBar, remainingTime, runOutcome, terminalText } from './progress-display';

/** Which run a progress report is about. */
export interface RunLabel {
  readonly mechanism: string;
  readonly seed: number;
}

/** How much a comparison's progress display says. */
export interface ComparisonProgressOptions {
  /** A line per epoch of every run as well (`compare --verbose`); otherwise a line per run, or the terminal line alone. */
  readonly verbose?: boolean;
}

/**
 * One progress display for every run of a comparison, whichever worker runs
 * it. On a terminal: one line redrawn in place with the runs finished out of
 * all, a bar over all the runs' epochs, each unfinished mechanism's share of
 * its epochs done (`frequency 40%`) and the ETA. Otherwise: a plain line when
 * a run ends, with its loss from first to last epoch, its last test figure
 * and the ETA (`[adjoint seed 2] done (3/21 runs) loss 1.07 → 0.151
 * test_acc 0.90 ETA 1:05`). With `verbose`, a line per epoch of every run as
 * well (`[adjoint seed 2] epoch 3/20 loss ...`), above the terminal line on
 * a terminal.
 */
export class ComparisonProgress {
  private readonly start: number;
  private readonly line: StatusLine;
  private readonly done: number[];
  private readonly first: (EpochFigures | undefined)[];
  private readonly last: (EpochFigures | undefined)[];
  private readonly mechanisms: string[];
  private readonly verbose: boolean;
  private finishedRuns = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly sink: TextSink,
    private readonly runs: readonly RunLabel[],
    private readonly epochs: number,
    private readonly now: () => number = Date.now,
    options: ComparisonProgressOptions = {},
  ) {
    this.start = now();
    this.line = new StatusLine(sink);
    this.done = runs.map(() => 0);
    this.first = runs.map(() => undefined);
    this.last = runs.map(() => undefined);
    this.mechanisms = [...new Set(runs.map((r) => r.mechanism))];
    this.verbose = options.verbose === true;
  }

  get interactive(): boolean {
    return this.sink.isTTY === true;
  }

  started(_run: number): void {
    this.draw(false);
  }

  epoch(run: number, e: EpochFigures): void {
    this.done[run] = e.epoch;
    if (this.first[run] === undefined) this.first[run] = e;
    this.last[run] = e;
    if (this.verbose) {
      const text = `${this.label(run)} ${epochLogLine(e)}`;
      if (this.interactive) this.line.above(text);
      else this.sink.write(text + '\n');
    }
    this.draw(false);
  }

  finished(run: number): void {
    this.done[run] = this.epochs;
    this.finishedRuns++;
    if (this.interactive) this.draw(true);
    else {
      const outcome = runOutcome(this.first[run], this.last[run]);
      this.sink.write(`${this.label(run)} done (${this.finishedRuns}/${this.runs.length} runs)${outcome ? ' ' + outcome : ''} ETA ${this.eta()}\n`);
    }
  }

  /** Ends the terminal line (a no-op for log lines). */
  finish(): void {
    this.line.finish();
  }

  /** The terminal line. */
  status(): string {
    const perMechanism = this.mechanisms.flatMap((m) => {
      const mine = this.runs.flatMap((r, i) => (r.mechanism === m ? [i] : []));
      const fraction = this.epochs > 0 ? mine.reduce((s, i) => s + this.done[i], 0) / (mine.length * this.epochs) : 1;
      return fraction < 1 ? [`${terminalText(m, 40)} ${Math.floor(fraction * 100)}%`] : [];
    });
    const fraction = this.fraction();
    return `runs ${this.finishedRuns}/${this.runs.length} ${progressBar(fraction)} ${Math.round(fraction * 100)}%${perMechanism.length ? ' ' + perMechanism.join(' ') : ''} ETA ${this.eta()}`;
  }

  /** The share of every run's epochs done. */
  private fraction(): number {
    const total = this.runs.length * this.epochs;
    return total > 0 ? this.done.reduce((s, d) => s + d, 0) / total : 1;
  }

  private eta(): string {
    return remainingTime((this.now() - this.start) / 1000, this.fraction());
  }

  private label(run: number): string {
    // a mechanism's name comes from the config: one line, whatever it holds
    return `[${terminalText(this.runs[run].mechanism, 60)} seed ${this.runs[run].seed}]`;
  }

  private draw(always: boolean, minIntervalMs = 100): void {
    if (!this.interactive || (!always && this.now() - this.lastDraw < minIntervalMs)) return;
    this.line.draw(this.status());
    this.lastDraw = this.now();
  }
}
