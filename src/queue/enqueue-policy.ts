import type { Settings } from '../models/settings.js';
import type { PredictionScore } from '../scoring/scorer.js';

/** Why a prediction entered the queue. */
export type EnqueueReason = 'ood' | 'uncertain' | 'disagreement';

/** Reasons shown with an item: why it was queued, plus `drift` while drift favours it. */
export type ItemReason = EnqueueReason | 'drift';

export type QueueSettings = Settings['queue'];

/** The reasons to put a scored prediction in front of a labeler; none means it is not queued. */
export function enqueueReasons(score: PredictionScore, queue: QueueSettings): EnqueueReason[] {
  const reasons: EnqueueReason[] = [];
  if (score.ood.isOod) reasons.push('ood');
  if (score.uncertainty >= queue.uncertaintyThreshold) reasons.push('uncertain');
  if (score.disagreement) reasons.push('disagreement');
  return reasons;
}

/** What an item's priority is built from. */
export interface PriorityParts {
  /** The scorer's priority of the prediction that opened the item, in [0, 1]. */
  base: number;
  /** 1 + near-duplicates merged into the item. */
  weight: number;
  /** Extra priority while drift favours the item (0 otherwise). */
  driftBoost: number;
}

/** Priority rises by `recurrenceBoost` each time an input's recurrences double. */
export function itemPriority(p: PriorityParts, queue: QueueSettings): number {
  return p.base + queue.recurrenceBoost * Math.log2(Math.max(1, p.weight)) + p.driftBoost;
}
