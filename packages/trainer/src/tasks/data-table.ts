import { DEFAULT_LIMITS, InputFileError, type ResourceLimits, csvNumber, echoed, isJsonFileName, parseCsv, parseJsonFile, readConfigFile } from '@multimech/core';

/**
 * A table of data read from a CSV or JSON file, its cells as written, with
 * where each row was written for messages:
 *
 * - CSV: a header line naming the columns (unless `header` is false: then
 *   columns have indices only), one row per line; `file:line` in messages;
 * - JSON: an array of objects (columns named by their keys, in the order
 *   of the first row's) or an array of arrays (columns by index only); the
 *   row's index `[4]` in messages.
 */
export interface DataTable {
  readonly file: string;
  /** Column names: the header's or the keys', or `x0, x1, ...` when the columns have indices only. */
  readonly columns: readonly string[];
  /** Whether the columns have names a config may use. */
  readonly named: boolean;
  readonly rowCount: number;
  /** A cell's number, or an InputFileError naming the file, the row and the column. */
  number(row: number, column: number): number;
  /** A cell as a label (a class, a split value): a string, or an integer written as one. */
  label(row: number, column: number): string;
  /** Where a row was written: `data.csv:5` or `data.json: [4]`. */
  where(row: number): string;
}

/** A cell's value for a message. */
const shown = (value: unknown) => (value === undefined ? 'nothing' : value === '' ? 'an empty cell' : echoed(JSON.stringify(value) ?? String(value)));

function columnName(table: { readonly columns: readonly string[]; readonly named: boolean }, column: number): string {
  return table.named ? `column '${table.columns[column]}' (column ${column + 1})` : `column ${column}`;
}

function csvTable(text: string, file: string, header: boolean): DataTable {
  const { rows, lines } = parseCsv(text, file);
  if (rows.length === 0) throw new InputFileError(file, undefined, `no data: expected ${header ? 'a header line naming the columns and ' : ''}one row per line`);
  const names = header ? rows[0] : rows[0].map((_, c) => `x${c}`);
  if (header) {
    const seen = new Map<string, number>();
    names.forEach((name, c) => {
      if (name === '') throw new InputFileError(file, lines[0], `column ${c + 1} of the header has no name`);
      if (seen.has(name)) throw new InputFileError(file, lines[0], `column '${name}' is named twice (columns ${seen.get(name)! + 1} and ${c + 1})`);
      seen.set(name, c);
    });
  }
  const data = header ? rows.slice(1) : rows;
  const dataLines = header ? lines.slice(1) : lines;
  if (data.length === 0) throw new InputFileError(file, undefined, 'no data rows after the header');
  data.forEach((row, r) => {
    if (row.length !== names.length) {
      throw new InputFileError(file, dataLines[r], `expected ${names.length} cells (${header ? 'as the header has' : 'as the first row has'}), got ${row.length}`);
    }
  });
  const table = { columns: names, named: header };
  return {
    file,
    columns: names,
    named: header,
    rowCount: data.length,
    number(row, column) {
      const cell = data[row][column];
      const x = csvNumber(cell);
      if (x === undefined) throw new InputFileError(file, dataLines[row], `${columnName(table, column)}: expected a finite number, got ${shown(cell)}`);
      return x;
    },
    label(row, column) {
      const cell = data[row][column];
      if (cell === '') throw new InputFileError(file, dataLines[row], `${columnName(table, column)}: expected a label, got an empty cell`);
      return cell;
    },
    where: (row) => `${file}:${dataLines[row]}`,
  };
}

function jsonTable(text: string, file: string): DataTable {
  const value = parseJsonFile(text, file);
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputFileError(file, undefined, `expected a non-empty JSON array of rows (objects with a key per column, or arrays of cells), got ${Array.isArray(value) ? 'an empty array' : typeof value}`);
  }
  const objects = value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r));
  const arrays = value.every((r) => Array.isArray(r));
  if (!objects && !arrays) {
    const bad = value.findIndex((r) => (Array.isArray(value[0]) ? !Array.isArray(r) : typeof r !== 'object' || r === null || Array.isArray(r)));
    throw new InputFileError(file, undefined, `[${bad}]: expected every row to be ${Array.isArray(value[0]) ? 'an array of cells, as the first is' : 'an object with a key per column, as the first is'}`);
  }
  const names = objects ? Object.keys(value[0] as object) : (value[0] as unknown[]).map((_, c) => `x${c}`);
  if (arrays) {
    value.forEach((row, r) => {
      if ((row as unknown[]).length !== names.length) throw new InputFileError(file, undefined, `[${r}]: expected ${names.length} cells (as the first row has), got ${(row as unknown[]).length}`);
    });
  }
  const cell = (row: number, column: number): unknown => (objects ? (value[row] as Record<string, unknown>)[names[column]] : (value[row] as unknown[])[column]);
  const at = (row: number, column: number) => (objects ? `[${row}].${names[column]}` : `[${row}][${column}]`);
  return {
    file,
    columns: names,
    named: objects,
    rowCount: value.length,
    number(row, column) {
      const x = cell(row, column);
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InputFileError(file, undefined, `${at(row, column)}: expected a finite number, got ${objects && !((names[column]) in (value[row] as object)) ? 'no such key' : shown(x)}`);
      }
      return x;
    },
    label(row, column) {
      const x = cell(row, column);
      if (typeof x === 'string' && x !== '') return x;
      if (typeof x === 'number' && Number.isInteger(x)) return String(x);
      throw new InputFileError(file, undefined, `${at(row, column)}: expected a label (a non-empty string or an integer), got ${objects && !((names[column]) in (value[row] as object)) ? 'no such key' : shown(x)}`);
    },
    where: (row) => `${file}: [${row}]`,
  };
}

/**
 * Reads a data table from `file` (relative to `baseDir`, inside it unless
 * the run trusts its config, at most `limits.fileBytes`): JSON for a
 * `.json` name or `format: "json"`, CSV otherwise.
 */
export function readDataTable(
  file: string,
  baseDir: string,
  options: { readonly format?: 'csv' | 'json'; readonly header?: boolean; readonly limits?: Pick<ResourceLimits, 'fileBytes'> } = {},
): DataTable {
  const text = readConfigFile(baseDir, file, 'the data table', options.limits ?? DEFAULT_LIMITS);
  const json = options.format ? options.format === 'json' : isJsonFileName(file);
  return json ? jsonTable(text, file) : csvTable(text, file, options.header ?? true);
}
