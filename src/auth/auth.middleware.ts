import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { ApiKeysService, Principal } from './api-keys.service.js';
import type { Role } from './roles.js';

/** Hono variables set by the auth middleware. */
export interface AuthEnv {
  Variables: { principal: Principal };
}

const OPEN: Principal = { role: 'admin', keyName: 'open-mode' };

/** Builds role guards bound to one key service. */
export function createAuth(keys: ApiKeysService) {
  /** Allows the request when its key has one of `roles` (admin always passes). */
  return (...roles: Role[]) =>
    createMiddleware<AuthEnv>(async (c, next) => {
      const header = c.req.header('authorization');
      if (!header) {
        if (await keys.isOpen()) {
          c.set('principal', OPEN);
          return next();
        }
        throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match ? await keys.verify(match[1]!) : undefined;
      if (!principal) throw new UnauthorizedError('Unknown or revoked API key');
      if (principal.role !== 'admin' && !roles.includes(principal.role)) {
        throw new ForbiddenError(`This needs the ${roles.join(' or ')} role; the key has '${principal.role}'`);
      }
      c.set('principal', principal);
      return next();
    });
}

export type RoleGuard = ReturnType<typeof createAuth>;
