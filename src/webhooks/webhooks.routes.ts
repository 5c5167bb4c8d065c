import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { bearer, errorResponses } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { DELIVERY_STATUSES, type WebhookDeliveries } from './webhooks.service.js';

const deliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional().openapi({ description: '`failed`: every retry was used up' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const deliverySchema = z
  .object({
    id: z.number(),
    model: z.string().nullable(),
    eventType: z.string(),
    eventId: z.number(),
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number(),
    lastStatusCode: z.number().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookDelivery');

const deliveriesSchema = z
  .object({ counts: z.record(z.enum(DELIVERY_STATUSES), z.number()), deliveries: z.array(deliverySchema) })
  .openapi('WebhookDeliveries');

/** Webhook deliveries for admins: above all the ones that failed after every retry. */
export function webhooksRoutes(deliveries: WebhookDeliveries, models: ModelsService, guard: RoleGuard) {
  const list = createRoute({
    method: 'get',
    path: '/v1/webhooks/deliveries',
    summary: 'Webhook deliveries, newest first, with counts per status (admin)',
    security: bearer,
    middleware: [guard()] as const,
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
