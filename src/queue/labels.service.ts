import type { Db } from '../db/database.js';
import type { EventBus } from '../events/event-bus.js';
import { BatchValidationError, ConflictError, type RecordProblem } from '../errors.js';
import type { Model } from '../models/model.js';
import { isoNow, type Clock } from '../util/clock.js';
import { answerOf, labelProblems, parseItemId, type LabelInput } from './label-rules.js';
import { expireLeases } from './lease-expiry.js';
import { deleteBulkLabels, findLabel, insertLabel } from './labels.repository.js';
import { deleteLeases, findLease, insertSkip, lockLabelers } from './leases.repository.js';
import { countLabel, findItemForUpdate, lockQueue, refreshStatus, releaseSlots, uncountLabels } from './queue.repository.js';

export interface LabelsResult {
  accepted: number;
  /** Labels this labeler had already given for the item: counted, nothing changed. */
  duplicates: number;
}

/** Takes labelers' answers: labels, open-set proposals, out-of-scope marks and skips. */
export class LabelsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores a batch of labels atomically. A labeler labels an item they lease, or one
   * with a free slot; a second label from the same labeler for the same item changes nothing.
   */
  async submit(model: Model, labels: LabelInput[]): Promise<LabelsResult> {
    const invalid = labels.flatMap((l, index) => labelProblems(model, l, index));
    if (invalid.length > 0) throw new BatchValidationError(invalid, 'labels');
    const result = await this.store(model, labels);
    if (result.accepted > 0) await this.events.publish({ type: 'LabelsAccepted', model, accepted: result.accepted });
    return result;
  }

  /**
   * Undoes a labeler's bulk labels (the labeling page's undo): each listed item loses that
   * labeler's bulk label and returns to the queue. Labels given to an item itself stay.
   */
  async retractBulk(model: Model, labeler: string, itemIds: number[]): Promise<{ retracted: number }> {
    const now = isoNow(this.clock);
    return this.db.transaction().execute(async (trx) => {
      await lockQueue(trx, model.id);
      const removed = await deleteBulkLabels(trx, model.id, labeler, itemIds);
      await uncountLabels(trx, removed);
      const items = removed.map((r) => r.itemId);
      await refreshStatus(trx, items, now);
      return { retracted: items.length };
    });
  }

  private store(model: Model, labels: LabelInput[]): Promise<LabelsResult> {
    const now = isoNow(this.clock);
    return this.db.transaction().execute(async (trx) => {
      // The labelers' locks first, as their claims take them (a claim then never hands out an item being labeled).
      await lockLabelers(trx, model.id, labels.map((l) => l.labeler));
      await lockQueue(trx, model.id);
      await expireLeases(trx, model.id, now);
      const missing: RecordProblem[] = [];
      const conflicts: RecordProblem[] = [];
      const touched = new Set<number>();
      const result: LabelsResult = { accepted: 0, duplicates: 0 };
      for (const [index, label] of labels.entries()) {
        const itemId = parseItemId(label.itemId)!;
        // Claims do not take the queue lock: the row lock makes one that takes this item's last slot commit first, or pass it over.
        const item = await findItemForUpdate(trx, model.id, itemId);
        if (!item) {
          missing.push({ index, field: 'itemId', message: `item ${itemId} is not in the queue of model '${model.name}'` });
          continue;
        }
        const answer = answerOf(label);
        const lease = await findLease(trx, model.id, itemId, label.labeler);
        if (lease) {
          await deleteLeases(trx, [lease.id]);
          await releaseSlots(trx, [itemId]);
          touched.add(itemId);
        }
        if (answer.kind === 'skip') {
          await insertSkip(trx, { model_id: model.id, item_id: itemId, labeler: label.labeler, created_at: now });
          result.accepted += 1;
          continue;
        }
        if (await findLabel(trx, itemId, label.labeler)) {
          result.duplicates += 1;
          continue;
        }
        // Without a lease, only a free slot may take the label (another labeler may hold the last one).
        if (!lease && item.labels_count + item.leases_count >= item.labels_needed) {
          conflicts.push({ index, field: 'itemId', message: `item ${itemId} is not leased to '${label.labeler}' and has no free slot` });
          continue;
        }
        await insertLabel(trx, {
          model_id: model.id,
          item_id: itemId,
          labeler: label.labeler,
          concepts_json: JSON.stringify(answer.kind === 'concepts' ? answer.concepts : []),
          new_concepts_json: JSON.stringify(answer.kind === 'concepts' ? answer.newConcepts : []),
          out_of_scope: answer.kind === 'out_of_scope' ? 1 : 0,
          claimed: lease ? 1 : 0,
          bulk: label.bulk ? 1 : 0,
          created_at: now,
        });
        await countLabel(trx, itemId, answer.kind === 'out_of_scope');
        touched.add(itemId);
        result.accepted += 1;
      }
      if (missing.length > 0) throw new BatchValidationError(missing, 'labels');
      if (conflicts.length > 0) {
        throw new ConflictError(`${conflicts.length} labels are for items not leased to their labeler; nothing was stored`, {
          indexes: conflicts.map((c) => c.index),
          problems: conflicts,
        });
      }
      await refreshStatus(trx, [...touched], now);
      return result;
    });
  }
}
