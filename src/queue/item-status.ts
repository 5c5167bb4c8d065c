/** Where an item stands in the review queue. */
export type ItemStatus =
  /** Still has a free slot: fewer labels plus live leases than `labels_needed`. */
  | 'pending'
  /** Every remaining slot is leased to a labeler. */
  | 'leased'
  /** Enough labels; the majority named concepts. */
  | 'labeled'
  /** Enough labels; the majority said the model should never get this input. */
  | 'out_of_scope';

/** Items that still take claims or labels. */
export const OPEN_STATUSES = ['pending', 'leased'] as const satisfies readonly ItemStatus[];

