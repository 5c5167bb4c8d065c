import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import type { Authentication } from '../auth/authenticator.js';
import { errorResponses, keyRule, modelParams } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ModelsService } from '../models/models.service.js';
import { driftOverviewSchema, reportQuerySchema, reportSchema } from './drift.schemas.js';
import { deliveriesFor } from './delivery-visibility.js';
import type { DriftService } from './drift.service.js';
import type { DriftReportService } from './report/report.service.js';
import type { DriftReport } from './report/report.types.js';

/** Renders the report as an HTML page; the views layer supplies it, so drift never imports a page. */
export type ReportRenderer = (report: DriftReport, via: Authentication['via']) => string | Promise<string>;

/** Drift status and the report as JSON or HTML. Any valid key may read. */
export function driftRoutes(models: ModelsService, drift: DriftService, reports: DriftReportService, renderReport: ReportRenderer, guard: RoleGuard) {
  const status = createRoute({
    method: 'get',
    path: '/v1/models/{model}/drift',
    summary: 'Drift over the current window: status, score, the five tests and history',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams },
    responses: {
      200: { description: 'Current drift', content: { 'application/json': { schema: driftOverviewSchema } } },
      ...errorResponses(401, 403, 404),
    },
  });
  const report = createRoute({
    method: 'get',
    path: '/v1/models/{model}/report',
    summary: 'Drift report with charts (HTML), or the same data as JSON with ?format=json',
    ...keyRule(guard, 'ingest', 'label'),
    request: { params: modelParams, query: reportQuerySchema },
    responses: {
      200: {
        description: 'The report',
        // The page as a plain OpenAPI schema, not a zod one: the typed client's JSON body is then the report alone, not `string | report`.
        content: { 'text/html': { schema: { type: 'string', description: 'The report page' } }, 'application/json': { schema: reportSchema } },
      },
      ...errorResponses(400, 401, 403, 404),
    },
  });

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(status, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const { assessment: _a, ...overview } = await drift.overview(model);
      return c.json(deliveriesFor(c.get('principal'), overview), 200);
    })
    .openapi(report, async (c) => {
      const model = await models.get(c.req.valid('param').model);
      const built = await reports.build(model);
      const body = { ...built, drift: deliveriesFor(c.get('principal'), built.drift) };
      if (c.req.valid('query').format === 'json') return c.json(body, 200);
      return c.html(renderReport(body, c.get('authentication').via), 200);
    });
}
