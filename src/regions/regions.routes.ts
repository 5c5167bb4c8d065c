import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { regionsResponseSchema } from './regions.schemas.js';
import type { RegionsService } from './regions.service.js';

/** `GET .../regions`: labelers pick a region from it, ML owners read where production went. */
export function regionsRoutes(models: ModelsService, regions: RegionsService, guard: RoleGuard) {
  const list = createRoute({
    method: 'get',
    path: '/v1/models/{model}/regions',
    summary: 'Regions of recent production data, ranked by over-representation against training × estimated error',
    ...keyRule(guard, 'label'),
    request: { params: modelParams },
    responses: {
      200: { description: 'Regions, best to label first', content: { 'application/json': { schema: regionsResponseSchema } } },
      ...errorResponses(401, 403, 404),
    },
  });
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(list, async (c) => {
    const model = await models.get(c.req.valid('param').model);
    const s = await regions.snapshot(model);
    return c.json({ regions: s.regions, computedAt: s.computedAt, window: { count: s.windowCount, throughSeq: s.throughSeq }, k: s.k, silhouette: s.silhouette }, 200);
  });
}
