import client from 'prom-client';
import type { DriftService } from '../drift/drift.service.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Model } from '../models/model.js';
import type { QueueService } from '../queue/queue.service.js';
import { DELIVERY_STATUSES, type WebhookDeliveries } from '../webhooks/webhooks.service.js';

/** What the feature gauges read when Prometheus scrapes: the database is the truth, so counts survive restarts. */
export interface FeatureMetricSources {
  models: () => Promise<Model[]>;
  drift: DriftService;
  queue: QueueService;
  jobs: JobRunner;
  webhooks: WebhookDeliveries;
}

/** Labelers named one by one per model; the rest add up under `other`, so the label set stays bounded. */
const TOP_LABELERS = 10;
const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;

/**
 * Gauges computed at scrape time from the features' own state. Label values are bounded:
 * statuses are closed enums, models are the registered ones, labelers the ten with most labels
 * per model plus `other`.
 */
export function registerFeatureMetrics(registry: client.Registry, s: FeatureMetricSources): void {
  const registers = [registry];
  const perModel = (name: string, help: string, read: (m: Model) => Promise<number | null | undefined> | number | null | undefined) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['model'] as const,
      registers,
      async collect() {
        this.reset();
        for (const m of await s.models()) {
          const v = await read(m);
          if (v !== null && v !== undefined && Number.isFinite(v)) this.set({ model: m.name }, v);
        }
      },
    });
  const latest = async (m: Model) => s.drift.lastEvaluation(m) ?? (await s.drift.latest(m)).snapshot;
  perModel('driftloop_drift_status', 'Drift status of the last evaluation: 1 drift, 0 ok', async (m) => {
    const e = await latest(m);
    return e ? (e.status === 'drift' ? 1 : 0) : null;
  });
  perModel('driftloop_drift_score', "The last evaluation's drift score: the window's OOD rate", async (m) => (await latest(m))?.score);
  perModel('driftloop_drift_threshold', 'drift.threshold: the drift score that counts as drift', (m) => m.settings.drift.threshold);
  perModel('driftloop_estimated_accuracy', 'Estimated accuracy of the forwarded predictions over the window (no labels needed)', (m) => s.drift.lastEvaluation(m)?.performance?.estimatedAccuracy);
  perModel('driftloop_estimated_accuracy_reference', 'Accuracy expected from eval data, which the estimate is compared with', (m) => s.drift.lastEvaluation(m)?.performance?.reference);
  perModel('driftloop_queue_pending', 'Review-queue items waiting for a labeler', async (m) => (await s.queue.pendingAge(m)).pending);
  perModel('driftloop_queue_oldest_pending_seconds', 'Age of the oldest pending review-queue item', async (m) => (await s.queue.pendingAge(m)).oldestPendingSeconds);

  new client.Gauge({
    name: 'driftloop_labels',
    help: `Labels given per labeler (per model the ${TOP_LABELERS} with most labels, the rest summed as "other")`,
    labelNames: ['model', 'labeler'] as const,
    registers,
    async collect() {
      this.reset();
      for (const m of await s.models()) {
        const all = await s.queue.labelsByLabeler(m);
        for (const l of all.slice(0, TOP_LABELERS)) this.set({ model: m.name, labeler: l.labeler }, l.labeled);
        const rest = all.slice(TOP_LABELERS).reduce((n, l) => n + l.labeled, 0);
        if (all.length > TOP_LABELERS) this.set({ model: m.name, labeler: 'other' }, rest);
      }
    },
  });
  const byStatus = (name: string, help: string, statuses: readonly string[], read: () => Promise<Record<string, number>>) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const counts = await read();
        for (const status of statuses) this.set({ status }, counts[status] ?? 0);
      },
    });
  byStatus('driftloop_jobs', 'Background jobs (retraining) by status', JOB_STATUSES, () => s.jobs.countByStatus());
  byStatus(
    'driftloop_webhook_deliveries',
    'Webhook deliveries by status: pending (retrying), delivered, failed (every retry used up), canceled',
    DELIVERY_STATUSES,
    () => s.webhooks.counts(),
  );
}
