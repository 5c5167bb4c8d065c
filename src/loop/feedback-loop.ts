import type { Logger } from 'pino';
import type { DriftService } from '../drift/drift.service.js';
import type { LabelsService } from '../queue/labels.service.js';
import type { TrainingService } from '../training/training.service.js';
import type { TrainedOn } from '../training/version.js';

/** The features the loop connects. */
export interface LoopParts {
  drift: DriftService;
  training: TrainingService;
  labels: LabelsService;
  log: Logger;
}

/**
 * Closes the loop between features that do not know each other: drift monitoring reads the
 * champion's eval statistics and versions, and a drift event asks retraining whether a job
 * is due (enough labels since the champion, cooldown passed). While the model stays drifted,
 * every accepted label batch asks again, so the job starts as soon as the labels are there.
 */
export function wireFeedbackLoop({ drift, training, labels, log }: LoopParts): void {
  drift.setProviders({
    versions: async (model) =>
      (await training.versions.list(model)).map((v) => ({ version: v.version, status: v.status, createdAt: v.createdAt, metrics: summarize(v.metrics), trainedOn: describeData(v.trainedOn) })),
  });
  drift.onDriftEvent(async (_event, model) => {
    const decision = await training.maybeAutoRetrain(model);
    log.info({ model: model.name, decision }, 'drift event: automatic retraining decision');
  });
  labels.onAccepted(async (model) => {
    try {
      const { snapshot } = await drift.latest(model);
      if (snapshot?.status !== 'drift') return;
      const decision = await training.maybeAutoRetrain(model);
      if (decision.queued) log.info({ model: model.name, decision }, 'labels arrived while drifted: retraining queued');
    } catch (err) {
      log.error({ err, model: model.name }, 'automatic retraining check after labels failed');
    }
  });
}

/** The headline figures of a version, for reports. */
function summarize(metrics: { clean?: { accuracy: number; macroF1: number } | null; production?: { accuracy: number; macroF1: number } | null }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [set, m] of Object.entries({ clean: metrics.clean, production: metrics.production })) {
    if (m) {
      out[`${set}.accuracy`] = m.accuracy;
      out[`${set}.macroF1`] = m.macroF1;
    }
  }
  return out;
}

/** One line a reader takes in: what the version learned from, on which backend. */
function describeData(t: TrainedOn): string {
  const original = t.original.fit + t.original.validation;
  const production = t.production.fit + t.production.validation;
  const added = t.addedConcepts.length > 0 ? `; new concepts: ${t.addedConcepts.join(', ')}` : '';
  return `${original} examples + ${production} labeled production items (${t.labelIds.length} labels)${added}; ${t.backend}, ${(t.durationMs / 1000).toFixed(1)} s`;
}
