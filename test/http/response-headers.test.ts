import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

// The exact headers of each kind of answer, as the node server sends them: a change to how
// headers are set (middleware order, the adapter's fast path) must not add, drop or alter one.

/** Every answer after routing carries these (hono's secureHeaders with the service's options). */
const SECURITY = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const KEEP_ALIVE = { connection: 'keep-alive', 'keep-alive': 'timeout=65' };
const JSON_ANSWER = { 'content-type': 'application/json', ...SECURITY, ...KEEP_ALIVE };
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const DOCS_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

let server: TestServer;
let port = 0;

interface Answer {
  status: number;
  /** Lower-cased names; `date` left out (it changes), `content-length` checked against the body. */
  headers: Record<string, string>;
  /** Names as sent, in order: a header sent twice shows here twice. */
  names: string[];
}

function send(method: string, path: string, body?: string, extra: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers[res.rawHeaders[i]!.toLowerCase()] = res.rawHeaders[i + 1]!;
        expect(Number(headers['content-length'])).toBe(Buffer.concat(chunks).length);
        delete headers['content-length'];
        delete headers.date;
        resolve({ status: res.statusCode ?? 0, headers, names: res.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectSentOnce(answer: Answer) {
  expect(answer.names.length).toBe(new Set(answer.names).size);
}

beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.url).port);
  expect((await server.request('PUT', '/v1/models/headers-model', { task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'a' }, { id: 'b' }] })).status).toBeLessThan(300);
});
afterAll(() => server.stop());

describe('headers of each kind of answer', () => {
  it('when a route answers JSON, then it carries the content type and the security headers, each once', async () => {
    for (const answer of [await send('GET', '/healthz'), await send('POST', '/v1/models/headers-model/queue/claim', '{"labeler":"ann"}')]) {
      expect(answer.status).toBe(200);
      expect(answer.headers).toEqual(JSON_ANSWER);
      expectSentOnce(answer);
    }
  });

  it('when a page answers HTML, then it carries its Content-Security-Policy beside the security headers', async () => {
    const signIn = await send('GET', '/ui/sign-in');
    expect(signIn.status).toBe(200);
    expect(signIn.headers).toEqual({ 'content-type': 'text/html; charset=UTF-8', 'content-security-policy': PAGE_CSP, ...SECURITY, ...KEEP_ALIVE });
    const docs = await send('GET', '/docs');
    expect(docs.headers).toEqual({ 'content-type': 'text/html; charset=UTF-8', 'content-security-policy': DOCS_CSP, ...SECURITY, ...KEEP_ALIVE });
    // The labeling page sets its own policy (its inline script's hash), which is kept as it is.
    const label = await send('GET', '/ui/models/headers-model/label');
    expect(label.status).toBe(200);
    expect(label.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; /);
    expect({ ...label.headers, 'content-security-policy': undefined }).toEqual({ 'content-type': 'text/html; charset=UTF-8', 'content-security-policy': undefined, ...SECURITY, ...KEEP_ALIVE });
    for (const answer of [signIn, docs, label]) expectSentOnce(answer);
  });

  it('when a request fails after routing (404, 400 from the schema, 405), then the error carries the same headers as an answer', async () => {
    const notFound = await send('GET', '/v1/no-such-thing');
    expect(notFound.status).toBe(404);
    expect(notFound.headers).toEqual(JSON_ANSWER);
    const invalid = await send('POST', '/v1/models/headers-model/queue/claim', '{}');
    expect(invalid.status).toBe(400);
    expect(invalid.headers).toEqual(JSON_ANSWER);
    const wrongMethod = await send('DELETE', '/healthz');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers).toEqual({ allow: 'GET, HEAD', ...JSON_ANSWER });
    for (const answer of [notFound, invalid, wrongMethod]) expectSentOnce(answer);
  });

  it('when a request is refused before routing (a control character in the path, another site), then the error carries the same headers as an answer', async () => {
    const control = await send('GET', '/v1/models/a%01b');
    expect(control.status).toBe(400);
    expect(control.headers).toEqual(JSON_ANSWER);
    const crossSite = await send('POST', '/v1/models/headers-model/queue/claim', '{"labeler":"ann"}', { origin: 'https://elsewhere.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers).toEqual(JSON_ANSWER);
    for (const answer of [control, crossSite]) expectSentOnce(answer);
  });

  it('when the node server refuses a body before the app sees the request (413), then the refusal carries the security headers too', async () => {
    const refused = await send('POST', '/v1/models/headers-model/predictions', '{}', { 'content-length': String(1024 ** 3) });
    expect(refused.status).toBe(413);
    expect(refused.headers).toEqual({ 'content-type': 'application/json', ...SECURITY, connection: 'close' });
    expectSentOnce(refused);
  });
});
