import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { errorBody } from './errors.js';

type Fetch = (request: Request) => Response | Promise<Response>;

const KEEP_ALIVE_MS = 65_000;

/**
 * An HTTP server for the app that buffers each request body before handing it to
 * Hono. Node 20's web-stream bridge costs more than the JSON parse of a large batch;
 * a buffered `rawBody` skips it, and an oversized body is refused while it streams in.
 */
export function createHttpServer(fetch: Fetch, maxBodyBytes: number): http.Server {
  const listener = getRequestListener(fetch);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') return void listener(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        const body = JSON.stringify(errorBody('payload_too_large', `Request body is larger than ${maxBodyBytes} bytes`));
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(body);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      Object.assign(req, { rawBody: Buffer.concat(chunks, size) });
      void listener(req, res);
    });
  });
  // Clients (and load balancers) must close idle keep-alive connections before the server
  // does; otherwise a request sent as the server closes the socket fails with ECONNRESET.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  return server;
}

/** Listens on host:port (0 picks a free port) and resolves with the bound port. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
