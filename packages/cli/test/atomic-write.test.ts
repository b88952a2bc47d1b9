import { readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { MultimechError } from '@multimech/core';
import { WriterFs, atomicWrite, atomicWriteSync } from '../src/atomic-write';
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

describe('atomicWrite: a full disk, a read-only file system, a missing permission', () => {
  /** The node fs with writing failing as the disk or the system would fail it (injected through the writer's fs). */
  const failing = (code: string, when: 'write' | 'rename'): WriterFs => {
    const fs = require('fs') as typeof import('fs');
    const error = () => Object.assign(new Error(`${code}: the system said no, write '${dir}'`), { code });
    return {
      promises: {
        writeFile: (async (file: string, data: string | Uint8Array) => {
          if (when === 'write') {
            await fs.promises.writeFile(file, ''); // a partial file, as a full disk leaves one
            throw error();
          }
          return fs.promises.writeFile(file, data);
        }) as WriterFs['promises']['writeFile'],
        rename: (async (a: string, b: string) => {
          if (when === 'rename') throw error();
          return fs.promises.rename(a, b);
        }) as WriterFs['promises']['rename'],
        rm: fs.promises.rm,
      },
      writeFileSync: (file, data) => {
        if (when === 'write') {
          fs.writeFileSync(file, '');
          throw error();
        }
        fs.writeFileSync(file, data);
      },
      renameSync: (a, b) => {
        if (when === 'rename') throw error();
        fs.renameSync(a, b);
      },
      rmSync: fs.rmSync,
    };
  };

  test.each([
    ['ENOSPC', 'write', 'no space left on the device'],
    ['EDQUOT', 'write', 'the disk quota is exceeded'],
    ['EROFS', 'write', 'the file system is read-only'],
    ['EACCES', 'rename', 'permission denied'],
    ['EPERM', 'rename', 'operation not permitted'],
  ] as const)('%s (when it %ss): one MultimechError naming the file, the old file kept, no temporary file', async (code, when, words) => {
    const file = path.join(dir, 'metrics.csv');
    writeFileSync(file, 'the epochs so far');
    const expected = `${file}: cannot write: ${words} (${code})`;
    await expect(atomicWrite(file, 'more epochs', failing(code, when))).rejects.toThrow(new MultimechError(expected));
    expect(() => atomicWriteSync(file, 'more epochs', failing(code, when))).toThrow(new MultimechError(expected));
    expect(readFileSync(file, 'utf8')).toBe('the epochs so far');
    expect(readdirSync(dir)).toEqual(['metrics.csv']);
  });
});
