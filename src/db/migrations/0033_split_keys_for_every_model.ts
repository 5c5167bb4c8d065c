import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

// Frozen: migrations never import application code.
// 0032 left the models created before it with a null split key: their labeled items were split
// by the plain hash of a prediction id the app chooses. A queue item's split is stored when the
// item is enqueued and never computed again, so a key given now moves no item already queued:
// each such model gets a random key here, and its items from now on are split under it.
export async function up(db: Kysely<any>): Promise<void> {
  const unkeyed = await db.selectFrom('models').select('id').where('split_key', 'is', null).execute();
  for (const { id } of unkeyed) {
    await db.updateTable('models').set({ split_key: randomBytes(32).toString('hex') }).where('id', '=', id).where('split_key', 'is', null).execute();
  }
}

// The keys stay: a null key would only bring the guessable split back.
export async function down(): Promise<void> {}
