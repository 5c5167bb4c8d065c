import client from 'prom-client';
import type { WebhookDeliveries } from '../webhooks/webhooks.service.js';

/** What the feature gauges read when Prometheus scrapes: the database is the truth, so counts survive restarts. */
export interface FeatureMetricSources {
  webhooks: WebhookDeliveries;
}

/**
 * Gauges computed at scrape time from the features' own state. Label values are bounded:
 * statuses are closed enums, models are the registered ones.
 */
export function registerFeatureMetrics(registry: client.Registry, s: FeatureMetricSources): void {
  new client.Gauge({
    name: 'driftloop_webhook_deliveries',
    help: 'Webhook deliveries by status: pending (retrying), delivered, failed (every retry used up), canceled',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await s.webhooks.counts();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
}
