import type { ItemStatus } from '../db/schema.js';

export type { ItemStatus };

/** Items that still take claims or labels. */
export const OPEN_STATUSES = ['pending', 'leased'] as const satisfies readonly ItemStatus[];

