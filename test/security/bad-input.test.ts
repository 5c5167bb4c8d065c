import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleTrainingData } from '../../src/training/training-data.js';
import { ClusteredData } from '../support/clustered-data.js';
import { nestedJson } from '../support/fuzz.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('bad input answers 4xx, never 500, and stores nothing', () => {
  let server: TestServer;
  let m: SeededModel;
  const predictions = () => `/v1/models/${m.name}/predictions`;
  const stored = async () => (await server.request('GET', `/v1/models/${m.name}`)).body.counts as { examples: { train: number }; predictions: number };

  beforeAll(async () => {
    server = await startTestServer();
    m = await seedModel(server, { dim: 4, examples: 40 });
  });
  afterAll(() => server.stop());

  it.each([
    ['1e200 (its square overflows)', [1e200, 0, 0, 0]],
    ['3.5e38 (past float32)', [3.5e38, 0, 0, 0]],
    ['a squared norm past float32', [1e19, 1e19, 1e19, 1e19]],
    ['-1e300', [-1e300, 1, 1, 1]],
  ])('when an embedding holds %s, then examples, predictions and predict refuse it', async (_what, embedding) => {
    const before = await stored();
    const ex = await server.request('POST', `/v1/models/${m.name}/examples`, { examples: [{ id: 'big', embedding, concepts: ['c0'] }] });
    expect(ex.status).toBe(400);
    const pr = await server.request('POST', predictions(), { predictions: [{ ...predictionFor(m, 'big', 0), embedding }] });
    expect(pr.status).toBe(400);
    expect(pr.body.error.details.indexes).toEqual([0]);
    expect((await server.request('POST', `/v1/models/${m.name}/predict`, { embeddings: [embedding] })).status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('when a body holds more records, members or objects than any route takes, then it is refused before validation reads it, and nothing is stored', async () => {
    // Validation makes an issue for every bad member: 100,000 empty records answered 500 (the
    // stack of zod's issue list), and a 21 MB body of them grew the heap past 4 GB.
    const before = await stored();
    const empties = (n: number) => Array(n).fill('{}').join(',');
    const tooMany = await server.request('POST', predictions(), `{"predictions":[${empties(10_001)}]}`);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.message).toMatch(/10,000-record limit/);
    expect((await server.request('POST', `/v1/models/${m.name}/labels`, `{"labels":[${empties(100_000)}]}`)).status).toBe(413);
    expect((await server.request('POST', `/v1/models/${m.name}/predict`, `{"embeddings":[${Array(10_001).fill('[1,0,0,0]').join(',')}]}`)).status).toBe(413);
    const keys = Array.from({ length: 10_001 }, (_, i) => `"k${i}":{}`).join(',');
    const wideScores = await server.request('POST', predictions(), `{"predictions":[{"id":"wide","embedding":[1,0,0,0],"scores":{${keys}}}]}`);
    expect(wideScores.status).toBe(400);
    expect(JSON.stringify(wideScores.body)).toMatch(/more than 10,000 members/);
    const nested = await server.request('POST', predictions(), `{"predictions":[{"id":"deep","embedding":[1,0,0,0],"scores":{},"metadata":{"a":[1,${empties(10_001)}]}}]}`);
    expect(nested.status).toBe(400);
    const objects = await server.request('POST', predictions(), `{"predictions":[{"id":"many","embedding":[1,0,0,0],"scores":{},"metadata":{"a":[${Array(1_000).fill(`[${empties(1_001)}]`).join(',')}]}}]}`);
    expect(objects.status).toBe(413);
    expect(objects.body.error.message).toMatch(/more than 1,000,000 JSON objects and arrays/);
    expect(await stored()).toEqual(before);
    expect((await server.request('POST', predictions(), { predictions: [predictionFor(m, 'after-wide', 0)] })).status).toBe(200);
  });

  it('when an item id is past what JavaScript holds exactly, then renew, similar items and retract refuse it with 400 instead of reading another item', async () => {
    const big = '9999999999999999'; // Number() reads it as 10000000000000000
    expect((await server.request('POST', `/v1/models/${m.name}/queue/items/${big}/renew`, { labeler: 'ann' })).status).toBe(400);
    expect((await server.request('GET', `/v1/models/${m.name}/queue/items/${big}/similar`)).status).toBe(400);
    expect((await server.request('POST', `/v1/models/${m.name}/labels/retract`, { labeler: 'ann', itemIds: [big] })).status).toBe(400);
    expect((await server.request('POST', `/v1/models/${m.name}/labels/retract`, { labeler: 'ann', itemIds: [2 ** 53] })).status).toBe(400);
    expect((await server.request('POST', `/v1/models/${m.name}/labels/retract`, { labeler: 'ann', itemIds: ['9007199254740991'] })).status).toBe(200);
    // An id that names no item: 404, as similar items answer, not "holds no live lease; claim again".
    const unknown = await server.request('POST', `/v1/models/${m.name}/queue/items/999999/renew`, { labeler: 'ann' });
    expect([unknown.status, unknown.body.error.message]).toEqual([404, `Model '${m.name}' has no queue item 999999`]);
  });

  it('when predict is sent a bad embedding, then the error says nothing was scored (predict stores nothing anyway)', async () => {
    const res = await server.request('POST', `/v1/models/${m.name}/predict`, { embeddings: [[1, 2]] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('1 invalid embedding; nothing was scored');
  });

  it('when an embedding is large but safe in float32, then it is accepted', async () => {
    const res = await server.request('POST', predictions(), { predictions: [{ ...predictionFor(m, 'large-ok', 0), embedding: [1e18, 1e18, 1, 1] }] });
    expect(res.status).toBe(200);
  });

  it.each([
    ['an out-of-range number', { ood: { k: 0 } }],
    ['a wrong type', { ood: { k: 'ten' } }],
    ['a group that is not an object', { queue: 5 }],
    ['an unknown setting', { nope: 1 }],
    ['a misspelt setting in a group', { drift: { treshold: 0.3 } }],
    ['a misspelt setting deeper down', { retrain: { minNewLabel: 5 } }],
    ['a non-http webhook', { webhooks: ['ftp://example.org/hook'] }],
    ['a javascript: webhook', { webhooks: [{ url: 'javascript:alert(1)' }] }],
    ['a negative lease count', { queue: { maxLeases: -1 } }],
  ])('when settings hold %s, then PUT answers 400 naming the setting', async (_what, settings) => {
    const res = await server.request('PUT', `/v1/models/${m.name}`, { task: 'multiclass', embeddingDim: 4, encoder: 'test-encoder@1', concepts: m.concepts.map((id) => ({ id })), settings });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/settings/);
  });

  it('when the settings a GET returned are sent back, then every one of them is accepted', async () => {
    const model = (await server.request('GET', `/v1/models/${m.name}`)).body;
    const res = await server.request('PUT', `/v1/models/${m.name}`, { task: model.task, embeddingDim: model.embeddingDim, encoder: model.encoder, concepts: model.concepts, settings: model.settings });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.settings).toEqual(model.settings);
  });

  it('when settings hold a __proto__ key, then it changes nothing and pollutes no prototype', async () => {
    const body = `{"task":"multiclass","embeddingDim":4,"encoder":"test-encoder@1","concepts":[{"id":"c0"},{"id":"c1"},{"id":"c2"},{"id":"c3"}],"settings":{"__proto__":{"polluted":1},"queue":{"__proto__":{"polluted":1}}}}`;
    const res = await server.request('PUT', `/v1/models/${m.name}`, body);
    expect([200, 400]).toContain(res.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(res.body.settings?.polluted ?? res.body.settings?.queue?.polluted).toBeUndefined();
  });

  it('when metadata nests 100,000 levels deep, then JSON and NDJSON bodies answer 400', async () => {
    const before = await stored();
    const record = JSON.stringify(predictionFor(m, 'deep', 0)).replace(/}$/, `,"metadata":${nestedJson(100_000)}}`);
    const res = await server.request('POST', predictions(), `{"predictions":[${record}]}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([0]);
    const example = `{"id":"deep","embedding":[1,0,0,0],"concepts":["c0"],"metadata":${nestedJson(100_000)}}`;
    const nd = await fetch(`${server.url}/v1/models/${m.name}/examples`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: example });
    expect(nd.status).toBe(400);
    const ex = await server.request('POST', `/v1/models/${m.name}/examples`, `{"examples":[${example}]}`);
    expect(ex.status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('when an id, a metadata key or a labeler holds a lone UTF-16 surrogate, then the answer is 400', async () => {
    const before = await stored();
    const p = predictionFor(m, 'x', 0);
    for (const body of [
      JSON.stringify({ predictions: [{ ...p, id: 'lone' }] }).replace('"lone"', '"lone\\ud800"'),
      JSON.stringify({ predictions: [{ ...p, id: 'ok-key', metadata: { key: 1 } }] }).replace('"key"', '"\\udc00key"'),
      JSON.stringify({ predictions: [{ ...p, id: 'ok-text', input: { text: 'x' } }] }).replace('"x"', '"\\ud83d"'),
      // A body of 64 KB or more is parsed a record at a time (src/http/json-pieces.ts): the same check holds there.
      JSON.stringify({ predictions: [...Array.from({ length: 1500 }, (_, i) => ({ ...p, id: `bulk-${i}` })), { ...p, id: 'lone' }] }).replace('"lone"', '"lone\\ud800"'),
    ]) {
      const res = await server.request('POST', predictions(), body);
      expect(res.status, body.slice(0, 80)).toBe(400);
    }
    const claim = await server.request('POST', `/v1/models/${m.name}/queue/claim`, '{"labeler":"ann\\udfff"}');
    expect(claim.status).toBe(400);
    expect(await stored()).toEqual(before);
    const pair = await server.request('POST', predictions(), JSON.stringify({ predictions: [{ ...p, id: 'pair-😀' }] }));
    expect(pair.status).toBe(200);
  });

  it('when a path names an Object.prototype property, then the answer is 404', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect((await fetch(`${server.url}/docs/assets/${name}`)).status, name).toBe(404);
    }
  });
});

describe('concept ids that are Object.prototype names', () => {
  let server: TestServer;
  const concepts = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  const data = new ClusteredData({ dim: 4, clusters: 4, spread: 0.2, seed: 3 });
  const scores = (c: number) => Object.fromEntries(concepts.map((id, i) => [id, i === c ? 0.4 : 0.2]));

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('when a model uses them, then examples, predictions, claims, labels, drift and the report work', async () => {
    expect((await server.request('PUT', '/v1/models/proto', { task: 'multilabel', embeddingDim: 4, concepts: concepts.map((id) => ({ id })) })).status).toBe(201);
    const examples = Array.from({ length: 40 }, (_, i) => ({ id: `e${i}`, embedding: data.point(i % 4), concepts: [concepts[i % 4]!] }));
    expect((await server.request('POST', '/v1/models/proto/examples', { examples })).status).toBe(200);
    const preds = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, embedding: data.outlier(), scores: scores(i % 4) }));
    const ingested = await server.request('POST', '/v1/models/proto/predictions', { predictions: preds });
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(200);
    const missing = await server.request('POST', '/v1/models/proto/predictions', { predictions: [{ id: 'q', embedding: data.point(0), scores: { toString: 1 } }] });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('missing scores for: constructor, hasOwnProperty, valueOf');
    const claim = await server.request('POST', '/v1/models/proto/queue/claim', { labeler: 'ann', limit: 1 });
    expect(claim.status).toBe(200);
    const itemId = claim.body.items[0].itemId;
    expect((await server.request('POST', '/v1/models/proto/labels', { labels: [{ itemId, labeler: 'ann', concepts: ['constructor'] }] })).status).toBe(200);
    for (const path of ['/v1/models/proto/drift', '/v1/models/proto/report', '/v1/models/proto/health', '/v1/models/proto/queue', '/ui/models/proto/report', '/']) {
      const res = await server.request('GET', path);
      expect(res.status, path).toBe(200);
    }
  });

  it('when __proto__ is used as a concept id, then the answer is 400', async () => {
    const res = await server.request('PUT', '/v1/models/proto2', { task: 'multiclass', embeddingDim: 4, concepts: [{ id: '__proto__' }, { id: 'b' }] });
    expect(res.status).toBe(400);
  });
});

describe('training on what is already stored', () => {
  it('when stored rows hold non-finite values, then the training data leaves them out', () => {
    const good = { id: 'g', embedding: [1, 0], concepts: ['a'], split: 'train' as const };
    const data = assembleTrainingData({
      task: 'multiclass',
      dim: 2,
      taxonomy: ['a'],
      addedConcepts: [],
      originals: [good, { ...good, id: 'inf', embedding: Float32Array.from([1e200, 0]) }, { ...good, id: 'nan', embedding: [NaN, 0] }],
      production: [],
      validationShare: 0.0001,
    });
    const ids = [...data.fit.ids, ...data.validation.ids];
    expect(ids).toEqual(['g']);
    expect(Array.from(data.fit.x).every(Number.isFinite)).toBe(true);
  });
});
