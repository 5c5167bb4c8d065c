import http from 'node:http';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyBudget } from '../../src/http/body-budget.js';
import { checkJsonBodies } from '../../src/http/json-shape.js';
import { TurnLane } from '../../src/util/turn-lane.js';
import { closeHttpServer, createHttpServer, listen } from '../../src/http/node-server.js';

// Through the real node server: only there is the body buffered as bytes (`rawBody`), which
// checkJsonBodies decodes itself (latin1 when every byte is ASCII, UTF-8 otherwise).
const app = new Hono().use('*', checkJsonBodies(new TurnLane(), 10_000)).post('/echo', async (c) => c.json({ value: await c.req.json() }));
const server = createHttpServer(app.fetch, { maxBodyBytes: 1 << 20, budget: new BodyBudget(1 << 22), admit: async () => ({ owner: undefined }), maxConnections: 64, maxConnectionsPerAddress: 64, headersTimeoutMs: 66_000, requestTimeoutMs: 300_000 });
let port = 0;

function post(body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What fetch's `Request.text()` makes of the bytes, parsed: the reference the server must match. */
const asFetchReads = (bytes: Buffer): unknown => JSON.parse(new TextDecoder().decode(bytes));

beforeAll(async () => {
  port = await listen(server, '127.0.0.1', 0);
});
afterAll(() => closeHttpServer(server, 60_000));

describe('JSON bodies read from the buffered bytes', () => {
  it.each([
    ['ASCII with escapes', Buffer.from(JSON.stringify({ id: 'p-1', embedding: [0.1, -2.5e-7, 3], text: 'caf\\u00e9 \\ud83c\\udf7a' }))],
    ['UTF-8 beyond ASCII', Buffer.from(JSON.stringify({ id: 'café-日本-🍺', metadata: { 'clé': 'ünïcode' } }))],
    ['a UTF-8 byte order mark first', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ id: 'bom', embedding: [1, 2] }))])],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"id":"bad-'), Buffer.from([0xc3, 0x28, 0xff, 0x80]), Buffer.from('"}')])],
    // Only a \u escape can make a lone surrogate (test/security/bad-input.test.ts): bytes that encode one are replaced.
    // From 64 KB a body is parsed a record at a time (src/http/json-pieces.ts) when it is all ASCII.
    ['a large batch, all ASCII', Buffer.from(JSON.stringify({ predictions: Array.from({ length: 1000 }, (_, i) => ({ id: `p-${i}`, embedding: [i, -0.5, 1e-7], scores: { 'a"b': 0.5 }, metadata: { note: '}],[{' } })) }))],
    ['a large batch after a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ predictions: Array.from({ length: 2000 }, (_, i) => ({ id: `p-${i}`, embedding: [i, 2, 3] })) }))])],
    ['a large batch with UTF-8 beyond ASCII', Buffer.from(JSON.stringify({ predictions: Array.from({ length: 2000 }, (_, i) => ({ id: `café-${i}`, embedding: [i, 2, 3] })) }))],
    ['a surrogate written as UTF-8 bytes', Buffer.concat([Buffer.from('{"id":"sur-'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","m":{"k'), Buffer.from([0xed, 0xb0, 0x80]), Buffer.from('":1}}')])],
  ])('when the body is %s, then the route reads the value fetch would have decoded', async (_, bytes) => {
    const res = await post(bytes);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ value: asFetchReads(bytes) });
  });

  it('when the body holds latin1 bytes that are not ASCII, then they are read as UTF-8 (replaced), not as latin1 letters', async () => {
    const bytes = Buffer.from('{"id":"caf\xe9"}', 'latin1');
    const res = await post(bytes);
    expect(JSON.parse(res.text)).toEqual({ value: { id: 'caf\ufffd' } });
  });
});
