import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { NDJSON_TYPE } from './media-type.js';

/** The groups of `/docs`, in order; every operation belongs to the first whose path pattern matches. */
const TAGS: { name: string; description: string; path: RegExp }[] = [
  { name: 'service', description: 'Liveness, readiness and Prometheus metrics', path: /^\/(healthz|readyz|metrics)$/ },
  { name: 'queue', description: 'The review queue: claims, leases, labels', path: /^\/v1\/models\/\{model\}\/(queue|labels)(\/|$)/ },
  { name: 'drift', description: 'Drift status, the drift report and regions of production data', path: /^\/v1\/models\/\{model\}\/(drift|report|regions)$/ },
  { name: 'training', description: 'Retraining, versions, artifacts and predictions from the champion', path: /^\/v1\/models\/\{model\}\/(retrain|versions|predict)(\/|$)/ },
  { name: 'ingest', description: 'Training examples and production predictions', path: /^\/v1\/models\/\{model\}\/(examples|predictions)$/ },
  { name: 'health', description: 'The training-data checklist', path: /^\/v1\/models\/\{model\}\/health$/ },
  { name: 'models', description: 'Model definitions, taxonomy and settings', path: /^\/v1\/models(\/\{model\})?$/ },
  { name: 'jobs', description: 'Background jobs and webhook deliveries', path: /^\/v1\/(jobs|webhooks)\// },
];

/** Bulk endpoints that also take one record per line. */
const NDJSON_BODIES: Record<string, { field: string; example: string }> = {
  '/v1/models/{model}/examples': {
    field: 'examples',
    example: '{"id":"e3","embedding":[0.85,0.15,0.2],"concepts":["lager"]}\n{"id":"e4","embedding":[0.15,0.85,0.35],"concepts":["stout"]}\n',
  },
};

interface Operation {
  tags?: string[];
  requestBody?: { content: Record<string, unknown> };
}

const HEALTHZ: RouteConfig = {
  method: 'get',
  path: '/healthz',
  tags: ['service'],
  summary: 'Liveness: the process answers',
  description: 'Needs no key. For an orchestrator: 200 while the process serves HTTP, whatever the database does (see /readyz).',
  responses: {
    200: {
      description: 'Alive',
      content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'], description: 'Always ok' } }, required: ['status'] } } },
    },
  },
};

const READYZ: RouteConfig = {
  method: 'get',
  path: '/readyz',
  tags: ['service'],
  summary: 'Readiness: the database answers (for a load balancer; one probe a second at most)',
  description: 'Needs no key. 503 `database_unavailable` while the database refuses or has not answered within 2 s: take the instance out of the pool.',
  responses: {
    200: {
      description: 'Ready to serve',
      content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'], description: 'Always ready when 200' } }, required: ['status'] } } },
    },
    503: { description: 'database_unavailable: the database did not answer a trivial query within 2 s, or refused it' },
  },
};

const METRICS: RouteConfig = {
  method: 'get',
  path: '/metrics',
  tags: ['service'],
  summary: 'Prometheus metrics (text format); behind a key of any role when DRIFTLOOP_METRICS_REQUIRE_KEY=true',
  description: 'Needs no key by default (it names every model); with DRIFTLOOP_METRICS_REQUIRE_KEY=true, a key of any role. Example alerting rules over these metrics: docs/alerts.yml.',
  security: [{ bearerAuth: [] }, {}],
  responses: {
    200: { description: 'Metrics in the Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string', description: 'Prometheus text format 0.0.4' } } } },
    401: { description: 'DRIFTLOOP_METRICS_REQUIRE_KEY is true and no valid key was sent' },
  },
};

/**
 * Serves `/openapi.json`: the routes' own document plus what lives outside the route files, so
 * features do not each repeat it: the tag of every operation (by path), the NDJSON body of bulk
 * endpoints, and the plain routes `/healthz`, `/readyz` and `/metrics`.
 */
export function serveOpenApi<E extends Env>(app: OpenAPIHono<E>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' });
  app.openAPIRegistry.registerPath(HEALTHZ);
  app.openAPIRegistry.registerPath(READYZ);
  app.openAPIRegistry.registerPath(METRICS);
  let cached: unknown;
  app.get('/openapi.json', (c) => {
    cached ??= document(app);
    return c.json(cached as Record<string, unknown>, 200);
  });
}

function document<E extends Env>(app: OpenAPIHono<E>) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'driftloop', version: '1', description: 'Active-learning feedback loop for production data drift. Errors answer {"error": {"code", "message", "details"}}.' },
    tags: TAGS.map(({ name, description }) => ({ name, description })),
  });
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, Operation>)) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const tag = TAGS.find((t) => t.path.test(path));
      if (tag && !op.tags?.length) op.tags = [tag.name];
      const ndjson = NDJSON_BODIES[path];
      if (ndjson && op.requestBody) {
        op.requestBody.content[NDJSON_TYPE] = {
          schema: { type: 'string', description: `One JSON object per line, each one element of \`${ndjson.field}\`` },
          example: ndjson.example,
        };
      }
    }
  }
  return doc;
}
