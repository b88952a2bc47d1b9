import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { ConfigError, InputFileError, SettingsError, decodeOrThrow, withFileAccess } from '@multimech/core';
import { imagesSettings, imagesTask, readIdx } from '../src';

const ROOT = path.join(__dirname, '..', '..', '..');
const SUBSET = 'examples/data/fashion-mnist-small';
/** Where Debian's dataset-fashion-mnist puts the data set (.ci/run installs it). */
const DEBIAN_FASHION = '/usr/share/datasets/fashion-mnist';

const settings = (section: Record<string, unknown>) => decodeOrThrow(imagesSettings, section, 'task');
const raw = (name: string) => gunzipSync(fs.readFileSync(path.join(ROOT, SUBSET, `${name}.gz`)));

function tempCopy(edit: (name: string, bytes: Buffer) => Buffer | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const bytes = edit(name, raw(name));
    if (bytes) fs.writeFileSync(path.join(dir, name), bytes);
  }
  return dir;
}

describe('the images task on the committed Fashion-MNIST subset', () => {
  const task = imagesTask(settings({ folder: SUBSET }), ROOT);

  it('reads 300 training and 100 test images of 28 × 28 as pairs of potentials +x and −x, x = byte/255', () => {
    expect(task.train).toHaveLength(300);
    expect(task.test).toHaveLength(100);
    expect(task.inputCount).toBe(2 * 784);
    expect(task.inputType).toBe('potential');
    expect(task.inputNames!.slice(0, 2)).toEqual(['p0_0+', 'p0_1+']);
    expect(task.inputNames![784]).toBe('p0_0-');
    const images = raw('train-images-idx3-ubyte');
    const x = task.train[7].inputs;
    for (const k of [0, 300, 407, 783]) {
      expect(x[k]).toBeCloseTo(images[16 + 7 * 784 + k] / 255, 15);
      expect(x[784 + k]).toBe(-x[k]);
    }
    expect(Math.max(...x)).toBeGreaterThan(0.5);
  });

  it('labels the examples from the label file and targets one-hot potentials for MSE', () => {
    const labels = raw('train-labels-idx1-ubyte');
    expect(task.train.map((e) => e.label)).toEqual([...labels.subarray(8)]);
    expect(new Set(task.train.map((e) => e.label)).size).toBe(10);
    expect(task.classes).toHaveLength(10);
    expect(task.loss.kind).toBe('mse');
    const e = task.train[3];
    expect([...e.target]).toEqual(Array.from({ length: 10 }, (_, k) => (k === e.label ? 1 : 0)));
    expect(task.predict!(e.target)).toBe(e.label);
  });

  it('crops, pools by averaging, keeps the first images asked for, and offers cross-entropy', () => {
    const small = imagesTask(settings({ folder: SUBSET, crop: 2, pool: 3, train: 50, test: 20, inputs: { encoding: 'single', scale: 2 }, loss: { kind: 'cross-entropy' } }), ROOT);
    expect(small.train).toHaveLength(50);
    expect(small.test).toHaveLength(20);
    expect(small.inputCount).toBe(8 * 8); // (28 − 4) / 3
    expect(small.loss.kind).toBe('cross-entropy');
    const images = raw('t10k-images-idx3-ubyte');
    const x = small.test[5].inputs;
    let sum = 0;
    for (let dr = 0; dr < 3; dr++) for (let dc = 0; dc < 3; dc++) sum += images[16 + 5 * 784 + (2 + 3 * 4 + dr) * 28 + 2 + 3 * 6 + dc];
    expect(x[4 * 8 + 6]).toBeCloseTo((2 * sum) / 9 / 255, 14);
    expect((small as unknown as { resolvedConfig: { train: number; crop: number } }).resolvedConfig).toMatchObject({ train: 50, crop: 2, pool: 3 });
  });

  it('reads the same data from files that are not gzipped', () => {
    const dir = tempCopy((_, b) => b);
    const plain = imagesTask(settings({ folder: dir }), ROOT);
    expect([...plain.test[42].inputs]).toEqual([...task.test[42].inputs]);
    expect(plain.test[42].label).toBe(task.test[42].label);
  });
});

describe('missing and damaged IDX files: one message naming the file and what was expected', () => {
  const fail = (dir: string, section: Record<string, unknown> = {}) => {
    try {
      imagesTask(settings({ folder: dir, ...section }), ROOT);
    } catch (e) {
      return e as Error;
    }
    throw new Error('no error');
  };

  it('a missing file', () => {
    const dir = tempCopy((name, b) => (name.startsWith('t10k-labels') ? undefined : b));
    const e = fail(dir);
    expect(e).toBeInstanceOf(InputFileError);
    expect(e.message).toBe(`${path.join(dir, 't10k-labels-idx1-ubyte')}: missing: an IDX data set needs this file (or t10k-labels-idx1-ubyte.gz) in the folder`);
  });

  it('a wrong magic number (labels where images belong)', () => {
    const dir = tempCopy((name, b) => (name === 'train-images-idx3-ubyte' ? raw('train-labels-idx1-ubyte') : b));
    expect(fail(dir).message).toBe(
      `${path.join(dir, 'train-images-idx3-ubyte')}: expected the magic number 0x00000803 of an IDX file of images (unsigned bytes, 3 dimensions), found 0x00000801`,
    );
  });

  it('a truncated file, by the sizes its header gives', () => {
    const dir = tempCopy((name, b) => (name === 't10k-images-idx3-ubyte' ? b.subarray(0, b.length - 10) : b));
    expect(fail(dir).message).toBe(`${path.join(dir, 't10k-images-idx3-ubyte')}: the header gives 100 × 28 × 28 = 78400 values, so 78416 bytes, but the file has 78406`);
  });

  it('a header cut short, and a damaged gzip stream', () => {
    const dir = tempCopy((name, b) => (name === 'train-labels-idx1-ubyte' ? b.subarray(0, 6) : b));
    expect(fail(dir).message).toMatch(/train-labels-idx1-ubyte: an IDX file of labels starts with a 8-byte header .* but the file has 6 bytes$/);
    const gz = tempCopy((_, b) => b);
    fs.writeFileSync(path.join(gz, 'train-labels-idx1-ubyte'), gzipSync(raw('train-labels-idx1-ubyte')).subarray(0, 30));
    expect(fail(gz).message).toMatch(/train-labels-idx1-ubyte: cannot unpack the gzipped IDX file: it is not valid gzip/);
  });

  it('labels that do not match the images in number', () => {
    const dir = tempCopy((name, b) => {
      if (name !== 'train-labels-idx1-ubyte') return b;
      const c = Buffer.from(b.subarray(0, 8 + 299));
      c.writeUInt32BE(299, 4);
      return c;
    });
    expect(fail(dir).message).toBe(`${path.join(dir, 'train-labels-idx1-ubyte')}: holds 299 labels, but ${path.join(dir, 'train-images-idx3-ubyte')} holds 300 images`);
  });

  it('more images asked for than the file holds, a crop too large, class names too few: settings problems at their keys', () => {
    const at = (section: Record<string, unknown>) => {
      const e = fail(SUBSET, section);
      expect(e).toBeInstanceOf(SettingsError);
      return (e as SettingsError).sectionProblems[0];
    };
    expect(at({ train: 301 })).toMatchObject({ key: 'train', message: '301 training images asked for, but the file holds 300' });
    expect(at({ crop: 13, pool: 3 })).toMatchObject({ key: 'crop' });
    expect(at({ classes: ['a', 'b'] })).toMatchObject({ key: 'classes', message: '2 class names given, but the labels go up to 9' });
  });

  it('a config without its folder, or with an unknown key, is refused when decoded', () => {
    expect(() => settings({})).toThrow(ConfigError);
    expect(() => settings({ folder: SUBSET, resize: 2 })).toThrow(/resize/);
  });

  it('readIdx refuses a file it cannot read, naming it, and a folder or a device without reading it', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'multimech-idx-'));
    try {
      fs.mkdirSync(path.join(base, 'data', 'folder'), { recursive: true });
      fs.symlinkSync('/dev/zero', path.join(base, 'data', 'device'));
      expect(() => readIdx(base, 'data/x', 1)).toThrow('data/x: cannot read the IDX file (ENOENT)');
      expect(() => readIdx(base, 'data/folder', 1)).toThrow('data/folder: cannot read the IDX file (EISDIR: it is a folder)');
      expect(() => readIdx(base, 'data/device', 1)).toThrow('data/device: cannot read the IDX file: it is not a regular file');
      // an untrusted config's data file cannot lead out of its folder through a symbolic link
      const outside = path.join(ROOT, SUBSET, 't10k-labels-idx1-ubyte.gz');
      fs.symlinkSync(outside, path.join(base, 'data', 'labels.gz'));
      expect(readIdx(base, 'data/labels.gz', 1).dims).toEqual([100]);
      expect(() => withFileAccess({ confined: true }, () => readIdx(base, 'data/labels.gz', 1))).toThrow(/data\/labels\.gz: cannot read the IDX file: it leaves the config's folder through a symbolic link/);
      // longer than the limit, packed or unpacked
      expect(() => readIdx(base, 'data/labels.gz', 1, { fileBytes: 20 })).toThrow(/data\/labels\.gz: cannot read the IDX file: it is .* bytes long, over the limit of 20 bytes \(limits\.fileBytes/);
      expect(() => readIdx(base, 'data/labels.gz', 1, { fileBytes: 100 })).toThrow(/data\/labels\.gz: cannot unpack the gzipped IDX file: it unpacks to more than 100 bytes, the limit \(limits\.fileBytes/);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('an untrusted config reads its data folder beside it only, and an input scale must keep the drives finite', () => {
    const confined = (folder: string) => withFileAccess({ confined: true, hint: 'trust it' }, () => settings({ folder }));
    expect(() => confined('/usr/share/datasets/fashion-mnist')).toThrow(/expected a path inside the config's folder.*trust it/);
    expect(() => confined('../data')).toThrow(/expected a path inside the config's folder/);
    expect(confined('data/fashion').folder).toBe('data/fashion');
    expect(() => settings({ folder: SUBSET, inputs: { scale: 1e308 } })).toThrow(/inputs\.scale/);
  });
});

// The whole of Fashion-MNIST is Debian's dataset-fashion-mnist, which .ci/run installs; a machine without it skips this block.
const whole = fs.existsSync(path.join(DEBIAN_FASHION, 'train-images-idx3-ubyte.gz')) ? describe : describe.skip;
whole('the whole of Fashion-MNIST (needs Debian package dataset-fashion-mnist)', () => {
  it('has the standard split: 60,000 training and 10,000 test images, 6,000 and 1,000 of each class', () => {
    const task = imagesTask(settings({ folder: DEBIAN_FASHION, pool: 2 }), ROOT);
    expect(task.train).toHaveLength(60000);
    expect(task.test).toHaveLength(10000);
    expect(task.inputCount).toBe(2 * 196);
    const count = (set: typeof task.train) => set.reduce((c, e) => (c[e.label!]++, c), new Array(10).fill(0));
    expect(count(task.train)).toEqual(new Array(10).fill(6000));
    expect(count(task.test)).toEqual(new Array(10).fill(1000));
    // the subset is the head of the files
    const subset = imagesTask(settings({ folder: SUBSET, pool: 2 }), ROOT);
    expect([...subset.train[299].inputs]).toEqual([...task.train[299].inputs]);
  });
});
