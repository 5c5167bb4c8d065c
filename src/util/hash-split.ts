import { createHash } from 'node:crypto';

/** Deterministic 80/20 split: the first 4 bytes of sha256(id) as a fraction of 2^32. */
export function splitForId(id: string, evalShare = 0.2): 'train' | 'eval' {
  const h = createHash('sha256').update(id).digest();
  return h.readUInt32BE(0) / 2 ** 32 < evalShare ? 'eval' : 'train';
}
