import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { hasRole, neededRoles, type AuthEnv } from '../auth/auth.middleware.js';
import type { Authentication, Authenticator } from '../auth/authenticator.js';
import type { Role } from '../auth/roles.js';
import { DomainError } from '../errors.js';
import { pageNotFoundPage } from './not-found.page.js';
import { forbiddenPage, signInPage } from './sign-in.page.js';

/** Who opened a page; undefined when signed out, a stale key header included (sign in again). */
export async function pageVisitor(auth: Authenticator, c: Context): Promise<Authentication | undefined> {
  return auth.fromContext(c).catch((err: unknown) => {
    if (err instanceof DomainError) return undefined;
    throw err;
  });
}

/** Hono answers a HEAD by running GET and dropping the body, but the request keeps its method. */
const PAGE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The answer to a GET (or HEAD: the same status and type, no body) of an unknown path under /ui/ (a
 * 404 page whose header knows the visitor); any other unknown route gets the API's JSON 404 from `json`.
 */
export function pageNotFound(auth: Authenticator, json: (c: Context) => Response | Promise<Response>) {
  return async (c: Context) => {
    if (!c.req.path.startsWith('/ui/') || !PAGE_METHODS.has(c.req.method)) return json(c);
    return c.html(pageNotFoundPage(c.req.path, (await pageVisitor(auth, c))?.via ?? 'signed-out'), 404);
  };
}

/**
 * Guards a server-rendered page: without a session (or key) it answers the sign-in form, which
 * returns here once signed in; a role that may not open the page gets a page saying so.
 */
export function createPageGuard(auth: Authenticator) {
  return (...roles: Role[]) =>
    createMiddleware<AuthEnv>(async (c, next) => {
      const url = new URL(c.req.url);
      const here = url.pathname + url.search;
      const found = await pageVisitor(auth, c);
      if (!found) return c.html(signInPage({ next: here }), 401);
      if (!hasRole(found.principal, roles)) return c.html(forbiddenPage(found.principal, neededRoles(roles), found.via), 403);
      c.set('principal', found.principal);
      c.set('authentication', found);
      return next();
    });
}

export type PageGuard = ReturnType<typeof createPageGuard>;
