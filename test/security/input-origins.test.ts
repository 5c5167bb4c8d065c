import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/server.js';

const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
const prediction = (id: string, url: string) => ({ id, embedding: [1, 0.5], scores: { a: 0.6, b: 0.4 }, input: { url } });
const DOT = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';

describe('DRIFTLOOP_INPUT_ORIGINS: where the pages load inputs from', () => {
  let server: TestServer;
  let open: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_INPUT_ORIGINS: 'https://cdn.example.com, http://127.0.0.1:9/' } });
    open = await startTestServer();
    const examples = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, embedding: [1, i / 10], concepts: [i % 2 ? 'a' : 'b'] }));
    for (const s of [server, open]) {
      expect((await s.request('PUT', '/v1/models/m', model)).status).toBe(201);
      expect((await s.request('POST', '/v1/models/m/examples', { examples })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await open?.stop();
  });

  it('when an entry is not an http(s) origin, then the configuration is refused naming it', () => {
    for (const bad of ['cdn.example.com', 'https://cdn.example.com/images', 'ftp://cdn.example.com', 'https://cdn.example.com?x=1', 'https://*', 'https://*.example.com', 'https://[::1]:8080']) {
      expect(() => loadConfig({ DRIFTLOOP_INPUT_ORIGINS: bad }), bad).toThrow(/DRIFTLOOP_INPUT_ORIGINS: .*not a/);
    }
    expect(loadConfig({ DRIFTLOOP_INPUT_ORIGINS: 'https://CDN.example.com:443/' }).inputOrigins.imgSrc).toBe('data: https://cdn.example.com');
    expect(loadConfig({}).inputOrigins.imgSrc).toBe('http: https: data:');
  });

  it('when a batch has an input from another origin, then it is refused 400 naming the record, and nothing of it is stored', async () => {
    const batch = [prediction('p1', 'https://cdn.example.com/p1.jpg'), prediction('p2', DOT), prediction('p3', 'https://tracker.example/p3.jpg'), prediction('p4', 'http://192.168.1.1/reboot')];
    const refused = await server.request('POST', '/v1/models/m/predictions', { predictions: batch });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.problems.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [2, 'input.url'],
      [3, 'input.url'],
    ]);
    expect(refused.body.error.details.problems[0].message).toContain('https://cdn.example.com, http://127.0.0.1:9');
    expect((await server.request('GET', '/v1/models/m')).body.counts.predictions).toBe(0);
    const ok = await server.request('POST', '/v1/models/m/predictions', { predictions: [batch[0], batch[1], prediction('p5', 'http://127.0.0.1:9/x.png')] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const examples = await server.request('POST', '/v1/models/m/examples', { examples: [{ id: 'x1', embedding: [1, 0], concepts: ['a'], input: { url: 'https://elsewhere.example/e1.jpg' } }] });
    expect(examples.status).toBe(400);
    expect(examples.body.error.details.problems[0].field).toBe('input.url');
  });

  it('when a page is served, then its CSP loads images only from those origins and data: URLs; unset, from any http(s) URL', async () => {
    for (const path of ['/ui/models/m/label', '/ui/models/m/report', '/']) {
      const res = await fetch(server.url + path);
      expect(res.headers.get('content-security-policy'), path).toContain('img-src data: https://cdn.example.com http://127.0.0.1:9;');
      const before = await fetch(open.url + path);
      expect(before.headers.get('content-security-policy'), path).toContain('img-src http: https: data:;');
    }
    expect((await open.request('POST', '/v1/models/m/predictions', { predictions: [prediction('p3', 'https://tracker.example/p3.jpg')] })).status).toBe(200);
  });
});
