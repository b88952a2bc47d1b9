import { gunzipSync } from 'node:zlib';
import { DEFAULT_LIMITS, InputFileError, type ResourceLimits, readConfigBytes } from '@multimech/core';

/** An IDX file of unsigned bytes (LeCun's MNIST format): its dimensions and its values, row-major. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (type 0x08) a config names, relative
 * to `baseDir` (core's `readConfigBytes`: a regular file only, inside the
 * config's folder where the run does not trust the config, symbolic links
 * followed), gzipped (`.gz`, told by its first two bytes) or not. The magic
 * number is 0x00000803 for images (count × rows × cols) and 0x00000801 for
 * labels (count); `rank` says which is expected. Every problem names the
 * file as written and what was expected: a missing file, a wrong magic
 * number, dimensions whose product does not match the file's length, a file
 * longer than `limits.fileBytes`, packed or unpacked (MNIST's training
 * images unpack to 47 MB; the default limit is 64 MiB).
 */
export function readIdx(baseDir: string, file: string, rank: 1 | 3, limits: Pick<ResourceLimits, 'fileBytes'> = DEFAULT_LIMITS): IdxArray {
  const shownAs = file;
  const raw = readConfigBytes(baseDir, file, 'the IDX file', limits);
  const limit = limits.fileBytes;
  let bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: limit });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ERR_BUFFER_TOO_LARGE' ? `it unpacks to more than ${limit.toLocaleString('en-US')} bytes, the limit (limits.fileBytes; raise it in the config's "limits")` : `it is not valid gzip (${(e as Error).message})`;
      throw new InputFileError(shownAs, undefined, `cannot unpack the gzipped IDX file: ${why}`);
    }
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
