import type { Logger } from 'pino';
import { DashboardService } from '../dashboard/dashboard.service.js';
import type { Db } from '../db/database.js';
import type { ModelsService } from '../models/models.service.js';
import type { PredictionsService } from '../predictions/predictions.service.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { WebhookTargetPolicy } from '../webhooks/target-policy.js';
import { WebhookDispatcher, type WebhookTargetResolver } from '../webhooks/webhook.dispatcher.js';
import { DriftService } from './drift.service.js';
import { DriftReportService } from './report/report.service.js';

/** The drift feature's services, wired to the rest of the app. */
export interface DriftServices {
  drift: DriftService;
  driftReports: DriftReportService;
  dashboard: DashboardService;
}

/** Builds drift monitoring: evaluation after ingestion, webhooks from model settings, drift in model descriptions. */
export function createDriftServices(
  db: Db,
  models: ModelsService,
  predictions: PredictionsService,
  references: ReferenceRegistry,
  log: Logger,
  webhookTargets: WebhookTargetPolicy,
): DriftServices {
  const resolveWebhook: WebhookTargetResolver = async (modelId, url) => {
    const model = (await models.list()).find((m) => m.id === modelId);
    const hook = model?.settings.webhooks.find((w) => (typeof w === 'string' ? w : w.url) === url);
    if (!model || hook === undefined) return undefined;
    return { secret: typeof hook === 'string' ? undefined : hook.secret, policy: model.settings.webhookDelivery };
  };
  const drift = new DriftService(db, new WebhookDispatcher(db, resolveWebhook, log, webhookTargets), log);
  drift.watch(predictions);
  models.addDescriber(async (m) => {
    const { snapshot, lastEvent } = await drift.latest(m);
    return { drift: { status: snapshot?.status ?? null, score: snapshot?.score ?? null, evaluatedAt: snapshot?.at ?? null, lastEventAt: lastEvent?.at ?? null } };
  });
  return { drift, driftReports: new DriftReportService(db, drift, references), dashboard: new DashboardService(models, drift) };
}
