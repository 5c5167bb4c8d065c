import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres } from '../db/dialect.js';

/** Count and highest seq of the train split: changes whenever the training distribution does. */
export async function trainVersion(db: Db, modelId: number): Promise<{ count: number; maxSeq: number }> {
  const row = await db
    .selectFrom('examples')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('seq').as('maxSeq')])
    .where('model_id', '=', modelId)
    .where('split', '=', 'train')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), maxSeq: Number(row.maxSeq ?? 0) };
}

/** How many train examples carry each concept, counted in the database. */
export async function trainLabelCounts(db: Db, modelId: number): Promise<Map<string, number>> {
  const concepts = isPostgres(db) ? sql`json_array_elements_text(e.concepts_json::json) as j(value)` : sql`json_each(e.concepts_json) j`;
  const { rows } = await sql<{ concept: string; n: number }>`
    select j.value as concept, count(*) as n
    from examples e, ${concepts}
    where e.model_id = ${modelId} and e.split = 'train'
    group by j.value`.execute(db);
  return new Map(rows.map((r) => [r.concept, Number(r.n)]));
}

/** Seq and id of every train example, streamed. */
export function streamTrainIds(db: Db, modelId: number): AsyncIterableIterator<{ seq: number; id: string }> {
  return db.selectFrom('examples').select(['seq', 'id']).where('model_id', '=', modelId).where('split', '=', 'train').stream();
}

