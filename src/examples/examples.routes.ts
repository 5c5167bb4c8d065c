import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import type { Limits } from '../config.js';
import { assertBatchSize, parseNdjson } from '../http/batch.js';
import { isNdjson } from '../http/media-type.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { exampleSchema, examplesBatchSchema, examplesResultSchema } from './examples.schemas.js';
import type { ExamplesService } from './examples.service.js';

/** POST of labeled training examples, as JSON or NDJSON. */
export function examplesRoutes(models: ModelsService, examples: ExamplesService, guard: RoleGuard, limits: Limits) {
  const route = createRoute({
    method: 'post',
    path: '/v1/models/{model}/examples',
    summary: 'Add labeled training examples (JSON, or NDJSON with one example a line)',
    ...keyRule(guard),
    request: {
      params: modelParams,
      body: {
        content: { 'application/json': { schema: examplesBatchSchema } },
        description: 'Or send Content-Type application/x-ndjson with one Example a line',
        required: true,
      },
    },
    responses: {
      200: { description: 'Stored', content: { 'application/json': { schema: examplesResultSchema } } },
      ...errorResponses(400, 401, 403, 404, 413),
    },
  });

  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  // NDJSON bypasses the JSON validator: each line is checked against the same record schema.
  app.post('/v1/models/:model/examples', guard('admin'), async (c, next) => {
    if (!isNdjson(c.req.header('content-type'))) return next();
    const model = await models.get(c.req.param('model'));
    const records = parseNdjson(await c.req.text(), exampleSchema, limits.maxBatchRecords);
    return c.json(await examples.add(model, records), 200);
  });
  return app.openapi(route, async (c) => {
    const model = await models.get(c.req.valid('param').model);
    const body = c.req.valid('json');
    assertBatchSize(body.examples.length, limits.maxBatchRecords);
    return c.json(await examples.add(model, body.examples), 200);
  });
}
