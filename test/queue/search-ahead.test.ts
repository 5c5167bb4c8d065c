import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionSink } from '../../src/predictions/prediction.js';
import { encodeVector } from '../../src/util/vectors.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ingest, outliers, setupModel, stats, UNSURE, type Fixture } from './support.js';

/**
 * On SQLite a batch's near-duplicate search runs ahead of its ingest transaction, in a turn of its
 * own (`EnqueueService.sink`). The transaction may only use what it found while the index is as it
 * was searched. (On PostgreSQL the search runs inside the transaction; another instance's item is
 * test/reference/instances.postgres.test.ts.)
 */
describe('the near-duplicate search ahead of the ingest transaction', () => {
  let server: TestServer;
  let f: Fixture;
  /** Runs once, between the next batch's search ahead and its transaction. */
  let meanwhile: (() => void) | undefined;
  beforeAll(async () => {
    const predictionSink = (real: PredictionSink): PredictionSink => async (model, fresh) => {
      const step = await real(model, fresh);
      const write = meanwhile;
      meanwhile = undefined;
      write?.();
      return step;
    };
    server = await startTestServer({ replace: { predictionSink } });
    f = await setupModel(server, 'ahead', { queue: { uncertaintyThreshold: 0 } });
  });
  afterAll(() => server.stop());

  it('when another writer commits a near item between the search and the transaction, then the batch adds weight to it instead of opening an item', async () => {
    const [warm, base] = outliers(f.data, 2);
    // The first queued batch loads the model's near-duplicate index.
    expect((await ingest(server, 'ahead', [{ id: 'warm', embedding: warm!, scores: UNSURE }]))[0]!.queued).toBe(true);

    const other = new SQLite(path.join(server.dataDir, 'driftloop.sqlite'));
    try {
      meanwhile = () => insertPendingItem(other, 'ahead', 'elsewhere', base!);
      const [copy] = await ingest(server, 'ahead', [{ id: 'copy', embedding: base!.map((x) => x * 1.0001), scores: UNSURE }]);
      expect(meanwhile).toBeUndefined();
      expect(copy!.queued).toBe(false);
      expect(other.prepare("select weight from queue_items where prediction_id = 'elsewhere'").pluck().get()).toBe(2);
      expect(other.prepare("select count(*) from queue_items where prediction_id = 'copy'").pluck().get()).toBe(0);
    } finally {
      other.close();
    }
    expect((await stats(server, 'ahead')).pending).toBe(2);
  });
});

/** A scored prediction and its pending item, committed by a connection of its own. */
function insertPendingItem(db: SQLite.Database, modelName: string, id: string, embedding: number[]): void {
  const modelId = db.prepare('select id from models where name = ?').pluck().get(modelName) as number;
  const now = new Date().toISOString();
  db.transaction(() => {
    const { lastInsertRowid: seq } = db
      .prepare(
        `insert into predictions (model_id, id, embedding, scores_json, predicted, top_score, encoder, model_version, timestamp, input_json,
          metadata_json, ood_distance, ood_score, is_ood, uncertainty, least_confidence, entropy, knn_concept, knn_agreement, disagreement,
          priority, neighbors_json, created_at)
        values (?, ?, ?, ?, 'lager', 0.45, null, null, ?, null, null, 0.9, 0.99, 1, 0.9, 0.55, 0.9, 'lager', 0.4, 0, 0.8, '[]', ?)`,
      )
      .run(modelId, id, encodeVector(embedding), JSON.stringify(UNSURE), now, now);
    db.prepare(
      `insert into queue_items (model_id, prediction_seq, prediction_id, status, base_priority, priority, weight, reasons_json, drift_boost,
        split, labels_needed, labels_count, out_of_scope_count, leases_count, created_at, last_seen_at, labeled_at)
      values (?, ?, ?, 'pending', 0.8, 0.8, 1, '["ood"]', 0, 'train', 1, 0, 0, 0, ?, ?, null)`,
    ).run(modelId, seq, id, now, now);
  })();
}
