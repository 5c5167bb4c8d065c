import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { actingLabeler } from '../auth/labeler-identity.js';
import type { Limits } from '../config.js';
import { assertBatchSize } from '../http/batch.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import type { LabelsService } from './labels.service.js';
import type { QueueService } from './queue.service.js';
import type { SimilarItemsService } from './similar-items.service.js';
import {
  claimRequestSchema,
  claimResponseSchema,
  itemParams,
  labelsBatchSchema,
  labelsResultSchema,
  queueStatsSchema,
  renewRequestSchema,
  renewResponseSchema,
  retractRequestSchema,
  retractResultSchema,
  similarItemsSchema,
  similarQuerySchema,
} from './queue.schemas.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

/** The review queue: claims, lease renewal, labels and the queue summary. */
export function queueRoutes(models: ModelsService, queue: QueueService, labels: LabelsService, similarItems: SimilarItemsService, guard: RoleGuard, limits: Limits) {
  const claim = createRoute({
    method: 'post',
    path: '/v1/models/{model}/queue/claim',
    summary: 'Lease the highest-priority items to a labeler',
    ...keyRule(guard, 'label'),
    request: { params: modelParams, body: json(claimRequestSchema) },
    responses: {
      200: { description: 'Leased items (the labeler’s live leases first); empty when nothing is left', content: { 'application/json': { schema: claimResponseSchema } } },
      ...errorResponses(400, 401, 403, 404),
    },
  });
  const renew = createRoute({
    method: 'post',
    path: '/v1/models/{model}/queue/items/{itemId}/renew',
    summary: 'Extend a live lease by queue.leaseSeconds',
    ...keyRule(guard, 'label'),
    request: { params: modelParams.extend(itemParams.shape), body: json(renewRequestSchema) },
    responses: {
      200: { description: 'Renewed', content: { 'application/json': { schema: renewResponseSchema } } },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  });
  const retract = createRoute({
    method: 'post',
    path: '/v1/models/{model}/labels/retract',
    summary: "Undo a labeler's bulk labels: the items return to the queue",
    ...keyRule(guard, 'label'),
    request: { params: modelParams, body: json(retractRequestSchema) },
    responses: {
      200: { description: 'How many bulk labels were taken back', content: { 'application/json': { schema: retractResultSchema } } },
      ...errorResponses(400, 401, 403, 404),
    },
  });
  const similar = createRoute({
    method: 'get',
    path: '/v1/models/{model}/queue/items/{itemId}/similar',
    summary: 'Pending items nearest to this one, for labeling several at once',
    ...keyRule(guard, 'label'),
    request: { params: modelParams.extend(itemParams.shape), query: similarQuerySchema },
    responses: {
      200: { description: 'Free pending items (no lease, no label), nearest first', content: { 'application/json': { schema: similarItemsSchema } } },
      ...errorResponses(400, 401, 403, 404),
    },
  });
  const stats = createRoute({
    method: 'get',
    path: '/v1/models/{model}/queue',
    summary: 'Queue counts by status and reason, per-labeler work and labeler agreement',
    ...keyRule(guard, 'label'),
    request: { params: modelParams },
    responses: {
      200: { description: 'Queue summary', content: { 'application/json': { schema: queueStatsSchema } } },
      ...errorResponses(401, 403, 404),
    },
  });
  const submit = createRoute({
    method: 'post',
    path: '/v1/models/{model}/labels',
    summary: 'Submit labels, new-concept proposals, out-of-scope marks or skips (atomic batch)',
    ...keyRule(guard, 'label'),
    request: { params: modelParams, body: json(labelsBatchSchema) },
    responses: {
      200: { description: 'Committed', content: { 'application/json': { schema: labelsResultSchema } } },
      ...errorResponses(400, 401, 403, 404, 409, 413),
    },
  });

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(claim, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const { labeler, limit, region } = c.req.valid('json');
      return c.json({ items: await queue.claim(model, actingLabeler(c.get('principal'), labeler), limit, region) }, 200);
    })
    .openapi(renew, async (c) => {
      const { model: name, itemId } = c.req.valid('param');
      const model = await models.get(name);
      return c.json(await queue.renew(model, Number(itemId), actingLabeler(c.get('principal'), c.req.valid('json').labeler)), 200);
    })
    .openapi(retract, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const { labeler, itemIds } = c.req.valid('json');
      return c.json(await labels.retractBulk(model, actingLabeler(c.get('principal'), labeler), itemIds.map(Number)), 200);
    })
    .openapi(similar, async (c) => {
      const { model: name, itemId } = c.req.valid('param');
      const model = await models.get(name);
      const { limit, radius } = c.req.valid('query');
      return c.json({ items: await similarItems.similar(model, Number(itemId), limit, radius) }, 200);
    })
    .openapi(stats, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      return c.json(await queue.stats(model), 200);
    })
    .openapi(submit, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const body = c.req.valid('json');
      assertBatchSize(body.labels.length, limits.maxBatchRecords);
      const principal = c.get('principal');
      return c.json(await labels.submit(model, body.labels.map((l) => ({ ...l, labeler: actingLabeler(principal, l.labeler) }))), 200);
    });
}
