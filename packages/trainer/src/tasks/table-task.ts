import {
  type ConfigOf,
  type Example,
  type Loss,
  type Rng,
  type SectionProblem,
  type Task,
  type TaskRecord,
  type WrittenSection,
  COUNT_RANGE,
  InputFileError,
  MAX_COUNT,
  MAX_GAIN,
  type ResourceLimits,
  SIGNAL_RANGE,
  SettingsError,
  bounded,
  configPathCodec,
  fromSectionFile,
  sizeProblems,
  argmax,
  crossEntropyLoss,
  finiteNumber,
  jsonSchemaOf,
  nonEmptyString,
  nonNegativeInteger,
  numberWhere,
  oneOf,
  onlyWith,
  positiveInteger,
  positiveNumber,
  refine,
  strictObject,
  withDefaults,
  withSchema,
} from '@multimech/core';
import * as t from 'io-ts';
import { type DataTable, readDataTable } from './data-table';
import { type InputEncodingSettings, createInputEncoding, inputEncodingCodec, inputEncodingSettings } from './input-encoding';
import { MSE_SCALINGS, type MseScaling, scaledMseLoss } from './output-loss';
import { stratifiedSplit } from './stratified-split';

/** A column of a data table: its name in the header (or the key of a JSON row), or its 0-based index. */
export type ColumnRef = string | number;

/** A column's index: 0 up to the largest count a config may give. */
const columnIndex = bounded(nonNegativeInteger, { min: 0, max: MAX_COUNT, integer: true }, 'a column is a position in a row');

const columnRef = withSchema(
  new t.Type<ColumnRef, ColumnRef, unknown>(
    'a column: its name, or its index (0 for the first)',
    (u): u is ColumnRef => nonEmptyString.is(u) || columnIndex.is(u),
    (u, c) => (nonEmptyString.is(u) ? t.success(u) : nonNegativeInteger.is(u) ? columnIndex.validate(u, c) : t.failure(u, c)),
    (a) => a,
  ),
  () => ({ oneOf: [jsonSchemaOf(nonEmptyString), jsonSchemaOf(columnIndex)] }),
);

/**
 * What the task learns from each row: `regression` (the values of
 * `columns`), `class` (a class per row in `column`: a label, or a class
 * index 0, 1, ...; `classes` names them in output order) or `one-hot`
 * (`columns` hold one 1 and zeros: one column per class).
 */
export type TableTarget =
  | { readonly kind: 'regression'; readonly columns: readonly ColumnRef[] }
  | { readonly kind: 'class'; readonly column: ColumnRef; readonly classes?: readonly string[] }
  | { readonly kind: 'one-hot'; readonly columns: readonly ColumnRef[] };

const targetFields = strictObject(
  'a target ({ "kind": "regression" | "class" | "one-hot", "columns"?, "column"?, "classes"? })',
  { kind: oneOf('regression', 'class', 'one-hot') },
  { columns: t.array(columnRef), column: columnRef, classes: t.array(nonEmptyString) },
);

const targetCodec = refine(targetFields, (v) => {
  const problems = onlyWith(v, 'kind', v.kind, { columns: ['regression', 'one-hot'], column: ['class'], classes: ['class'] });
  if (v.kind === 'class' && v.column === undefined) problems.push({ key: 'column', message: 'a class target needs the column holding each row\'s class (a label or a class index)' });
  if (v.kind !== 'class' && v.columns === undefined) problems.push({ key: 'columns', message: `a '${v.kind}' target needs its columns` });
  if (v.kind === 'regression' && v.columns?.length === 0) problems.push({ key: 'columns', message: 'expected at least one target column, got none' });
  if (v.kind === 'one-hot' && v.columns !== undefined && v.columns.length < 2) problems.push({ key: 'columns', message: `expected a column per class (at least 2), got ${v.columns.length}` });
  if (v.classes !== undefined) {
    if (v.classes.length < 2) problems.push({ key: 'classes', message: `expected at least 2 classes, got ${v.classes.length}` });
    const twice = v.classes.findIndex((c, i) => v.classes!.indexOf(c) !== i);
    if (twice >= 0) problems.push({ key: `classes`, message: `class '${v.classes[twice]}' is named twice` });
  }
  return problems;
}) as unknown as t.Type<TableTarget, unknown, unknown>;

const fraction = numberWhere('a number in (0, 1)', (x) => x > 0 && x < 1, { exclusiveMinimum: 0, exclusiveMaximum: 1 });

/**
 * How the rows split into training and test examples (with one `file`):
 * `test` rows drawn from the seed, or a `testFraction` of them (stratified
 * by class for classification), or a `column` whose value says
 * (`trainValue`, default "train"; `testValue`, default "test").
 */
export type TableSplit =
  | { readonly test: number }
  | { readonly testFraction: number }
  | { readonly column: ColumnRef; readonly trainValue?: string; readonly testValue?: string };

const splitFields = strictObject(
  'a split ({ "test" }, { "testFraction" }, or { "column", "trainValue"?, "testValue"? })',
  {},
  { test: bounded(positiveInteger, COUNT_RANGE), testFraction: fraction, column: columnRef, trainValue: nonEmptyString, testValue: nonEmptyString },
);

const splitCodec = refine(splitFields, (v) => {
  const forms = ['test', 'testFraction', 'column'].filter((k) => k in v);
  if (forms.length !== 1) return [{ key: forms[1] ?? '', message: 'give one of "test" (a number of test rows), "testFraction" or "column" (the column saying which rows test)' }];
  return onlyWith(v, 'form', forms[0], { trainValue: ['column'], testValue: ['column'] });
}) as unknown as t.Type<TableSplit, unknown, unknown>;

/** The loss of a table task: MSE under a named scaling (regression, or classes as target potentials `low`/`high`), or cross-entropy (classes). */
export type TableLossSettings =
  | { readonly kind: 'mse'; readonly scaling: MseScaling; readonly low?: number; readonly high?: number }
  | { readonly kind: 'cross-entropy'; readonly kappa: number };

const lossFields = strictObject(
  'a loss ({ "kind": "mse" | "cross-entropy", "scaling"?, "kappa"?, "low"?, "high"? })',
  {},
  {
    kind: oneOf('mse', 'cross-entropy'),
    scaling: oneOf(...MSE_SCALINGS),
    kappa: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_GAIN }, 'κ times an output must stay finite in the loss'),
    low: bounded(finiteNumber, SIGNAL_RANGE, 'a target must keep the loss finite'),
    high: bounded(finiteNumber, SIGNAL_RANGE, 'a target must keep the loss finite'),
  },
);
const lossCodec = refine(lossFields, (v) => onlyWith(v, 'kind', v.kind ?? 'mse', { scaling: ['mse'], low: ['mse'], high: ['mse'], kappa: ['cross-entropy'] }));

const tableFields = strictObject(
  'a table task { file | train and test, features, target, split?, format?, header?, inputs?, loss? }',
  { features: t.array(columnRef), target: targetCodec },
  {
    file: configPathCodec('a CSV or JSON data table'),
    train: configPathCodec('a CSV or JSON data table'),
    test: configPathCodec('a CSV or JSON data table'),
    format: oneOf('csv', 'json'),
    header: t.boolean,
    split: splitCodec,
    inputs: inputEncodingCodec,
    loss: lossCodec,
  },
);

/** The table task's codec: the fields, then one file with a split or two files without, and a loss that fits the target. */
export const tableConfigCodec = refine(tableFields, (v) => {
  const problems: { key: string; message: string }[] = [];
  if (v.file !== undefined && (v.train !== undefined || v.test !== undefined)) problems.push({ key: v.train !== undefined ? 'train' : 'test', message: 'give the data either as one "file" (with a split) or as "train" and "test" files, not both' });
  else if (v.file === undefined && (v.train === undefined || v.test === undefined)) problems.push({ key: v.train === undefined ? 'train' : 'test', message: 'give the data: "file" (with a split), or both "train" and "test" files' });
  if (v.file !== undefined && v.split === undefined) problems.push({ key: 'split', message: 'one file needs a split: { "test": rows }, { "testFraction": f } or { "column": c }' });
  if (v.file === undefined && v.split !== undefined) problems.push({ key: 'split', message: 'the "train" and "test" files are the split: remove it' });
  if (v.features.length === 0) problems.push({ key: 'features', message: 'expected at least one feature column, got none' });
  if (v.target.kind === 'regression' && v.loss?.kind === 'cross-entropy') problems.push({ key: 'loss.kind', message: "cross-entropy needs classes: a 'class' or 'one-hot' target" });
  if (v.target.kind === 'regression') {
    for (const key of ['low', 'high'] as const) if (v.loss?.[key] !== undefined) problems.push({ key: `loss.${key}`, message: "applies only to classes (a 'class' or 'one-hot' target): remove it" });
  }
  return problems;
});
export type TableConfig = t.TypeOf<typeof tableFields>;

/** The table task's settings: every default filled in (CSV with a header, the input encoding unstandardised, MSE ½Σ for regression and cross-entropy κ = 20 for classes). */
export interface TableSettings {
  readonly file?: string;
  readonly train?: string;
  readonly test?: string;
  readonly format?: 'csv' | 'json';
  readonly header: boolean;
  readonly features: readonly ColumnRef[];
  readonly target: TableTarget;
  readonly split?: TableSplit;
  readonly inputs: InputEncodingSettings;
  readonly loss: TableLossSettings;
}

function tableSettingsOf(c: TableConfig): TableSettings {
  const classes = c.target.kind !== 'regression';
  const kind = c.loss?.kind ?? (classes ? 'cross-entropy' : 'mse');
  const loss: TableLossSettings =
    kind === 'cross-entropy'
      ? { kind, kappa: c.loss?.kappa ?? 20 }
      : { kind, scaling: c.loss?.scaling ?? 'half-sum', ...(classes ? { low: c.loss?.low ?? 0, high: c.loss?.high ?? 1 } : {}) };
  return {
    ...(c.file !== undefined ? { file: c.file } : { train: c.train, test: c.test }),
    ...(c.format !== undefined ? { format: c.format } : {}),
    header: c.header ?? true,
    features: c.features,
    target: c.target,
    ...(c.split !== undefined ? { split: c.split } : {}),
    inputs: inputEncodingSettings(c.inputs, false),
    loss,
  };
}

/** The table section decoded into its settings. */
export const tableSettings = withDefaults(tableConfigCodec as t.Type<TableConfig, unknown, unknown>, tableSettingsOf);

/** The `task` section of a table task as written (`{ "kind": "table", "file", "features", "target", ... }`), from its codec. */
export type TableSection = WrittenSection<'table', ConfigOf<typeof tableSettings>>;

/** A row's figures before encoding. */
interface Row {
  readonly features: Float64Array;
  readonly target?: Float64Array;
  readonly label?: string;
}

/** Resolves the config's columns in one table, each problem at its key in the task section, naming the file. */
function resolveColumns(table: DataTable, refs: readonly { key: string; ref: ColumnRef }[], problems: SectionProblem[]): number[] {
  const someColumns = table.columns.slice(0, 20).map((c) => `'${c}'`).join(', ') + (table.columns.length > 20 ? ', ...' : '');
  return refs.map(({ key, ref }) => {
    if (typeof ref === 'number') {
      if (ref >= table.columns.length) problems.push({ section: 'task', key, message: `column ${ref} is outside the ${table.columns.length} columns of ${table.file} (0 to ${table.columns.length - 1})` });
      return ref;
    }
    const c = table.named ? table.columns.indexOf(ref) : -1;
    if (c < 0) {
      problems.push({
        section: 'task',
        key,
        message: table.named ? `${table.file} has no column '${ref}' (its columns: ${someColumns})` : `${table.file} has no column names (no header${table.file.endsWith('.json') ? ': rows are arrays' : ''}): give the column's index (0 for the first)`,
      });
    }
    return c;
  });
}

/**
 * A task on data the researcher has: inputs and targets read from a CSV or
 * JSON file (`file`, split by `split`) or two (`train`, `test`), the
 * columns chosen by name or index. Regression learns the target columns;
 * classification a class column (labels or class indices) or one-hot
 * columns. Features reach the ports through an input encoding (by default
 * `voltage`, not standardised; `raw-voltage` and `raw-current` drive one
 * port per feature with the value as written). Loss: MSE under a named
 * scaling (`half-sum` ½Σ by default, `sum`, `half-mean`, `mean`) or, for
 * classes, cross-entropy. Examples keep the order of the rows.
 */
export function tableTask(settings: TableSettings, rng: Rng, baseDir: string, limits?: ResourceLimits): Task & { readonly resolvedConfig: object } {
  try {
    return buildTableTask(settings, rng, baseDir, limits);
  } catch (e) {
    // a problem in a file (reading it, a row of it) names the key that named it: task.file: data.csv:5: ...
    const key = e instanceof InputFileError ? (['file', 'train', 'test'] as const).find((k) => settings[k] === e.file) : undefined;
    if (key) fromSectionFile('task', key, settings[key]!, () => {
      throw e;
    });
    throw e;
  }
}

function buildTableTask(settings: TableSettings, rng: Rng, baseDir: string, limits?: ResourceLimits): Task & { readonly resolvedConfig: object } {
  const read = (file: string) => readDataTable(file, baseDir, { format: settings.format, header: settings.header, limits });
  const tables = settings.file !== undefined ? [read(settings.file)] : [read(settings.train!), read(settings.test!)];
  const tableKeys = settings.file !== undefined ? ['file'] : ['train', 'test'];
  const target = settings.target;
  // the rows and their values counted against the limits before the examples are allocated
  if (limits) {
    const perRow = settings.features.length + (target.kind === 'class' ? 1 : target.columns.length);
    const rows = tables.reduce((n, tb) => n + tb.rowCount, 0);
    const over = sizeProblems('task', [
      { limit: 'examples', count: rows, key: tableKeys[0], what: `rows (examples) in ${tables.map((tb) => tb.file).join(' and ')}` },
      { limit: 'values', count: rows * perRow, key: tableKeys[0], what: `data values (${rows} rows × ${perRow} features and targets)` },
    ], limits);
    if (over.length > 0) throw new SettingsError(over);
  }
  const refs: { key: string; ref: ColumnRef; role: string }[] = [
    ...settings.features.map((ref, i) => ({ key: `features[${i}]`, ref, role: 'feature' })),
    ...(target.kind === 'class' ? [{ key: 'target.column', ref: target.column, role: 'target' }] : target.columns.map((ref, i) => ({ key: `target.columns[${i}]`, ref, role: 'target' }))),
    ...(settings.split && 'column' in settings.split ? [{ key: 'split.column', ref: settings.split.column, role: 'split' }] : []),
  ];
  const problems: SectionProblem[] = [];
  const columns = tables.map((table) => resolveColumns(table, refs, problems));
  if (problems.length === 0) {
    // a column used twice: a feature that is also its target, a split column that is a feature
    const first = new Map<number, number>();
    columns[0].forEach((c, i) => {
      const j = first.get(c);
      if (j === undefined) first.set(c, i);
      else problems.push({ section: 'task', key: refs[i].key, message: `column '${tables[0].columns[c]}' is already used (at ${refs[j].key}): a column serves one purpose` });
    });
  }
  if (problems.length > 0) throw new SettingsError(problems);

  const featureCount = settings.features.length;
  // a problem with a row: at its line (CSV) or its index (JSON)
  const withLine = (table: DataTable, r: number, message: string): never => {
    const where = table.where(r);
    const line = /:(\d+)$/.exec(where);
    throw new InputFileError(table.file, line ? Number(line[1]) : undefined, line ? message : `${where.slice(table.file.length + 2)}: ${message}`);
  };
  const rowsOf = (table: DataTable, cols: readonly number[]): Row[] =>
    Array.from({ length: table.rowCount }, (_, r) => {
      const features = Float64Array.from(cols.slice(0, featureCount), (c) => table.number(r, c));
      if (target.kind === 'class') return { features, label: table.label(r, cols[featureCount]) };
      const values = Float64Array.from(target.columns, (_, o) => table.number(r, cols[featureCount + o]));
      if (target.kind === 'regression') return { features, target: values };
      const ones = values.filter((x) => x === 1).length;
      if (ones !== 1 || values.some((x) => x !== 0 && x !== 1)) {
        withLine(table, r, `expected a one-hot row (one 1, zeros elsewhere) in columns ${target.columns.map((_, o) => `'${table.columns[cols[featureCount + o]]}'`).join(', ')}, got [${Array.from(values).join(', ')}]`);
      }
      return { features, label: String(values.indexOf(1)) };
    });

  // the split: given by the files or a column, or drawn from the seed
  let trainRows: Row[];
  let testRows: Row[];
  const allRows = rowsOf(tables[0], columns[0]);
  if (tables.length === 2) {
    trainRows = allRows;
    testRows = rowsOf(tables[1], columns[1]);
  } else {
    const split = settings.split!;
    if ('column' in split) {
      const c = columns[0][refs.length - 1];
      const trainValue = split.trainValue ?? 'train';
      const testValue = split.testValue ?? 'test';
      const side = allRows.map((_, r) => {
        const v = tables[0].label(r, c);
        if (v !== trainValue && v !== testValue) return withLine(tables[0], r, `column '${tables[0].columns[c]}' (the split): expected '${trainValue}' or '${testValue}', got ${JSON.stringify(v)}`);
        return v === testValue;
      });
      trainRows = allRows.filter((_, r) => !side[r]);
      testRows = allRows.filter((_, r) => side[r]);
    } else {
      const n = allRows.length;
      const count = 'test' in split ? split.test : Math.min(n - 1, Math.max(1, Math.round(split.testFraction * n)));
      if (count >= n) throw new SettingsError([{ section: 'task', key: 'split.test', message: `${count} test rows leave none of the ${n} rows of ${tables[0].file} to train on` }]);
      const labels = allRows.map((row) => row.label);
      const chosen = labels.every((l): l is string => l !== undefined)
        ? stratifiedSplit(labelIndices(labels), count, rng)
        : (() => {
            const order = rng.shuffle([...Array(n).keys()]);
            return { train: order.slice(count).sort((a, b) => a - b), test: order.slice(0, count).sort((a, b) => a - b) };
          })();
      trainRows = chosen.train.map((i) => allRows[i]);
      testRows = chosen.test.map((i) => allRows[i]);
    }
  }
  if (trainRows.length === 0) throw new SettingsError([{ section: 'task', key: tables.length === 2 ? 'train' : 'split', message: `no training rows in ${tables[0].file}` }]);

  // classes: as named, or the labels found (class indices 0, 1, ... when every label is one)
  let classes: string[] | undefined;
  let classOf: ((label: string) => number) | undefined;
  if (target.kind === 'one-hot') {
    classes = target.columns.map((_, o) => tables[0].columns[columns[0][featureCount + o]]);
    classOf = (label) => Number(label);
  } else if (target.kind === 'class') {
    const labels = [...trainRows, ...testRows].map((r) => r.label!);
    if (target.classes) {
      classes = [...target.classes];
      const known = new Map(classes.map((c, i) => [c, i]));
      for (const [table, cols] of tables.map((tb, i) => [tb, columns[i]] as const)) {
        for (let r = 0; r < table.rowCount; r++) {
          const l = table.label(r, cols[featureCount]);
          if (!known.has(l)) withLine(table, r, `column '${table.columns[cols[featureCount]]}': ${JSON.stringify(l)} is not one of the classes (${classes.join(', ')}) that task.target.classes names`);
        }
      }
      classOf = (label) => known.get(label)!;
    } else if (labels.every((l) => /^\d+$/.test(l))) {
      const count = Math.max(...labels.map(Number)) + 1;
      classes = Array.from({ length: count }, (_, i) => String(i));
      classOf = (label) => Number(label);
    } else {
      classes = [...new Set(labels)].sort();
      const index = new Map(classes.map((c, i) => [c, i]));
      classOf = (label) => index.get(label)!;
    }
    if (classes.length < 2) throw new SettingsError([{ section: 'task', key: 'target.column', message: `the data has one class only (${classes[0]}): classification needs at least 2` }]);
  }

  const names = columns[0].slice(0, featureCount).map((c) => (tables[0].named ? tables[0].columns[c] : `x${c}`));
  const encoding = createInputEncoding(settings.inputs, names, trainRows.map((r) => r.features));
  const lossSettings = settings.loss;
  let loss: Loss;
  if (lossSettings.kind === 'cross-entropy') loss = crossEntropyLoss(lossSettings.kappa);
  else loss = scaledMseLoss(lossSettings.scaling);
  const outputCount = classes ? classes.length : (target as { columns: readonly ColumnRef[] }).columns.length;
  const example = (row: Row): Example => {
    if (!classes) return { inputs: encoding.encode(row.features), target: row.target! };
    const label = classOf!(row.label!);
    const y = new Float64Array(outputCount);
    if (lossSettings.kind === 'mse') y.fill(lossSettings.low ?? 0);
    y[label] = lossSettings.kind === 'mse' ? (lossSettings.high ?? 1) : 1;
    return { inputs: encoding.encode(row.features), target: y, label };
  };
  const outputNames = classes ?? columns[0].slice(featureCount, featureCount + outputCount).map((c) => (tables[0].named ? tables[0].columns[c] : `y${c}`));
  return {
    kind: 'table',
    inputCount: encoding.portNames.length,
    inputType: encoding.type,
    inputNames: encoding.portNames,
    outputCount,
    outputNames,
    train: trainRows.map(example),
    test: testRows.map(example),
    loss,
    ...(classes ? { classes, predict: (y: ArrayLike<number>) => argmax(y) } : {}),
    resolvedConfig: { kind: 'table', ...settings, inputs: encoding.resolved },
  };
}

/** Labels as class numbers for a stratified split (in order of first appearance; the split only groups them). */
function labelIndices(labels: readonly string[]): number[] {
  const index = new Map<string, number>();
  return labels.map((l) => {
    if (!index.has(l)) index.set(l, index.size);
    return index.get(l)!;
  });
}

export const tableTaskRecord: TaskRecord<TableSettings> = {
  kind: 'table',
  description: "a researcher's own data: inputs and targets from a CSV or JSON file (columns by name or index; regression, classes or one-hot), split as given or from the seed",
  configCodec: tableSettings,
  example: { file: 'data.csv', features: ['x1', 'x2'], target: { kind: 'regression', columns: ['y'] }, split: { test: 10 }, inputs: { encoding: 'raw-voltage' }, loss: { kind: 'mse', scaling: 'half-mean' } },
  create: (settings, { rng, baseDir, limits }) => tableTask(settings, rng, baseDir, limits),
};
