/**
 * The `embeddingBase64` spelling of an embedding: its values as little-endian float32 bytes,
 * base64. Sent instead of `embedding`, a batch is about a quarter of the bytes and neither side
 * parses or prints numbers. Runs wherever `btoa` does (browsers, Node 16+), whatever the
 * platform's byte order.
 */
export function embeddingBase64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  // In slices: String.fromCharCode takes its arguments on the stack.
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}
