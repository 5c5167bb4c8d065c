import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { healthReportSchema } from './health.schemas.js';
import type { HealthService } from './health.service.js';

/** `GET /v1/models/{model}/health`: the training-data checklist. Any valid key may read. */
export function healthRoutes(models: ModelsService, health: HealthService, guard: RoleGuard) {
  const route = createRoute({
    method: 'get',
    path: '/v1/models/{model}/health',
    summary: 'Training-data checklist: balance, near-duplicates, label conflicts, leakage, distinctness, coverage, spread',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams },
    responses: {
      200: { description: 'The checklist', content: { 'application/json': { schema: healthReportSchema } } },
      ...errorResponses(401, 403, 404),
    },
  });
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(route, async (c) => {
    const model = await models.get(c.req.valid('param').model);
    return c.json(await health.check(model), 200);
  });
}
