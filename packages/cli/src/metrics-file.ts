import * as fs from 'fs';
import { atomicWriteSync, fileSystemFailure } from './atomic-write';
import { BatchedWriter } from './batched-writer';
import { EpochRow, type MetricsOptions, diagnosticKeys, metricsHeader, metricsLine } from './metrics-csv';

/** How long an appended row may wait to be written with the rows after it. */
export const METRICS_FLUSH_MS = 1000;

/**
 * `metrics.csv` written as a run goes: each evaluation's row appended, in a
 * time that does not grow with the run; the whole file written again
 * (atomically) only when a row brings a diagnostic column its header lacks.
 * Rows close together are written together, at most `METRICS_FLUSH_MS`
 * after they come (and at `flush` and `close`): a run of many short epochs
 * pays one write a second, not one a row; a checkpoint is never ahead of
 * the rows a resumed run keeps (a resume rewrites the file from the
 * checkpoint's own rows).
 * Given rows to start from (a checkpoint's history), it writes them out at
 * once: a run continued from a checkpoint older than the file's last rows
 * drops those rows, which the continued run writes again, so that no
 * evaluation appears twice.
 */
export class MetricsFile {
  private readonly rows: EpochRow[];
  private keys: string[] = [];
  private started = false;
  /** The file opened for appending, until `close` or the next whole write. */
  private fd: number | undefined;
  private readonly lines = new BatchedWriter((text) => this.writeOut(text), METRICS_FLUSH_MS);

  constructor(
    readonly file: string,
    private readonly classification: boolean,
    private readonly options: MetricsOptions = {},
    rows: readonly EpochRow[] = [],
  ) {
    this.rows = [...rows];
    if (this.rows.length > 0) this.rewrite();
  }

  /** Adds the row of an evaluation. */
  append(row: EpochRow): void {
    this.rows.push(row);
    if (!this.started || Object.keys(row.diagnostics ?? {}).some((k) => !this.keys.includes(k))) {
      this.rewrite();
      return;
    }
    this.lines.add(metricsLine(row, this.keys, this.classification, this.options) + '\n');
  }

  /** Writes the rows not yet written. */
  flush(): void {
    this.lines.flush();
  }

  /** Writes the rows not yet written and closes the file (appending opens it again). */
  close(): void {
    this.lines.flush();
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private writeOut(text: string): void {
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, text);
    } catch (e) {
      throw fileSystemFailure(this.file, 'write', e);
    }
  }

  private rewrite(): void {
    // every row is in the rewritten file: what was waiting to be appended goes with it
    this.lines.discard();
    this.close();
    this.keys = diagnosticKeys(this.rows);
    const lines = [metricsHeader(this.keys, this.classification, this.options), ...this.rows.map((r) => metricsLine(r, this.keys, this.classification, this.options))];
    atomicWriteSync(this.file, lines.join('\n') + '\n');
    this.started = true;
  }
}
