import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFloat32Base64 } from '../../src/util/vectors.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A record with its embedding as base64 of float32 bytes instead of numbers. */
function packed<T extends { embedding: number[] }>({ embedding, ...rest }: T) {
  return { ...rest, embeddingBase64: encodeFloat32Base64(embedding) };
}

describe('embeddings sent as base64 of float32 bytes (embeddingBase64)', () => {
  let server: TestServer;
  let m: SeededModel;
  const counts = async () => (await server.request('GET', `/v1/models/${m.name}`)).body.counts as { predictions: number; examples: { train: number; eval: number } };

  beforeAll(async () => {
    server = await startTestServer();
    m = await seedModel(server, { dim: 8, examples: 200 });
  });
  afterAll(() => server.stop());

  it('when a prediction comes as base64, then it is scored exactly as the same values sent as numbers', async () => {
    const sent = [predictionFor(m, 'num-0', 0), predictionFor(m, 'num-1', 2), predictionFor(m, 'num-2', 0, { outlier: true })];
    const asNumbers = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: sent });
    const asBase64 = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: sent.map((p) => packed({ ...p, id: `b64-${p.id}` })) });
    expect(asNumbers.status).toBe(200);
    expect(asBase64.status).toBe(200);
    expect(asBase64.body.accepted).toBe(3);
    const scored = (r: { ood: unknown; uncertainty: number; priority: number }) => [r.ood, r.uncertainty, r.priority];
    expect(asBase64.body.results.map(scored)).toEqual(asNumbers.body.results.map(scored));
    // The outlier is flagged through either spelling: the comparison above is not of two empty answers.
    expect(asBase64.body.results[2].ood.isOod).toBe(true);
  });

  it('when a batch mixes both spellings, then each record is taken in its own', async () => {
    const res = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [predictionFor(m, 'mix-0', 1), packed(predictionFor(m, 'mix-1', 1))] });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
  });

  it('when base64 is not float32 values of the model’s dimension, then the batch is refused naming the record and nothing is stored', async () => {
    const before = await counts();
    const good = packed(predictionFor(m, 'bad-0', 0));
    const cases: [unknown, string][] = [
      [{ ...good, id: 'bad-1', embeddingBase64: 'not base64!' }, 'embeddingBase64'],
      [{ ...good, id: 'bad-2', embeddingBase64: encodeFloat32Base64([1, 2, 3]) }, 'embedding'],
      [{ ...good, id: 'bad-3', embeddingBase64: Buffer.from(new Float32Array([Number.NaN, 0, 0, 0, 0, 0, 0, 1]).buffer).toString('base64') }, 'embeddingBase64'],
      [{ ...predictionFor(m, 'bad-4', 0), embeddingBase64: good.embeddingBase64 }, 'embeddingBase64'],
    ];
    for (const [bad, field] of cases) {
      const res = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [good, bad] });
      expect(res.status).toBe(400);
      expect(res.body.error.details.indexes).toEqual([1]);
      expect(res.body.error.details.problems[0].field).toBe(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('when examples come as base64, in JSON or NDJSON, then they are stored, and the same id again in numbers is a duplicate', async () => {
    const before = await counts();
    const example = (id: string, c: number) => ({ id, embedding: m.data.point(c), concepts: [m.concepts[c]!], split: 'train' as const });
    const json = await server.request('POST', `/v1/models/${m.name}/examples`, { examples: [packed(example('b64-e0', 0)), packed(example('b64-e1', 1))] });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ inserted: 2, duplicates: 0 });
    const lines = [packed(example('b64-e2', 2)), packed(example('b64-e3', 3))].map((e) => JSON.stringify(e)).join('\n');
    const ndjson = await fetch(`${server.url}/v1/models/${m.name}/examples`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
    expect(ndjson.status).toBe(200);
    expect(await ndjson.json()).toMatchObject({ inserted: 2, duplicates: 0 });
    const again = await server.request('POST', `/v1/models/${m.name}/examples`, { examples: [example('b64-e0', 0)] });
    expect(again.body).toMatchObject({ inserted: 0, duplicates: 1 });
    expect((await counts()).examples.train).toBe(before.examples.train + 4);
  });

  it('when the API is documented, then both record schemas offer embeddingBase64 beside embedding, and require neither alone', async () => {
    const doc = (await server.request('GET', '/openapi.json')).body;
    for (const name of ['Prediction', 'Example']) {
      const schema = doc.components.schemas[name];
      expect(schema.properties.embeddingBase64).toMatchObject({ type: 'string' });
      expect(schema.properties.embedding).toMatchObject({ type: 'array' });
      expect(schema.required ?? []).not.toContain('embedding');
    }
  });
});
