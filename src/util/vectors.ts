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
function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** The largest finite float32: vectors are stored, indexed and trained on as float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * True for a vector every engine can use: each value, the squared norm and so the norm are
 * finite in float32 (`1e200` is a finite double, but its square overflows and poisons training).
 */
export function isFloat32Safe(v: ArrayLike<number>): boolean {
  let sq = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (typeof x !== 'number' || !(Math.abs(x) <= FLOAT32_MAX)) return false;
    sq += x * x;
  }
  return sq <= FLOAT32_MAX;
}
