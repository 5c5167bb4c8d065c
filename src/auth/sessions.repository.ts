import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { SessionTable } from '../db/schema.js';

export type SessionRow = Selectable<SessionTable>;

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Db, idHash: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes the sessions of a key beyond its newest `keep` (by when they were opened). */
export async function deleteSessionsBeyond(db: Db, keyHash: string, keep: number): Promise<void> {
  const newest = db.selectFrom('sessions').select('id_hash').where('key_hash', '=', keyHash).orderBy('created_at', 'desc').orderBy('id_hash').limit(keep);
  await db.deleteFrom('sessions').where('key_hash', '=', keyHash).where('id_hash', 'not in', newest).execute();
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}
