import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int } = columnTypes(db);
  // Raised by every write of a model: each instance compares it with the revision it cached, so
  // settings changed through another instance reach this one at its next poll.
  await db.schema.alterTable('models').addColumn('revision', int, (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('models').dropColumn('revision').execute();
}
