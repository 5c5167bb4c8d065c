import type { ClaimDetailRow } from './claim-details.repository.js';
import type { ItemReason } from './enqueue-policy.js';
import type { ExampleSummaryRow } from './queue.ports.js';

/** A production input as an app sent it. */
export interface InputRef {
  url?: string;
  text?: string;
}

/** A nearest training example, as a labeler sees it. */
interface ClaimedNeighbor {
  id: string;
  concepts: string[];
  distance: number;
  input: InputRef | null;
}

/** An item leased to a labeler, with everything the labeling page shows. */
export interface ClaimedItem {
  itemId: string;
  predictionId: string;
  leaseExpiresAt: string;
  priority: number;
  /** 1 + near-duplicates merged into this item: how often production sent this input. */
  weight: number;
  labelsNeeded: number;
  reasons: ItemReason[];
  scores: Record<string, number>;
  predicted: string;
  ood: { distance: number; score: number; isOod: boolean };
  uncertainty: number;
  knn: { concept: string | null; share: number };
  input: InputRef | null;
  metadata: Record<string, unknown> | null;
  timestamp: string;
  neighbors: ClaimedNeighbor[];
}

/** A training example a claimed item may show as neighbour. */
export interface ExampleSummary {
  id: string;
  concepts: string[];
  input: InputRef | null;
}

/** The train seqs a prediction stored as its nearest neighbours. */
export function neighborSeqs(row: ClaimDetailRow): number[] {
  return (JSON.parse(row.neighbors_json) as [number, number][]).map(([seq]) => seq);
}

export function toClaimedItem(row: ClaimDetailRow, leaseExpiresAt: string, examples: Map<number, ExampleSummary>): ClaimedItem {
  const reasons = JSON.parse(row.reasons_json) as ItemReason[];
  if (row.drift_boost > 0) reasons.push('drift');
  const neighbors = (JSON.parse(row.neighbors_json) as [number, number][]).map(([seq, distance]) => {
    const e = examples.get(seq);
    return { id: e?.id ?? String(seq), concepts: e?.concepts ?? [], distance, input: e?.input ?? null };
  });
  return {
    itemId: String(row.id),
    predictionId: row.prediction_id,
    leaseExpiresAt,
    priority: row.priority,
    weight: row.weight,
    labelsNeeded: row.labels_needed,
    reasons,
    scores: JSON.parse(row.scores_json) as Record<string, number>,
    predicted: row.predicted,
    ood: { distance: row.ood_distance, score: row.ood_score, isOod: row.is_ood === 1 },
    uncertainty: row.uncertainty,
    knn: { concept: row.knn_concept, share: row.knn_agreement },
    input: row.input_json ? (JSON.parse(row.input_json) as InputRef) : null,
    metadata: row.metadata_json ? (JSON.parse(row.metadata_json) as Record<string, unknown>) : null,
    timestamp: row.timestamp,
    neighbors,
  };
}

/** The claimed items in `order` (item ids), each with the examples its neighbours name. */
export function toClaimedItems(order: number[], rows: ClaimDetailRow[], examples: ExampleSummaryRow[], leaseExpiresAt: string): ClaimedItem[] {
  const summaries = new Map<number, ExampleSummary>();
  for (const e of examples) summaries.set(e.seq, { id: e.id, concepts: JSON.parse(e.concepts_json) as string[], input: e.input_json ? (JSON.parse(e.input_json) as InputRef) : null });
  const at = new Map(order.map((id, i) => [id, i]));
  return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!).map((r) => toClaimedItem(r, leaseExpiresAt, summaries));
}
