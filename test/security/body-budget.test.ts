import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const MiB = 1024 * 1024;

/** A POST whose body is sent in parts under the test's control; resolves `response` when the server answers. */
function openUpload(server: TestServer, opts: { length?: number; key?: string; path?: string }) {
  const { port } = new URL(server.url);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (opts.length !== undefined) headers['content-length'] = opts.length;
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: opts.path ?? '/v1/models/m/examples', headers });
  req.on('error', () => undefined); // the server may close while the rest is still being sent
  const response = new Promise<{ status: number; retryAfter?: string; body: string }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }));
    });
  });
  return { req, response };
}

async function inFlight(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  return Number(/^driftloop_request_body_bytes_in_flight (\S+)$/m.exec(text)?.[1]);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('request bodies: authenticated before they are read, and bounded in memory together', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: { maxBodyBytes: 2 * MiB, maxBodyBytesInFlight: 3 * MiB } });
    expect((await server.request('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] }, ADMIN)).status).toBe(201);
  });
  afterAll(() => server.stop());

  it('when a stranger announces a large body, then the answer is 401 before the body is sent, and nothing is held', async () => {
    const upload = openUpload(server, { length: 60 * MiB });
    upload.req.write(Buffer.alloc(64 * 1024, 32));
    const res = await upload.response;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('unauthorized');
    upload.req.destroy();
    expect(await inFlight(server)).toBe(0);
  });

  it('when a wrong key announces a body, then the answer is 401 before the body is sent', async () => {
    const upload = openUpload(server, { length: 10 * MiB, key: 'dl_admin_wrong' });
    upload.req.write(Buffer.alloc(1024, 32));
    expect((await upload.response).status).toBe(401);
    upload.req.destroy();
  });

  it('when bodies in flight would pass the budget, then the next one answers 503 with Retry-After, and is accepted once the budget frees', async () => {
    const first = openUpload(server, { length: 2 * MiB, key: ADMIN });
    first.req.write(Buffer.alloc(MiB, 32));
    await until(async () => (await inFlight(server)) === 2 * MiB);
    expect(await inFlight(server)).toBe(2 * MiB);

    const second = openUpload(server, { length: 2 * MiB, key: ADMIN });
    second.req.write(Buffer.alloc(1024, 32));
    const refused = await second.response;
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'service_unavailable', message: 'Request bodies in flight would be over their 3 MiB budget (3,145,728 bytes); retry shortly' });
    second.req.destroy();

    const chunked = openUpload(server, { key: ADMIN });
    chunked.req.write(Buffer.alloc(2 * MiB - 1, 32));
    expect((await chunked.response).status).toBe(503);
    chunked.req.destroy();

    first.req.end(Buffer.alloc(MiB, 32));
    expect((await first.response).status).toBe(400); // 2 MiB of spaces is not a batch
    await until(async () => (await inFlight(server)) === 0);
    expect(await inFlight(server)).toBe(0);

    const again = await fetch(`${server.url}/v1/models/m/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ examples: [{ id: 'e', embedding: [1, 0], concepts: ['a'] }] }),
    });
    expect(again.status).toBe(200);
  });

  it('when one key holds its share of the budget (uploads announced and stalled), then its next upload answers 503 while another key’s is still taken', async () => {
    // The share here is one 2 MiB body (the largest); by default half the 256 MiB budget.
    const ann = (await server.driftloop.services.keys.create('admin', 'ann')).key;
    const stalled = openUpload(server, { length: 2 * MiB, key: ann });
    stalled.req.write(Buffer.alloc(1, 32));
    await until(async () => (await inFlight(server)) === 2 * MiB);
    const more = openUpload(server, { length: 1024, key: ann });
    more.req.write(Buffer.alloc(1, 32));
    expect((await more.response).status).toBe(503);
    more.req.destroy();
    const other = await fetch(`${server.url}/v1/models/m/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ examples: [{ id: 'from-another-key', embedding: [1, 0], concepts: ['a'] }] }),
    });
    expect(other.status).toBe(200);
    stalled.req.destroy();
    await until(async () => (await inFlight(server)) === 0);
    expect(await inFlight(server)).toBe(0);
  });

  it('when the announced length is over the body limit, then the answer is 413 without reading it', async () => {
    const upload = openUpload(server, { length: 50 * MiB, key: ADMIN });
    upload.req.write(Buffer.alloc(1024, 32));
    const res = await upload.response;
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toEqual({ code: 'payload_too_large', message: 'Request body is over the 2 MiB limit (2,097,152 bytes)' });
    upload.req.destroy();
    expect(await inFlight(server)).toBe(0);
  });
});
