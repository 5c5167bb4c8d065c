import type { KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { countPredictions } from '../../src/predictions/prediction-reads.repository.js';
import { PredictionCounter } from '../../src/predictions/prediction-counter.js';
import { insertPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { encodeVector } from '../../src/util/vectors.js';
import { sqlitePlansOf } from '../support/query-plans.js';
import { databaseWithTwoModels } from '../support/models-database.js';

const AT = '2026-12-01T00:00:00.000Z';
const setup = () => databaseWithTwoModels();

let next = 0;
function predictions(modelId: number, n: number): NewPredictionRow[] {
  return Array.from({ length: n }, () => {
    const i = next++;
    return {
      model_id: modelId, id: `p-${i}`, embedding: encodeVector([i, 1]), scores_json: '{}', predicted: 'a', top_score: 0.5,
      encoder: null, model_version: null, timestamp: AT, input_json: null, metadata_json: null, ood_distance: 0.1, ood_score: 0.2,
      is_ood: 0, uncertainty: 0.1, least_confidence: 0.1, entropy: 0.5, knn_concept: 'a', knn_agreement: 1, disagreement: 0, priority: 0.2,
      neighbors_json: '[]', created_at: AT,
    };
  });
}

// Every model description counts the model's predictions; one count(*) walked all of them,
// 33–100 ms at 1M predictions on SQLite with the event loop held.
describe('prediction counts of model descriptions', () => {
  it('when predictions of two models arrive between counts, then each count equals a full count of that model', async () => {
    const { db, model, other } = await setup();
    const counter = new PredictionCounter(db);
    expect(await counter.count(model.id)).toBe(0);
    for (const [mine, theirs] of [[3, 2], [0, 5], [7, 0], [1, 1]] as const) {
      await insertPredictions(db, [...predictions(model.id, mine), ...predictions(other.id, theirs)]);
      expect(await counter.count(model.id)).toBe(await countPredictions(db, model.id));
      expect(await counter.count(other.id)).toBe(await countPredictions(db, other.id));
    }
    expect(await counter.count(model.id)).toBe(11);
    expect(await counter.count(other.id)).toBe(8);
  });

  it('when a model is described, then its prediction count is the stored one', async () => {
    const { db, models, model } = await setup();
    await insertPredictions(db, predictions(model.id, 4));
    expect((await models.counts(model)).predictions).toBe(4);
    await insertPredictions(db, predictions(model.id, 3));
    expect((await models.counts(model)).predictions).toBe(7);
  });

  it('when counts run at once while predictions arrive, then a later count is still exact', async () => {
    const { db, model } = await setup();
    const counter = new PredictionCounter(db);
    await insertPredictions(db, predictions(model.id, 5));
    const [a] = await Promise.all([counter.count(model.id), insertPredictions(db, predictions(model.id, 2)), counter.count(model.id)]);
    expect([5, 7]).toContain(a);
    expect(await counter.count(model.id)).toBe(7);
  });
});

describe.skipIf(process.env.DRIFTLOOP_TEST_DIALECT === 'postgres')('the statements of a prediction count on SQLite', () => {
  it('when the model was counted before, then the next count reads the seq index from the last counted seq on', async () => {
    const { database, db, model } = await setup();
    const first = await insertPredictions(db, predictions(model.id, 3));
    const sent: { sql: string; parameters: readonly unknown[] }[] = [];
    const spy: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        sent.push(db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const counter = new PredictionCounter(db.withPlugin(spy));
    expect(await counter.count(model.id)).toBe(3);
    await insertPredictions(db, predictions(model.id, 2));
    sent.length = 0;
    expect(await counter.count(model.id)).toBe(5);
    const counts = sent.filter((q) => q.sql.startsWith('select count(*)'));
    expect(counts).toHaveLength(1);
    expect(counts[0]!.parameters).toContain(Math.max(...first));
    const plans = await sqlitePlansOf(database, (spied) => new PredictionCounter(spied).count(model.id), (sql) => sql.startsWith('select count(*)'));
    expect(plans).toEqual([expect.stringMatching(/SEARCH predictions USING COVERING INDEX predictions_model_seq \(model_id=\? AND seq>\?\)/)]);
  });
});
