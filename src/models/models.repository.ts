import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';
import type { ModelTable } from '../db/schema.js';

export type ModelRow = Selectable<ModelTable>;

export function findModelByName(db: Db, name: string): Promise<ModelRow | undefined> {
  return db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findModelById(db: Db, id: number): Promise<ModelRow | undefined> {
  return db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Holds the lock example uploads take (`lockExamples`) until `trx` ends, across instances: a
 * definition change checked under it sees every upload that committed, and none commits until it ends.
 */
export function lockModelData(trx: Db, modelId: number): Promise<void> {
  return lockUntilCommit(trx, 'examples', modelId);
}

export async function findModelName(db: Db, id: number): Promise<string | undefined> {
  return (await db.selectFrom('models').select('name').where('id', '=', id).executeTakeFirst())?.name;
}

export function listModelRows(db: Db): Promise<ModelRow[]> {
  return db.selectFrom('models').selectAll().orderBy('name').execute();
}

/** Inserts the model; undefined when a model of that name exists already (another PUT created it first). */
export async function insertModel(db: Db, row: Omit<ModelRow, 'id' | 'revision'>): Promise<ModelRow | undefined> {
  return db.insertInto('models').values(row).onConflict((oc) => oc.column('name').doNothing()).returningAll().executeTakeFirst();
}

/** Updates the model if it is still at `revision`; undefined when another write changed it since it was read. */
export async function updateModel(db: Db, id: number, revision: number, patch: Partial<Omit<ModelRow, 'id' | 'revision'>>): Promise<ModelRow | undefined> {
  return db
    .updateTable('models')
    .set((eb) => ({ ...patch, revision: eb('revision', '+', 1) }))
    .where('id', '=', id)
    .where('revision', '=', revision)
    .returningAll()
    .executeTakeFirst();
}
