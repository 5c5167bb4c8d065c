import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector, encodeVectors } from '../util/vectors.js';
import { carryIds } from './region-ids.js';
import type { RegionIdsStore } from './regions.ports.js';

/**
 * Region ids in the database, so every instance names a region alike: each clustering carries
 * its ids from the last one stored by any instance, and fresh ids count on from the highest
 * ever issued for the model. One transaction under the model's lock, so two instances
 * clustering at once never issue the same fresh id to different regions.
 */
export class StoredRegionIds implements RegionIdsStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  carry(modelId: number, centroids: ArrayLike<number>[]): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      await lockUntilCommit(trx, 'regionIds', modelId);
      // The lock above orders every writer of the row: a plain read sees the last one committed.
      const row = await trx.selectFrom('region_ids').selectAll().where('model_id', '=', modelId).executeTakeFirst();
      const dim = centroids[0]?.length ?? 0;
      // Centres of another dimension (another metric space) say nothing about these: fresh ids, counting on.
      const previous = row && row.dim === dim ? storedCentres(row.ids_json, row.centroids, dim) : [];
      const lastId = row?.last_id ?? 0;
      const ids = carryIds(previous, centroids, lastId);
      const values = { last_id: Math.max(lastId, ...ids), ids_json: JSON.stringify(ids), centroids: Buffer.concat(encodeVectors(centroids)), dim, updated_at: isoNow(this.clock) };
      await trx
        .insertInto('region_ids')
        .values({ model_id: modelId, ...values })
        .onConflict((oc) => oc.column('model_id').doUpdateSet(values))
        .execute();
      return ids;
    });
  }
}

/** The highest region id ever issued for the model (by any instance), or 0: ids above it name no region. */
export async function lastIssuedRegion(db: Db, modelId: number): Promise<number> {
  const row = await db.selectFrom('region_ids').select('last_id').where('model_id', '=', modelId).executeTakeFirst();
  return row ? Number(row.last_id) : 0;
}

function storedCentres(idsJson: string, bytes: Uint8Array, dim: number): { id: number; centroid: Float32Array }[] {
  const ids = JSON.parse(idsJson) as number[];
  const all = decodeVector(bytes);
  return ids.map((id, c) => ({ id, centroid: all.subarray(c * dim, (c + 1) * dim) }));
}
