import { afterEach, describe, expect, it } from 'vitest';
import { ownerReads } from '../../src/composition/ports.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { ReferenceSamples } from '../../src/drift/reference-sample.js';
import { EventBus } from '../../src/events/event-bus.js';
import { insertExamples } from '../../src/examples/examples.repository.js';
import { ModelsService } from '../../src/models/models.service.js';
import { encodeVectors } from '../../src/util/vectors.js';
import { ManualClock } from '../support/clock.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

// The train split is read a page at a time with a turn of the event loop between pages (one
// stream of a large split held the loop while claims and ingest batches waited): the pages must
// add up to the same bottom-k sample as one read of the whole split.
describe('the reference sample read in pages', () => {
  it('when the train split spans many pages, then the sample is the one a single read gives, and eval examples stay out', async () => {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
    const models = new ModelsService(database.db, new EventBus(), new ManualClock(), ownerReads(database.db));
    const def = { task: 'multiclass' as const, embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }], settings: { drift: { mmd: { referenceSize: 20 } } } };
    const model = (await models.put('m', def)).model;
    const points = Array.from({ length: 90 }, (_, i) => [Math.cos(i), Math.sin(i)]);
    const blobs = encodeVectors(points);
    await insertExamples(
      database.db,
      points.map((_, i) => ({ model_id: model.id, id: `ex-${i}`, split: i % 9 === 0 ? 'eval' : 'train', source: 'original', concepts_json: JSON.stringify([i % 2 ? 'a' : 'b']), embedding: blobs[i]!, created_at: '2026-12-01T00:00:00.000Z' })),
    );
    const reads = ownerReads(database.db).examples;
    const paged = await new ReferenceSamples(reads, 7).get(model);
    const whole = await new ReferenceSamples(reads, 1000).get(model);
    expect(paged.trainCount).toBe(80);
    expect(paged.embeddings).toHaveLength(20);
    expect(paged.key).toBe(whole.key);
    expect(paged.embeddings.map((e) => [...e])).toEqual(whole.embeddings.map((e) => [...e]));
    expect(paged.labelCounts).toEqual(whole.labelCounts);
    const evalPoints = new Set(points.filter((_, i) => i % 9 === 0).map((p) => JSON.stringify(p.map((x) => Math.fround(x)))));
    expect(paged.embeddings.some((e) => evalPoints.has(JSON.stringify([...e])))).toBe(false);
  });
});
