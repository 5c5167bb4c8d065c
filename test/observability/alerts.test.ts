import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../support/server.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Metric names in a PromQL expression: identifiers followed by `{`, `[` or an operator, minus functions and keywords. */
function metricNames(expr: string): string[] {
  const words = expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => w.startsWith('driftloop_')))];
}

/** A histogram exports `_bucket`, `_sum` and `_count` series under its base name. */
function baseName(metric: string): string {
  return metric.replace(/_(bucket|sum|count)$/, '');
}

describe('docs/alerts.yml', () => {
  let server: TestServer;
  let exported: Set<string>;
  const doc = parse(readFileSync('docs/alerts.yml', 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);

  beforeAll(async () => {
    server = await startTestServer();
    // A model, so that per-model gauges have a series; a request, so the HTTP histogram has one.
    await server.request('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  });
  afterAll(() => server.stop());

  it('when parsed as YAML, then it is Prometheus rule groups, each rule with an alert name, an expression and a summary', () => {
    expect(doc.groups.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Driftloop[A-Za-z]+$/);
      expect(typeof r.expr).toBe('string');
      expect(r.annotations?.summary).toBeTruthy();
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smhd]$/);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('when its expressions name metrics, then /metrics exports every one of them', () => {
    const named = new Set(rules.flatMap((r) => metricNames(r.expr)).map(baseName));
    expect(named.size).toBeGreaterThanOrEqual(8);
    const missing = [...named].filter((m) => !exported.has(m));
    expect(missing).toEqual([]);
  });

  it('when /metrics is scraped, then the alertable families are there with bounded labels', async () => {
    for (const m of ['driftloop_drift_status', 'driftloop_drift_score', 'driftloop_estimated_accuracy', 'driftloop_queue_pending', 'driftloop_queue_oldest_pending_seconds', 'driftloop_labels', 'driftloop_webhook_deliveries', 'driftloop_jobs', 'driftloop_http_request_duration_seconds']) {
      expect(exported.has(m), m).toBe(true);
    }
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^driftloop_jobs\{status="failed"\} 0$/m);
    expect(text).toMatch(/^driftloop_queue_pending\{model="m"\} 0$/m);
    expect(text).toMatch(/^driftloop_http_request_duration_seconds_count\{method="PUT",route="\/v1\/models\/:model",status="2xx"\} 1$/m);
  });
});
