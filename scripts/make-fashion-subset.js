#!/usr/bin/env node
/**
 * Makes the small Fashion-MNIST subset that the fast tests and the short
 * deep-resistive-network run use: the first TRAIN images of the training
 * file and the first TEST images of the test file, written as gzipped IDX
 * files with the standard names, so the `images` task reads them as it reads
 * the whole data set.
 *
 *   node scripts/make-fashion-subset.js SOURCE_FOLDER [OUT_FOLDER] [--train 300] [--test 100]
 *
 * Source: Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, Zalando Research,
 * MIT licence), as Debian's package `dataset-fashion-mnist` installs it
 * (/usr/share/datasets/fashion-mnist) or as github.com/zalandoresearch/fashion-mnist
 * distributes it. OUT_FOLDER defaults to examples/data/fashion-mnist-small.
 * The gzip level is fixed, so the same source gives the same bytes.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
};
const train = option('--train', 300);
const test = option('--test', 100);
const [source, out = path.join(__dirname, '..', 'examples', 'data', 'fashion-mnist-small')] = args;
if (!source) {
  console.error('usage: node scripts/make-fashion-subset.js SOURCE_FOLDER [OUT_FOLDER] [--train N] [--test N]');
  process.exit(2);
}

function read(name) {
  for (const n of [name, `${name}.gz`]) {
    const file = path.join(source, n);
    if (fs.existsSync(file)) {
      const raw = fs.readFileSync(file);
      return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
    }
  }
  throw new Error(`${path.join(source, name)}: missing`);
}

/** The first `count` items of an IDX file of rank `rank`, as a new IDX file. */
function head(bytes, rank, count) {
  const header = 4 + 4 * rank;
  const dims = Array.from({ length: rank }, (_, d) => bytes.readUInt32BE(4 + 4 * d));
  if (count > dims[0]) throw new Error(`asked for ${count} items, the file holds ${dims[0]}`);
  const item = dims.slice(1).reduce((a, b) => a * b, 1);
  const outBytes = Buffer.alloc(header + count * item);
  bytes.copy(outBytes, 0, 0, header);
  outBytes.writeUInt32BE(count, 4);
  bytes.copy(outBytes, header, header, header + count * item);
  return outBytes;
}

fs.mkdirSync(out, { recursive: true });
for (const [name, rank, count] of [
  ['train-images-idx3-ubyte', 3, train],
  ['train-labels-idx1-ubyte', 1, train],
  ['t10k-images-idx3-ubyte', 3, test],
  ['t10k-labels-idx1-ubyte', 1, test],
]) {
  const gz = zlib.gzipSync(head(read(name), rank, count), { level: 9 });
  gz[9] = 3; // the OS byte of the gzip header: unix, whatever the machine
  fs.writeFileSync(path.join(out, `${name}.gz`), gz);
  console.log(`${path.join(out, name)}.gz: ${count} items, ${gz.length} bytes`);
}
