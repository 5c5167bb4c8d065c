import client from 'prom-client';

/** Sizes of the reference indexes, read when metrics are scraped. */
export type IndexSizes = () => { model: string; train: number; eval: number; snapshot: number | undefined }[];

/** The service's Prometheus metrics, on a registry of its own (tests build several apps). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpRequests = new client.Counter({
    name: 'driftloop_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  /** Labels: method, the route pattern (never the raw path, so the set is bounded) and the status class. */
  readonly httpDuration = new client.Histogram({
    name: 'driftloop_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status class (2xx, 4xx, 5xx)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly predictionsIngested = new client.Counter({
    name: 'driftloop_predictions_ingested_total',
    help: 'Predictions stored (duplicates excluded)',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly scoringSeconds = new client.Histogram({
    name: 'driftloop_scoring_seconds',
    help: 'Time to score one batch of predictions against the reference index',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly bodyBytesInFlight = new client.Gauge({
    name: 'driftloop_request_body_bytes_in_flight',
    help: 'Request-body bytes reserved in memory now (bounded by the in-flight body budget)',
    registers: [this.registry],
  });

  constructor(indexSizes: IndexSizes) {
    const registry = this.registry;
    new client.Gauge({
      name: 'driftloop_index_points',
      help: 'Points in each reference index',
      labelNames: ['model', 'split'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of indexSizes()) {
          this.set({ model: s.model, split: 'train' }, s.train);
          this.set({ model: s.model, split: 'eval' }, s.eval);
        }
      },
    });
    new client.Gauge({
      name: 'driftloop_index_snapshot_seq',
      help: 'High-water mark (example seq) of the published snapshot each reference index continues from (PostgreSQL): instances with the same value and the same points search identical graphs',
      labelNames: ['model'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of indexSizes()) if (s.snapshot !== undefined) this.set({ model: s.model }, s.snapshot);
      },
    });
    client.collectDefaultMetrics({ register: registry, prefix: 'driftloop_' });
  }
}
