import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ConfigError, Rng, mseLoss } from '@multimech/core';
import { createInputEncoding, scaledMseLoss, tableSettings, tableTask } from '../src';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'multimech-table-'));
  // 8 rows, a split column; values written with all their digits
  writeFileSync(
    path.join(dir, 'regression.csv'),
    [
      'x1,x2,y,set',
      '0.1,0.7,0.30000000000000004,train',
      '0.2,-1.25,0.125,train',
      '1e-3,3.3333333333333335e-1,-0.5,test',
      '0.4,0.5,0.25,train',
      '# a comment line, left out',
      '0.5,0.6,0.75,train',
      '"0.6",0.9,1.5,test',
      '0.7,1.1,0.2,train',
      '0.8,1.3,0.9,train',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'flowers.json'),
    JSON.stringify(
      Array.from({ length: 12 }, (_, i) => ({ length: 1 + i / 10, width: 0.5 + (i % 3) / 4, species: ['setosa', 'virginica', 'versicolor'][i % 3] })),
    ),
  );
  writeFileSync(path.join(dir, 'train.csv'), 'a,b,c0,c1\n1,2,1,0\n2,1,0,1\n3,3,1,0\n');
  writeFileSync(path.join(dir, 'test.csv'), 'a,b,c0,c1\n4,2,0,1\n');
  writeFileSync(path.join(dir, 'indexed.csv'), '0.5,1.5,2\n1.5,0.5,0\n1.0,1.0,1\n2.0,2.0,2\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (config: object) => {
  const r = tableSettings.decode(config);
  if (r._tag === 'Left') throw new Error(JSON.stringify(r.left.map((e) => e.message)));
  return r.right;
};
const task = (config: object, seed = 1) => tableTask(settings(config), new Rng(seed), dir);
const refused = (config: object) => {
  try {
    task(config);
  } catch (e) {
    // a problem with the settings: its lines as a config shows them (`task.features[1]: ...`)
    return e instanceof ConfigError ? e.problems.map((p) => `${p.path}: ${p.message}`).join('\n') : (e as Error).message;
  }
  throw new Error('accepted');
};

describe('loss scalings', () => {
  const y = [0.5, -1, 2];
  const t = [1, 1, 1.5];
  // (y − t)² = 0.25, 4, 0.25: Σ = 4.5
  it.each([
    ['half-sum', 2.25, [-0.5, -2, 0.5]],
    ['sum', 4.5, [-1, -4, 1]],
    ['half-mean', 0.75, [-0.5 / 3, -2 / 3, 0.5 / 3]],
    ['mean', 1.5, [-1 / 3, -4 / 3, 1 / 3]],
  ] as const)('%s: the value and ∂C/∂y against the hand computation', (scaling, value, gradient) => {
    const loss = scaledMseLoss(scaling);
    expect(loss.kind).toBe('mse');
    expect(loss.scaling).toBe(scaling);
    expect(loss.value(y, t)).toBe(value);
    expect(Array.from(loss.gradient(y, t))).toEqual(gradient);
  });

  it("half-sum is core's ½Σ to the bit", () => {
    const a = [0.1, 0.7, 1 / 3];
    const b = [0.3, -0.2, 2 / 7];
    expect(scaledMseLoss('half-sum').value(a, b)).toBe(mseLoss.value(a, b));
    expect(Array.from(scaledMseLoss('half-sum').gradient(a, b))).toEqual(Array.from(mseLoss.gradient(a, b)));
  });
});

describe('raw input encodings', () => {
  it('drive one port per feature with the value as written (scaled when asked), not standardised', () => {
    const x = [0.1, -3.7];
    const potential = createInputEncoding({ encoding: 'raw-voltage' }, ['a', 'b'], [x, [1, 2]]);
    expect(potential.type).toBe('potential');
    expect(potential.portNames).toEqual(['a', 'b']);
    expect(Array.from(potential.encode(x))).toEqual(x);
    expect(potential.resolved).toEqual({ encoding: 'raw-voltage', scale: 1, standardize: false });
    const current = createInputEncoding({ encoding: 'raw-current', scale: 2 }, ['a', 'b'], [x, [1, 2]]);
    expect(current.type).toBe('flow');
    expect(Array.from(current.encode(x))).toEqual([0.2, -7.4]);
    const standardised = createInputEncoding({ encoding: 'raw-voltage', standardize: true }, ['a'], [[1], [3]]);
    expect(Array.from(standardised.encode([3]))).toEqual([1 / Math.SQRT2]);
  });
});

describe('the table task', () => {
  it('CSV regression split by a column: rows in file order, features and targets exactly as written', () => {
    const t = task({
      file: 'regression.csv',
      features: ['x1', 'x2'],
      target: { kind: 'regression', columns: ['y'] },
      split: { column: 'set' },
      inputs: { encoding: 'raw-voltage' },
      loss: { kind: 'mse', scaling: 'half-mean' },
    });
    expect(t.kind).toBe('table');
    expect([t.inputCount, t.inputType, t.inputNames, t.outputCount, t.outputNames]).toEqual([2, 'potential', ['x1', 'x2'], 1, ['y']]);
    expect(t.train.map((e) => Array.from(e.inputs))).toEqual([[0.1, 0.7], [0.2, -1.25], [0.4, 0.5], [0.5, 0.6], [0.7, 1.1], [0.8, 1.3]]);
    expect(t.test.map((e) => [...Array.from(e.inputs), ...Array.from(e.target)])).toEqual([
      [1e-3, 3.3333333333333335e-1, -0.5],
      [0.6, 0.9, 1.5],
    ]);
    expect(Object.is(t.train[0].target[0], 0.1 + 0.2)).toBe(true);
    expect(t.loss.scaling).toBe('half-mean');
    expect(t.predict).toBeUndefined();
  });

  it('by column index, with a split drawn from the seed (the same by seed, another by another)', () => {
    const config = { file: 'regression.csv', features: [0, 1], target: { kind: 'regression', columns: [2] }, split: { test: 3 } };
    const a = task(config, 3);
    expect(a.train).toHaveLength(5);
    expect(a.test).toHaveLength(3);
    expect(task(config, 3).test).toEqual(a.test);
    const others = [4, 5, 6, 7].map((s) => task(config, s).test.map((e) => e.inputs[0]));
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a.test.map((e) => e.inputs[0])))).toBe(true);
    expect(task({ ...config, split: { testFraction: 0.25 } }).test).toHaveLength(2);
  });

  it('JSON classification by labels: classes sorted, a stratified split from the seed, one-hot targets for cross-entropy (the default)', () => {
    const t = task({ file: 'flowers.json', features: ['length', 'width'], target: { kind: 'class', column: 'species' }, split: { test: 3 } });
    expect(t.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(t.outputNames).toEqual(t.classes);
    expect(t.test.map((e) => e.label).sort()).toEqual([0, 1, 2]);
    expect(t.train).toHaveLength(9);
    expect(t.loss.kind).toBe('cross-entropy');
    const virginica = t.train.find((e) => e.label === 2)!;
    expect(Array.from(virginica.target)).toEqual([0, 0, 1]);
    expect(t.predict!([0.1, 0.9, 0.3])).toBe(1);
    // classes named in output order; MSE to low and high
    const named = task({
      file: 'flowers.json',
      features: ['length', 'width'],
      target: { kind: 'class', column: 'species', classes: ['virginica', 'setosa', 'versicolor'] },
      split: { test: 3 },
      loss: { kind: 'mse', low: -1, high: 1, scaling: 'sum' },
    });
    const first = named.train.find((e) => e.label === 0)!;
    expect(Array.from(first.target)).toEqual([1, -1, -1]);
    expect(named.loss.scaling).toBe('sum');
  });

  it('one-hot columns, with the split given as train and test files', () => {
    const t = task({ train: 'train.csv', test: 'test.csv', features: ['a', 'b'], target: { kind: 'one-hot', columns: ['c0', 'c1'] }, inputs: { encoding: 'raw-current' } });
    expect(t.classes).toEqual(['c0', 'c1']);
    expect(t.train.map((e) => e.label)).toEqual([0, 1, 0]);
    expect(t.test.map((e) => [e.label, ...Array.from(e.inputs)])).toEqual([[1, 4, 2]]);
    expect(t.inputType).toBe('flow');
  });

  it('a class index column in a CSV without a header', () => {
    const t = task({ file: 'indexed.csv', header: false, features: [0, 1], target: { kind: 'class', column: 2 }, split: { test: 1 } });
    expect(t.classes).toEqual(['0', '1', '2']);
    expect(t.inputNames).toEqual(['x0+', 'x0-', 'x1+', 'x1-', 'bias']);
  });
});

describe('bad data is refused with the file, the row and the column', () => {
  const base = { features: ['x1', 'x2'], target: { kind: 'regression', columns: ['y'] }, split: { column: 'set' } };
  it('a file that is missing, empty or not a table', () => {
    expect(refused({ ...base, file: 'nowhere.csv' })).toBe('nowhere.csv: cannot read the data table (ENOENT)');
    writeFileSync(path.join(dir, 'empty.csv'), '\n\n');
    expect(refused({ ...base, file: 'empty.csv' })).toBe('empty.csv: no data: expected a header line naming the columns and one row per line');
    writeFileSync(path.join(dir, 'header.csv'), 'x1,x2,y,set\n');
    expect(refused({ ...base, file: 'header.csv' })).toBe('header.csv: no data rows after the header');
    writeFileSync(path.join(dir, 'object.json'), '{"x1": [1, 2]}');
    expect(refused({ ...base, file: 'object.json' })).toBe('object.json: expected a non-empty JSON array of rows (objects with a key per column, or arrays of cells), got object');
    writeFileSync(path.join(dir, 'broken.json'), '[{"x1": 1,\n "x2": 2,\n}]');
    expect(refused({ ...base, file: 'broken.json' })).toMatch(/^broken.json(:\d+)?: invalid JSON/);
  });

  it('a cell that is not a number, a row with another number of cells, a split value that is neither', () => {
    writeFileSync(path.join(dir, 'cells.csv'), 'x1,x2,y,set\n0.1,0.2,0.3,train\n0.4,abc,0.6,train\n');
    expect(refused({ ...base, file: 'cells.csv' })).toBe('cells.csv:3: column \'x2\' (column 2): expected a finite number, got "abc"');
    writeFileSync(path.join(dir, 'nan.csv'), 'x1,x2,y,set\n0.1,NaN,0.3,train\n');
    expect(refused({ ...base, file: 'nan.csv' })).toBe('nan.csv:2: column \'x2\' (column 2): expected a finite number, got "NaN"');
    writeFileSync(path.join(dir, 'empty-cell.csv'), 'x1,x2,y,set\n0.1,,0.3,train\n');
    expect(refused({ ...base, file: 'empty-cell.csv' })).toBe("empty-cell.csv:2: column 'x2' (column 2): expected a finite number, got an empty cell");
    writeFileSync(path.join(dir, 'ragged.csv'), 'x1,x2,y,set\n0.1,0.2,0.3,train\n0.4,0.5,test\n');
    expect(refused({ ...base, file: 'ragged.csv' })).toBe('ragged.csv:3: expected 4 cells (as the header has), got 3');
    writeFileSync(path.join(dir, 'split.csv'), 'x1,x2,y,set\n0.1,0.2,0.3,train\n0.4,0.5,0.6,validation\n');
    expect(refused({ ...base, file: 'split.csv' })).toBe('split.csv:3: column \'set\' (the split): expected \'train\' or \'test\', got "validation"');
    writeFileSync(path.join(dir, 'quote.csv'), 'x1,x2,y,set\n"0.1,0.2,0.3,train\n');
    expect(refused({ ...base, file: 'quote.csv' })).toBe('quote.csv:2: a quoted cell opened on this line is never closed (a missing ")');
    writeFileSync(path.join(dir, 'rows.json'), JSON.stringify([{ x1: 1, x2: 2, y: 3, set: 'train' }, { x1: 1, x2: '2', y: 3, set: 'train' }]));
    expect(refused({ ...base, file: 'rows.json' })).toBe('rows.json: [1].x2: expected a finite number, got "2"');
    writeFileSync(path.join(dir, 'keys.json'), JSON.stringify([{ x1: 1, x2: 2, y: 3, set: 'train' }, { x1: 1, y: 3, set: 'train' }]));
    expect(refused({ ...base, file: 'keys.json' })).toBe('keys.json: [1].x2: expected a finite number, got no such key');
  });

  it('columns that do not match the config: at the config path, naming the file', () => {
    expect(refused({ ...base, file: 'regression.csv', features: ['x1', 'x9'] })).toBe("task.features[1]: regression.csv has no column 'x9' (its columns: 'x1', 'x2', 'y', 'set')");
    expect(refused({ ...base, file: 'regression.csv', target: { kind: 'regression', columns: [7] } })).toBe('task.target.columns[0]: column 7 is outside the 4 columns of regression.csv (0 to 3)');
    expect(refused({ ...base, file: 'regression.csv', features: ['x1', 'y'] })).toBe("task.target.columns[0]: column 'y' is already used (at features[1]): a column serves one purpose");
    expect(refused({ ...base, file: 'indexed.csv', header: false })).toMatch(/^task.features\[0\]: indexed.csv has no column names \(no header\): give the column's index/);
    expect(refused({ ...base, train: 'train.csv', test: 'regression.csv', split: undefined, features: ['a', 'b'], target: { kind: 'regression', columns: ['c0'] } })).toMatch(
      /^task.features\[0\]: regression.csv has no column 'a'/,
    );
  });

  it('classes that do not match: a label outside the classes named, a one-hot row that is not one', () => {
    writeFileSync(path.join(dir, 'labels.csv'), 'f,label\n1,a\n2,b\n3,c\n');
    expect(refused({ file: 'labels.csv', features: ['f'], target: { kind: 'class', column: 'label', classes: ['a', 'b'] }, split: { test: 1 } })).toBe(
      'labels.csv:4: column \'label\': "c" is not one of the classes (a, b) that task.target.classes names',
    );
    writeFileSync(path.join(dir, 'hot.csv'), 'f,c0,c1\n1,1,0\n2,1,1\n');
    expect(refused({ file: 'hot.csv', features: ['f'], target: { kind: 'one-hot', columns: ['c0', 'c1'] }, split: { test: 1 } })).toBe(
      "hot.csv:3: expected a one-hot row (one 1, zeros elsewhere) in columns 'c0', 'c1', got [1, 1]",
    );
    writeFileSync(path.join(dir, 'one.csv'), 'f,label\n1,a\n2,a\n');
    expect(refused({ file: 'one.csv', features: ['f'], target: { kind: 'class', column: 'label' }, split: { test: 1 } })).toBe('task.target.column: the data has one class only (a): classification needs at least 2');
  });

  it('a config that cannot work, when decoded', () => {
    const problems = (config: object) => {
      const r = tableSettings.decode(config);
      return r._tag === 'Left' ? r.left.map((e) => `${e.context.map((c) => c.key).filter(Boolean).join('.')}: ${e.message ?? 'expected ' + e.context[e.context.length - 1].type.name}`) : [];
    };
    expect(problems({ file: 'a.csv', features: ['x'], target: { kind: 'regression', columns: ['y'] } })).toEqual([expect.stringMatching(/^split: one file needs a split/)]);
    expect(problems({ file: 'a.csv', train: 'b.csv', features: ['x'], target: { kind: 'regression', columns: ['y'] }, split: { test: 1 } })).toEqual([expect.stringMatching(/^train: give the data either as one "file"/)]);
    expect(problems({ file: 'a.csv', features: ['x'], target: { kind: 'regression', columns: ['y'] }, split: { test: 1 }, loss: { kind: 'cross-entropy' } })).toEqual([expect.stringMatching(/^loss.kind: cross-entropy needs classes/)]);
    expect(problems({ file: 'a.csv', features: ['x'], target: { kind: 'class', columns: ['y'] }, split: { test: 1 } })).toEqual([
      expect.stringMatching(/^target.columns: applies only with kind 'regression' or 'one-hot'/),
      expect.stringMatching(/^target.column: a class target needs the column/),
    ]);
    expect(problems({ file: 'a.csv', features: ['x'], target: { kind: 'regression', columns: ['y'] }, split: { test: 2, testFraction: 0.5 } })).toEqual([expect.stringMatching(/^split.testFraction: give one of "test"/)]);
    expect(problems({ file: 'a.csv', features: ['x'], target: { kind: 'regression', columns: ['y'] }, split: { test: 1 }, loss: { scaling: 'halfsum' } })).toEqual([
      expect.stringMatching(/^loss.scaling: expected one of 'half-sum', 'sum', 'half-mean', 'mean'/),
    ]);
  });
});
