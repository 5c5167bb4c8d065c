import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { errorResponses, keyRule } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { DELIVERY_STATUSES, type WebhookDeliveries } from './webhooks.service.js';

const deliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional().openapi({ description: 'Only deliveries in this status; `failed`: every retry was used up', example: 'failed' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: 'Most deliveries returned, newest first' }),
});

const deliverySchema = z
  .object({
    id: z.number().openapi({ description: 'Delivery id' }),
    model: z.string().nullable().openapi({ description: 'The model of the event, or null' }),
    eventType: z.string().openapi({ description: 'drift_event' }),
    eventId: z.number().openapi({ description: 'The drift event id' }),
    url: z.string().openapi({ description: 'The webhook URL' }),
    status: z.enum(DELIVERY_STATUSES).openapi({ description: 'pending, delivered, failed (every retry used up) or canceled' }),
    attempts: z.number().openapi({ description: 'Attempts so far' }),
    lastStatusCode: z.number().nullable().openapi({ description: 'HTTP status of the last attempt, or null' }),
    lastError: z.string().nullable().openapi({ description: 'Error of the last attempt (admins only), or null' }),
    createdAt: z.string().openapi({ description: 'When the delivery was created' }),
    updatedAt: z.string().openapi({ description: 'When it last changed' }),
  })
  .openapi('WebhookDelivery');

const deliveriesSchema = z
  .object({
    counts: z.record(z.enum(DELIVERY_STATUSES), z.number().openapi({ description: 'Deliveries in this status' })).openapi({ description: 'Deliveries per status, over all of them' }),
    deliveries: z.array(deliverySchema).openapi({ description: 'The deliveries asked for, newest first' }),
  })
  .openapi('WebhookDeliveries');

/** Webhook deliveries for admins: above all the ones that failed after every retry. */
export function webhooksRoutes(deliveries: WebhookDeliveries, models: ModelsService, guard: RoleGuard) {
  const list = createRoute({
    method: 'get',
    path: '/v1/webhooks/deliveries',
    summary: 'Webhook deliveries, newest first, with counts per status (admin)',
    ...keyRule(guard),
    request: { query: deliveriesQuery },
    responses: {
      200: { description: 'Deliveries and counts', content: { 'application/json': { schema: deliveriesSchema } } },
      ...errorResponses(400, 401, 403),
    },
  });
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(list, async (c) => {
    const filter = c.req.valid('query');
    const [rows, counts, all] = await Promise.all([deliveries.list(filter), deliveries.counts(), models.list()]);
    const names = new Map(all.map((m) => [m.id, m.name]));
    return c.json({ counts, deliveries: rows.map(({ modelId, ...d }) => ({ model: names.get(modelId) ?? null, ...d })) }, 200);
  });
}
