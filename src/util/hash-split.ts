import { hash } from 'node:crypto';
import type { Split } from '../db/schema.js';

/** The data split an example or labeled item belongs to. */
export type { Split };

/** Default share of ids that go to the eval split (DESIGN: 80/20 by id hash). */
const EVAL_SHARE = 0.2;

/** Deterministic split of an id: the first 4 bytes of its UTF-8 SHA-256, big-endian, over 2^32, below `evalShare` → eval. */
export function splitForId(id: string, evalShare: number = EVAL_SHARE): Split {
  if (!(evalShare >= 0 && evalShare <= 1)) throw new RangeError(`evalShare ${evalShare} is outside [0, 1]`);
  // The one-shot hash: a third of createHash().update().digest()'s cost, the same digest.
  const position = hash('sha256', id, 'buffer').readUInt32BE(0) / 2 ** 32;
  return position < evalShare ? 'eval' : 'train';
}
