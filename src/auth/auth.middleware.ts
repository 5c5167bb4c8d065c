import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Principal } from './api-keys.service.js';
import type { Authentication, Authenticator } from './authenticator.js';
import type { Role } from './roles.js';

/** Hono variables set by the auth middleware. */
export interface AuthEnv {
  Variables: { principal: Principal; authentication: Authentication };
}

/** True when the principal may act with one of `roles` (admin always may). */
export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return principal.role === 'admin' || roles.includes(principal.role);
}

/** The roles a guard asks for, in words: no role named means admin only. */
export function neededRoles(roles: readonly Role[]): string {
  return roles.join(' or ') || 'admin';
}

/** Builds role guards bound to one authenticator. */
export function createAuth(auth: Authenticator) {
  /** Allows the request when its key or session has one of `roles` (admin always passes). */
  return (...roles: Role[]) =>
    createMiddleware<AuthEnv>(async (c, next) => {
      const found = await auth.fromContext(c);
      if (!found) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
      if (!hasRole(found.principal, roles)) {
        throw new ForbiddenError(`This needs the ${neededRoles(roles)} role; the key has '${found.principal.role}'`);
      }
      c.set('principal', found.principal);
      c.set('authentication', found);
      return next();
    });
}

export type RoleGuard = ReturnType<typeof createAuth>;
