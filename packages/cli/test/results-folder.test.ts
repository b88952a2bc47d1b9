import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { ResultsFolder, defaultResultsDir } from '../src/results-folder';
import { tempDir } from './run-cli';

describe('results folder', () => {
  test('the default folder is runs/<config basename>-<yyyymmdd-hhmmss>', () => {
    expect(defaultResultsDir(path.join('examples', 'iris', 'config.json'), new Date(2024, 0, 5, 9, 7, 3))).toBe(path.join('runs', 'config-20240105-090703'));
    expect(defaultResultsDir('my.run.JSON', new Date(2025, 11, 31, 23, 59, 59))).toBe(path.join('runs', 'my.run-20251231-235959'));
    // the config's name, made safe for a folder, wins over the file name
    expect(defaultResultsDir('config.json', new Date(2025, 11, 31, 23, 59, 59), 'iris / chemical')).toBe(path.join('runs', 'iris-chemical-20251231-235959'));
  });

  test('opens a new or empty folder, or one holding an earlier summary.json; refuses others', async () => {
    const { dir, cleanup } = tempDir('results');
    try {
      await expect(ResultsFolder.open(path.join(dir, 'new', 'nested'))).resolves.toBeInstanceOf(ResultsFolder);
      mkdirSync(path.join(dir, 'empty'));
      await expect(ResultsFolder.open(path.join(dir, 'empty'))).resolves.toBeInstanceOf(ResultsFolder);
      mkdirSync(path.join(dir, 'earlier'));
      writeFileSync(path.join(dir, 'earlier', 'summary.json'), '{}');
      writeFileSync(path.join(dir, 'earlier', 'metrics.csv'), '');
      await expect(ResultsFolder.open(path.join(dir, 'earlier'))).resolves.toBeInstanceOf(ResultsFolder);
      mkdirSync(path.join(dir, 'other'));
      writeFileSync(path.join(dir, 'other', 'notes.txt'), 'mine');
      await expect(ResultsFolder.open(path.join(dir, 'other'))).rejects.toThrow(/not empty and holds no summary\.json/);
      await expect(ResultsFolder.open(path.join(dir, 'other', 'notes.txt', 'x'))).rejects.toThrow(/--out .*notes\.txt.x: cannot/);
    } finally {
      cleanup();
    }
  });
});
