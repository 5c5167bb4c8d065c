import type { Db } from '../db/database.js';
import type { Split } from '../db/schema.js';

/** A stored example as the reference index needs it. */
export interface ReferenceRow {
  seq: number;
  id: string;
  split: Split;
  concepts_json: string;
  embedding: Buffer;
}

/**
 * What the reference index reads of `examples` (implemented by examples/). Each read takes the
 * executor, so the derived-index lifecycle can run it on whichever handle it was given.
 */
export interface ReferenceReads {
  /** Examples of a model with seq above `afterSeq`, oldest first, a page at a time. */
  listReferenceRows(db: Db, modelId: number, afterSeq: number, limit: number): Promise<ReferenceRow[]>;
  /** Ids and concepts of every example up to `maxSeq`, without embeddings. */
  listExampleMeta(db: Db, modelId: number, maxSeq: number): Promise<Omit<ReferenceRow, 'embedding'>[]>;
}
