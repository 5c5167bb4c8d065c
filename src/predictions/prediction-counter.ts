import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/database.js';
import { isPostgres } from '../db/dialect.js';
import { countPredictions, countPredictionsAfter } from './prediction-reads.repository.js';

/** Seq index entries counted per statement: 20k take about 2 ms, where one count of 1M held the event loop 33–100 ms. */
const PAGE = 20_000;

/**
 * Prediction counts of models (every model description shows one: the dashboard, `GET
 * /v1/models`) at the cost of what arrived since the last count instead of a walk of every
 * prediction each time.
 *
 * On SQLite one writer commits at a time and `seq` is the table's autoincrement, so whatever is
 * committed after a count has a higher seq than everything it counted, and predictions are never
 * deleted: the kept count plus the rows above its highest seq is exact. The rows above are
 * counted a page per statement with a turn of the event loop between pages. On PostgreSQL
 * concurrent batches commit out of seq order (a lower seq can appear after a higher one was
 * counted), so the server counts them all each time, off the event loop.
 *
 * Keeps one entry per model (models are never deleted).
 */
export class PredictionCounter {
  private readonly known = new Map<number, { count: number; maxSeq: number }>();

  constructor(private readonly db: Db) {}

  readonly count = async (modelId: number): Promise<number> => {
    if (isPostgres(this.db)) return countPredictions(this.db, modelId);
    let { count, maxSeq } = this.known.get(modelId) ?? { count: 0, maxSeq: 0 };
    for (;;) {
      const page = await countPredictionsAfter(this.db, modelId, maxSeq, PAGE);
      count += page.count;
      maxSeq = page.maxSeq;
      if (page.count < PAGE) break;
      await nextTurn();
    }
    // Counts that ran at once: keep the one that got furthest.
    if ((this.known.get(modelId)?.maxSeq ?? -1) < maxSeq) this.known.set(modelId, { count, maxSeq });
    return count;
  };
}
