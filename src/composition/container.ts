import path from 'node:path';
import type { Logger } from 'pino';
import { ApiKeysService, REMEMBERED_KEYS } from '../auth/api-keys.service.js';
import { isLoopbackHost, type Config } from '../config.js';
import { DashboardService } from '../views/dashboard/dashboard.service.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import type { DriftProviders } from '../drift/drift.providers.js';
import { PerformanceAssessor } from '../drift/performance/performance.assessor.js';
import { signalsOf } from '../drift/performance/signals.js';
import { DriftService } from '../drift/drift.service.js';
import { EvalScoresCalibration } from '../drift/performance/eval-scores.source.js';
import { DriftReportService } from '../drift/report/report.service.js';
import { SequentialDetector } from '../drift/sequential/sequential.service.js';
import { EventBus } from '../events/event-bus.js';
import { ExamplesService } from '../examples/examples.service.js';
import { NewRegions } from '../drift/new-regions.js';
import { registerFeatureMetrics } from '../observability/feature-metrics.js';
import { registerHeldEntries } from '../observability/held-entries.js';
import { WebhookDeliveries } from '../webhooks/webhooks.service.js';
import { HealthService } from '../health/health.service.js';
import { NeighborStore } from '../health/neighbor-store.js';
import { assertPortFree } from '../http/node-server.js';
import { JobRunner } from '../jobs/job-runner.js';
import { sharedTensorflow } from '../ml/tf-backend.js';
import { TfTrainer } from '../ml/tf-trainer.js';
import { ModelDescriptions } from '../models/model-descriptions.js';
import type { Model } from '../models/model.js';
import { ModelsService } from '../models/models.service.js';
import { Metrics } from '../observability/metrics.js';
import type { PredictionSink } from '../predictions/prediction.js';
import { PredictionsService } from '../predictions/predictions.service.js';
import { EnqueueService } from '../queue/enqueue.service.js';
import { QueueLabeledSource } from '../queue/labeled-source.js';
import { LabelsService } from '../queue/labels.service.js';
import { NearDuplicateRegistry } from '../queue/near-duplicates.js';
import { QueueService } from '../queue/queue.service.js';
import { SimilarItemsService } from '../queue/similar-items.service.js';
import { RANKINGS_KEPT, SelectionService } from '../queue/selection/selection.service.js';
import { MAX_LEASE_TEXTS } from '../queue/claim-at-once.repository.js';
import { ReferenceFollower } from '../reference/reference.follower.js';
import { ReferenceRegistry } from '../reference/reference.registry.js';
import { IndexSnapshots } from '../snapshots/index-snapshots.js';
import { StoredRegionIds } from '../regions/region-ids.repository.js';
import { RegionsService } from '../regions/regions.service.js';
import { ClassifierCache } from '../training/classifier-cache.js';
import type { LabeledProductionSource } from '../training/labeled-production.js';
import { runRetrain } from '../training/retrain.job.js';
import { RETRAIN_JOB, TrainingService } from '../training/training.service.js';
import { VersionsService } from '../training/versions.service.js';
import { systemClock, type Clock } from '../util/clock.js';
import { TurnLane } from '../util/turn-lane.js';
import { SearchPool } from '../vectors/search-pool.js';
import { mmdInProcess, MmdThreads } from '../drift/stats/mmd-threads.js';
import { ClusteringThread } from '../regions/clustering-thread.js';
import type { Publication } from '../vectors/derived-index.types.js';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher.js';
import { IndexWriteError } from '../vectors/hnsw-index.js';
import { describeHnswlibBuild } from '../vectors/hnswlib-build.js';
import { IndexCheckThread } from '../vectors/index-check-thread.js';
import { isDiskFull } from '../errors.js';
import { WebhookTargetPolicy } from '../webhooks/target-policy.js';
import { Authenticator } from '../auth/authenticator.js';
import { assertMayListen } from '../auth/open-mode.js';
import { SessionsService } from '../auth/sessions.service.js';
import { modelDescribers } from './describers.js';
import { instanceId } from './instance-id.js';
import { driftProviders, ownerReadRepositories, ownerReads, sequentialReference, webhookTargets, withSequentialDetector } from './ports.js';
import { subscribeFeatures } from './subscriptions.js';

/** Ports a test may replace with a stand-in built from the real one. */
export interface Replacements {
  labeledSource?: (real: LabeledProductionSource) => LabeledProductionSource;
  driftProviders?: (real: DriftProviders) => DriftProviders;
  predictionSink?: (real: PredictionSink) => PredictionSink;
}

export interface ContainerOptions {
  log: Logger;
  clock?: Clock | undefined;
  replace?: Replacements | undefined;
  /** For one-off commands beside a running server: close without writing index files. */
  readOnly?: boolean | undefined;
  /** For the server: refuse, before TensorFlow.js loads, a non-loopback HOST with no key in force and a taken PORT. */
  serving?: boolean | undefined;
}

/** Every service of driftloop on one open database, built once, closed once. */
export interface Container {
  config: Config;
  log: Logger;
  clock: Clock;
  events: EventBus;
  database: DatabaseHandle;
  keys: ApiKeysService;
  /** Keys, sessions and open mode: who a request is. */
  auth: Authenticator;
  models: ModelsService;
  descriptions: ModelDescriptions;
  examples: ExamplesService;
  predictions: PredictionsService;
  /** Bulk work on the event loop (prediction batches), one step per turn, so claims and labels get in between. */
  bulkLane: TurnLane;
  references: ReferenceRegistry;
  /** Runs prediction-scoring searches off the main thread once started. */
  searchPool: SearchPool;
  metrics: Metrics;
  jobs: JobRunner;
  training: TrainingService;
  health: HealthService;
  queue: QueueService;
  labels: LabelsService;
  duplicates: NearDuplicateRegistry;
  similarItems: SimilarItemsService;
  regions: RegionsService;
  drift: DriftService;
  /** What drift reads from retraining, the queue and health. */
  driftProviders: DriftProviders;
  driftReports: DriftReportService;
  dashboard: DashboardService;
  /** Webhook deliveries for admins and metrics. */
  webhookDeliveries: WebhookDeliveries;
  /** Starts background work: search replicas, index warm-up and saving, jobs, webhook delivery. */
  start(): Promise<void>;
  /**
   * Starts the compute threads (regions, MMD) now instead of on their first task, so the first
   * regions map or drift test does not wait for their modules to load (about half a second of CPU
   * each). `npm start` calls it; test servers do not, as every one would pay it.
   */
  warmThreads(): void;
  /** Stops background work, saves indexes (unless read-only) and closes the database. Safe to call once, started or not. */
  close(): Promise<void>;
}

const INDEX_SAVE_EVERY_MS = 60_000;

/**
 * The composition root: builds every feature with constructor injection, in dependency
 * order, and subscribes features to each other's events in one place (`subscriptions.ts`).
 */
export async function createContainer(config: Config, opts: ContainerOptions): Promise<Container> {
  const { log } = opts;
  const clock = opts.clock ?? systemClock;
  const replace = opts.replace ?? {};
  const events = new EventBus();
  const database = await openDatabase(config);
  const { db } = database;
  const indexDir = path.join(config.dataDir, 'indexes');
  const reads = ownerReads(db);
  const keys = new ApiKeysService(db, config.adminKey, clock, { boundToLoopback: isLoopbackHost(config.host) });
  if (opts.serving) {
    // After the migrations and the keys check, before TensorFlow.js: a taken port is said at once.
    await assertMayListen(keys, config.host)
      .then(() => assertPortFree(config.host, config.port))
      .catch(async (err: unknown) => {
        await database.close();
        throw err;
      });
  }
  const webhookPolicy = new WebhookTargetPolicy(config.webhookAllow);

  const searchPool = new SearchPool(log, config.indexes.searchReplicas, config.indexes.searchNiceness);
  // Instances on one PostgreSQL database share snapshots of their indexes; one SQLite file has one instance.
  const snapshots =
    database.dialect === 'postgres'
      ? { store: new IndexSnapshots(db, clock), publishEveryMs: config.indexes.snapshotEveryMs, now: () => clock.now().getTime() }
      : undefined;
  // Saves read back and hash each written index on a thread: 0.2 s of the event loop a minute for a 200k-item near-duplicate index.
  const indexChecks = config.computeThreads > 0 ? new IndexCheckThread(log, config.computeNiceness) : undefined;
  // Reference sets follow the published snapshot so that every instance scores and calibrates identically.
  const references = new ReferenceRegistry(db, indexDir, searchPool, log, { reads: ownerReadRepositories.examples, snapshots: snapshots && { ...snapshots, follow: true }, check: indexChecks?.check });
  const models = new ModelsService(db, events, clock, reads, webhookPolicy, config.splitSecret);
  const modelNames = new Map((await models.list()).map((m) => [m.id, m.name]));
  const metrics = new Metrics(() => references.sizes().map((s) => ({ model: modelNames.get(s.modelId) ?? String(s.modelId), ...s })));
  const examples = new ExamplesService(db, references, clock, (trx, id) => models.current(trx, id), config.inputOrigins);

  const duplicates = new NearDuplicateRegistry(indexDir, log, { reads: ownerReadRepositories.predictions, window: config.indexes.duplicateWindow, snapshots, check: indexChecks?.check });
  // Selection reads the champion and the regions, both built further down: the ports run only after createApp returns.
  const selection = new SelectionService(db, ownerReadRepositories.predictions, duplicates, {
    uncertainty: (m, vectors) => training.championUncertainty(m, vectors),
    championVersion: (m) => training.championVersion(m),
    // A claim still works on stale region tags when regions cannot be computed.
    refreshRegions: (m) =>
      regions.snapshot(m).then(
        (s) => s.computedAt,
        (err: unknown) => void log.warn({ err, model: m.name }, 'regions not refreshed for selection'),
      ),
  }, clock);
  const queue = new QueueService(db, clock, ownerReadRepositories, selection);
  const queueLabels = new QueueLabeledSource(db, ownerReadRepositories.predictions);
  const labels = new LabelsService(db, events, clock);
  const typicalDistance = async (m: Model) => (await references.get(m)).activeCalibration().quantile(0.5);
  const enqueue = new EnqueueService(duplicates, typicalDistance, clock);
  const sequential = new SequentialDetector(sequentialReference(references), clock);
  const stored = withSequentialDetector(enqueue.sink, sequential);
  const sink = replace.predictionSink ? replace.predictionSink(stored) : stored;
  const bulkLane = new TurnLane();
  const predictions = new PredictionsService(database, references, sink, bulkLane, {
    scored: (model, count, seconds) => {
      metrics.scoringSeconds.observe(seconds);
      metrics.predictionsIngested.inc({ model }, count);
    },
  }, events, clock, config.inputOrigins);

  const { tf, backend, fallbacks } = await sharedTensorflow();
  log.info({ backend, fallbacks }, `TensorFlow.js backend: ${backend}`);
  log.info(`hnswlib-node: ${describeHnswlibBuild()}`);
  const trainer = new TfTrainer(tf, backend);
  const labeled = replace.labeledSource ? replace.labeledSource(queueLabels) : queueLabels;
  const jobs = new JobRunner(db, log, (id) => models.nameOf(id), { clock, owner: instanceId(config.dataDir, opts.readOnly) });
  const versionsDir = path.join(config.dataDir, 'versions');
  const versions = new VersionsService(db, versionsDir, new ClassifierCache(trainer, versionsDir), models, events, clock, log);
  const training = new TrainingService(reads.examples, jobs, versions, labeled, clock);
  jobs.register(RETRAIN_JOB, (ctx) => runRetrain({ examples: reads.examples, models, versions, trainer, labeled, clock, log }, ctx));
  const health = new HealthService(reads, references, clock, new NeighborStore(indexDir));

  const evalScores = new EvalScoresCalibration(reads.examples, (m) => references.get(m));
  const similarItems = new SimilarItemsService(db, ownerReadRepositories.predictions, duplicates, queueLabels, typicalDistance);
  // Regions rank by the per-prediction accuracy estimate, calibrated as drift's is.
  const correctness = new PerformanceAssessor();
  // PCA, k-means and UMAP take up to seconds of CPU: on a thread, claims and ingestion go on meanwhile.
  const clustering = config.computeThreads > 0 ? new ClusteringThread(log, config.computeNiceness) : undefined;
  const regions = new RegionsService(
    reads,
    similarItems,
    new StoredRegionIds(db, clock),
    clock,
    async (m, rows) => correctness.correctness(m, rows.map((r) => signalsOf(r, m.settings.queue.uncertaintyThreshold)), await realProviders.performanceCalibration(m)),
    clustering?.cluster,
  );
  const realProviders = driftProviders({ training, queueLabels, health, evalScores, examples, references, regions });
  const providers = replace.driftProviders ? replace.driftProviders(realProviders) : realProviders;
  const webhooks = new WebhookDispatcher(db, webhookTargets(models), clock, log, webhookPolicy);
  const webhookDeliveries = new WebhookDeliveries(db);
  // Drift events name the mostly-OOD regions of the one regions clustering.
  const newRegions = new NewRegions(reads.predictions, references, async (m) => {
    const s = await regions.snapshot(m);
    return { windowCount: s.windowCount, regions: s.regions };
  });
  // The MMD kernel is the one O(n²·d) step of an evaluation: on threads it never blocks claims.
  const mmdThreads = config.computeThreads > 0 ? new MmdThreads(config.computeThreads, log, config.computeNiceness) : undefined;
  const mmd = mmdThreads ?? mmdInProcess;
  const drift = new DriftService(db, webhooks, providers, events, clock, log, sequential, reads, { regions: newRegions, publicUrl: config.publicUrl }, mmd);
  const driftReports = new DriftReportService(drift, providers, references, clock);
  registerFeatureMetrics(metrics.registry, { models: () => models.list(), drift, queue, jobs, webhooks: webhookDeliveries });
  const statements = database.statementsKept();
  registerHeldEntries(metrics.registry, [
    { name: 'api_keys_in_force', cap: REMEMBERED_KEYS, size: () => keys.keysRemembered },
    { name: 'selection_rankings', cap: RANKINGS_KEPT, size: () => selection.rankingsHeld },
    { name: 'claim_lease_texts', cap: MAX_LEASE_TEXTS, size: () => queue.leaseTextsHeld },
    { name: 'sqlite_statements', cap: statements.entriesCap, size: () => database.statementsKept().entries },
    { name: 'sqlite_statement_chars', cap: statements.charsCap, size: () => database.statementsKept().chars },
  ]);
  const descriptions = new ModelDescriptions(models, modelDescribers({ references, versions, queue, drift }));
  const dashboard = new DashboardService(models, queue, versions, drift);

  // Each poll also takes in models changed through other instances (their settings), before the indexes follow them.
  const follower = new ReferenceFollower(references, () => models.refresh(), clock, config.indexes.pollMs, log);

  subscribeFeatures(events, { modelNames, references, duplicates, queue, drift, training, examples, labeled, log });

  let saver: NodeJS.Timeout | undefined;
  let closed = false;
  const saveIndexes = (publish?: Publication) => Promise.all([references.saveAll(publish), duplicates.saveAll(publish)]);
  return {
    config,
    log,
    clock,
    events,
    database,
    keys,
    auth: new Authenticator(keys, new SessionsService(db, keys, { ttlSeconds: config.limits.sessionTtlSeconds, clock })),
    models,
    descriptions,
    examples,
    predictions,
    bulkLane,
    references,
    searchPool,
    metrics,
    webhookDeliveries,
    jobs,
    training,
    health,
    queue,
    labels,
    duplicates,
    similarItems,
    regions,
    drift,
    driftProviders: providers,
    driftReports,
    dashboard,
    async start() {
      searchPool.start();
      await references.startReplicas();
      for (const m of await models.list()) await references.get(m);
      for (const m of await models.list()) await duplicates.get(db, m);
      // Indexes are derived and rebuilt at the next start: a full disk must not keep the server down.
      await saveIndexes('never').catch((err: unknown) => {
        if (!(err instanceof IndexWriteError) && !isDiskFull(err)) throw err;
        log.error({ err }, 'the disk is full: indexes not saved; writes answer 507 until space is freed');
      });
      // Operational, not domain time: the real clock, so a test's manual clock never starves it.
      saver = setInterval(() => void saveIndexes().catch((err: unknown) => log.error({ err }, 'index save failed')), INDEX_SAVE_EVERY_MS);
      saver.unref();
      follower.start();
      await jobs.start();
      drift.start();
    },
    warmThreads() {
      clustering?.warm();
      mmdThreads?.warm();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (saver) clearInterval(saver);
      await follower.stop();
      await jobs.stop();
      await training.close();
      await drift.stop();
      await mmd.close();
      await clustering?.close();
      await searchPool.close();
      if (!opts.readOnly) {
        await saveIndexes('now');
        health.saveAll();
      }
      await indexChecks?.close();
      await database.close();
    },
  };
}
