import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyBudget } from '../../src/http/body-budget.js';
import { closeHttpServer, createHttpServer, listen } from '../../src/http/node-server.js';

/** A server whose one route answers when the test says so. */
function gatedServer() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let arrived!: () => void;
  const entered = new Promise<void>((resolve) => (arrived = resolve));
  const server = createHttpServer(
    async () => {
      arrived();
      await gate;
      return Response.json({ ok: true });
    },
    { maxBodyBytes: 1024, budget: new BodyBudget(4096), admit: async () => ({ owner: undefined }), maxConnections: 64, maxConnectionsPerAddress: 64, headersTimeoutMs: 66_000, requestTimeoutMs: 300_000 },
  );
  return { server, open, entered };
}

/** A client that keeps connections alive far longer than the test runs. */
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 600_000 });

function get(port: number): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

describe('closing the HTTP server', () => {
  afterEach(() => agent.destroy());

  it('when the server closes while a request is in flight, then the request is answered with Connection: close and the close completes without waiting out the keep-alive', async () => {
    const { server, open, entered } = gatedServer();
    const port = await listen(server, '127.0.0.1', 0);
    const answer = get(port);
    await entered;
    let closed = false;
    const closing = closeHttpServer(server, 600_000).then(() => (closed = true));
    // Still answering: the close waits for the request in flight.
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    open();
    const res = await answer;
    expect(res).toEqual({ status: 200, connection: 'close', body: '{"ok":true}' });
    // The keep-alive client holds its socket open for 10 minutes; the server closed it itself.
    await closing;
    expect(closed).toBe(true);
  });

  it('when the server closes with an idle keep-alive connection, then the close completes', async () => {
    const { server, open } = gatedServer();
    open();
    const port = await listen(server, '127.0.0.1', 0);
    const res = await get(port);
    expect(res.connection).toBe('keep-alive');
    await closeHttpServer(server, 600_000);
    expect(server.listening).toBe(false);
  });

  it('when the server closes with a connection that sent nothing and one halfway through its headers, then both are closed at once and the close completes', async () => {
    const { server } = gatedServer();
    const port = await listen(server, '127.0.0.1', 0);
    const silent = await connect(port);
    const halfway = await connect(port);
    halfway.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const ended = [silent, halfway].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    // The drain allows ten minutes: only closing these two at once lets the close complete.
    await closeHttpServer(server, 600_000);
    await Promise.all(ended);
    expect(server.listening).toBe(false);
  });

  it('when a request is still in flight at the end of the drain, then its connection is cut and the close completes', async () => {
    const { server, entered } = gatedServer();
    const port = await listen(server, '127.0.0.1', 0);
    const answer = get(port).then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code,
    );
    await entered;
    // The gate never opens: without the drain's end the close would wait for ever.
    await closeHttpServer(server, 0);
    expect(await answer).toBe('ECONNRESET');
  });
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}
