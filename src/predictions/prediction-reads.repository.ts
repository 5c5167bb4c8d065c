import { setImmediate as nextTurn } from 'node:timers/promises';
import { compiledOnce, type CompiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import type { PredictionTable } from '../db/schema.js';
import type { Selectable } from 'kysely';

// What other features read of `predictions`, offered to them as ports (bound in the composition root).

type Row = Selectable<PredictionTable>;

/**
 * Rows of the drift window read per statement: one statement of 1,000 rows held the event loop
 * 4–11 ms in one turn (more right after a restart), a page of 250 about a quarter of that.
 */
const WINDOW_PAGE = 250;

/**
 * The model's last `size` predictions without their embeddings, newest first, streamed a page
 * per statement with a turn of the event loop between pages (claims and ingest batches get in
 * between, and no read transaction stays open across turns). The pages go by seq, so they add
 * up to the window that ended at the first page's newest prediction, whatever arrives meanwhile.
 */
export async function* streamWindow(db: Db, modelId: number, size: number, pageSize = WINDOW_PAGE): AsyncGenerator<Pick<Row, 'seq' | 'is_ood' | 'predicted' | 'top_score' | 'disagreement' | 'uncertainty' | 'priority' | 'created_at'>> {
  let before: number | undefined;
  for (let left = size; left > 0; ) {
    const limit = Math.min(pageSize, left);
    const page = await db
      .selectFrom('predictions')
      .select(['seq', 'is_ood', 'predicted', 'top_score', 'disagreement', 'uncertainty', 'priority', 'created_at'])
      .where('model_id', '=', modelId)
      .$if(before !== undefined, (q) => q.where('seq', '<', before!))
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    yield* page;
    if (page.length < limit) return;
    left -= page.length;
    before = page.at(-1)!.seq;
    await nextTurn();
  }
}

/** Seq and top-1 score of the model's first `limit` predictions. */
export function firstPredictions(db: Db, modelId: number, limit: number): Promise<{ seq: number; top_score: number }[]> {
  return db.selectFrom('predictions').select(['seq', 'top_score']).where('model_id', '=', modelId).orderBy('seq').limit(limit).execute();
}

/** The model's predictions with the given ids, in any order (drift events' region examples). */
export function predictionsByIds(db: Db, modelId: number, ids: readonly string[]): Promise<Pick<Row, 'seq' | 'id' | 'embedding' | 'predicted' | 'ood_distance' | 'ood_score' | 'input_json' | 'timestamp'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('predictions')
    .select(['seq', 'id', 'embedding', 'predicted', 'ood_distance', 'ood_score', 'input_json', 'timestamp'])
    .where('model_id', '=', modelId)
    .where('id', 'in', [...ids])
    .execute();
}

/** Stored embeddings of the given predictions of a model, by seq. */
export async function predictionEmbeddingsBySeq(db: Db, modelId: number, seqs: number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await db.selectFrom('predictions').select(['seq', 'embedding']).where('model_id', '=', modelId).where('seq', 'in', seqs.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.seq, r.embedding);
  }
  return out;
}

/** Predictions with seq below `beforeSeq`, newest first, a page at a time. */
export function listPredictionsPage(db: Db, modelId: number, beforeSeq: number, limit: number): Promise<{ seq: number; id: string; embedding: Buffer }[]> {
  return db.selectFrom('predictions').select(['seq', 'id', 'embedding']).where('model_id', '=', modelId).where('seq', '<', beforeSeq).orderBy('seq', 'desc').limit(limit).execute();
}

/** The model's last `limit` predictions (with seq below `beforeSeq`, if given), newest first. */
export function listRecentPredictions(db: Db, modelId: number, limit: number, beforeSeq?: number): Promise<Pick<Row, 'seq' | 'id' | 'embedding' | 'top_score' | 'disagreement' | 'knn_agreement' | 'is_ood' | 'uncertainty' | 'priority' | 'input_json'>[]> {
  return db
    .selectFrom('predictions')
    .select(['seq', 'id', 'embedding', 'top_score', 'disagreement', 'knn_agreement', 'is_ood', 'uncertainty', 'priority', 'input_json'])
    .where('model_id', '=', modelId)
    .$if(beforeSeq !== undefined, (q) => q.where('seq', '<', beforeSeq!))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

/** Highest prediction seq of the model, or 0. */
export async function latestSeq(db: Db, modelId: number): Promise<number> {
  const row = await db.selectFrom('predictions').select((eb) => eb.fn.max('seq').as('seq')).where('model_id', '=', modelId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Number of predictions of a model: a walk of all of them (33–100 ms at 1M on SQLite); see `PredictionCounter`. */
export async function countPredictions(db: Db, modelId: number): Promise<number> {
  const row = await db.selectFrom('predictions').select((eb) => eb.fn.countAll<number>().as('n')).where('model_id', '=', modelId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many of the model's predictions come after `afterSeq`, up to `limit`, and the highest seq among them (one page of the seq index). */
export async function countPredictionsAfter(db: Db, modelId: number, afterSeq: number, limit: number): Promise<{ count: number; maxSeq: number }> {
  const page = db.selectFrom('predictions').select('seq').where('model_id', '=', modelId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).as('page');
  const row = await db
    .selectFrom(page)
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('page.seq').as('maxSeq')])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), maxSeq: Number(row.maxSeq ?? afterSeq) };
}

/** Whether the model has any prediction: one index probe, where a count walks all of them (a second at 1M). */
export async function hasPredictions(db: Db, modelId: number): Promise<boolean> {
  const row = await db.selectFrom('predictions').select('seq').where('model_id', '=', modelId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The given columns of a model's predictions, by seq (read on `db`: the caller's transaction, if any). */
export async function predictionsBySeq<C extends keyof Row>(db: Db, modelId: number, seqs: readonly number[], columns: readonly C[]): Promise<Map<number, Pick<Row, C | 'seq'>>> {
  const out = new Map<number, Pick<Row, C | 'seq'>>();
  const statement = bySeqStatement(columns);
  for (let i = 0; i < seqs.length; i += 500) {
    const { rows } = await db.executeQuery(statement(db, { modelId, seqs: seqs.slice(i, i + 500) }));
    for (const r of rows as Pick<Row, C | 'seq'>[]) out.set(r.seq, r);
  }
  return out;
}

type BySeq = CompiledOnce<{ modelId: number; seqs: readonly number[] }, unknown>;
/** The statements of {@link predictionsBySeq}, one per list of columns callers ask for (a handful, in constants). */
const bySeqStatements = new Map<string, BySeq>();

function bySeqStatement(columns: readonly (keyof Row)[]): BySeq {
  const key = columns.join(',');
  let statement = bySeqStatements.get(key);
  if (!statement) {
    statement = compiledOnce((db, v: { modelId: number; seqs: readonly number[] }) => db.selectFrom('predictions').select(['seq', ...columns]).where('model_id', '=', v.modelId).where('seq', 'in', v.seqs));
    bySeqStatements.set(key, statement);
  }
  return statement;
}

/** Seqs of the model's out-of-distribution predictions after `afterSeq`, oldest first. */
export async function oodSeqsAfter(db: Db, modelId: number, afterSeq: number): Promise<number[]> {
  const rows = await db.selectFrom('predictions').select('seq').where('model_id', '=', modelId).where('seq', '>', afterSeq).where('is_ood', '=', 1).orderBy('seq').execute();
  return rows.map((r) => r.seq);
}
