import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import type { Limits } from '../config.js';
import { assertBatchSize } from '../http/batch.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { ingestResultSchema, predictionsBatchSchema } from './predictions.schemas.js';
import type { PredictionsService } from './predictions.service.js';

/** POST of production predictions, scored on the way in. */
export function predictionsRoutes(models: ModelsService, predictions: PredictionsService, guard: RoleGuard, limits: Limits) {
  const route = createRoute({
    method: 'post',
    path: '/v1/models/{model}/predictions',
    summary: 'Forward production predictions; each is scored for OOD, uncertainty and priority',
    ...keyRule(guard, 'ingest'),
    request: { params: modelParams, body: { content: { 'application/json': { schema: predictionsBatchSchema } }, required: true } },
    responses: {
      200: { description: 'Committed', content: { 'application/json': { schema: ingestResultSchema } } },
      ...errorResponses(400, 401, 403, 404, 409, 413),
    },
  });
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(route, async (c) => {
    const model = await models.get(c.req.valid('param').model);
    const body = c.req.valid('json');
    assertBatchSize(body.predictions.length, limits.maxBatchRecords);
    return c.json(await predictions.ingest(model, body.predictions), 200);
  });
}
