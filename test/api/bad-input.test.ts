import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('bad input is refused whole, with the JSON error shape', () => {
  let server: TestServer;
  let m: SeededModel;
  const path = () => `/v1/models/${m.name}/predictions`;
  const good = (id: string) => predictionFor(m, id, 0);
  const storedPredictions = async () => (await server.request('GET', `/v1/models/${m.name}`)).body.counts.predictions as number;

  beforeAll(async () => {
    server = await startTestServer();
    m = await seedModel(server, { dim: 8, examples: 200 });
  });
  afterAll(() => server.stop());

  /** Sends a batch whose record at `badIndex` is broken and checks nothing of it was stored. */
  async function expectRejected(bad: unknown, status = 400, badIndex = 1) {
    const before = await storedPredictions();
    const predictions = [good(`ok-${Math.random()}`), good(`ok-${Math.random()}`)];
    predictions.splice(badIndex, 0, bad as ReturnType<typeof good>);
    const res = await server.request('POST', path(), { predictions });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    if (status === 400) expect(res.body.error.details.indexes).toEqual([badIndex]);
    expect(await storedPredictions()).toBe(before);
    return res;
  }

  it('when an embedding has the wrong dimension, then the batch is rejected naming its index', async () => {
    const res = await expectRejected({ ...good('dim'), embedding: [1, 2, 3] });
    expect(JSON.stringify(res.body.error.details)).toContain('expected 8 dimensions');
  });

  it('when an embedding holds 1e400 (Infinity after parsing), then the batch is rejected', async () => {
    const before = await storedPredictions();
    const body = JSON.stringify({ predictions: [good('inf-ok')] }).replace(/"embedding":\[[^,]+/, '"embedding":[1e400');
    const res = await server.request('POST', path(), body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([0]);
    expect(await storedPredictions()).toBe(before);
  });

  it('when an embedding holds a string or null, then the batch is rejected', async () => {
    await expectRejected({ ...good('str'), embedding: [...good('x').embedding.slice(1), 'a'] });
    await expectRejected({ ...good('nul'), embedding: [...good('x').embedding.slice(1), null] });
  });

  it('when an embedding is the zero vector under cosine, then the batch is rejected', async () => {
    const res = await expectRejected({ ...good('zero'), embedding: new Array(8).fill(0) });
    expect(JSON.stringify(res.body)).toContain('zero vector');
  });

  it('when scores name a concept outside the taxonomy, then the batch is rejected', async () => {
    await expectRejected({ ...good('extra'), scores: { ...good('x').scores, porter: 0.1 } });
  });

  it('when scores miss a concept, then the batch is rejected', async () => {
    const { c0: _drop, ...rest } = good('x').scores;
    await expectRejected({ ...good('missing'), scores: rest });
  });

  it('when an id appears twice in one batch, then the batch is rejected', async () => {
    const before = await storedPredictions();
    const res = await server.request('POST', path(), { predictions: [good('twice'), good('other'), good('twice')] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([2]);
    expect(await storedPredictions()).toBe(before);
  });

  it('when the encoder differs from the model’s, then the batch is rejected', async () => {
    const res = await expectRejected({ ...good('enc'), encoder: 'clip-vit-b32@3' });
    expect(JSON.stringify(res.body)).toContain('test-encoder@1');
  });

  it('when the model is unknown, then the answer is 404', async () => {
    const res = await server.request('POST', '/v1/models/ghost/predictions', { predictions: [good('g')] });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('when the JSON is malformed, then the answer is 400 and nothing is stored', async () => {
    const before = await storedPredictions();
    const res = await server.request('POST', path(), '{"predictions":[{"id":"a",');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Malformed JSON/);
    expect(await storedPredictions()).toBe(before);
  });

  it('when the body is over the size limit, then the answer is 413', async () => {
    const limit = server.driftloop.services.config.limits.maxBodyBytes;
    const res = await server.request('POST', path(), `{"predictions":[],"pad":"${'x'.repeat(limit)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('when a batch has more records than allowed, then the answer is 413', async () => {
    const max = server.driftloop.services.config.limits.maxBatchRecords;
    const one = good('many');
    const predictions = Array.from({ length: max + 1 }, (_, i) => ({ ...one, id: `many-${i}`, embedding: [1, 0, 0, 0, 0, 0, 0, 0] }));
    const res = await server.request('POST', path(), { predictions });
    expect(res.status).toBe(413);
  });

  it('when several records are bad, then every bad index is listed', async () => {
    const res = await server.request('POST', path(), {
      predictions: [good('a1'), { ...good('a2'), embedding: [1] }, good('a3'), { ...good('a4'), encoder: 'other' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([1, 3]);
  });

  it('when a record misses its embedding, then the message names the batch’s records as the service does and says what is missing', async () => {
    const { embedding: _, ...withoutEmbedding } = good('miss-1');
    const missing = await server.request('POST', path(), { predictions: [good('miss-0'), withoutEmbedding] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('1 invalid prediction; nothing was stored');
    expect(missing.body.error.details.problems).toEqual([{ index: 1, field: 'embedding', message: 'required: an array of numbers (embedding), or base64 of float32 bytes (embeddingBase64)' }]);
    // A check of the service (not the schema) says it the same way.
    const wrongDim = await server.request('POST', path(), { predictions: [{ ...good('miss-2'), embedding: [1] }] });
    expect(wrongDim.body.error.message).toBe('1 invalid prediction; nothing was stored');
    const two = await server.request('POST', path(), { predictions: [withoutEmbedding, { ...withoutEmbedding, id: 'miss-3' }] });
    expect(two.body.error.message).toBe('2 invalid predictions; nothing was stored');
    const examples = await server.request('POST', `/v1/models/${m.name}/examples`, { examples: [{ id: 'x', embedding: [1, 0, 0, 0, 0, 0, 0, 0] }] });
    expect(examples.body.error.message).toBe('1 invalid example; nothing was stored');
    // Any field left out says so, in a batch or in a plain body.
    expect(examples.body.error.details.problems).toEqual([{ index: 0, field: 'concepts', message: 'required: expected array' }]);
    const { scores: _s, ...withoutScores } = good('miss-4');
    const noScores = await server.request('POST', path(), { predictions: [withoutScores] });
    expect(noScores.body.error.details.problems).toEqual([{ index: 0, field: 'scores', message: 'required: expected object' }]);
    const claim = await server.request('POST', `/v1/models/${m.name}/queue/claim`, {});
    expect(claim.body.error.details).toEqual([{ path: 'labeler', message: 'required: expected string' }]);
  });

  it('when a stored id is sent again, then it counts as a duplicate and nothing changes', async () => {
    const first = await server.request('POST', path(), { predictions: [good('dup-1')] });
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const count = await storedPredictions();
    const again = await server.request('POST', path(), { predictions: [{ ...good('dup-1'), embedding: m.data.outlier() }, good('dup-2')] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(again.body.results[0]).toEqual({ ...first.body.results[0], duplicate: true });
    expect(await storedPredictions()).toBe(count + 1);
  });

  it('when an example batch has an unknown concept, then no example of it is stored', async () => {
    const before = (await server.request('GET', `/v1/models/${m.name}`)).body.counts.examples;
    const res = await server.request('POST', `/v1/models/${m.name}/examples`, {
      examples: [
        { id: 'new-1', embedding: m.data.point(0), concepts: ['c0'] },
        { id: 'new-2', embedding: m.data.point(1), concepts: ['porter'] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([1]);
    expect((await server.request('GET', `/v1/models/${m.name}`)).body.counts.examples).toEqual(before);
  });

  it('when a multilabel example names a concept twice, then the batch is rejected naming its index', async () => {
    const put = await server.request('PUT', '/v1/models/tags-twice', { task: 'multilabel', embeddingDim: m.data.spec.dim, concepts: m.concepts.map((id) => ({ id })) });
    expect(put.status).toBe(201);
    const res = await server.request('POST', '/v1/models/tags-twice/examples', {
      examples: [
        { id: 'twice-1', embedding: m.data.point(0), concepts: ['c0', 'c1'] },
        { id: 'twice-2', embedding: m.data.point(1), concepts: ['c1', 'c1', 'c2'] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([1]);
  });

  it('when a string or key holds U+0000 (PostgreSQL cannot store it), then every route answers 400 and stores nothing', async () => {
    const before = (await server.request('GET', `/v1/models/${m.name}`)).body.counts;
    const p = good('nul-ok');
    const nul = (body: unknown, text: string) => JSON.stringify(body).replace(text, `${text}\\u0000`);
    const cases: [string, string][] = [
      [path(), nul({ predictions: [{ ...p, id: 'nul-id' }] }, 'nul-id')],
      [path(), nul({ predictions: [{ ...p, metadata: { app: 'nul-meta' } }] }, 'nul-meta')],
      [path(), nul({ predictions: [{ ...p, metadata: { 'nul-key': 1 } }] }, 'nul-key')],
      [path(), nul({ predictions: [{ ...p, input: { text: 'nul-text' }, modelVersion: 'v1' }] }, 'nul-text')],
      [path(), nul({ predictions: [{ ...p, modelVersion: 'nul-v' }] }, 'nul-v')],
      [`/v1/models/${m.name}/examples`, nul({ examples: [{ id: 'nul-ex', embedding: m.data.point(0), concepts: ['c0'] }] }, 'nul-ex')],
      [`/v1/models/${m.name}/queue/claim`, nul({ labeler: 'ann' }, 'ann')],
      [`/v1/models/${m.name}/labels`, nul({ labels: [{ itemId: '1', labeler: 'ann', concepts: ['c0'] }] }, 'ann')],
      [`/v1/models/${m.name}/labels/retract`, nul({ labeler: 'ann', itemIds: ['1'] }, 'ann')],
    ];
    for (const [at, body] of cases) {
      const res = await server.request('POST', at, body);
      expect(res.status, body.slice(0, 120)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const nd = await fetch(`${server.url}/v1/models/${m.name}/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: nul({ id: 'nul-nd', embedding: m.data.point(0), concepts: ['c0'] }, 'nul-nd'),
    });
    expect(nd.status).toBe(400);
    const put = await server.request('PUT', '/v1/models/nul-model', nul({ task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'a', description: 'nul-desc' }] }, 'nul-desc'));
    expect(put.status).toBe(400);
    expect((await server.request('GET', '/v1/models/nul-model')).status).toBe(404);
    expect((await server.request('GET', `/v1/models/${m.name}`)).body.counts).toEqual(before);
  });

  it('when a page names a model with characters no name has, then it answers 404, not 500', async () => {
    for (const name of ['%ff', '..%2F..', 'x'.repeat(200), '%E2%80%AE', '%C2%80']) {
      for (const page of ['report', 'label']) expect((await fetch(`${server.url}/ui/models/${name}/${page}`)).status, `${page} ${name}`).toBe(404);
    }
  });

  it('when a page names a model that does not exist, then the browser gets an HTML page saying so, not the API’s JSON', async () => {
    for (const page of ['report', 'label']) {
      const res = await fetch(`${server.url}/ui/models/no-such-model/${page}`);
      expect(res.status, page).toBe(404);
      expect(res.headers.get('content-type'), page).toMatch(/^text\/html/);
      const body = await res.text();
      expect(body, page).toMatch(/<h1>No model (&#39;|')no-such-model(&#39;|')<\/h1>/);
      expect(body, page).toContain('href="/"');
    }
    // A path under /ui/ that no page has is a page too; the API's unknown paths keep the JSON error.
    const unknownPage = await fetch(`${server.url}/ui/models`);
    expect([unknownPage.status, unknownPage.headers.get('content-type')]).toEqual([404, 'text/html; charset=UTF-8']);
    expect(await unknownPage.text()).toContain('<h1>No page at /ui/models</h1>');
    const unknownApi = await fetch(`${server.url}/v1/nothing`);
    expect([unknownApi.status, ((await unknownApi.json()) as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
  });

  it('when a HEAD asks for an unknown /ui/ path, then it answers as GET does (HTML 404) without a body; the API keeps the JSON 404', async () => {
    for (const path of ['/ui/models', '/ui/nothing/here']) {
      const [get, head] = [await fetch(`${server.url}${path}`), await fetch(`${server.url}${path}`, { method: 'HEAD' })];
      expect([head.status, head.headers.get('content-type')], path).toEqual([get.status, get.headers.get('content-type')]);
      expect([head.status, head.headers.get('content-type')], path).toEqual([404, 'text/html; charset=UTF-8']);
      expect(await head.text(), path).toBe('');
    }
    const unknownApi = await fetch(`${server.url}/v1/nothing`, { method: 'HEAD' });
    expect([unknownApi.status, unknownApi.headers.get('content-type'), await unknownApi.text()]).toEqual([404, 'application/json', '']);
  });

  it('when any path segment holds a control character, then the API and the pages answer 400 in the error shape before any lookup', async () => {
    const item = '1';
    const paths = [
      ['GET', `/v1/models/a%00b`],
      ['PUT', `/v1/models/%01`],
      ['GET', `/v1/models/${m.name}/queue/items/${item}%00/similar`],
      ['POST', `/v1/models/${m.name}/versions/%7f/promote`],
      ['GET', `/v1/models/${m.name}/versions/1%0a/model.json`],
      ['GET', `/v1/jobs/%1b`],
      ['GET', `/ui/models/%00/label`],
      ['GET', `/ui/models/x%09y/report`],
      ['GET', `/docs/assets/%00`],
      ['GET', `/no/such/%00/route`],
    ] as const;
    for (const [method, p] of paths) {
      const res = await fetch(server.url + p, { method, ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }) });
      expect(res.status, `${method} ${p}`).toBe(400);
      expect(res.headers.get('content-type'), p).toMatch(/^application\/json/);
      expect(((await res.json()) as any).error.code, p).toBe('validation_failed');
    }
    // An escaped percent sign is not a control character: %2500 is the text "%00".
    expect((await server.request('GET', '/v1/models/a%2500b')).status).toBe(400);
    expect((await fetch(`${server.url}/ui/models/a%2500b/label`)).status).toBe(404);
  });

  it('when the sign-in form is a broken multipart body, then it answers 400, not 500', async () => {
    const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'multipart/form-data; boundary=zz', origin: server.url }, body: 'key=x' });
    expect(res.status).toBe(400);
  });

  it('when examples arrive as NDJSON, then each line is stored, and a bad line rejects them all', async () => {
    const lines = [0, 1, 2].map((i) => JSON.stringify({ id: `nd-${i}`, embedding: m.data.point(i), concepts: [`c${i}`] }));
    const send = (body: string) =>
      fetch(`${server.url}/v1/models/${m.name}/examples`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    const bad = await send([...lines, '{"id":"nd-x",'].join('\n'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.details.indexes).toEqual([3]);
    const ok = await send(lines.join('\n') + '\n');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ inserted: 3, duplicates: 0 });
  });
});
