import { createMiddleware } from 'hono/factory';
import { hasRole, type AuthEnv } from '../auth/auth.middleware.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Role } from '../auth/roles.js';
import { DomainError } from '../errors.js';
import { forbiddenPage, signInPage } from './sign-in.page.js';

/**
 * Guards a server-rendered page: without a session (or key) it answers the sign-in form, which
 * returns here once signed in; a role that may not open the page gets a page saying so.
 */
export function createPageGuard(auth: Authenticator) {
  return (...roles: Role[]) =>
    createMiddleware<AuthEnv>(async (c, next) => {
      const url = new URL(c.req.url);
      const here = url.pathname + url.search;
      const found = await auth.fromContext(c).catch((err: unknown) => {
        if (err instanceof DomainError) return undefined; // a stale key header: sign in again
        throw err;
      });
      if (!found) return c.html(signInPage({ next: here }), 401);
      if (!hasRole(found.principal, roles)) return c.html(forbiddenPage(found.principal, roles.join(' or ') || 'admin', found.via), 403);
      c.set('principal', found.principal);
      c.set('authentication', found);
      return next();
    });
}

export type PageGuard = ReturnType<typeof createPageGuard>;
