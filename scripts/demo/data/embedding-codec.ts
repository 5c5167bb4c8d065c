/**
 * Embeddings are stored as int8 (q = round(v · 127), v clamped to [-1, 1]) in
 * base64: 88 characters for 64 dimensions instead of ~450 as JSON numbers.
 * Decoding divides by 127 and re-normalises to unit length, so cosine
 * distances move by well under 1e-3.
 */
export const EMBEDDING_ENCODING = { type: 'int8-base64', scale: 127 } as const;

export function encodeEmbedding(vector: ArrayLike<number>): string {
  const bytes = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = Math.min(1, Math.max(-1, vector[i] as number));
    bytes[i] = Math.round(v * EMBEDDING_ENCODING.scale);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function decodeEmbedding(encoded: string): number[] {
  const buffer = Buffer.from(encoded, 'base64');
  const bytes = new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const vector = Array.from(bytes, (q) => q / EMBEDDING_ENCODING.scale);
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}
