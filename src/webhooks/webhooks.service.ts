import type { Db } from '../db/database.js';
import { countDeliveriesByStatus, listDeliveries } from './webhooks.repository.js';

/** Where a delivery stands: `failed` means every retry was used up. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'canceled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A webhook delivery as admins see it (the body is not repeated: it is the event's payload). */
export interface Delivery {
  id: number;
  modelId: number;
  eventType: string;
  eventId: number;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Reads webhook deliveries: what was sent, what is still retrying, and what failed for good. */
export class WebhookDeliveries {
  constructor(private readonly db: Db) {}

  async list(filter: { status?: DeliveryStatus | undefined; limit: number }): Promise<Delivery[]> {
    return (await listDeliveries(this.db, filter)).map((d) => ({
      id: d.id,
      modelId: d.model_id,
      eventType: d.event_type,
      eventId: d.event_id,
      url: d.url,
      status: d.status as DeliveryStatus,
      attempts: d.attempts,
      lastStatusCode: d.last_status_code,
      lastError: d.last_error,
      createdAt: d.created_at,
      updatedAt: d.updated_at,
    }));
  }

  /** Deliveries per status, every status present (0 when none). */
  async counts(): Promise<Record<DeliveryStatus, number>> {
    const found = await countDeliveriesByStatus(this.db);
    return Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, found[s] ?? 0])) as Record<DeliveryStatus, number>;
  }
}
