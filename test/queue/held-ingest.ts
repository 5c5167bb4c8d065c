import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { lockQueue } from '../../src/queue/queue.repository.js';

/**
 * A transaction on `db` (another instance) that has run `work` and stays open: resolves once
 * `work` is done, or rejects if the transaction failed first; `release()` lets it commit and
 * waits for it.
 */
export async function holdTransaction(db: Db, work: (trx: Db) => Promise<void>): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const done = db.transaction().execute(async (trx) => {
    await work(trx);
    holding();
    await released;
  });
  await Promise.race([held, done]);
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

/**
 * What an ingest transaction of another instance does, held open: the model's queue lock, then
 * an item inserted for the model's oldest prediction that has none. Resolves once both are done;
 * `commit()` lets the transaction commit and waits for it.
 */
export async function holdIngestTransaction(db: Db, modelId: number): Promise<{ commit: () => Promise<void> }> {
  const writer = await holdTransaction(db, async (trx) => {
    await lockQueue(trx, modelId);
    await sql`insert into queue_items (model_id, prediction_seq, prediction_id, status, base_priority, priority, reasons_json, split, labels_needed, created_at, last_seen_at)
      select model_id, seq, id, 'pending', 0, 0, '["ood"]', 'train', 1, created_at, created_at from predictions
      where model_id = ${modelId} and seq not in (select prediction_seq from queue_items) order by seq limit 1`.execute(trx);
  });
  return { commit: writer.release };
}
