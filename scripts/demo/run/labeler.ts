import type { ApiClient } from './api-client.js';

interface ClaimedItem {
  itemId: string;
  predictionId: string;
  reasons: string[];
}

/** What one simulated labeling session did. */
export interface LabelingOutcome {
  labeled: number;
  newConcept: number;
  byReason: Record<string, number>;
}

/**
 * Answers the review queue from ground truth, as careful labelers would: a known concept by
 * its id, a held-out one as a proposed new concept (open set).
 */
export async function labelFromGroundTruth(
  api: ApiClient,
  modelName: string,
  truth: Map<string, string>,
  opts: { labelers: string[]; target: number; onProgress: (done: number) => void },
): Promise<LabelingOutcome> {
  const outcome: LabelingOutcome = { labeled: 0, newConcept: 0, byReason: {} };
  let idle = 0;
  while (outcome.labeled < opts.target && idle < opts.labelers.length) {
    idle = 0;
    // The taxonomy grows while labelers work: proposed concepts join it on promotion.
    const model = await api.get<{ concepts: { id: string }[] }>(`/v1/models/${modelName}`);
    const known = new Set(model.concepts.map((c) => c.id));
    for (const labeler of opts.labelers) {
      const { items } = await api.post<{ items: ClaimedItem[] }>(`/v1/models/${modelName}/queue/claim`, { labeler, limit: 25 });
      if (items.length === 0) {
        idle++;
        continue;
      }
      const labels = items.map((item) => {
        const concept = truth.get(item.predictionId) ?? '';
        for (const r of item.reasons) outcome.byReason[r] = (outcome.byReason[r] ?? 0) + 1;
        if (known.has(concept)) return { itemId: item.itemId, labeler, concepts: [concept] };
        outcome.newConcept++;
        return { itemId: item.itemId, labeler, concepts: [], newConcepts: [concept] };
      });
      await api.post(`/v1/models/${modelName}/labels`, { labels });
      outcome.labeled += labels.length;
      opts.onProgress(outcome.labeled);
      if (outcome.labeled >= opts.target) break;
    }
  }
  return outcome;
}
