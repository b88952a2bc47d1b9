import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  type ConfigOf,
  type ResourceLimits,
  DEFAULT_LIMITS,
  type WrittenSection,
  Example,
  InputFileError,
  Task,
  TaskRecord,
  MAX_SIGNAL,
  argmax,
  bounded,
  configPathCodec,
  nonEmptyString,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  positiveNumber,
  settingsProblem,
  strictObject,
  withDefaults,
} from '@multimech/core';
import * as t from 'io-ts';
import { IdxArray, readIdx } from './idx-file';
import { ClassLossSettings, classLossCodec, classLossSettings, createClassLoss } from './output-loss';

const imageInputsCodec = strictObject('an image input encoding', {}, {
  encoding: oneOf('pairs', 'single'),
  // a pixel lies in [0, 1], so a drive is at most scale volts
  scale: bounded(positiveNumber, { min: 0, minOpen: true, max: MAX_SIGNAL }, 'a drive is scale × a pixel in [0, 1], and must stay finite in the network'),
});

export const imagesConfigCodec = strictObject(
  'an image classification task',
  { folder: configPathCodec('an IDX data folder') },
  {
    train: positiveInteger,
    test: positiveInteger,
    crop: nonNegativeInteger,
    pool: positiveInteger,
    inputs: imageInputsCodec,
    loss: classLossCodec,
    classes: t.array(nonEmptyString),
  },
);
export type ImagesConfig = t.TypeOf<typeof imagesConfigCodec>;

/**
 * The image task's settings, every default filled in: the whole training and
 * test files, no crop, no pooling, each pixel as a pair of potentials +x and
 * −x (x in [0, 1]), MSE to one-hot targets (0 and 1), classes named by their
 * labels.
 */
export interface ImagesSettings {
  readonly folder: string;
  /** How many training (test) images, the first of their file; undefined: all. */
  readonly train?: number;
  readonly test?: number;
  /** Pixels removed from each border before pooling. */
  readonly crop: number;
  /** Side of the square over which pixels are averaged (1: none). */
  readonly pool: number;
  readonly inputs: { readonly encoding: 'pairs' | 'single'; readonly scale: number };
  readonly loss: ClassLossSettings;
  readonly classes?: readonly string[];
}

function imagesSettingsOf(c: ImagesConfig): ImagesSettings {
  const lossKind = c.loss?.kind ?? (c.loss?.kappa !== undefined ? 'cross-entropy' : 'mse');
  return {
    folder: c.folder,
    ...(c.train !== undefined ? { train: c.train } : {}),
    ...(c.test !== undefined ? { test: c.test } : {}),
    crop: c.crop ?? 0,
    pool: c.pool ?? 1,
    inputs: { encoding: c.inputs?.encoding ?? 'pairs', scale: c.inputs?.scale ?? 1 },
    loss: classLossSettings({ ...c.loss, kind: lossKind }),
    ...(c.classes !== undefined ? { classes: c.classes } : {}),
  };
}

/** The image section decoded into its settings. */
export const imagesSettings = withDefaults(imagesConfigCodec, imagesSettingsOf);

/** The `task` section of an image task as written (`{ "kind": "images", "folder": ... }`), from its codec. */
export type ImagesSection = WrittenSection<'images', ConfigOf<typeof imagesSettings>>;

/** The four files of an IDX data set (MNIST, Fashion-MNIST, Kuzushiji-MNIST), each read gzipped or not. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The images of one split with their labels, as bytes. */
export interface ImageSet {
  readonly rows: number;
  readonly cols: number;
  readonly count: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** The file of a split as the config would write it (the folder as written, then the name, gzipped or not), and where it is. */
function locate(baseDir: string, folder: string, name: string): string {
  for (const n of [name, `${name}.gz`]) {
    const file = path.join(folder, n);
    if (existsSync(path.resolve(baseDir, file))) return file;
  }
  throw new InputFileError(path.join(folder, name), undefined, `missing: an IDX data set needs this file (or ${name}.gz) in the folder`);
}

/**
 * Reads one split (`train` or `t10k`) of an IDX data set from `folder` (as a
 * config writes it, relative to `baseDir`, as messages show it); checks
 * that images and labels agree.
 */
export function readImageSet(baseDir: string, folder: string, split: 'train' | 'test', limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): ImageSet {
  const imagesAt = locate(baseDir, folder, split === 'train' ? IDX_FILES.trainImages : IDX_FILES.testImages);
  const labelsAt = locate(baseDir, folder, split === 'train' ? IDX_FILES.trainLabels : IDX_FILES.testLabels);
  const images: IdxArray = readIdx(baseDir, imagesAt, 3, limits);
  const labels: IdxArray = readIdx(baseDir, labelsAt, 1, limits);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new InputFileError(labelsAt, undefined, `holds ${labels.dims[0]} labels, but ${imagesAt} holds ${count} images`);
  }
  return { rows, cols, count, pixels: images.data, labels: labels.data };
}

/** How images of `rows × cols` become feature vectors: crop `crop` pixels from each border, then average over `pool × pool` squares (a remainder is dropped). */
export interface ImageGeometry {
  readonly rows: number;
  readonly cols: number;
  readonly features: number;
  /** The features of image i of a set, in [0, 1], into `out`. */
  features_(set: ImageSet, i: number, out: Float64Array): void;
}

export function imageGeometry(rows: number, cols: number, crop: number, pool: number, shown: string): ImageGeometry {
  const r0 = rows - 2 * crop;
  const c0 = cols - 2 * crop;
  if (r0 < pool || c0 < pool) {
    settingsProblem('task', crop > 0 ? 'crop' : 'pool', `${shown} holds images of ${rows} × ${cols} pixels: cropping ${crop} from each border leaves ${Math.max(r0, 0)} × ${Math.max(c0, 0)}, too few to pool by ${pool}`);
  }
  const pr = Math.floor(r0 / pool);
  const pc = Math.floor(c0 / pool);
  const inv = 1 / (pool * pool * 255);
  return {
    rows: pr,
    cols: pc,
    features: pr * pc,
    features_(set, i, out) {
      const base = i * rows * cols;
      for (let r = 0; r < pr; r++) {
        for (let c = 0; c < pc; c++) {
          let sum = 0;
          for (let dr = 0; dr < pool; dr++) {
            const row = base + (crop + r * pool + dr) * cols + crop + c * pool;
            for (let dc = 0; dc < pool; dc++) sum += set.pixels[row + dc];
          }
          out[r * pc + c] = sum * inv;
        }
      }
    },
  };
}

/**
 * An image classification task read from IDX files (MNIST, Fashion-MNIST,
 * Kuzushiji-MNIST: the four files `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`, each gzipped or not) in `folder`, relative to the
 * config's folder. The standard split: the training file trains, the test
 * file tests; `train`/`test` keep the first images of each. Pixels become
 * x = byte/255 after cropping and average pooling; each is a pair of
 * potential ports +scale·x and −scale·x (`pairs`, the deep resistive
 * network's convention) or one port scale·x (`single`). Examples build their
 * inputs when read, so 60,000 images hold their bytes only.
 */
export function imagesTask(settings: ImagesSettings, baseDir: string, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): Task & { readonly resolvedConfig: object } {
  const train = readImageSet(baseDir, settings.folder, 'train', limits);
  const test = readImageSet(baseDir, settings.folder, 'test', limits);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new InputFileError(
      path.join(settings.folder, IDX_FILES.testImages),
      undefined,
      `holds images of ${test.rows} × ${test.cols} pixels, but the training images are ${train.rows} × ${train.cols}`,
    );
  }
  for (const [key, set] of [['train', train], ['test', test]] as const) {
    const want = settings[key];
    if (want !== undefined && want > set.count) settingsProblem('task', key, `${want} ${key === 'train' ? 'training' : 'test'} images asked for, but the file holds ${set.count}`);
  }
  const geometry = imageGeometry(train.rows, train.cols, settings.crop, settings.pool, path.join(settings.folder, IDX_FILES.trainImages));
  let top = 0;
  for (const set of [train, test]) for (let i = 0; i < set.count; i++) top = Math.max(top, set.labels[i]);
  const classes = settings.classes ?? Array.from({ length: top + 1 }, (_, i) => String(i));
  if (classes.length <= top) {
    settingsProblem('task', 'classes', `${classes.length} class names given, but the labels go up to ${top}`);
  }
  const classLoss = createClassLoss(settings.loss);
  const targets = classes.map((_, k) => classLoss.target(k, classes.length));
  const { encoding, scale } = settings.inputs;
  const f = geometry.features;
  const portNames: string[] = [];
  for (let r = 0; r < geometry.rows; r++) {
    for (let c = 0; c < geometry.cols; c++) {
      const name = `p${r}_${c}`;
      if (encoding === 'pairs') portNames.push(`${name}+`);
      else portNames.push(name);
    }
  }
  if (encoding === 'pairs') for (let i = 0; i < f; i++) portNames.push(portNames[i].slice(0, -1) + '-');
  const examples = (set: ImageSet, count: number): Example[] =>
    Array.from({ length: count }, (_, i) => {
      const label = set.labels[i];
      return {
        label,
        target: targets[label],
        get inputs(): Float64Array {
          const x = new Float64Array(f);
          geometry.features_(set, i, x);
          if (encoding === 'single') {
            for (let k = 0; k < f; k++) x[k] *= scale;
            return x;
          }
          const out = new Float64Array(2 * f);
          for (let k = 0; k < f; k++) {
            out[k] = scale * x[k];
            out[f + k] = -scale * x[k];
          }
          return out;
        },
      };
    });
  const resolved: ImagesSettings = { ...settings, train: settings.train ?? train.count, test: settings.test ?? test.count, classes };
  return {
    kind: 'images',
    inputCount: portNames.length,
    inputType: 'potential',
    inputNames: portNames,
    outputCount: classes.length,
    outputNames: classes,
    train: examples(train, resolved.train!),
    test: examples(test, resolved.test!),
    loss: classLoss.loss,
    classes,
    predict: (y) => argmax(y),
    resolvedConfig: { kind: 'images', ...resolved },
  };
}

export const imagesTaskRecord: TaskRecord<ImagesSettings> = {
  kind: 'images',
  description: 'images from IDX files (MNIST, Fashion-MNIST, Kuzushiji-MNIST) in a folder, the standard train/test split',
  configCodec: imagesSettings,
  example: { folder: 'fashion-mnist' },
  create: (settings, { baseDir, limits }) => imagesTask(settings, baseDir, limits),
};
