import type { Db } from '../db/database.js';
import { deleteLeases, listExpiredLeases, type LeaseRow } from './leases.repository.js';
import { refreshStatus, releaseSlots } from './queue.repository.js';

/** Deletes the model's expired leases and gives their slots back to the queue; returns how many expired. */
export async function expireLeases(db: Db, modelId: number, now: string): Promise<number> {
  return releaseExpired(db, await listExpiredLeases(db, modelId, now), now);
}

/** Deletes these expired leases (read under the queue lock, or before it) and gives their slots back; returns how many it deleted. */
export async function releaseExpired(db: Db, expired: LeaseRow[], now: string): Promise<number> {
  if (expired.length === 0) return 0;
  const items = await deleteLeases(db, expired.map((l) => l.id), now);
  await releaseSlots(db, items);
  await refreshStatus(db, [...new Set(items)], now);
  return items.length;
}
