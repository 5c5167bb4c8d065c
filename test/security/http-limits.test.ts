import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { clientOf } from '../../src/http/node-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';

/** A raw connection to the server; `answer` resolves with everything the server sent once it closes the connection. */
function connect(server: TestServer, localAddress?: string): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a connection past the cap is reset
    const answer = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.once('connect', () => resolve({ socket, answer }));
    socket.once('error', reject);
  });
}

/** The status of the first response in raw HTTP text. */
const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);

/** A raw answer's status, its error code (the JSON error shape), and whether it carries the security headers. */
function refusal(raw: string): { status: number; code: unknown; secured: boolean } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const json = JSON.parse(body) as { error: { code: unknown; message: unknown } };
  expect(typeof json.error.message).toBe('string');
  return { status: statusOf(raw), code: json.error.code, secured: /^x-content-type-options: nosniff$/im.test(head) && /^x-frame-options: DENY$/im.test(head) };
}

/** Sends raw bytes on a new connection; resolves with all the server sent once it closed it. */
async function sendRaw(server: TestServer, bytes: string): Promise<string> {
  const { socket, answer } = await connect(server);
  socket.write(bytes);
  return answer;
}

async function get(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}`, ...headers } });
  await res.arrayBuffer();
  return res.status;
}

async function bodyBytesInFlight(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^driftloop_request_body_bytes_in_flight (\S+)$/m.exec(text)?.[1]);
}

describe('the HTTP server bounds what one connection can make it hold', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Short timeouts so the test sees them act; the defaults are 66 s and 300 s.
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: { headersTimeoutMs: 1500, requestTimeoutMs: 2500 } });
  });
  afterAll(() => server.stop());

  it('when headers pass 16 KiB, or a URL does, then the answer is 431 and the server goes on answering', async () => {
    expect(await get(server, '/healthz', { 'x-junk': 'a'.repeat(20 * 1024) })).toBe(431);
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x-h${i}`, 'b'.repeat(16)]));
    expect(await get(server, '/healthz', many)).toBe(431);
    expect(await get(server, `/v1/models/${'m'.repeat(20 * 1024)}`)).toBe(431);
    expect(refusal(await sendRaw(server, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: ${'a'.repeat(20 * 1024)}\r\n\r\n`))).toEqual({ status: 431, code: 'headers_too_large', secured: true });
    expect(await get(server, '/healthz')).toBe(200);
  });

  it.each([
    ['two Content-Length headers', 'POST /v1/models/m/examples HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{"a":1}'],
    ['Transfer-Encoding with Content-Length', 'POST /v1/models/m/examples HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n'],
    ['a chunk size that is not hex', 'POST /v1/models/m/examples HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['a space before a header colon', 'GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n'],
    ['an unknown HTTP version', 'GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n'],
    ['no Host header', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['HTTP/1.0 with no Host header', 'GET /healthz HTTP/1.0\r\n\r\n'],
  ])('when a request has %s, then it is refused with 400 in the error shape with the security headers', async (_, bytes) => {
    expect(refusal(await sendRaw(server, bytes))).toEqual({ status: 400, code: 'bad_request', secured: true });
    expect(await get(server, '/healthz')).toBe(200);
  });

  it('when a URL carries thousands of query parameters, then the route answers in the JSON error shape or 200, never 5xx', async () => {
    const query = Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join('&');
    const res = await fetch(`${server.url}/v1/webhooks/deliveries?${query}&status=x&status=y`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBeLessThan(500);
    if (res.status !== 200) expect(await res.json()).toMatchObject({ error: { code: expect.any(String) } });
    expect(await get(server, `/v1/webhooks/deliveries?${query}`)).toBe(200);
  });

  it('when a connection sends part of its headers and then nothing, then the server answers 408 and closes it', async () => {
    const { socket, answer } = await connect(server);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(refusal(await answer)).toEqual({ status: 408, code: 'request_timeout', secured: true });
  });

  it('when a connection opens and sends nothing, then the server closes it', async () => {
    const { answer } = await connect(server);
    await answer; // the test times out if the server keeps it
  });

  it('when a body stops arriving, then the server answers 408, closes the connection and frees the body budget', async () => {
    const { socket, answer } = await connect(server);
    socket.write(`POST /v1/models/m/predictions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"predictions":[`);
    expect(refusal(await answer)).toEqual({ status: 408, code: 'request_timeout', secured: true });
    expect(await bodyBytesInFlight(server)).toBe(0);
  });
});

describe('the HTTP server holds at most its cap of connections', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: { maxConnections: 6 } });
  });
  afterAll(() => server.stop());

  it('when more connections open than the cap, then those past it are closed at once and the ones held still answer', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => connect(server)));
    const extra = await Promise.all(Array.from({ length: 10 }, () => connect(server)));
    const refused = await Promise.all(extra.map((c) => c.answer));
    expect(refused.every((raw) => raw === '')).toBe(true);
    const [first] = held;
    first!.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(statusOf(await first!.answer)).toBe(200);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.answer));
    expect(await get(server, '/healthz')).toBe(200);
  });
});

describe('the HTTP server holds at most its share of connections per client address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: { maxConnections: 8, maxConnectionsPerAddress: 3 } });
  });
  afterAll(() => server.stop());

  it('when one address opens more connections than its share and sends nothing, then those past it are closed at once, and another address still gets in', async () => {
    const held = await Promise.all(Array.from({ length: 3 }, () => connect(server, '127.0.0.1')));
    const extra = await Promise.all(Array.from({ length: 4 }, () => connect(server, '127.0.0.1')));
    expect(await Promise.all(extra.map((c) => c.answer))).toEqual(['', '', '', '']);
    // 127.0.0.2 is loopback too (Linux routes all of 127/8 there): another client address.
    const other = await connect(server, '127.0.0.2');
    other.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(statusOf(await other.answer)).toBe(200);
    // A slot given back is the address's again, once the server has seen that connection close
    // (after the client has: a connection in between may still find the share full).
    held[0]!.socket.destroy();
    await held[0]!.answer;
    let answered = NaN;
    for (let attempt = 0; attempt < 100 && answered !== 200; attempt++) {
      const again = await connect(server, '127.0.0.1');
      again.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      answered = statusOf(await again.answer);
    }
    expect(answered).toBe(200);
    for (const c of held) c.socket.destroy();
  });

  it('when connections come over IPv6, then an IPv4 address is itself however it is shown, and an IPv6 address counts as its /64', () => {
    expect(clientOf('203.0.113.9')).toBe('203.0.113.9');
    expect(clientOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientOf('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(clientOf('2001:0db8:00aa:00bb::ffff')).toBe('2001:db8:aa:bb::/64');
    expect(clientOf('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
    expect(clientOf(undefined)).toBeUndefined();
  });

  it('when DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS is set, then it is the share; by default half of the 1,024 connections', () => {
    expect(loadConfig({}).limits.maxConnectionsPerAddress).toBe(512);
    expect(loadConfig({ DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS: '1024' }).limits.maxConnectionsPerAddress).toBe(1024);
    expect(() => loadConfig({ DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS: '0' })).toThrow(/DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS/);
  });
});
