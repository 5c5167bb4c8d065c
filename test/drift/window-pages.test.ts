import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/event-bus.js';
import { insertExamples } from '../../src/examples/examples.repository.js';
import { trainVersion } from '../../src/examples/example-reads.repository.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ownerReads } from '../../src/composition/ports.js';
import { streamWindow } from '../../src/predictions/prediction-reads.repository.js';
import { insertPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { decodeVector, encodeVector } from '../../src/util/vectors.js';
import { WindowEmbeddings } from '../../src/drift/production-window.js';
import type { PredictionWindowReader } from '../../src/drift/drift.ports.js';
import { ManualClock } from '../support/clock.js';
import { databaseWithTwoModels } from '../support/models-database.js';

const AT = '2026-12-01T00:00:00.000Z';
const setup = () => databaseWithTwoModels();

function prediction(modelId: number, i: number): NewPredictionRow {
  return {
    model_id: modelId, id: `p-${i}`, embedding: encodeVector([i, 1]), scores_json: '{}', predicted: i % 3 ? 'a' : 'b', top_score: (i % 10) / 10,
    encoder: null, model_version: null, timestamp: AT, input_json: null, metadata_json: null, ood_distance: 0.1, ood_score: 0.2,
    is_ood: i % 4 === 0 ? 1 : 0, uncertainty: 0.1, least_confidence: 0.1, entropy: 0.5, knn_concept: 'a', knn_agreement: 1, disagreement: 0, priority: 0.2,
    neighbors_json: '[]', created_at: AT,
  };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

// Drift reads the window and the train split's version a page per statement, with a turn of the
// event loop between pages (one statement each held the loop 4–11 ms): the pages must add up to
// what one statement reads.
describe('the drift window and the train version read in pages', () => {
  it('when the window spans many pages, then it is the model\'s last predictions, newest first, as one read gives', async () => {
    const { db, model, other } = await setup();
    // Another model's predictions interleaved, so a page boundary by seq alone would pick them up.
    await insertPredictions(db, Array.from({ length: 40 }, (_, i) => prediction(i % 2 ? other.id : model.id, i)));
    const paged = await collect(streamWindow(db, model.id, 13, 4));
    const whole = await collect(streamWindow(db, model.id, 13, 1000));
    expect(paged).toEqual(whole);
    expect(paged).toHaveLength(13);
    expect(paged.map((r) => r.seq)).toEqual([...paged.map((r) => r.seq)].sort((a, b) => b - a));
    // A window larger than the model's predictions holds them all, and stops at the last page.
    expect(await collect(streamWindow(db, model.id, 100, 4))).toEqual(await collect(streamWindow(db, model.id, 100, 1000)));
    expect(await collect(streamWindow(db, model.id, 100, 4))).toHaveLength(20);
    expect(await collect(streamWindow(db, model.id, 20, 5))).toHaveLength(20);
  });

  it('when the train split spans many pages, then its count and highest seq are the ones one count gives, eval examples left out', async () => {
    const { db, model, other } = await setup();
    const rows = Array.from({ length: 90 }, (_, i) => ({
      model_id: i % 5 === 0 ? other.id : model.id, id: `ex-${i}`, split: i % 9 === 0 ? ('eval' as const) : ('train' as const), source: 'original' as const,
      concepts_json: '["a"]', embedding: encodeVector([i, 0]), created_at: AT,
    }));
    await insertExamples(db, rows);
    const stored = await db.selectFrom('examples').select(['seq', 'model_id', 'split']).orderBy('seq').execute();
    const train = stored.filter((r) => r.model_id === model.id && r.split === 'train');
    const expected = { count: train.length, maxSeq: Number(train.at(-1)!.seq) };
    expect(await trainVersion(db, model.id, 7)).toEqual(expected);
    expect(await trainVersion(db, model.id, train.length)).toEqual(expected);
    expect(await trainVersion(db, model.id)).toEqual(expected);
    const models = new ModelsService(db, new EventBus(), new ManualClock(), ownerReads(db));
    const { model: empty } = await models.put('empty', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] });
    expect(await trainVersion(db, empty.id, 7)).toEqual({ count: 0, maxSeq: 0 });
  });

  it('when the window\'s sample moves, then its embeddings are the ones a fresh read gives, and only the seqs new to it are read', async () => {
    const { db, model, other } = await setup();
    await insertPredictions(db, Array.from({ length: 40 }, (_, i) => prediction(i % 2 ? other.id : model.id, i)));
    const seqs = (await collect(streamWindow(db, model.id, 20, 1000))).map((r) => r.seq).reverse();
    const real = ownerReads(db).predictions;
    const requested: number[] = [];
    const counting: PredictionWindowReader = { ...real, predictionEmbeddingsBySeq: (modelId, asked) => (requested.push(...asked), real.predictionEmbeddingsBySeq(modelId, asked)) };
    const kept = new WindowEmbeddings(counting);
    await kept.read(model, { sampleSeqs: seqs.slice(0, 12) });
    requested.length = 0;
    // Moved: some seqs left, some new, one with no stored prediction (skipped), in an order of its own.
    const moved = [seqs[15]!, ...seqs.slice(4, 12).reverse(), 999_999, seqs[12]!];
    const read = await kept.read(model, { sampleSeqs: moved });
    expect(requested.sort((a, b) => a - b)).toEqual([seqs[12]!, seqs[15]!, 999_999].sort((a, b) => a - b));
    expect(read).toEqual(await new WindowEmbeddings(real).read(model, { sampleSeqs: moved }));
    expect(read).toHaveLength(10);
    // Cosine (the default metric): unit vectors of the stored [i, 1].
    const stored = await real.predictionEmbeddingsBySeq(model.id, [seqs[15]!]);
    const v = decodeVector(stored.get(seqs[15]!)!);
    const norm = Math.hypot(v[0]!, v[1]!);
    expect(Array.from(read[0]!)).toEqual([Math.fround(v[0]! / norm), Math.fround(v[1]! / norm)]);
  });
});
