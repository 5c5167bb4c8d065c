import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { ClusteredData } from '../../../test/support/clustered-data.js';
import { productionSplit } from '../../../src/util/hash-split.js';
import { encodeVector } from '../../../src/util/vectors.js';

const REASONS = ['["ood"]', '["uncertain"]', '["disagreement"]', '["ood","uncertain"]'];

/**
 * Writes `count` scored predictions and a pending queue item for each straight into the
 * SQLite file, with prepared statements in chunked transactions: rows shaped exactly as the
 * ingest path writes them, at the speed a benchmark needs. `start` numbers the ids of a later
 * call on; `queued` (default 1) is the fraction of predictions that get an item, spread evenly.
 */
export function seedPendingItems(
  sqlite: SQLite.Database,
  opts: { modelName: string; count: number; data: ClusteredData; concepts: string[]; start?: number; queued?: number; onProgress?: (done: number) => void },
): void {
  const { count, data, concepts } = opts;
  const start = opts.start ?? 0;
  const queued = opts.queued ?? 1;
  const { id: modelId, split_key: splitKey } = sqlite.prepare('select id, split_key from models where name = ?').get(opts.modelName) as { id: number; split_key: string | null };
  const exampleSeqs = sqlite.prepare('select seq from examples where model_id = ?').pluck().all(modelId) as number[];
  const prediction = sqlite.prepare(`insert into predictions (model_id, id, embedding, scores_json, predicted, top_score, encoder, model_version,
      timestamp, input_json, metadata_json, ood_distance, ood_score, is_ood, uncertainty, least_confidence, entropy, knn_concept,
      knn_agreement, disagreement, priority, neighbors_json, created_at)
    values (?, ?, ?, ?, ?, 0.5, null, null, ?, ?, null, 0.4, 0.97, 1, 0.8, 0.5, 0.7, ?, 0.9, 0, ?, ?, ?)`);
  const item = sqlite.prepare(`insert into queue_items (model_id, prediction_seq, prediction_id, status, base_priority, priority, weight,
      reasons_json, drift_boost, split, labels_needed, labels_count, out_of_scope_count, leases_count, created_at, last_seen_at, labeled_at)
    values (?, ?, ?, 'pending', ?, ?, 1, ?, 0, ?, 1, 0, 0, 0, ?, ?, null)`);
  const now = new Date().toISOString();
  const chunk = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = i % concepts.length;
      const id = `seed-${i}`;
      const priority = ((i * 2654435761) % 1_000_003) / 1_000_003;
      const neighbors = Array.from({ length: 10 }, (_, k) => [exampleSeqs[(i * 31 + k * 7) % exampleSeqs.length], 0.1 + k * 0.01]);
      const { lastInsertRowid } = prediction.run(
        modelId, id, encodeVector(data.point(c)), JSON.stringify(data.scores(concepts, c, 0.5)), concepts[c], now,
        JSON.stringify({ url: `https://img.example/ugc/${i}.jpg` }), concepts[c], priority, JSON.stringify(neighbors), now,
      );
      // Item i when the running count of queued predictions steps up: `queued` of them, evenly spread.
      if (Math.floor((i + 1) * queued) > Math.floor(i * queued)) {
        item.run(modelId, lastInsertRowid, id, priority, priority, REASONS[i % REASONS.length], productionSplit({ splitKey }, id), now, now);
      }
    }
  });
  for (let from = 0; from < count; from += 50_000) {
    chunk(start + from, start + Math.min(count, from + 50_000));
    opts.onProgress?.(Math.min(count, from + 50_000));
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * The same rows as {@link seedPendingItems}, on PostgreSQL: one statement per chunk, columns
 * sent as arrays and unnested, the queue items inserted from the predictions' returned seqs.
 */
export async function seedPendingItemsPostgres(
  client: pg.Client,
  opts: { modelName: string; count: number; data: ClusteredData; concepts: string[]; onProgress?: (done: number) => void },
): Promise<void> {
  const { count, data, concepts } = opts;
  const model = (await client.query<{ id: string; split_key: string | null }>('select id, split_key from models where name = $1', [opts.modelName])).rows[0]!;
  const modelId = Number(model.id);
  const splitKey = model.split_key;
  const exampleSeqs = (await client.query<{ seq: string }>('select seq from examples where model_id = $1', [modelId])).rows.map((r) => Number(r.seq));
  const now = new Date().toISOString();
  const CHUNK = 5_000;
  for (let from = 0; from < count; from += CHUNK) {
    const cols = { id: [] as string[], emb: [] as Buffer[], scores: [] as string[], concept: [] as string[], input: [] as string[], priority: [] as number[], neighbors: [] as string[], reasons: [] as string[], split: [] as string[] };
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const c = i % concepts.length;
      const id = `seed-${i}`;
      cols.id.push(id);
      cols.emb.push(encodeVector(data.point(c)));
      cols.scores.push(JSON.stringify(data.scores(concepts, c, 0.5)));
      cols.concept.push(concepts[c]!);
      cols.input.push(JSON.stringify({ url: `https://img.example/ugc/${i}.jpg` }));
      cols.priority.push(((i * 2654435761) % 1_000_003) / 1_000_003);
      cols.neighbors.push(JSON.stringify(Array.from({ length: 10 }, (_, k) => [exampleSeqs[(i * 31 + k * 7) % exampleSeqs.length], 0.1 + k * 0.01])));
      cols.reasons.push(REASONS[i % REASONS.length]!);
      cols.split.push(productionSplit({ splitKey }, id));
    }
    await client.query(
      `with x as (
         select * from unnest($2::text[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::text[], $10::text[])
           as t(id, embedding, scores, concept, input, priority, neighbors, reasons, split)
       ), p as (
         insert into predictions (model_id, id, embedding, scores_json, predicted, top_score, encoder, model_version,
           timestamp, input_json, metadata_json, ood_distance, ood_score, is_ood, uncertainty, least_confidence, entropy, knn_concept,
           knn_agreement, disagreement, priority, neighbors_json, created_at)
         select $1, id, embedding, scores, concept, 0.5, null, null, $11, input, null, 0.4, 0.97, 1, 0.8, 0.5, 0.7, concept, 0.9, 0, priority, neighbors, $11 from x
         returning seq, id
       )
       insert into queue_items (model_id, prediction_seq, prediction_id, status, base_priority, priority, weight,
         reasons_json, drift_boost, split, labels_needed, labels_count, out_of_scope_count, leases_count, created_at, last_seen_at, labeled_at)
       select $1, p.seq, p.id, 'pending', x.priority, x.priority, 1, x.reasons, 0, x.split, 1, 0, 0, 0, $11, $11, null from p join x on x.id = p.id`,
      [modelId, cols.id, cols.emb, cols.scores, cols.concept, cols.input, cols.priority, cols.neighbors, cols.reasons, cols.split, now],
    );
    opts.onProgress?.(Math.min(count, from + CHUNK));
  }
  await client.query('analyze');
}
