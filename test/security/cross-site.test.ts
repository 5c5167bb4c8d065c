import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
const example = { id: 'e1', embedding: [1, 0], concepts: ['a'] };

async function send(server: TestServer, method: string, path: string, body: string | undefined, headers: Record<string, string>) {
  const res = await fetch(server.url + path, { method, headers, body });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

describe('cross-site writes in open mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.request('PUT', '/v1/models/m', model)).status).toBe(201);
  });
  afterAll(() => server.stop());

  it.each([
    'text/plain',
    'text/plain;x=ndjson',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/x-ndjson-but-not',
    'text/x-ndjson',
  ])('when a body arrives as %s, then it is refused with 415 and nothing is stored', async (type) => {
    const res = await send(server, 'POST', '/v1/models/m/examples', JSON.stringify(example), { 'content-type': type });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect((await server.request('GET', '/v1/models/m')).body.counts.examples).toEqual({ train: 0, eval: 0 });
  });

  it('when a body has no content type, then it is refused with 415', async () => {
    const res = await fetch(server.url + '/v1/models/m/retrain', { method: 'POST', body: new Uint8Array([123, 125]) });
    expect(res.status).toBe(415);
  });

  it('when NDJSON is sent to a route that reads only JSON, then it is refused with 415', async () => {
    const res = await send(server, 'POST', '/v1/models/m/predictions', JSON.stringify({ id: 'p', embedding: [1, 0], scores: { a: 1 } }), { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(415);
  });

  it('when the exact JSON and NDJSON types are sent, then they are accepted', async () => {
    expect((await send(server, 'POST', '/v1/models/m/examples', JSON.stringify({ examples: [example] }), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await send(server, 'POST', '/v1/models/m/examples', JSON.stringify({ ...example, id: 'e2' }), { 'content-type': 'application/x-ndjson' })).status).toBe(200);
  });

  it('when another site posts without a key, then it is refused with 403', async () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1', 'https://localhost']) {
      const res = await send(server, 'POST', '/v1/models/m/retrain', undefined, { origin });
      expect(res.status, origin).toBe(403);
    }
    const read = await send(server, 'GET', '/v1/models', undefined, { origin: 'http://evil.example' });
    expect(read.status).toBe(403);
  });

  it('when the page itself sends its own Origin, then the request passes', async () => {
    const res = await send(server, 'GET', '/v1/models', undefined, { origin: server.url });
    expect(res.status).toBe(200);
  });

  it('when a proxy says the visitor came over https, then a page at http on the same host is another site', async () => {
    const host = new URL(server.url).host;
    const overTls = { 'x-forwarded-proto': 'https' };
    expect((await send(server, 'POST', '/v1/models/m/retrain', undefined, { ...overTls, origin: `http://${host}` })).status).toBe(403);
    expect((await send(server, 'GET', '/v1/models', undefined, { ...overTls, origin: `https://${host}` })).status).toBe(200);
    // Without the proxy's word the server cannot tell which scheme the browser used: its own host over http is its page.
    expect((await send(server, 'GET', '/v1/models', undefined, { origin: `http://${host}` })).status).toBe(200);
    // An origin that is no web page of any scheme this server speaks is never this site.
    expect((await send(server, 'GET', '/v1/models', undefined, { origin: `ftp://${host}` })).status).toBe(403);
  });

  it('when a foreign Host reaches the open server (DNS rebinding), then it is refused', async () => {
    const { port } = new URL(server.url);
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.:${port}`]) {
      const res = await rawRequest(Number(port), host);
      expect(res, host).toBe(403);
    }
    expect(await rawRequest(Number(port), `localhost:${port}`)).toBe(200);
    expect(await rawRequest(Number(port), `127.0.0.1:${port}`)).toBe(200);
  });
});

/** fetch() will not send a forged Host header; node:http will. */
async function rawRequest(port: number, host: string): Promise<number> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/models', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
