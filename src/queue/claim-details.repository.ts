import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { PREVIOUS_ROWS, type TripStatement } from '../db/statement-trip.js';
import type { ExampleSummaryRow, QueueReads } from './queue.ports.js';
import { findClaimItems, type ClaimItemRow } from './queue.repository.js';

const PREDICTION_DETAIL = ['scores_json', 'predicted', 'input_json', 'metadata_json', 'timestamp', 'ood_distance', 'ood_score', 'is_ood', 'uncertainty', 'knn_concept', 'knn_agreement', 'neighbors_json'] as const;

/** What a labeler sees of a claimed item: its item row with its prediction's details. */
export interface ClaimDetailRow {
  id: number;
  priority: number;
  weight: number;
  reasons_json: string;
  drift_boost: number;
  labels_needed: number;
  prediction_id: string;
  scores_json: string;
  predicted: string;
  input_json: string | null;
  metadata_json: string | null;
  timestamp: string;
  ood_distance: number;
  ood_score: number;
  is_ood: number;
  uncertainty: number;
  knn_concept: string | null;
  knn_agreement: number;
  neighbors_json: string;
}

/** A prediction's columns that a claimed item shows. */
export type PredictionDetail = Pick<ClaimDetailRow, (typeof PREDICTION_DETAIL)[number]> & { seq: number };

/**
 * The given items of a model with their predictions' details (the predictions read through the
 * owner). Items in `known` (as a claim's lease returned them) are not read again.
 */
export async function listClaimDetails(db: Db, predictions: QueueReads['predictions'], modelId: number, itemIds: number[], known: ClaimItemRow[] = []): Promise<ClaimDetailRow[]> {
  if (itemIds.length === 0) return [];
  const have = new Set(known.map((k) => k.id));
  const items = [...known.filter((k) => itemIds.includes(k.id)), ...(await findClaimItems(db, modelId, itemIds.filter((id) => !have.has(id))))];
  const details = await predictions.predictionsBySeq(db, modelId, items.map((i) => i.prediction_seq), PREDICTION_DETAIL);
  return withDetails(items, details);
}

/**
 * The two reads of {@link listClaimDetails} and the neighbours' examples as statements of a
 * trip, after a statement that answers the claimed items: the predictions of its rows, then the
 * examples their neighbours name (each reads the rows of the one before, PostgreSQL only).
 * {@link withDetails} joins the answers. Each calls a function of static SQL (migration 0026,
 * the same reads as the owners' `predictionsBySeq` with `PREDICTION_DETAIL` and
 * `listExampleSummaries`), whose plan the server keeps: a statement the trip EXECUTEs is parsed
 * and planned again on every claim.
 */
export function claimDetailStatements(db: Db, modelId: number): TripStatement[] {
  return [
    { query: sql<PredictionDetail>`select * from queue_claim_predictions(${modelId}, ${PREVIOUS_ROWS})`.compile(db), readsPrevious: true },
    { query: sql<ExampleSummaryRow>`select * from queue_claim_examples(${modelId}, ${PREVIOUS_ROWS})`.compile(db), readsPrevious: true },
  ];
}

/** Each item with its prediction's details; an item whose prediction is not there is left out. */
export function withDetails(items: ClaimItemRow[], details: Map<number, PredictionDetail>): ClaimDetailRow[] {
  return items.flatMap(({ prediction_seq, ...item }) => {
    const p = details.get(prediction_seq);
    if (!p) return [];
    const { seq: _seq, ...detail } = p;
    return [{ ...item, ...detail }];
  });
}
