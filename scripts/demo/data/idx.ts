import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** An IDX tensor of unsigned bytes, as Fashion-MNIST ships it. */
export interface IdxTensor {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an (uncompressed) IDX buffer; only the unsigned-byte type is supported. */
export function parseIdx(buffer: Uint8Array): IdxTensor {
  if (buffer.length < 4) throw new Error('IDX: buffer shorter than its header');
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (view.getUint16(0) !== 0) throw new Error('IDX: bad magic number');
  const type = view.getUint8(2);
  if (type !== UBYTE) throw new Error(`IDX: unsupported data type 0x${type.toString(16)}`);
  const rank = view.getUint8(3);
  const headerLength = 4 + 4 * rank;
  if (buffer.length < headerLength) throw new Error('IDX: truncated dimensions');
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buffer.length !== headerLength + size) {
    throw new Error(`IDX: expected ${headerLength + size} bytes, got ${buffer.length}`);
  }
  return { dims, data: buffer.subarray(headerLength) };
}

/** Reads an IDX file, gunzipping it when the name ends in `.gz`. */
export async function readIdxFile(path: string): Promise<IdxTensor> {
  const raw = await readFile(path);
  return parseIdx(path.endsWith('.gz') ? gunzipSync(raw) : raw);
}
