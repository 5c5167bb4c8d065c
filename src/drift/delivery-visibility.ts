import type { Principal } from '../auth/api-keys.service.js';
import { webhookOrigin } from '../models/webhook-secrets.js';
import type { DriftEvent } from './drift.types.js';

/**
 * Webhook delivery errors ("connect ECONNREFUSED 10.0.0.7:5432", status codes) tell a caller
 * which internal ports answer, and a target's path or query often holds its secret: only admins,
 * who set the targets, see them; other keys see each target's origin.
 */
export function deliveriesFor<T extends { events: DriftEvent[] }>(principal: Principal, overview: T): T {
  if (principal.role === 'admin') return overview;
  return {
    ...overview,
    events: overview.events.map((e) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, url: webhookOrigin(d.url), lastStatusCode: null, lastError: null })) })),
  };
}
