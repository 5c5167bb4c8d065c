import type { Db } from '../db/database.js';

/** Stored embeddings of the given examples or predictions of a model, by seq. */
export async function embeddingsBySeq(db: Db, table: 'examples' | 'predictions', modelId: number, seqs: number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await db
      .selectFrom(table)
      .select(['seq', 'embedding'])
      .where('model_id', '=', modelId)
      .where('seq', 'in', seqs.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.seq, r.embedding);
  }
  return out;
}
