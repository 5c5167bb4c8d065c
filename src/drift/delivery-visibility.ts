import type { Principal } from '../auth/api-keys.service.js';
import type { DriftEvent } from './drift.types.js';

/**
 * Webhook delivery errors ("connect ECONNREFUSED 10.0.0.7:5432", status codes) tell a caller
 * which internal ports answer: only admins, who set the targets, see them.
 */
export function deliveriesFor<T extends { events: DriftEvent[] }>(principal: Principal, overview: T): T {
  if (principal.role === 'admin') return overview;
  return {
    ...overview,
    events: overview.events.map((e) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, lastStatusCode: null, lastError: null })) })),
  };
}
