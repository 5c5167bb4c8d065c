import type { Db } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import type { InputRef } from './claimed-item.js';
import { itemEmbedding, listFreePending, tagItemRegions } from './item-regions.repository.js';
import type { QueueLabeledSource } from './labeled-source.js';
import type { NearDuplicateRegistry } from './near-duplicates.js';
import type { QueueReads } from './queue.ports.js';
import { lockQueue } from './queue.repository.js';

export interface SimilarItem {
  itemId: string;
  predictionId: string;
  distance: number;
  input: InputRef | null;
}

/** Items searched per wanted one: most near neighbours may be labeled or leased already. */
const OVERFETCH = 8;

/**
 * The queue as bulk labeling and regions see it: pending items nearest to an item (through the
 * near-duplicate index of every item), labeled outcomes and region tags.
 */
export class SimilarItemsService {
  constructor(
    private readonly db: Db,
    private readonly predictions: QueueReads['predictions'],
    private readonly duplicates: NearDuplicateRegistry,
    private readonly labeled: QueueLabeledSource,
    /** The model's typical in-distribution k-NN distance (median calibration distance), if known. */
    private readonly typicalDistance: (model: Model) => Promise<number | undefined> = async () => undefined,
  ) {}

  /**
   * Pending, unleased, unlabeled items nearest to the item, nearest first, no farther than
   * `radius` times the typical distance from a training example to its neighbours: farther
   * items are not "the same kind of input", whatever their rank.
   */
  async similar(model: Model, itemId: number, limit: number, radius: number): Promise<SimilarItem[]> {
    const blob = await itemEmbedding(this.db, this.predictions, model.id, itemId);
    if (!blob) throw new NotFoundError(`Item ${itemId} is not in the queue of model '${model.name}'`);
    const index = await this.duplicates.get(this.db, model);
    const k = Math.min(index.index.size, limit * OVERFETCH + 1);
    const { labels: ids, distances } = index.nearest(decodeVector(blob), k);
    const typical = await this.typicalDistance(model);
    const maxDistance = typical === undefined ? Infinity : radius * typical;
    const distanceOf = new Map<number, number>();
    ids.forEach((id, i) => id !== itemId && distances[i]! <= maxDistance && distanceOf.set(id, distances[i]!));
    const free = await listFreePending(this.db, this.predictions, model.id, [...distanceOf.keys()]);
    return free
      .map((r) => ({ itemId: String(r.id), predictionId: r.prediction_id, distance: distanceOf.get(r.id)!, input: r.input_json ? (JSON.parse(r.input_json) as InputRef) : null }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, limit);
  }

  /** Regions port: labeled outcomes of the items opened after `afterSeq`. */
  labeledOutcomes(model: Model, afterSeq: number): Promise<Map<number, boolean>> {
    return this.labeled.outcomesAfter(model, afterSeq);
  }

  /** Regions port: records each window item's region so region claims can find them. */
  async tagRegions(model: Model, regionOfSeq: Map<number, number>, fromSeq: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Under the queue lock, as claims are: rows it updates would otherwise be locked while a
      // claim's FOR UPDATE SKIP LOCKED passes over them, and the claim would hand out fewer items.
      await lockQueue(trx, model.id);
      await tagItemRegions(trx, model.id, regionOfSeq, fromSeq);
    });
  }
}
