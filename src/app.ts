import path from 'node:path';
import type http from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { ApiKeysService } from './auth/api-keys.service.js';
import { admitBody } from './auth/admit-body.js';
import { createAuth, type AuthEnv } from './auth/auth.middleware.js';
import { Authenticator } from './auth/authenticator.js';
import { SessionsService } from './auth/sessions.service.js';
import { BodyBudget } from './http/body-budget.js';
import { createPageGuard } from './ui/page-guard.js';
import { pageSecurityHeaders } from './ui/security-headers.js';
import { signInRoutes } from './ui/sign-in.routes.js';
import { crossSiteGuard } from './auth/cross-site.middleware.js';
import { requireMediaType } from './http/media-type.js';
import { checkJsonBodies } from './http/json-shape.js';
import { isLoopbackHost, type Config } from './config.js';
import { assertBoundToLoopback, assertMayListen } from './auth/open-mode.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { createDriftServices, type DriftServices } from './drift/drift.composition.js';
import { driftRoutes } from './drift/drift.routes.js';
import { PERFORMANCE_LABELS } from './drift/performance/estimate.js';
import { PayloadTooLargeError } from './errors.js';
import { examplesRoutes } from './examples/examples.routes.js';
import { ExamplesService } from './examples/examples.service.js';
import { healthRoutes } from './health/health.routes.js';
import { HealthService } from './health/health.service.js';
import { docsRoutes } from './http/docs.routes.js';
import { createErrorHandler, errorBody } from './http/errors.js';
import { createHttpServer, listen } from './http/node-server.js';
import { oneAtATime } from './http/one-at-a-time.js';
import { JobRunner } from './jobs/job-runner.js';
import { wireFeedbackLoop } from './loop/feedback-loop.js';
import { jobsRoutes } from './jobs/jobs.routes.js';
import { sharedTensorflow } from './ml/tf-backend.js';
import { TfTrainer } from './ml/tf-trainer.js';
import { modelsRoutes } from './models/models.routes.js';
import { ModelsService } from './models/models.service.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { predictionsRoutes } from './predictions/predictions.routes.js';
import { PredictionsService } from './predictions/predictions.service.js';
import { EnqueueService } from './queue/enqueue.service.js';
import { labelPageRoutes } from './queue/label-page.routes.js';
import { QueueLabeledSource } from './queue/labeled-source.js';
import { LabelsService } from './queue/labels.service.js';
import { NearDuplicateRegistry } from './queue/near-duplicates.js';
import { queueRoutes } from './queue/queue.routes.js';
import { QueueService } from './queue/queue.service.js';
import { ReferenceRegistry } from './reference/reference.registry.js';
import { ClassifierCache } from './training/classifier-cache.js';
import { LabeledSourceSlot } from './training/labeled-production.js';
import { runRetrain } from './training/retrain.job.js';
import { trainingRoutes } from './training/training.routes.js';
import { RETRAIN_JOB, TrainingService } from './training/training.service.js';
import { VersionsService } from './training/versions.service.js';
import { WebhookTargetPolicy } from './webhooks/target-policy.js';
import { SearchWorker } from './vectors/search-worker.js';

/** Everything the routes are built from. */
export interface Services extends DriftServices {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  keys: ApiKeysService;
  /** Keys, sessions and open mode: who a request is. */
  auth: Authenticator;
  models: ModelsService;
  examples: ExamplesService;
  predictions: PredictionsService;
  references: ReferenceRegistry;
  /** Runs prediction-scoring searches off the main thread once the app starts it. */
  searchWorker: SearchWorker;
  metrics: Metrics;
  jobs: JobRunner;
  training: TrainingService;
  health: HealthService;
  queue: QueueService;
  labels: LabelsService;
  duplicates: NearDuplicateRegistry;
}

/** Builds every service on one open database. */
export async function createServices(config: Config, log: Logger = createLogger(config.logLevel), opts: { serving?: boolean } = {}): Promise<Services> {
  const database = await openDatabase(config.dataDir);
  const { db } = database;
  const keys = new ApiKeysService(db, config.adminKey, { boundToLoopback: isLoopbackHost(config.host) });
  // A server that may not listen says so before the engines (TensorFlow.js) load.
  if (opts.serving) await assertMayListen(keys, config.host).catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  const references = new ReferenceRegistry(db, path.join(config.dataDir, 'indexes'), log);
  const webhookTargets = new WebhookTargetPolicy(config.webhookAllow);
  const models = new ModelsService(db, webhookTargets);
  const names = new Map<number, string>();
  const metrics = new Metrics(() => references.sizes().map((s) => ({ model: names.get(s.modelId) ?? String(s.modelId), ...s })));
  models.onChange(async (m) => {
    names.set(m.id, m.name);
    await references.reconfigure(m);
  });
  models.addDescriber(async (m) => ({ calibration: (await references.get(m)).calibrationSource() }));
  const predictions = new PredictionsService(database, references, {
    scored: (model, count, seconds) => {
      metrics.scoringSeconds.observe(seconds);
      metrics.predictionsIngested.inc({ model }, count);
    },
  });
  for (const m of await models.list()) names.set(m.id, m.name);
  const drift = createDriftServices(db, models, predictions, references, log, webhookTargets);
  const examples = new ExamplesService(db, references);
  const { tf, backend, fallbacks } = await sharedTensorflow();
  log.info({ backend, fallbacks }, `TensorFlow.js backend: ${backend}`);
  const trainer = new TfTrainer(tf, backend);
  const jobs = new JobRunner(db, log);
  const labeled = new LabeledSourceSlot();
  const versionsDir = path.join(config.dataDir, 'versions');
  const versions = new VersionsService(db, versionsDir, new ClassifierCache(trainer, versionsDir), models, examples, labeled, log);
  const training = new TrainingService(db, jobs, versions, labeled);
  jobs.register(RETRAIN_JOB, (ctx) => runRetrain({ db, models, versions, trainer, labeled, log }, ctx));
  models.addDescriber(async (m) => ({ champion: await versions.championSummary(m) }));
  const health = new HealthService(db, references);
  drift.drift.setProviders({ trainingHealth: (m) => health.check(m) });
  const duplicates = new NearDuplicateRegistry(path.join(config.dataDir, 'indexes'), log);
  const queue = new QueueService(db);
  predictions.setSink(new EnqueueService(duplicates, log, async (m) => (await references.get(m)).activeCalibration().quantile(0.5)).sink);
  models.onChange(async (m) => {
    duplicates.reconfigure(m);
    await queue.applySettings(m);
  });
  models.addDescriber(async (m) => ({ queue: await queue.depth(m) }));
  const queueLabels = new QueueLabeledSource(db);
  const labels = new LabelsService(db);
  wireFeedbackLoop({ drift: drift.drift, training, labels, log });
  training.useLabeledSource(queueLabels);
  drift.drift.setProviders({
    boostRecentOod: async (modelId) => {
      const model = (await models.list()).find((m) => m.id === modelId);
      if (model) await queue.boostRecentOod(model);
    },
    performanceLabels: (model) => queueLabels.performanceSignals(model, PERFORMANCE_LABELS),
    performanceCalibration: async (model) => {
      const stats = await training.championEvalStats(model);
      if (!stats || stats.accuracy === null || stats.confidences.length === 0) return undefined;
      const meanScore = stats.confidences.reduce((a, b) => a + b, 0) / stats.confidences.length;
      return { kind: 'summary', source: `champion v${stats.version} on eval data`, accuracy: stats.accuracy, meanScore, size: stats.confidences.length };
    },
    labeledAccuracy: async (model) => {
      const production = await queueLabels.accuracy(model);
      return production && { production, evalAccuracy: (await training.championEvalStats(model))?.accuracy ?? undefined };
    },
  });
  return {
    ...drift,
    config,
    log,
    database,
    keys,
    auth: new Authenticator(keys, new SessionsService(db, keys, { ttlSeconds: config.limits.sessionTtlSeconds })),
    models,
    examples,
    predictions,
    references,
    searchWorker: new SearchWorker(log),
    metrics,
    jobs,
    training,
    health,
    queue,
    labels,
    duplicates,
  };
}

/** Forms anyone may post: signing in. */
const PUBLIC_FORMS = ['/ui/sign-in'];

/** The HTTP application; its type drives the typed `hono/client`. */
export function buildRoutes(s: Services) {
  const guard = createAuth(s.auth);
  const page = createPageGuard(s.auth);
  const limits = s.config.limits;
  const app = new OpenAPIHono<AuthEnv>();
  app.onError(createErrorHandler(s.log));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.use('*', async (c, next) => {
    await next();
    s.metrics.httpRequests.inc({ method: c.req.method, route: c.req.routePath, status: String(c.res.status) });
  });
  app.use('*', crossSiteGuard(s.keys));
  app.use('*', ...pageSecurityHeaders());
  app.use('/v1/*', requireMediaType((p) => p.endsWith('/examples')));
  app.use('/v1/*', checkJsonBodies());
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new PayloadTooLargeError(`Request body is larger than ${limits.maxBodyBytes} bytes`);
      },
    }),
  );
  // Ingestion saturates the event loop at full rate; one batch at a time lets claims in between.
  app.use('/v1/models/:model/predictions', oneAtATime((c) => c.req.param('model') ?? ''));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  const routes = app
    .get('/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    .get('/metrics', s.config.metricsRequireKey ? guard('ingest', 'label') : (_c, next) => next(), async (c) => c.body(await s.metrics.registry.metrics(), 200, { 'content-type': s.metrics.registry.contentType }))
    .route('/', modelsRoutes(s.models, guard))
    .route('/', examplesRoutes(s.models, s.examples, guard, limits))
    .route('/', predictionsRoutes(s.models, s.predictions, guard, limits))
    .route('/', driftRoutes(s.models, s.drift, s.driftReports, guard, page))
    .route('/', healthRoutes(s.models, s.health, guard))
    .route('/', dashboardRoutes(s.dashboard, page))
    .route('/', trainingRoutes(s.models, s.training, guard, limits))
    .route('/', jobsRoutes(s.jobs, guard))
    .route('/', queueRoutes(s.models, s.queue, s.labels, guard, limits))
    .route('/', labelPageRoutes(s.models, page))
    .route('/', signInRoutes(s.auth, s.models, page))
    .route('/', docsRoutes());
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'driftloop', version: '1', description: 'Active-learning feedback loop for production data drift' },
  });
  return routes;
}

export type AppType = ReturnType<typeof buildRoutes>;

/** A running (or ready to run) driftloop. */
export interface Driftloop {
  services: Services;
  app: AppType;
  /** Starts listening; resolves with the bound port. */
  start(): Promise<{ host: string; port: number }>;
  /** Stops accepting, drains in-flight work, saves indexes, closes the database. */
  stop(): Promise<void>;
}

/** The composition root. */
export async function createApp(config: Config, log?: Logger): Promise<Driftloop> {
  const services = await createServices(config, log, { serving: true });
  const app = buildRoutes(services);
  let server: http.Server | undefined;
  let saver: NodeJS.Timeout | undefined;
  const { log: logger } = services;

  return {
    services,
    app,
    async start() {
      await services.keys.recordBootstrap();
      services.searchWorker.start();
      await services.references.replicateTo(services.searchWorker);
      for (const m of await services.models.list()) await services.references.get(m);
      for (const m of await services.models.list()) await services.duplicates.get(services.database.db, m);
      await services.references.saveAll();
      await services.duplicates.saveAll();
      saver = setInterval(() => void Promise.all([services.references.saveAll(), services.duplicates.saveAll()]).catch((err) => logger.error({ err }, 'index save failed')), 60_000);
      saver.unref();
      await services.jobs.start();
      services.drift.start();
      server = createHttpServer(app.fetch, {
        maxBodyBytes: config.limits.maxBodyBytes,
        budget: new BodyBudget(config.limits.maxBodyBytesInFlight, (n) => services.metrics.bodyBytesInFlight.set(n)),
        admit: admitBody(services.auth, PUBLIC_FORMS),
      });
      const port = await listen(server, config.host, config.port);
      const open = await services.keys.isOpen();
      if (open) await assertBoundToLoopback(server);
      if (open) logger.warn({ host: config.host }, 'running OPEN: no API key configured, so every request is admin; bound to loopback only');
      logger.info({ host: config.host, port, dataDir: config.dataDir }, 'driftloop listening');
      return { host: config.host, port };
    },
    async stop() {
      if (saver) clearInterval(saver);
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      await services.jobs.stop();
      await services.training.close();
      await services.drift.stop();
      await services.searchWorker.close();
      await services.references.saveAll();
      await services.duplicates.saveAll();
      await services.database.close();
      logger.info('driftloop stopped');
    },
  };
}
