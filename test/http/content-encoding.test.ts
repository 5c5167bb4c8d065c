import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
const examples = { examples: [{ id: 'e1', embedding: [1, 0], concepts: ['a'] }] };

describe('compressed request bodies', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.request('PUT', '/v1/models/m', model)).status).toBe(201);
  });
  afterAll(() => server.stop());

  it.each(['gzip', 'deflate', 'br', 'GZIP '])('when a body arrives with Content-Encoding %s, then it is refused with 415 and Accept-Encoding: identity, and nothing is stored', async (coding) => {
    const res = await fetch(`${server.url}/v1/models/m/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': coding },
      body: gzipSync(JSON.stringify(examples)),
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(415);
    expect(res.headers.get('accept-encoding')).toBe('identity');
    expect(body.error).toEqual({ code: 'unsupported_media_type', message: `Content-Encoding ${coding.trim().toLowerCase()} is not accepted: send the body uncompressed` });
    expect((await server.request('GET', '/v1/models/m')).body.counts.examples).toEqual({ train: 0, eval: 0 });
  });

  it('when predictions arrive as NDJSON, then the 415 says which route takes NDJSON', async () => {
    const res = await fetch(`${server.url}/v1/models/m/predictions`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"id":"p1","embedding":[1,0],"scores":{"a":1,"b":0}}\n' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Content-Type must be application/json; got application/x-ndjson (NDJSON is taken by POST /v1/models/{model}/examples only)',
    );
  });

  it('when a body says Content-Encoding identity, then it is read as it is', async () => {
    const res = await fetch(`${server.url}/v1/models/m/examples`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, body: JSON.stringify(examples) });
    expect(res.status).toBe(200);
    expect((await server.request('GET', '/v1/models/m')).body.counts.examples).toEqual({ train: 1, eval: 0 });
  });
});
