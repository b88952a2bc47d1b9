import * as fs from 'fs';
import { atomicWriteSync, fileSystemFailure } from './atomic-write';
import { EpochRow, type MetricsOptions, diagnosticKeys, metricsHeader, metricsLine } from './metrics-csv';

/**
 * `metrics.csv` written as a run goes: each evaluation's row appended, in a
 * time that does not grow with the run; the whole file written again
 * (atomically) only when a row brings a diagnostic column its header lacks.
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
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, metricsLine(row, this.keys, this.classification, this.options) + '\n');
    } catch (e) {
      throw fileSystemFailure(this.file, 'write', e);
    }
  }

  /** Closes the file (appending opens it again). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private rewrite(): void {
    this.close();
    this.keys = diagnosticKeys(this.rows);
    const lines = [metricsHeader(this.keys, this.classification, this.options), ...this.rows.map((r) => metricsLine(r, this.keys, this.classification, this.options))];
    atomicWriteSync(this.file, lines.join('\n') + '\n');
    this.started = true;
  }
}
