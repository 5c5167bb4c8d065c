import type { DriftEvent } from '../drift/drift.types.js';
import type { Model } from '../models/model.js';
import type { ScoredPrediction } from '../predictions/prediction.js';
import type { ModelVersion } from '../training/version.js';

/**
 * What features tell each other. A feature publishes its own events; the composition root
 * (`src/container.ts`) is the one place that subscribes features to each other's events.
 */
export type DomainEvent =
  /** A model was created or its definition or settings changed (`previous`: as this instance knew it, if it did). */
  | { type: 'ModelChanged'; model: Model; previous: Model | undefined }
  /** A batch of new predictions committed (never for duplicates only). */
  | { type: 'PredictionsCommitted'; model: Model; committed: ScoredPrediction[] }
  /** An ingest transaction failed (its commit may have too): nothing of the batch is stored. */
  | { type: 'PredictionsRolledBack'; model: Model }
  /** A batch of labels stored at least one label, skip or out-of-scope mark. */
  | { type: 'LabelsAccepted'; model: Model; accepted: number }
  /** A drift event was recorded (outside the cooldown) and its webhooks were queued. */
  | { type: 'DriftRaised'; model: Model; event: DriftEvent }
  /** A version became the champion. `model` is the model after the version's concepts and thresholds joined it. */
  | { type: 'VersionPromoted'; model: Model; version: ModelVersion };

export type DomainEventType = DomainEvent['type'];

/** The event of one type. */
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
