import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ModelTable } from '../db/schema.js';

export type ModelRow = Selectable<ModelTable>;

export function findModelByName(db: Db, name: string): Promise<ModelRow | undefined> {
  return db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findModelById(db: Db, id: number): Promise<ModelRow | undefined> {
  return db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listModelRows(db: Db): Promise<ModelRow[]> {
  return db.selectFrom('models').selectAll().orderBy('name').execute();
}

export async function insertModel(db: Db, row: Omit<ModelRow, 'id'>): Promise<ModelRow> {
  return db.insertInto('models').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateModel(db: Db, id: number, patch: Partial<Omit<ModelRow, 'id'>>): Promise<ModelRow> {
  return db.updateTable('models').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Example counts by split, and the prediction count, of one model. */
export async function countModelData(db: Db, modelId: number): Promise<{ train: number; eval: number; predictions: number }> {
  const splits = await db
    .selectFrom('examples')
    .select(['split', (eb) => eb.fn.countAll<number>().as('n')])
    .where('model_id', '=', modelId)
    .groupBy('split')
    .execute();
  const predictions = await db
    .selectFrom('predictions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('model_id', '=', modelId)
    .executeTakeFirstOrThrow();
  const of = (s: string) => Number(splits.find((r) => r.split === s)?.n ?? 0);
  return { train: of('train'), eval: of('eval'), predictions: Number(predictions.n) };
}
