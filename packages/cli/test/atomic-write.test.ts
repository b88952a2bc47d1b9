import { readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { atomicWrite, atomicWriteSync } from '../src/atomic-write';
import { tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('atomic')));
afterEach(() => cleanup());

describe('atomicWrite', () => {
  test('writes text and bytes, replaces an existing file, leaves no temporary file', async () => {
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'old contents that are longer');
    await atomicWrite(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    await atomicWrite(path.join(dir, 'b.bin'), Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(path.join(dir, 'b.bin'))]).toEqual([1, 2, 3]);
    atomicWriteSync(file, 'sync');
    expect(readFileSync(file, 'utf8')).toBe('sync');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin']);
  });

  test('a failed write rejects and leaves the old file and no temporary file', async () => {
    const file = path.join(dir, 'keep.txt');
    writeFileSync(file, 'keep');
    // a folder where the file should go: the rename fails after the temporary file was written
    const target = path.join(dir, 'sub');
    require('fs').mkdirSync(path.join(target, 'inner'), { recursive: true });
    await expect(atomicWrite(target, 'x')).rejects.toThrow();
    expect(() => atomicWriteSync(target, 'x')).toThrow();
    await expect(atomicWrite(path.join(dir, 'missing', 'f.txt'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readFileSync(file, 'utf8')).toBe('keep');
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'sub']);
    expect(readdirSync(target)).toEqual(['inner']);
  });
});
