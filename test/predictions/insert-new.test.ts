import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { findStoredResults, insertNewPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { encodeVector } from '../../src/util/vectors.js';
import { databaseWithTwoModels } from '../support/models-database.js';

const setup = () => databaseWithTwoModels(3);

// Text that a literal or an array literal would have to quote: quotes, backslashes, braces, commas, NULL, non-ASCII.
const AWKWARD = ['say "hi"', 'back\\slash \\" both', '{a,b}', 'NULL', '', ' spaced ', 'é ✓ 😀', "it's", '\\x00ff', 'line\nbreak\ttab'];

function prediction(modelId: number, i: number): NewPredictionRow {
  const text = AWKWARD[i % AWKWARD.length]!;
  return {
    model_id: modelId,
    id: `p-${i} ${text}`,
    // Lengths and bytes vary, so a row taking another row's bytes shows.
    embedding: encodeVector(Array.from({ length: 1 + (i % 4) }, (_, j) => i + j / 7)),
    scores_json: JSON.stringify({ a: 1 / (i + 3), b: text }),
    predicted: i % 3 ? 'a' : 'b',
    top_score: 0.1 + 0.2 * i,
    encoder: i % 2 ? null : text,
    model_version: i % 3 ? `v${i}` : null,
    timestamp: `2026-12-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
    input_json: i % 5 ? JSON.stringify({ uri: `s3://bucket/${text}` }) : null,
    metadata_json: i % 4 ? null : JSON.stringify({ note: text, n: [i, null] }),
    ood_distance: 1e-300 * i,
    ood_score: 1 / 3,
    is_ood: i % 2,
    uncertainty: Math.PI / (i + 1),
    least_confidence: 1e21 + i,
    entropy: -0.5 * (i + 1),
    knn_concept: i % 6 ? 'a' : null,
    knn_agreement: i / 7,
    disagreement: (i + 1) % 2,
    priority: 123456.789 + i,
    neighbors_json: JSON.stringify([[i, 0.25]]),
    created_at: '2026-12-01T00:00:00.000Z',
  };
}

async function storedRows(db: DatabaseHandle['db'], modelId: number) {
  return db.selectFrom('predictions').selectAll().where('model_id', '=', modelId).orderBy('seq').execute();
}

describe('the ingest insert of predictions', () => {
  it('when rows hold nulls, quotes, backslashes and non-ASCII text over several statements, then each is stored as given, in order', async () => {
    const { database, model } = await setup();
    const rows = Array.from({ length: 230 }, (_, i) => prediction(model.id, i));
    const seqs = await database.db.transaction().execute((trx) => insertNewPredictions(database, trx, rows));
    const stored = await storedRows(database.db, model.id);
    expect(stored.map(({ seq, embedding, ...rest }) => ({ ...rest, embedding: Buffer.from(embedding) }))).toEqual(rows);
    // Sequence numbers follow the rows' order, and each id answers with its own.
    expect(stored.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(stored.map((r) => seqs.get(r.id))).toEqual(stored.map((r) => r.seq));
  });

  it('when some ids are stored already, then only the others are stored and answered', async () => {
    const { database, model } = await setup();
    const first = Array.from({ length: 5 }, (_, i) => prediction(model.id, i));
    await database.db.transaction().execute((trx) => insertNewPredictions(database, trx, first));
    const again = [prediction(model.id, 1), { ...prediction(model.id, 3), predicted: 'changed' }, prediction(model.id, 7), prediction(model.id, 8)];
    const seqs = await database.db.transaction().execute((trx) => insertNewPredictions(database, trx, again));
    expect([...seqs.keys()]).toEqual([prediction(model.id, 7).id, prediction(model.id, 8).id]);
    const stored = await storedRows(database.db, model.id);
    expect(stored.map((r) => r.id)).toEqual([...first, prediction(model.id, 7), prediction(model.id, 8)].map((r) => r.id));
    expect(stored.find((r) => r.id === prediction(model.id, 3).id)!.predicted).toBe(prediction(model.id, 3).predicted);
  });

  it('when stored results are looked up by ids that JSON or SQL would have to quote or could read as other values, then exactly the stored ones answer, each with its own scores', async () => {
    const { database, model } = await setup();
    // On SQLite the ids go as one JSON array: NUL, escapes, numbers, literals and JSON text must come back as the same strings.
    // PostgreSQL's text cannot hold NUL.
    const nul = database.dialect === 'sqlite' ? ['\u0000', 'a\u0000b'] : [];
    const odd = [...nul, '1', '1.0', '01', '-0', 'null', 'true', '[1]', '{"a":1}', '"q"', '\\', '\u2028', '😀', 'é'];
    const rows = [...odd.map((id, i) => ({ ...prediction(model.id, i), id })), ...Array.from({ length: 520 }, (_, i) => prediction(model.id, 100 + i))];
    const stored = rows.filter((_, i) => i % 2 === 0);
    await database.db.transaction().execute((trx) => insertNewPredictions(database, trx, stored));
    // More ids than one PostgreSQL statement takes (500), and ids the model does not have, some only a number or case apart.
    const asked = [...rows.map((r) => r.id), '1.00', '0', 'NULL', 'True', 'p-missing'];
    const found = await findStoredResults(database.db, model.id, asked);
    expect([...found.keys()].sort()).toEqual(stored.map((r) => r.id).sort());
    for (const r of stored) {
      expect(found.get(r.id)).toEqual({ id: r.id, ood_distance: r.ood_distance, ood_score: r.ood_score, is_ood: r.is_ood, uncertainty: r.uncertainty, priority: r.priority });
    }
    expect((await findStoredResults(database.db, model.id + 1, asked)).size).toBe(0);
    expect((await findStoredResults(database.db, model.id, [])).size).toBe(0);
  });
});
