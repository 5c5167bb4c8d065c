import { describe, expect, it } from 'vitest';
import { insertExamples } from '../../src/examples/examples.repository.js';
import { scoredEvalVersion } from '../../src/examples/example-reads.repository.js';
import { encodeVector } from '../../src/util/vectors.js';
import { databaseWithTwoModels } from '../support/models-database.js';

const AT = '2026-12-01T00:00:00.000Z';

// Every drift evaluation asks for this version (whether the calibration pairs changed): it read
// every eval example's row to test scores_json, 20 ms on the event loop at 20k eval examples.
describe('the version of the eval examples sent with scores', () => {
  it('when examples of both splits and models are stored, with and without scores, then it counts the model\'s scored eval examples and their highest seq', async () => {
    const { db, models, model, other } = await databaseWithTwoModels();
    const rows = Array.from({ length: 60 }, (_, i) => ({
      model_id: i % 5 === 0 ? other.id : model.id, id: `ex-${i}`, split: i % 3 === 0 ? ('eval' as const) : ('train' as const), source: 'original' as const,
      concepts_json: '["a"]', embedding: encodeVector([i, 0]), created_at: AT, ...(i % 2 === 0 ? { scores_json: '{"a":0.9,"b":0.1}', top_score: 0.9 } : {}),
    }));
    const seqs = await insertExamples(db, rows);
    const scoredEval = rows.flatMap((r, i) => (r.model_id === model.id && r.split === 'eval' && r.scores_json ? [Number(seqs[i])] : []));
    expect(scoredEval.length).toBeGreaterThan(1);
    expect(await scoredEvalVersion(db, model.id)).toEqual({ count: scoredEval.length, maxSeq: Math.max(...scoredEval) });
    const { model: empty } = await models.put('empty', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] });
    expect(await scoredEvalVersion(db, empty.id)).toEqual({ count: 0, maxSeq: null });
  });
});
