import { InputFileError } from './errors';
import { echoed } from './format';

/** A CSV text as rows of cells, each row with the line it starts on. */
export interface CsvText {
  /** Rows of cells as written (quotes removed, an unquoted cell trimmed); blank lines and lines starting with `#` are left out. */
  readonly rows: readonly (readonly string[])[];
  /** The 1-based line of the text each row starts on, for messages. */
  readonly lines: readonly number[];
}

/**
 * Reads comma-separated values (RFC 4180: a cell in double quotes may hold
 * commas, line breaks and `""` for a quote). A byte-order mark at the start
 * is skipped; blank lines and lines starting with `#` (a comment, as numpy's
 * `savetxt` writes its header) are left out; CRLF and LF both end a line.
 * A quote that is never closed, or one inside an unquoted cell, is refused
 * with its file and line.
 */
export function parseCsv(text: string, file: string): CsvText {
  const rows: string[][] = [];
  const lines: number[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    // a row starts here
    const rowLine = line;
    let lineEnd = i;
    while (lineEnd < n && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    const raw = text.slice(i, lineEnd);
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
      i = lineEnd;
      if (text[i] === '\r' && text[i + 1] === '\n') i++;
      if (i < n) i++;
      line++;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      // one cell
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '"') {
        const opened = line;
        let value = '';
        j++;
        for (;;) {
          if (j >= n) throw new InputFileError(file, opened, 'a quoted cell opened on this line is never closed (a missing ")');
          const ch = text[j];
          if (ch === '"') {
            if (text[j + 1] === '"') {
              value += '"';
              j += 2;
              continue;
            }
            j++;
            break;
          }
          if (ch === '\n') line++;
          else if (ch === '\r' && text[j + 1] !== '\n') line++;
          value += ch;
          j++;
        }
        while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
        if (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') {
          throw new InputFileError(file, line, `unexpected ${echoed(JSON.stringify(text[j]))} after a quoted cell (expected a comma or the end of the line)`);
        }
        cells.push(value);
        i = j;
      } else {
        let k = j;
        while (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') {
          if (text[k] === '"') throw new InputFileError(file, line, 'a quote inside an unquoted cell: quote the whole cell ("...") and double the quotes inside it');
          k++;
        }
        cells.push(text.slice(i, k).trim());
        i = k;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    rows.push(cells);
    lines.push(rowLine);
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    if (i < n) i++;
    line++;
  }
  return { rows, lines };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell as a number, exactly as written (the double nearest the decimal,
 * as JSON.parse gives it), or undefined when the cell is not a finite
 * decimal number (`abc`, an empty cell, `NaN`, `Infinity`, `1e999`).
 */
export function csvNumber(cell: string): number | undefined {
  if (!NUMBER.test(cell)) return undefined;
  const x = Number(cell);
  return Number.isFinite(x) ? x : undefined;
}
