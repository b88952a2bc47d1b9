import { MultimechError } from '@multimech/core';
import type { TextSink } from './cli-io';

/** The signals that ask long-running work to stop at its next epoch. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** What a `RunStop` listens to for signals (the process; tests pass an emitter of their own). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * When long-running work (train, compare, sweep) stops before its end: once
 * `--max-seconds` have passed since the command started, or at the first
 * SIGINT (Ctrl-C) or SIGTERM. Either way the work stops after the epoch in
 * progress, saves its checkpoint and ends with one line saying how far it
 * got and how to continue. After the first signal the command stops
 * listening, so that a second one ends the process at once (the signal's
 * default action): every file is written under a temporary name and
 * renamed, so none is left half-written.
 */
/** The longest delay a Node timer holds (2^31 − 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RunStop {
  private readonly deadline: number | undefined;
  private signal: NodeJS.Signals | undefined;
  private watching: SignalSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.signal ??= signal;
    this.unwatch();
    this.stderr?.write(`multimech: ${signal}: stopping after the epoch in progress and saving a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to stop at once)\n`);
    this.notify();
  };

  constructor(
    readonly maxSeconds: number | undefined,
    private readonly stderr?: TextSink,
    private readonly now: () => number = Date.now,
    /** When the command started (the time budget counts from there); default now. */
    startedAt: number = now(),
  ) {
    if (maxSeconds !== undefined && !(Number.isFinite(maxSeconds) && maxSeconds > 0)) throw new MultimechError(`--max-seconds: expected a positive number of seconds, got ${maxSeconds}`);
    this.deadline = maxSeconds === undefined ? undefined : startedAt + maxSeconds * 1000;
  }

  /** Why the work is to stop (`--max-seconds 60`, `SIGTERM`), or undefined while it goes on. */
  get reason(): string | undefined {
    if (this.signal) return this.signal;
    if (this.deadline !== undefined && this.now() >= this.deadline) return `--max-seconds ${this.maxSeconds}`;
    return undefined;
  }

  /** The signal that asked the work to stop, if one did (a time budget does not stop the writing of results that are due). */
  get signalled(): NodeJS.Signals | undefined {
    return this.signal;
  }

  /** Whether the work is to stop (a trainer's `stop`). */
  readonly requested = (): boolean => this.reason !== undefined;

  /** Calls `listener` once when a stop is asked for: at the first signal, or when the time is up (for work in other threads). */
  onRequest(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.deadline !== undefined && this.timer === undefined) this.arm();
    if (this.requested()) listener();
    return () => this.listeners.delete(listener);
  }

  /** A timer for the deadline, in steps a timer can hold (about 24.8 days: a longer delay would fire at once). */
  private arm(): void {
    const left = Math.max(0, this.deadline! - this.now());
    this.timer = setTimeout(() => (this.now() >= this.deadline! ? this.notify() : this.arm()), Math.min(left, MAX_TIMER_MS));
    this.timer.unref();
  }

  /** Listens for SIGINT and SIGTERM until `release`. */
  watch(source: SignalSource = process): this {
    if (this.watching || this.signal) return this;
    this.watching = source;
    for (const s of STOP_SIGNALS) source.on(s, this.onSignal);
    return this;
  }

  /** Stops listening, and forgets the timer. */
  release(): void {
    this.unwatch();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private unwatch(): void {
    const source = this.watching;
    this.watching = undefined;
    if (source) for (const s of STOP_SIGNALS) source.off(s, this.onSignal);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }
}

/**
 * Work that stopped before its end (a time budget, a signal): one line with
 * how far it got and how to continue. Its checkpoint has been saved.
 */
export class RunStopped extends MultimechError {}
