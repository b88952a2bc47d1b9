import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputFileError } from '@multimech/core';

/** The largest IDX file (unpacked) this reader accepts: 1 GiB, more than MNIST's 47 MB training images. */
export const MAX_IDX_BYTES = 1 << 30;

/** An IDX file of unsigned bytes (LeCun's MNIST format): its dimensions and its values, row-major. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (type 0x08), gzipped (`.gz`, told by
 * its first two bytes) or not. The magic number is 0x00000803 for images
 * (count × rows × cols) and 0x00000801 for labels (count); `rank` says which
 * is expected. Every problem names the file and what was expected: a missing
 * file, a wrong magic number, dimensions whose product does not match the
 * file's length, a file larger than `MAX_IDX_BYTES` once unpacked.
 */
export function readIdx(file: string, shownAs: string, rank: 1 | 3): IdxArray {
  let raw: Buffer;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new InputFileError(shownAs, undefined, 'cannot read the IDX file: it is not a regular file (a folder, a device, a pipe or a socket)');
    if (stat.size > MAX_IDX_BYTES) throw new InputFileError(shownAs, undefined, `the IDX file has ${stat.size} bytes, more than the limit ${MAX_IDX_BYTES}`);
    raw = readFileSync(file);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(shownAs, undefined, `cannot read the IDX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let bytes: Buffer = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ERR_BUFFER_TOO_LARGE' ? `it unpacks to more than ${MAX_IDX_BYTES} bytes, the limit` : `it is not valid gzip (${(e as Error).message})`;
      throw new InputFileError(shownAs, undefined, `cannot unpack the gzipped IDX file: ${why}`);
    }
  } else if (raw.length > MAX_IDX_BYTES) {
    throw new InputFileError(shownAs, undefined, `the IDX file has ${raw.length} bytes, more than the limit ${MAX_IDX_BYTES}`);
  }
  const what = rank === 3 ? 'images' : 'labels';
  const magic = 0x0800 + rank;
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new InputFileError(shownAs, undefined, `an IDX file of ${what} starts with a ${header}-byte header (magic number 0x${hex(magic)} and ${rank} dimension${rank > 1 ? 's' : ''}), but the file has ${bytes.length} bytes`);
  }
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    throw new InputFileError(shownAs, undefined, `expected the magic number 0x${hex(magic)} of an IDX file of ${what} (unsigned bytes, ${rank} dimension${rank > 1 ? 's' : ''}), found 0x${hex(found)}`);
  }
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(bytes.readUInt32BE(4 + 4 * d));
  if (dims.some((n) => n === 0)) throw new InputFileError(shownAs, undefined, `the dimensions ${dims.join(' × ')} include a zero`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) {
    throw new InputFileError(shownAs, undefined, `the header gives ${dims.join(' × ')} = ${size} values, so ${header + size} bytes, but the file has ${bytes.length}`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, size) };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
