import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher.js';
import { findLastEvent, insertEvent } from './drift.repository.js';
import { DRIFT_EVENT_TYPE } from './drift-event.payload.js';
import type { DriftEventKind, DriftSeverity } from './drift.types.js';

/** The columns of a new event, apart from the model, time and payload. */
export interface NewEvent {
  kind: DriftEventKind;
  severity: DriftSeverity;
  snapshot_id: number;
  score: number;
  threshold: number;
  p_value: number;
}

/** Minutes between two events of a kind: each kind keeps its own cooldown. */
function cooldownMinutes(model: Model, kind: DriftEventKind): number {
  return kind === 'performance' ? model.settings.drift.performanceCooldownMinutes : model.settings.drift.cooldownMinutes;
}

/**
 * Records an event of `row.kind` unless one of that kind is inside its cooldown, and queues
 * its webhook deliveries in the same transaction. Returns the event id, or undefined.
 */
export async function raiseEvent(trx: Db, model: Model, at: string, row: NewEvent, payload: (eventId: number) => unknown): Promise<number | undefined> {
  const previous = await findLastEvent(trx, model.id, row.kind);
  if (previous && Date.parse(at) - Date.parse(previous.created_at) < cooldownMinutes(model, row.kind) * 60_000) return undefined;
  const eventId = await insertEvent(trx, { ...row, model_id: model.id, created_at: at, payload_json: '' });
  const body = JSON.stringify(payload(eventId));
  await trx.updateTable('drift_events').set({ payload_json: body }).where('id', '=', eventId).execute();
  const urls = [...new Set(model.settings.webhooks.map((w) => (typeof w === 'string' ? w : w.url)))];
  await WebhookDispatcher.enqueue(trx, { modelId: model.id, eventType: DRIFT_EVENT_TYPE, eventId, body, urls }, at);
  return eventId;
}
