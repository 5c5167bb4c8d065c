import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import type { Split } from '../db/schema.js';

// What other features read of `examples`, offered to them as ports (bound in the composition root).

/**
 * Index entries of the train split counted per statement: drift asks for the version at every
 * evaluation, and one count(*) over 100k examples held the event loop 4–11 ms in one turn (about
 * 20 ms right after the reference build); a page of 20k is a fifth of that.
 */
const VERSION_PAGE = 20_000;

/**
 * Count and highest seq of the train split: changes whenever the training distribution does.
 * Counted a page of the (model, split, seq) index at a time with a turn of the event loop between
 * pages; examples are only ever added, so the pages add up to one version of the split.
 */
export async function trainVersion(db: Db, modelId: number, pageSize = VERSION_PAGE): Promise<{ count: number; maxSeq: number }> {
  let count = 0;
  let maxSeq = 0;
  for (;;) {
    const page = db.selectFrom('examples').select('seq').where('model_id', '=', modelId).where('split', '=', 'train').where('seq', '>', maxSeq).orderBy('seq').limit(pageSize).as('page');
    const row = await db
      .selectFrom(page)
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('page.seq').as('maxSeq')])
      .executeTakeFirstOrThrow();
    const n = Number(row.count);
    count += n;
    if (n > 0) maxSeq = Number(row.maxSeq);
    if (n < pageSize) return { count, maxSeq };
    await nextTurn();
  }
}

/** Seq, id and concepts of up to `limit` train examples after `afterSeq`, by seq (one page of the split). */
export function listTrainIds(db: Db, modelId: number, afterSeq: number, limit: number): Promise<{ seq: number; id: string; concepts_json: string }[]> {
  return db.selectFrom('examples').select(['seq', 'id', 'concepts_json']).where('model_id', '=', modelId).where('split', '=', 'train').where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** Stored embeddings of the given examples of a model, by seq. */
export async function exampleEmbeddingsBySeq(db: Db, modelId: number, seqs: number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await db.selectFrom('examples').select(['seq', 'embedding']).where('model_id', '=', modelId).where('seq', 'in', seqs.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.seq, r.embedding);
  }
  return out;
}

/** One split's examples with seq in (afterSeq, maxSeq], oldest first, a page at a time. */
export function listExamplesPage(db: Db, modelId: number, split: Split, afterSeq: number, maxSeq: number, limit: number): Promise<{ seq: number; id: string; concepts_json: string; embedding: Buffer }[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('split', '=', split)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', maxSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Whether the model has any example: one index probe instead of a count. */
export async function hasExamples(db: Db, modelId: number): Promise<boolean> {
  const row = await db.selectFrom('examples').select('seq').where('model_id', '=', modelId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Example counts of a model by split. */
export async function countExamplesBySplit(db: Db, modelId: number): Promise<{ train: number; eval: number }> {
  const rows = await db
    .selectFrom('examples')
    .select(['split', (eb) => eb.fn.countAll<number>().as('n')])
    .where('model_id', '=', modelId)
    .groupBy('split')
    .execute();
  const of = (s: Split) => Number(rows.find((r) => r.split === s)?.n ?? 0);
  return { train: of('train'), eval: of('eval') };
}

/** Every original (uploaded) example of a model, both splits, oldest first. */
export function listOriginalExamples(db: Db, modelId: number): Promise<{ id: string; split: Split; concepts_json: string; embedding: Buffer }[]> {
  return db
    .selectFrom('examples')
    .select(['id', 'split', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('source', '=', 'original')
    .orderBy('seq')
    .execute();
}

/** Number of original train-split examples. */
export async function countOriginalTrain(db: Db, modelId: number): Promise<number> {
  const row = await db
    .selectFrom('examples')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('model_id', '=', modelId)
    .where('source', '=', 'original')
    .where('split', '=', 'train')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Examples by seq: what a labeler sees of a neighbour. */
export function listExampleSummaries(db: Db, modelId: number, seqs: number[]): Promise<{ seq: number; id: string; concepts_json: string; input_json: string | null }[]> {
  if (seqs.length === 0) return Promise.resolve([]);
  return db.executeQuery(exampleSummaries(db, { modelId, seqs })).then((r) => r.rows);
}

const exampleSummaries = compiledOnce((db, v: { modelId: number; seqs: number[] }) =>
  db.selectFrom('examples').select(['seq', 'id', 'concepts_json', 'input_json']).where('model_id', '=', v.modelId).where('seq', 'in', v.seqs),
);

/** Examples of a model with seq above `afterSeq`, oldest first, a page at a time. */
export function listReferenceRows(db: Db, modelId: number, afterSeq: number, limit: number): Promise<{ seq: number; id: string; split: Split; concepts_json: string; embedding: Buffer }[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'split', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Ids and concepts of every example up to `maxSeq`, without embeddings. */
export function listExampleMeta(db: Db, modelId: number, maxSeq: number): Promise<{ seq: number; id: string; split: Split; concepts_json: string }[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'split', 'concepts_json'])
    .where('model_id', '=', modelId)
    .where('seq', '<=', maxSeq)
    .execute();
}

/** An eval example the app's scores came with. */
export interface ScoredEvalRow {
  seq: number;
  concepts_json: string;
  scores_json: string;
  embedding: Buffer;
}

/** Newest eval-split examples sent with scores, at most `limit`. */
export function listScoredEvalExamples(db: Db, modelId: number, limit: number): Promise<ScoredEvalRow[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'concepts_json', 'embedding', 'scores_json'])
    .where('model_id', '=', modelId)
    .where('split', '=', 'eval')
    .where('scores_json', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(limit)
    .$narrowType<{ scores_json: string }>()
    .execute();
}

/**
 * How many eval examples carry scores, and the newest seq among them: changes whenever one is
 * added. Through the partial index examples_scored_eval (migration 0029), whose condition the
 * literal split proves to the planner: only scored eval rows are read, not every eval row.
 */
export async function scoredEvalVersion(db: Db, modelId: number): Promise<{ count: number; maxSeq: number | null }> {
  const row = await db
    .selectFrom('examples')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('seq').as('maxSeq')])
    .where('model_id', '=', modelId)
    .where('split', '=', sql.lit('eval'))
    .where('scores_json', 'is not', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), maxSeq: row.maxSeq === null ? null : Number(row.maxSeq) };
}
