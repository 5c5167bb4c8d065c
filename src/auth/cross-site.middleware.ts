import { isIP } from 'node:net';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ForbiddenError } from '../errors.js';
import { requestScheme } from '../http/request-scheme.js';
import type { ApiKeysService } from './api-keys.service.js';
import { requestOf } from './authenticator.js';

/** The host name of a `Host` header: `[::1]:8787` → `::1`, `Example.org:80` → `example.org`. */
function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Names a browser can only have reached through loopback itself (no DNS name an attacker controls). */
function isLoopbackName(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return hostname === '::1';
}

/**
 * True when the request names this server by a Host no other site can rebind to it: an IP
 * literal, `localhost`, or the host of `publicUrl` (DRIFTLOOP_PUBLIC_URL). A page whose own DNS
 * name was pointed at this server is same-origin to itself and sends its own name.
 */
export function addressedByAddress(c: Context, publicUrl: string | undefined): boolean {
  const name = hostnameOf(c.req.header('host') ?? '');
  return isIP(name) !== 0 || name === 'localhost' || (publicUrl !== undefined && name === new URL(publicUrl).hostname.toLowerCase());
}

/**
 * True when `origin` (the Origin header) is the server itself as the request addressed it: the
 * same host and port, over http or https, and over the scheme the client used where the server
 * can tell it (`requestScheme`), so a page injected at `http://` the same host is not this site's
 * `https://` pages.
 */
function isSameOrigin(origin: string, c: Context): boolean {
  const hostHeader = c.req.header('host');
  if (!hostHeader || origin === 'null') return false;
  try {
    const { protocol, host } = new URL(origin);
    if (protocol !== 'http:' && protocol !== 'https:') return false;
    const scheme = requestScheme(c);
    if (scheme !== undefined && protocol !== scheme) return false;
    // The Host header read with the origin's scheme, so that its default port compares equal (`example.org:443`).
    return host === new URL(`${protocol}//${hostHeader.trim()}`).host;
  } catch {
    return false;
  }
}

/**
 * True when the browser says a page of this server sent the request: a same-origin `Origin`, or
 * `Sec-Fetch-Site: same-origin`. Browsers set both themselves; a page of another site cannot.
 */
export function sentFromThisSite(c: Context): boolean {
  const origin = c.req.header('origin');
  return (origin !== undefined && isSameOrigin(origin, c)) || c.req.header('sec-fetch-site') === 'same-origin';
}

/**
 * Requests a browser sends on a visitor's behalf carry no key of their own: the visitor's
 * session cookie, or nothing in open mode. Such requests are refused when another site sent
 * them (`Origin`), and in open mode the `Host` must be loopback, so a DNS name rebound to
 * 127.0.0.1 cannot read or write a local server either.
 */
export function crossSiteGuard(keys: ApiKeysService, { probes = [] as readonly string[] } = {}) {
  const exempt = new Set(probes);
  return createMiddleware(async (c, next) => {
    // Liveness and readiness show no data; in open mode the Host check would ask the database
    // (has a key been created meanwhile?), and liveness must not fail while the database is away.
    if (exempt.has(c.req.path)) return next();
    const host = c.req.header('host');
    if ((await keys.isOpen(requestOf(c))) && !isLoopbackName(hostnameOf(host ?? ''))) {
      throw new ForbiddenError(`Host '${host ?? ''}' is not this server: in open mode only loopback names are answered`);
    }
    if (c.req.header('authorization') === undefined) {
      const origin = c.req.header('origin');
      if (origin !== undefined && !isSameOrigin(origin, c)) {
        throw new ForbiddenError(`Requests from another site (Origin ${origin}) need an API key in the Authorization header`);
      }
      if (c.req.header('sec-fetch-site') === 'cross-site' && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        throw new ForbiddenError('Cross-site requests need an API key in the Authorization header');
      }
    }
    return next();
  });
}
