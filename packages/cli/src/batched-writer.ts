/**
 * Text written in batches: what `add` gathers goes out in one write once
 * `intervalMs` have passed since the last one (at once when they have), and
 * a timer, which does not keep the process alive, writes what is left
 * within that interval; `flush` writes it now. A run of many short epochs
 * then pays one system call per interval instead of one per line (about
 * 10 µs each), while a slow run's lines still go out as they come. A write
 * that fails in the timer is thrown by the next `add` or `flush`, so the
 * caller sees it where it can report it.
 */
export class BatchedWriter {
  private pending: string[] = [];
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: unknown;

  constructor(
    private readonly write: (text: string) => void,
    readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Gathers `text`; writes what is gathered if the last write is `intervalMs` old. */
  add(text: string): void {
    this.rethrow();
    this.pending.push(text);
    if (this.now() - this.last >= this.intervalMs) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        try {
          this.flush();
        } catch (e) {
          this.failure = e;
        }
      }, this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Writes what is gathered now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.rethrow();
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.last = this.now();
    this.write(text);
  }

  /** Drops what is gathered (the caller writes the whole file again). */
  discard(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const e = this.failure;
    this.failure = undefined;
    throw e;
  }
}
