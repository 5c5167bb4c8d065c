import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import { modelDefinitionSchema, modelSchema } from './models.schemas.js';
import type { ModelDescriptions } from './model-descriptions.js';
import type { ModelsService } from './models.service.js';

/** PUT/GET of model definitions. */
export function modelsRoutes(models: ModelsService, descriptions: ModelDescriptions, guard: RoleGuard) {
  const put = createRoute({
    method: 'put',
    path: '/v1/models/{model}',
    summary: 'Create or update a model',
    ...keyRule(guard),
    request: { params: modelParams, body: { content: { 'application/json': { schema: modelDefinitionSchema } }, required: true } },
    responses: {
      200: { description: 'Updated', content: { 'application/json': { schema: modelSchema } } },
      201: { description: 'Created', content: { 'application/json': { schema: modelSchema } } },
      ...errorResponses(400, 401, 403, 409),
    },
  });
  const list = createRoute({
    method: 'get',
    path: '/v1/models',
    summary: 'List models with counts and settings',
    ...keyRule(guard, 'ingest', 'label'),
    responses: {
      200: { description: 'Models', content: { 'application/json': { schema: z.object({ models: z.array(modelSchema).openapi({ description: 'Every model, by name' }) }) } } },
      ...errorResponses(401),
    },
  });
  const get = createRoute({
    method: 'get',
    path: '/v1/models/{model}',
    summary: 'One model with counts, champion and every setting in force',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams },
    responses: {
      200: { description: 'The model', content: { 'application/json': { schema: modelSchema } } },
      ...errorResponses(401, 404),
    },
  });

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(put, async (c) => {
      const { model: name } = c.req.valid('param');
      const { model, created } = await models.put(name, c.req.valid('json'));
      const body = await descriptions.describe(model);
      return created ? c.json(body, 201) : c.json(body, 200);
    })
    .openapi(list, async (c) => {
      const all = await models.list();
      const webhookTargets = c.get('principal')?.role === 'admin';
      return c.json({ models: await Promise.all(all.map((m) => descriptions.describe(m, { webhookTargets }))) }, 200);
    })
    .openapi(get, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      return c.json(await descriptions.describe(model, { webhookTargets: c.get('principal')?.role === 'admin' }), 200);
    });
}
