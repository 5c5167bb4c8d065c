/** Packs an embedding as little-endian float32 bytes for storage. */
export function encodeVector(values: ArrayLike<number>): Buffer {
  const f = Float32Array.from(values as ArrayLike<number>);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

/** Reads an embedding stored by `encodeVector`. */
export function decodeVector(buf: Uint8Array): Float32Array {
  // Copy: the source buffer may not be 4-byte aligned.
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

/** Euclidean norm. */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}
