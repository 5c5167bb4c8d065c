import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DriftSequentialTable } from '../../db/schema.js';

export type SequentialRow = Selectable<DriftSequentialTable>;

export function findSequentialState(db: Db, modelId: number): Promise<SequentialRow | undefined> {
  return db.selectFrom('drift_sequential').selectAll().where('model_id', '=', modelId).executeTakeFirst();
}

/** Writes the model's one state row (insert or replace). */
export async function saveSequentialState(db: Db, row: Insertable<DriftSequentialTable>): Promise<void> {
  const { model_id: _id, ...rest } = row;
  await db
    .insertInto('drift_sequential')
    .values(row)
    .onConflict((oc) => oc.column('model_id').doUpdateSet(rest))
    .execute();
}
