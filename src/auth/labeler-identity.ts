import { ForbiddenError } from '../errors.js';
import type { Principal } from './api-keys.service.js';

/**
 * The labeler a request acts as. A `label` key is one labeler, its name: naming anyone else
 * is refused, so one key can neither hoard the queue under invented names nor fake agreement.
 * An admin (and open mode) may act for any labeler.
 */
export function actingLabeler(principal: Principal, named: string): string {
  if (principal.role === 'admin' || named === principal.keyName) return named;
  throw new ForbiddenError(`This key labels as '${principal.keyName}'; it may not act as '${named}'`);
}
