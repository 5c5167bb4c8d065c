/** Packs an embedding as little-endian float32 bytes for storage. */
export function encodeVector(values: ArrayLike<number>): Buffer {
  // The constructor, not Float32Array.from: `from` walks a plain array through its iterator, at twice the cost.
  const f = new Float32Array(values);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

/**
 * Packs many embeddings as `encodeVector` does, into one allocation that each Buffer views: a
 * typed array of its own per embedding costs an off-heap allocation and more garbage-collection work.
 */
export function encodeVectors(vectors: ArrayLike<number>[]): Buffer[] {
  const all = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
  const bytes = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
  let at = 0;
  return vectors.map((v) => {
    const start = at;
    // A loop, not `all.set(v, at)`: `set` from a plain array costs twice as much.
    for (let j = 0; j < v.length; j++) all[at++] = v[j]!;
    return bytes.subarray(start * 4, at * 4);
  });
}

/**
 * An embedding sent as base64 of its little-endian float32 bytes (`embeddingBase64`), as a plain
 * array, or undefined unless the text is canonical padded base64 (RFC 4648 section 4) of 1 to 65,536
 * float32 values. Node's decoder skips what is not base64, so the text is checked by encoding the
 * bytes again: only the one spelling of those bytes passes.
 */
export function decodeFloat32Base64(text: string): number[] | undefined {
  if (text.length === 0 || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0 || bytes.length > 4 * 65_536 || bytes.toString('base64') !== text) return undefined;
  // The decoded bytes may start anywhere in Node's pool: `decodeVector` copies them aligned.
  return plainArray(decodeVector(bytes));
}

/**
 * The values as a plain array (the vector itself when it is one). A loop into a sized array:
 * `Array.from` of a typed array goes through its iterator, about ten times slower (256 float32
 * values: 10–12 µs against 0.8–1.2 µs on the 2-core machine), and hnswlib-node takes plain arrays only.
 */
export function plainArray(values: ArrayLike<number>): number[] {
  if (Array.isArray(values)) return values as number[];
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** The `embeddingBase64` spelling of an embedding: base64 of its little-endian float32 bytes. */
export function encodeFloat32Base64(values: ArrayLike<number>): string {
  return encodeVector(values).toString('base64');
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
