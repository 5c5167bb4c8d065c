import { createHmac, hash } from 'node:crypto';
import type { Split } from '../db/schema.js';

/** The data split an example or labeled item belongs to. */
export type { Split };

/** Default share of ids that go to the eval split (DESIGN: 80/20 by id hash). */
const EVAL_SHARE = 0.2;

/**
 * Deterministic split of an id: the first 4 bytes of its UTF-8 SHA-256, big-endian, over 2^32,
 * below `evalShare` → eval. With `key` (a model's secret, for ids a client chooses), of its
 * HMAC-SHA256 under the key instead: whoever does not hold the key cannot tell an id's split.
 */
export function splitForId(id: string, evalShare: number = EVAL_SHARE, key: string | null = null): Split {
  if (!(evalShare >= 0 && evalShare <= 1)) throw new RangeError(`evalShare ${evalShare} is outside [0, 1]`);
  // The one-shot hash: a third of createHash().update().digest()'s cost, the same digest.
  const digest = key === null ? hash('sha256', id, 'buffer') : createHmac('sha256', key).update(id).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < evalShare ? 'eval' : 'train';
}

/** The eval split of a labeled production item: its prediction id under the model's secret key. */
export function productionSplit(model: { splitKey: string | null }, predictionId: string): Split {
  return splitForId(predictionId, EVAL_SHARE, model.splitKey);
}
