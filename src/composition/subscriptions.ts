import type { Logger } from 'pino';
import type { DriftService } from '../drift/drift.service.js';
import type { EventBus } from '../events/event-bus.js';
import type { ExamplesService } from '../examples/examples.service.js';
import type { NearDuplicateRegistry } from '../queue/near-duplicates.js';
import type { QueueService } from '../queue/queue.service.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { LabeledProductionSource } from '../training/labeled-production.js';
import { addPromotedToReference } from '../training/promoted-to-reference.js';
import type { TrainingService } from '../training/training.service.js';

export interface Subscribers {
  /** Model names by id, for metric labels. */
  modelNames: Map<number, string>;
  references: ReferenceRegistry;
  duplicates: NearDuplicateRegistry;
  queue: QueueService;
  drift: DriftService;
  training: TrainingService;
  examples: ExamplesService;
  labeled: LabeledProductionSource;
  log: Logger;
}

/**
 * Every reaction of one feature to another's event, in one place. This closes the loop:
 * predictions feed drift evaluation, a drift event boosts the queue and asks retraining
 * whether a job is due (enough labels since the champion, cooldown passed), and while the
 * model stays drifted every accepted label batch asks again.
 */
export function subscribeFeatures(events: EventBus, s: Subscribers): void {
  events.on('ModelChanged', async ({ model, previous }) => {
    s.modelNames.set(model.id, model.name);
    await s.references.reconfigure(model);
    s.duplicates.reconfigure(model);
    // Rewriting open items walks all of them (seconds at 1M, on the event loop with SQLite): only when the setting moved.
    if (previous?.settings.queue.labelsPerItem !== model.settings.queue.labelsPerItem) await s.queue.applySettings(model);
  });

  events.on('PredictionsCommitted', ({ model, committed }) => s.drift.predictionsCommitted(model, committed.length));
  // The queue's near-duplicate index took the batch's items before the commit: they are gone, so is the index (rebuilt from the database).
  events.on('PredictionsRolledBack', ({ model }) => s.duplicates.invalidate(model.id));

  events.on('DriftRaised', async ({ model }) => {
    await s.queue.boostRecentOod(model);
  });
  events.on('DriftRaised', async ({ model, event }) => {
    // `retrain.triggers` says which kinds of event (OOD rate, accuracy drop) may queue a job.
    if (!model.settings.retrain.triggers.includes(event.kind)) return;
    const decision = await s.training.maybeAutoRetrain(model);
    s.log.info({ model: model.name, decision }, 'drift event: automatic retraining decision');
  });

  events.on('LabelsAccepted', async ({ model }) => {
    try {
      const { snapshot } = await s.drift.latest(model);
      if (snapshot?.status !== 'drift') return;
      const decision = await s.training.maybeAutoRetrain(model);
      if (decision.queued) s.log.info({ model: model.name, decision }, 'labels arrived while drifted: retraining queued');
    } catch (err) {
      s.log.error({ err, model: model.name }, 'automatic retraining check after labels failed');
    }
  });

  events.on('VersionPromoted', ({ model, version }) => addPromotedToReference({ labeled: s.labeled, examples: s.examples, log: s.log }, model, version));
  // After the reference has the promoted version's items: the stored drift verdict is re-measured against it.
  events.on('VersionPromoted', ({ model }) => s.drift.championChanged(model));
}
