import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ModelTable } from '../db/schema.js';

export type ModelRow = Selectable<ModelTable>;

export function findModelByName(db: Db, name: string): Promise<ModelRow | undefined> {
  return db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
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
