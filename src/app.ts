import type http from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Logger } from 'pino';
import { admitBody } from './auth/admit-body.js';
import { createAuth, type AuthEnv } from './auth/auth.middleware.js';
import { addressedByAddress, crossSiteGuard } from './auth/cross-site.middleware.js';
import { assertBoundToLoopback } from './auth/open-mode.js';
import { createContainer, type Container, type Replacements } from './composition/container.js';
import { isLoopbackHost, type Config } from './config.js';
import { dashboardRoutes } from './views/dashboard/dashboard.routes.js';
import { driftRoutes } from './drift/drift.routes.js';
import { examplesRoutes } from './examples/examples.routes.js';
import { healthRoutes } from './health/health.routes.js';
import { BodyBudget } from './http/body-budget.js';
import { limitBodies } from './http/body-limit.js';
import { docsRoutes } from './http/docs.routes.js';
import { faviconRoutes } from './http/favicon.js';
import { serveOpenApi } from './http/openapi.js';
import { createErrorHandler, errorBody } from './http/errors.js';
import { closeHttpServer, createHttpServer, listen } from './http/node-server.js';
import { checkJsonBodies } from './http/json-shape.js';
import { requireMediaType } from './http/media-type.js';
import { refuseControlCharacters } from './http/path-check.js';
import { jobsRoutes } from './jobs/jobs.routes.js';
import { modelsRoutes } from './models/models.routes.js';
import { createLogger } from './observability/logger.js';
import { Readiness } from './observability/readiness.js';
import { predictionsRoutes } from './predictions/predictions.routes.js';
import { labelPageRoutes } from './views/label-page/label-page.routes.js';
import { reportPage } from './views/report/report.page.js';
import { reportPageRoutes } from './views/report/report.routes.js';
import { queueRoutes } from './queue/queue.routes.js';
import { regionsRoutes } from './regions/regions.routes.js';
import { retrainJobResult } from './training/training.schemas.js';
import { trainingRoutes } from './training/training.routes.js';
import { createPageGuard, pageNotFound } from './views/page-guard.js';
import { pageSecurityHeaders } from './views/security-headers.js';
import { signInRoutes } from './views/sign-in.routes.js';
import { webhooksRoutes } from './webhooks/webhooks.routes.js';
import type { Clock } from './util/clock.js';

/** Forms anyone may post: signing in. */
const PUBLIC_FORMS = ['/ui/sign-in'];

/** The HTTP application; its type drives the typed `hono/client`. */
export function buildRoutes(s: Container) {
  const guard = createAuth(s.auth);
  const page = createPageGuard(s.auth);
  const limits = s.config.limits;
  const readiness = new Readiness(s.database.db, s.clock);
  const app = new OpenAPIHono<AuthEnv>();
  app.onError(createErrorHandler(s.log));
  app.notFound(pageNotFound(s.auth, (c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404)));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    s.metrics.httpRequests.inc({ method: c.req.method, route: c.req.routePath, status: String(c.res.status) });
    s.metrics.httpDuration.observe({ method: c.req.method, route: c.req.routePath, status: `${Math.floor(c.res.status / 100)}xx` }, (performance.now() - started) / 1000);
  });
  // First, so that every answer carries them, refusals before routing included.
  app.use('*', ...pageSecurityHeaders(s.config.inputOrigins.imgSrc));
  app.use('*', refuseControlCharacters());
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(', ')}`), 405, { Allow: methods.join(', ') }),
    }),
  );
  app.use('*', crossSiteGuard(s.keys, { probes: ['/healthz', '/readyz'] }));
  app.use('/v1/*', requireMediaType((p) => p.endsWith('/examples')));
  // The limit first: without the node server (app.request) the JSON check reads the body, and a read stream cannot be limited any more.
  app.use('/v1/*', limitBodies(limits.maxBodyBytes));
  app.use('/v1/*', checkJsonBodies(s.bulkLane, s.config.limits.maxBatchRecords));
  const routes = app
    .get('/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    // Not ready: 503 database_unavailable through the error handler.
    .get('/readyz', async (c) => {
      await readiness.check();
      return c.json({ status: 'ready' as const }, 200);
    })
    // Keyless for scrapers that name the server by address; under any other Host (a DNS name another site could rebind here) a key, as with DRIFTLOOP_METRICS_REQUIRE_KEY.
    .get('/metrics', s.config.metricsRequireKey ? guard('ingest', 'label') : (c, next) => (addressedByAddress(c, s.config.publicUrl) ? next() : guard('ingest', 'label')(c, next)), async (c) => c.body(await s.metrics.registry.metrics(), 200, { 'content-type': s.metrics.registry.contentType }))
    .route('/', modelsRoutes(s.models, s.descriptions, guard))
    .route('/', examplesRoutes(s.models, s.examples, guard, limits))
    .route('/', predictionsRoutes(s.models, s.predictions, guard, limits))
    .route('/', driftRoutes(s.models, s.drift, s.driftReports, reportPage, guard))
    .route('/', reportPageRoutes(s.models, s.driftReports, page))
    .route('/', healthRoutes(s.models, s.health, guard))
    .route('/', dashboardRoutes(s.dashboard, s.clock, page))
    .route('/', trainingRoutes(s.models, s.training, guard, limits))
    .route('/', jobsRoutes(s.jobs, guard, retrainJobResult))
    .route('/', webhooksRoutes(s.webhookDeliveries, s.models, guard))
    .route('/', queueRoutes(s.models, s.queue, s.labels, s.similarItems, guard, limits))
    .route('/', regionsRoutes(s.models, s.regions, guard))
    .route('/', labelPageRoutes(s.models, page, s.config.inputOrigins.imgSrc))
    .route('/', signInRoutes(s.auth, s.models, page))
    .route('/', docsRoutes())
    .route('/', faviconRoutes());
  serveOpenApi(app);
  return routes;
}

export type AppType = ReturnType<typeof buildRoutes>;

/** A running (or ready to run) driftloop. */
export interface Driftloop {
  services: Container;
  app: AppType;
  /** Starts listening; resolves with the bound port. */
  start(): Promise<{ host: string; port: number }>;
  /** Stops accepting, drains in-flight work, saves indexes, closes the database. */
  stop(): Promise<void>;
}

/** Builds the container and its HTTP app: the composition root of the server. */
export async function createApp(config: Config, log?: Logger, deps: { clock?: Clock | undefined; replace?: Replacements | undefined } = {}): Promise<Driftloop> {
  const services = await createContainer(config, { log: log ?? createLogger(config.logLevel), clock: deps.clock, replace: deps.replace, serving: true });
  const app = buildRoutes(services);
  let server: http.Server | undefined;
  const logger = services.log;

  return {
    services,
    app,
    async start() {
      await services.keys.recordBootstrap();
      await services.start();
      server = createHttpServer(app.fetch, {
        maxBodyBytes: config.limits.maxBodyBytes,
        maxConnections: config.limits.maxConnections,
        maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
        headersTimeoutMs: config.limits.headersTimeoutMs,
        requestTimeoutMs: config.limits.requestTimeoutMs,
        budget: new BodyBudget(config.limits.maxBodyBytesInFlight, (n) => services.metrics.bodyBytesInFlight.set(n), config.limits.maxBodyBytes),
        admit: admitBody(services.auth, PUBLIC_FORMS),
      });
      const port = await listen(server, config.host, config.port);
      // An accept that fails (no file descriptors left) is logged; unheard, the second would end the process.
      server.on('error', (err) => logger.error({ err }, 'HTTP server error'));
      const open = await services.keys.isOpen();
      if (open) await assertBoundToLoopback(server);
      if (open) logger.warn({ host: config.host }, 'running OPEN: no API key configured, so every request is admin; bound to loopback only');
      logger.info({ host: config.host, port, dataDir: config.dataDir }, 'driftloop listening');
      return { host: config.host, port };
    },
    async stop() {
      if (server) await closeHttpServer(server, config.limits.drainMs);
      await services.close();
      logger.info('driftloop stopped');
    },
  };
}
