/**
 * A request to stop runs after their epoch in progress, shared with the
 * worker threads that train them: a flag in shared memory that a run reads
 * before each epoch (`Atomics`, so a thread busy training sees it without
 * its event loop), and callbacks for the executor on the submitter's side,
 * which then starts no new run.
 */
export class StopFlag {
  private readonly view: Int32Array;
  private readonly listeners = new Set<() => void>();

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.view = new Int32Array(buffer);
  }

  /** Asks every run sharing the flag to stop at its next epoch. */
  request(): void {
    if (Atomics.exchange(this.view, 0, 1) === 1) return;
    for (const l of [...this.listeners]) l();
  }

  /** Whether a stop was asked for (a trainer's `stop`). */
  readonly requested = (): boolean => Atomics.load(this.view, 0) === 1;

  /** Calls `listener` when a stop is asked for (at once when it has been); returns how to stop listening. */
  onRequest(listener: () => void): () => void {
    if (this.requested()) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The stop of a worker thread: the flag its pool shares through `workerData.stop`, or nothing (a thread that is never asked to stop). */
export function workerStop(workerData: unknown): (() => boolean) | undefined {
  const buffer = (workerData as { stop?: unknown } | null | undefined)?.stop;
  if (!(buffer instanceof SharedArrayBuffer)) return undefined;
  return new StopFlag(buffer).requested;
}
