import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ApiKeyTable } from '../db/schema.js';

export type ApiKeyRow = Selectable<ApiKeyTable>;

export function findActiveKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function countActiveKeys(db: Db): Promise<number> {
  const r = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Records that keys are in use; it is never undone (open mode ends for good). */
export async function markKeysCreated(db: Db, at: string): Promise<void> {
  await db.insertInto('auth_markers').values({ name: 'keys_created', created_at: at }).onConflict((oc) => oc.column('name').doNothing()).execute();
}

export async function keysWereCreated(db: Db): Promise<boolean> {
  return (await db.selectFrom('auth_markers').select('name').where('name', '=', 'keys_created').executeTakeFirst()) !== undefined;
}

export function insertKey(db: Db, row: Omit<ApiKeyRow, 'id'>): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('id').execute();
}

export async function revokeKey(db: Db, id: number, at: string): Promise<boolean> {
  const r = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
