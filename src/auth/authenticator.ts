import type { Context } from 'hono';
import { RequestMemo } from '../util/request-memo.js';
import { UnauthorizedError } from '../errors.js';
import type { ApiKeysService, Principal } from './api-keys.service.js';
import type { Session, SessionsService } from './sessions.service.js';

export const SESSION_COOKIE = 'driftloop_session';

/** How a request proved who it is. */
export type Authentication =
  | { via: 'key'; principal: Principal }
  | { via: 'session'; principal: Principal; session: Session; cookie: string }
  | { via: 'open'; principal: Principal };

const OPEN: Principal = { role: 'admin', keyName: 'open-mode' };

/** The request headers authentication reads. */
export interface AuthHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/**
 * The one place a request is authenticated: a bearer key, else a session cookie, else open
 * mode. Used by the route guards and, before the body is read, by the HTTP server.
 */
export class Authenticator {
  private readonly perRequest = new RequestMemo<Authentication | undefined>();

  constructor(
    readonly keys: ApiKeysService,
    readonly sessions: SessionsService,
  ) {}

  /**
   * Who sent the request; undefined when it carries nothing and the server is not open. A bad key
   * throws 401. With `request` (the Node request), answered once for it: the HTTP server asks
   * before reading the body and the route guard asks again.
   */
  authenticate(h: AuthHeaders, request?: object): Promise<Authentication | undefined> {
    return this.perRequest.get(request, () => this.identify(h, request));
  }

  private async identify(h: AuthHeaders, request: object | undefined): Promise<Authentication | undefined> {
    if (h.authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(h.authorization);
      if (!match) throw new UnauthorizedError('Send the key as Authorization: Bearer <key>');
      const principal = await this.keys.verify(match[1]!);
      if (!principal) throw new UnauthorizedError('Unknown or revoked API key');
      return { via: 'key', principal };
    }
    const cookie = sessionCookieOf(h.cookie);
    const session = cookie ? await this.sessions.resolve(cookie) : undefined;
    if (cookie && session) return { via: 'session', principal: session.principal, session, cookie };
    if (await this.keys.isOpen(request)) return { via: 'open', principal: OPEN };
    return undefined;
  }

  /** The same for a Hono request. */
  fromContext(c: Context): Promise<Authentication | undefined> {
    return this.authenticate({ authorization: c.req.header('authorization'), cookie: c.req.header('cookie') }, requestOf(c));
  }
}

/** The Node request under a Hono request (undefined when the app is called without a server). */
export function requestOf(c: Context): object | undefined {
  const env: unknown = c.env;
  return typeof env === 'object' && env !== null && 'incoming' in env && typeof env.incoming === 'object' && env.incoming !== null ? env.incoming : undefined;
}

/** The session cookie's value in a Cookie header. */
function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
