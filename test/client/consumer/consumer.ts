/**
 * Type-level tests of `driftloop/client`, compiled as a client would (npm test: tsc -p test/client/consumer).
 * Each @ts-expect-error must find an error: if a response type loosens to JSONValue, unknown or string,
 * the directive is unused and the compile fails.
 */
import { busyRetryingFetch, createClient, type AppType, type DriftReportBody, type ModelSettings, type VersionBody } from 'driftloop/client';
import { hc } from 'hono/client';

const client = createClient({ baseUrl: 'http://127.0.0.1:8787', key: 'k' });

export async function settingsAreTyped(): Promise<number> {
  const model = await client.model('perfect-pint');
  const windowSize: number = model.settings.drift.windowSize;
  const auto: boolean = model.settings.retrain.auto;
  const triggers: ('ood' | 'performance')[] = model.settings.retrain.triggers;
  // @ts-expect-error a setting that does not exist
  void model.settings.drift.windowSise;
  // @ts-expect-error windowSize is a number, not a string
  const asText: string = model.settings.drift.windowSize;
  // @ts-expect-error no index signature: a misspelt field is an error, not JSONValue
  void model.setings;
  const queued: number | undefined = model.queue?.pending;
  void [auto, triggers, asText, queued];
  return windowSize;
}

export async function versionMetricsAreTyped(): Promise<number | undefined> {
  const [latest] = await client.versions('perfect-pint');
  const f1: number | undefined = latest?.metrics.clean?.macroF1;
  const epochs: number | undefined = latest?.metrics.training.epochsRun;
  // @ts-expect-error metrics.clean may be null
  void latest!.metrics.clean.accuracy;
  // @ts-expect-error not a metric
  void latest?.metrics.clean?.accuracyy;
  const t = latest?.thresholds;
  if (t?.kind === 'multilabel') {
    const perConcept: Record<string, number> = t.perConcept;
    void perConcept;
  }
  void epochs;
  return f1;
}

export async function reportIsJsonOnly(): Promise<string> {
  const report: DriftReportBody = await client.report('perfect-pint');
  // @ts-expect-error the report is an object, not the HTML string
  const html: string = report;
  const status: 'ok' | 'drift' = report.drift.status;
  void [html, status];
  return report.generatedAt;
}

export function exportedTypesAgree(settings: ModelSettings, version: VersionBody): number {
  // @ts-expect-error the version number is a number
  const v: string = version.version;
  void v;
  return settings.ood.k + version.version;
}

export async function rpcIsTheAppType(): Promise<void> {
  const rpc = hc<AppType>('http://127.0.0.1:8787');
  const res = await rpc.v1.models[':model'].$get({ param: { model: 'perfect-pint' } });
  if (res.status === 200) {
    const body = await res.json();
    const k: number = body.settings.ood.k;
    void k;
  }
  // @ts-expect-error the model path parameter is required
  await rpc.v1.models[':model'].$get({ param: {} });
}

export function busyRetryIsConfigurable(): void {
  createClient({ baseUrl: 'http://127.0.0.1:8787', retry: { attempts: 2, maxWaitMs: 2000, onRetry: (r) => void r.waitMs } });
  createClient({ baseUrl: 'http://127.0.0.1:8787', retry: false });
  // @ts-expect-error retries are on by default: `true` is not an option
  createClient({ baseUrl: 'http://127.0.0.1:8787', retry: true });
  const forward: typeof fetch = busyRetryingFetch(fetch, { attempts: 3 });
  void forward;
}
