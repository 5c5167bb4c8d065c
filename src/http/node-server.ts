import http from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { asDatabaseUnavailable } from '../db/unavailable.js';
import { DomainError, ServiceUnavailableError, type ErrorCode } from '../errors.js';
import type { BodyBudget } from './body-budget.js';
import { errorBody, statusOf } from './errors.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { bodyTooLarge, byteLimitText } from './too-large.js';

type Fetch = (request: Request) => Response | Promise<Response>;

/** Decides on a request from its headers alone, before any byte of its body is read. */
/** A request with a body, judged before any of it is read: refused, or admitted on behalf of an owner whose share of the body budget it draws on. */
export type Admission = { refused: DomainError } | { owner: string | undefined };
type AdmitBody = (req: http.IncomingMessage) => Promise<Admission>;

export interface HttpServerOptions {
  maxBodyBytes: number;
  /** Connections open at once; one accepted past it is closed at once. */
  maxConnections: number;
  /** Connections open at once from one remote address; one past it is closed at once. */
  maxConnectionsPerAddress: number;
  /** Time to send a request's headers; must exceed {@link KEEP_ALIVE_MS} (an idle connection is closed first). */
  headersTimeoutMs: number;
  /** Time to send a whole request, body included. */
  requestTimeoutMs: number;
  budget: BodyBudget;
  /** Authentication: a request it refuses is answered without reading its body. */
  admit: AdmitBody;
}

/** Seconds a client is told to wait when the body budget is full: bodies in flight finish in about that. */
const RETRY_AFTER_SECONDS = 2;

const KEEP_ALIVE_MS = 65_000;
/** How often, at most, connections are checked against the header and request timeouts (node's default is 30 s). */
const LONGEST_CHECK_MS = 5_000;

/**
 * An HTTP server for the app that buffers each request body before handing it to Hono.
 * Node 20's web-stream bridge costs more than the JSON parse of a large batch; a buffered
 * `rawBody` skips it. Before buffering, the request is authenticated (`admit`) and its size
 * reserved in the shared body budget, so neither strangers nor a crowd of large uploads can
 * make the server hold more body bytes than the budget.
 */
export function createHttpServer(fetch: Fetch, opts: HttpServerOptions): http.Server {
  // No cleanup of the request by the bridge: `receive` hands a body to it only once read whole
  // (GET and HEAD have none). The bridge would listen for an 'end' that has already been
  // emitted, and so on every answer to a POST set up a drain of the body and two chained 0 ms
  // timers: two more turns of the event loop per request.
  const listener = getRequestListener(fetch, { autoCleanupIncoming: false });
  const checkEvery = Math.max(10, Math.min(LONGEST_CHECK_MS, Math.floor(Math.min(opts.headersTimeoutMs, opts.requestTimeoutMs) / 4)));
  // Without a Host the app cannot tell which URL was asked for: refused here in the error shape, not by node's bare 400.
  const server = http.createServer({ connectionsCheckingInterval: checkEvery, requestTimeout: opts.requestTimeoutMs, requireHostHeader: false }, (req, res) => {
    track(server, res);
    if (!req.headers.host) return refuse(req, res, new DomainError('bad_request', 'The request has no Host header'));
    if (req.method === 'GET' || req.method === 'HEAD') return void listener(req, res);
    void receive(req, res, opts, listener).catch((err: unknown) => refuse(req, res, err instanceof DomainError ? err : (asDatabaseUnavailable(err) ?? new ServiceUnavailableError('Request failed', RETRY_AFTER_SECONDS))));
  });
  // Clients (and load balancers) must close idle keep-alive connections before the server
  // does; otherwise a request sent as the server closes the socket fails with ECONNRESET.
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_MS, opts.headersTimeoutMs - 1000);
  // A connection that sends its headers slowly, or never, is answered 408 and closed.
  server.headersTimeout = opts.headersTimeoutMs;
  // Each connection holds a socket and a parser: past the cap, strangers cannot open more.
  server.maxConnections = opts.maxConnections;
  trackSockets(server, opts.maxConnectionsPerAddress);
  server.on('clientError', answerClientError);
  return server;
}

/**
 * What node refuses before a request exists (malformed HTTP, headers or URL over 16 KiB, a
 * request too slow to arrive), answered in the API's error shape with the security headers, as
 * node's own handler would (only when no answer has started on the connection), then closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  const answering = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (err.code !== 'ECONNRESET' && socket.writable && !answering?.headersSent) socket.write(clientErrorAnswer(err.code));
  socket.destroy();
}

function clientErrorAnswer(nodeCode: string | undefined): string {
  const [code, message]: [ErrorCode, string] =
    nodeCode === 'HPE_HEADER_OVERFLOW'
      ? ['headers_too_large', 'The request headers (the URL included) are larger than 16 KiB']
      : nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', 'The request did not arrive whole in time']
        : ['bad_request', `Malformed HTTP request (${nodeCode ?? 'unreadable'})`];
  const { status, headers, body } = refusal(new DomainError(code, message));
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

/** Servers that stopped accepting connections and wait for the ones they have to end. */
const closing = new WeakSet<http.Server>();
/** Each server's responses not yet closed. */
const inFlight = new WeakMap<http.Server, Set<http.ServerResponse>>();

/**
 * Stops accepting connections and resolves once every open one has ended. A request in flight
 * is answered (with `Connection: close` when its answer has not started), and its connection
 * then closes at once rather than idling out the 65 s keep-alive, which would hold a
 * SIGTERM'd process that long. A connection with no request in flight (one that never sent a
 * request, or stopped halfway through its headers) is closed at once, and whatever is still
 * open after `drainMs` is cut: no client can hold the shutdown.
 */
export function closeHttpServer(server: http.Server, drainMs: number): Promise<void> {
  closing.add(server);
  const responses = inFlight.get(server) ?? new Set<http.ServerResponse>();
  for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
  return new Promise<void>((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
    const serving = new Set([...responses].map((res) => res.socket));
    for (const socket of sockets.get(server) ?? []) if (!serving.has(socket)) socket.destroy();
  });
}

/**
 * Who a connection is, for the per-address cap: an IPv4 address (also when a dual-stack socket
 * shows it as `::ffff:a.b.c.d`), or an IPv6 address's /64, since one host picks freely among the
 * addresses of its /64.
 */
export function clientOf(remoteAddress: string | undefined): string | undefined {
  if (!remoteAddress) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1];
  if (!remoteAddress.includes(':')) return remoteAddress;
  return `${expandIpv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped), as lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Each server's open connections, for those that node's idle list does not hold. */
const sockets = new WeakMap<http.Server, Set<Socket>>();

/**
 * Tracks open connections, and closes at once one that finds its address at `perAddress`
 * already: a client that opens connections and never sends headers holds its share of the
 * slots until the headers timeout, not all of them.
 */
function trackSockets(server: http.Server, perAddress: number): void {
  const open = new Set<Socket>();
  const byAddress = new Map<string, number>();
  sockets.set(server, open);
  server.on('connection', (socket: Socket) => {
    // A socket gone before it was accepted has no address: nothing to count.
    const address = clientOf(socket.remoteAddress);
    const held = address === undefined ? 0 : (byAddress.get(address) ?? 0);
    if (held >= perAddress) {
      socket.destroy();
      return;
    }
    if (address !== undefined) byAddress.set(address, held + 1);
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (address === undefined) return;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  });
}

function track(server: http.Server, res: http.ServerResponse): void {
  let responses = inFlight.get(server);
  if (!responses) inFlight.set(server, (responses = new Set()));
  responses.add(res);
  if (closing.has(server)) res.shouldKeepAlive = false;
  res.once('close', () => {
    responses.delete(res);
    if (closing.has(server)) server.closeIdleConnections();
  });
}

async function receive(req: http.IncomingMessage, res: http.ServerResponse, opts: HttpServerOptions, listener: ReturnType<typeof getRequestListener>) {
  req.pause();
  const admission = await opts.admit(req);
  if ('refused' in admission) return refuse(req, res, admission.refused);
  const owner = admission.owner;
  const announced = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (announced !== undefined && announced > opts.maxBodyBytes) return refuse(req, res, bodyTooLarge(opts.maxBodyBytes));
  let reserved = 0;
  res.once('close', () => opts.budget.release(reserved, owner));
  const reserve = (bytes: number) => {
    if (!opts.budget.tryReserve(bytes, owner)) return false;
    reserved += bytes;
    return true;
  };
  if (announced !== undefined && !reserve(announced)) return refuse(req, res, busy(opts.budget.capacity));
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    const problem = size > opts.maxBodyBytes ? bodyTooLarge(opts.maxBodyBytes) : size > reserved && !reserve(size - reserved) ? busy(opts.budget.capacity) : undefined;
    if (problem) {
      refused = true;
      chunks.length = 0;
      return refuse(req, res, problem);
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (refused) return;
    Object.assign(req, { rawBody: Buffer.concat(chunks, size) });
    void listener(req, res);
  });
  req.resume();
}

function busy(capacity: number) {
  return new ServiceUnavailableError(`Request bodies in flight would be over their ${byteLimitText(capacity, 'budget')}; retry shortly`, RETRY_AFTER_SECONDS);
}

/** Answers without reading the rest of the body; the connection closes so it is not read later either. */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, err: DomainError) {
  if (res.headersSent) return;
  const { status, headers, body } = refusal(err);
  res.writeHead(status, headers).end(body);
  req.resume(); // discarded as it arrives: nothing of it is kept
}

/** An answer the node server gives itself, before or instead of the app: the error shape, the security headers, and the connection closed. */
function refusal(err: DomainError): { status: number; headers: Record<string, string | number>; body: string } {
  const body = JSON.stringify(errorBody(err.code, err.message, err.details));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...SECURITY_HEADERS, 'content-length': Buffer.byteLength(body), connection: 'close' };
  if (err instanceof ServiceUnavailableError) headers['retry-after'] = String(err.retryAfterSeconds);
  return { status: statusOf(err.code), headers, body };
}

/**
 * Fails as {@link listen} would when host:port is taken, then lets it go: start-up asks before its
 * slow steps (loading TensorFlow.js takes seconds), so a taken port is said at once. Port 0 is never taken.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = http.createServer();
  await listen(probe, host, port);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Listens on host:port (0 picks a free port) and resolves with the bound port. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      // The line an operator reads at start: what to change, not only the errno.
      if (err.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is already in use (another driftloop?): set PORT to a free port`, { cause: err }));
      else if (err.code === 'EACCES') reject(new Error(`no permission to listen on port ${port} on ${host}: set PORT to a port above 1023`, { cause: err }));
      else reject(err);
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
