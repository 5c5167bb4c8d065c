import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import type { Limits } from '../config.js';
import { assertBatchSize } from '../http/batch.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import {
  predictBodySchema,
  predictResultSchema,
  retrainResultSchema,
  versionBody,
  versionParams,
  versionSchema,
  versionsSchema,
} from './training.schemas.js';
import type { TrainingService } from './training.service.js';

/** Retraining, versions, their TF.js artifacts, and predictions from the champion. */
export function trainingRoutes(models: ModelsService, training: TrainingService, guard: RoleGuard, limits: Limits) {
  const versions = training.versions;
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

  const retrain = createRoute({
    method: 'post',
    path: '/v1/models/{model}/retrain',
    summary: 'Queue a retraining job',
    ...keyRule(guard),
    request: { params: modelParams },
    responses: { 202: json(retrainResultSchema, 'Queued; follow it at /v1/jobs/{jobId}'), ...errorResponses(401, 403, 404, 409) },
  });
  const list = createRoute({
    method: 'get',
    path: '/v1/models/{model}/versions',
    summary: 'Trained versions with metrics, lineage and the promotion decision',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams },
    responses: { 200: json(versionsSchema, 'Versions, oldest first'), ...errorResponses(401, 404) },
  });
  const promote = createRoute({
    method: 'post',
    path: '/v1/models/{model}/versions/{version}/promote',
    summary: 'Make a version champion (also how to roll back)',
    ...keyRule(guard),
    request: { params: versionParams },
    responses: { 200: json(versionSchema, 'The new champion'), ...errorResponses(401, 403, 404, 409) },
  });
  const artifact = createRoute({
    method: 'get',
    path: '/v1/models/{model}/versions/{version}/model.json',
    summary: 'TensorFlow.js layers artifact: load it with tf.loadLayersModel(url); the weights sit beside it',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: versionParams },
    responses: { 200: json(z.record(z.string(), z.unknown()), 'model.json'), ...errorResponses(401, 404) },
  });
  const weights = createRoute({
    method: 'get',
    path: '/v1/models/{model}/versions/{version}/weights.bin',
    summary: 'Weights of the TF.js artifact, named by model.json',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: versionParams },
    responses: {
      200: { description: 'Raw weights', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...errorResponses(401, 404),
    },
  });
  const predict = createRoute({
    method: 'post',
    path: '/v1/models/{model}/predict',
    summary: 'Score embeddings with the champion',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams, body: { content: { 'application/json': { schema: predictBodySchema } }, required: true } },
    responses: { 200: json(predictResultSchema, 'Scores per concept, one map per embedding'), ...errorResponses(400, 401, 404, 409, 413) },
  });

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(retrain, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const job = await training.requestRetrain(model, 'manual');
      return c.json({ jobId: job.id }, 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(list, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      return c.json((await versions.list(model)).map(versionBody), 200);
    })
    .openapi(promote, async (c) => {
      const { model: name, version } = c.req.valid('param');
      const model = await models.get(name);
      return c.json(versionBody(await versions.promote(model, version, 'manual')), 200);
    })
    .openapi(artifact, async (c) => {
      const { model: name, version } = c.req.valid('param');
      const v = await versions.get(await models.get(name), version);
      return c.json(JSON.parse((await versions.artifact(v, 'model')).toString('utf8')) as Record<string, unknown>, 200);
    })
    .openapi(weights, async (c) => {
      const { model: name, version } = c.req.valid('param');
      const v = await versions.get(await models.get(name), version);
      return c.body(await versions.artifact(v, 'weights'), 200, { 'content-type': 'application/octet-stream' });
    })
    .openapi(predict, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const { embeddings } = c.req.valid('json');
      assertBatchSize(embeddings.length, limits.maxBatchRecords);
      return c.json(await training.predict(model, embeddings), 200);
    });
}
