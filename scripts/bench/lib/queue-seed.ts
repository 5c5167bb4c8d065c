import type SQLite from 'better-sqlite3';
import type { ClusteredData } from '../../../src/util/clustered-data.js';
import { splitForId } from '../../../src/util/hash-split.js';
import { encodeVector } from '../../../src/util/vectors.js';

const REASONS = ['["ood"]', '["uncertain"]', '["disagreement"]', '["ood","uncertain"]'];

/**
 * Writes `count` scored predictions and a pending queue item for each straight into SQLite,
 * with prepared statements in chunked transactions: the fast path a benchmark needs, with
 * rows shaped exactly as the ingest path writes them.
 */
export function seedPendingItems(
  sqlite: SQLite.Database,
  opts: { modelId: number; count: number; data: ClusteredData; concepts: string[]; exampleSeqs: number[]; onProgress?: (done: number) => void },
): void {
  const prediction = sqlite.prepare(`insert into predictions (model_id, id, embedding, scores_json, predicted, top_score, encoder, model_version,
      timestamp, input_json, metadata_json, ood_distance, ood_score, is_ood, uncertainty, least_confidence, entropy, knn_concept,
      knn_agreement, disagreement, priority, neighbors_json, created_at)
    values (?, ?, ?, ?, ?, ?, null, null, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const item = sqlite.prepare(`insert into queue_items (model_id, prediction_seq, prediction_id, status, base_priority, priority, weight,
      reasons_json, drift_boost, split, labels_needed, labels_count, out_of_scope_count, leases_count, created_at, last_seen_at, labeled_at)
    values (?, ?, ?, 'pending', ?, ?, 1, ?, 0, ?, 1, 0, 0, 0, ?, ?, null)`);
  const { modelId, count, data, concepts, exampleSeqs } = opts;
  const now = new Date().toISOString();
  const chunk = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = i % concepts.length;
      const id = `seed-${i}`;
      const priority = ((i * 2654435761) % 1_000_003) / 1_000_003;
      const scores = data.scores(concepts, c, 0.5);
      const neighbors = Array.from({ length: 10 }, (_, k) => [exampleSeqs[(i * 31 + k * 7) % exampleSeqs.length], 0.1 + k * 0.01]);
      const { lastInsertRowid } = prediction.run(
        modelId, id, encodeVector(data.point(c)), JSON.stringify(scores), concepts[c], 0.5, now,
        JSON.stringify({ url: `https://img.example/ugc/${i}.jpg` }), 0.4, 0.97, 1, 0.8, 0.5, 0.7, concepts[c], 0.9, 0, priority,
        JSON.stringify(neighbors), now,
      );
      item.run(modelId, lastInsertRowid, id, priority, priority, REASONS[i % REASONS.length], splitForId(id), now, now);
    }
  });
  const step = 50_000;
  for (let from = 0; from < count; from += step) {
    chunk(from, Math.min(count, from + step));
    opts.onProgress?.(Math.min(count, from + step));
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}
