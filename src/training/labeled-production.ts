import type { Split } from '../util/hash-split.js';

/** A production item with its resolved label, as training reads it. */
export interface LabeledProductionItem {
  /** Item id; a promotion adds the item to the reference distribution as example `production:<id>`. */
  id: string;
  embedding: ArrayLike<number>;
  /** Taxonomy concepts the labelers gave (multiclass: one; multilabel: zero or more). */
  concepts: string[];
  /** Concepts the labelers proposed that are not in the taxonomy (yet). */
  newConcepts: string[];
  /** 80/20 by a hash of the item id. */
  split: Split;
  /** The labels this item's answer came from, for lineage. */
  labelIds: string[];
  /** When the item's answer was last labeled. */
  labeledAt: string;
  /** Production predictions the item stands for: 1 + the near-duplicates merged into it. */
  weight?: number;
}

/** How often labelers proposed a concept that is not in the taxonomy. */
export interface ProposedConcept {
  concept: string;
  labels: number;
  /** Distinct labelers among those labels. */
  labelers: number;
}

/**
 * Labeled production data, implemented by the review queue. Items that were skipped,
 * marked out of scope, or still lack agreement are not listed.
 */
export interface LabeledProductionSource {
  list(modelId: number): Promise<LabeledProductionItem[]>;
  /** Labels given since `isoTime` (exclusive), for the automatic retraining trigger. */
  countSince(modelId: number, isoTime: string): Promise<number>;
  /** Concepts proposed through `newConcepts`, with how many labels proposed each. */
  proposedConcepts(modelId: number): Promise<ProposedConcept[]>;
}
