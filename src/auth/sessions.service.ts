import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { Clock } from '../util/clock.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { hashKey, type ApiKeysService, type Principal } from './api-keys.service.js';
import { deleteExpiredSessions, deleteSession, deleteSessionsBeyond, findSession, insertSession } from './sessions.repository.js';

/** A signed-in browser: who it is and the token its forms must carry. */
export interface Session {
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
}

export interface SessionOptions {
  /** How long a session lasts after sign-in. */
  ttlSeconds: number;
  clock: Clock;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Live sessions one key keeps at most; a sign-in past it ends the key's oldest. Without it a key
 * signing in again and again kept a row per sign-in until each expired.
 */
export const SESSIONS_PER_KEY = 64;

/**
 * Browser sessions opened by signing in with a key. Only hashes are stored (of the cookie value
 * and of the key), and a session ends with its key: revoking the key signs its browsers out.
 */
export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly keys: ApiKeysService,
    private readonly opts: SessionOptions,
  ) {}

  get ttlSeconds(): number {
    return this.opts.ttlSeconds;
  }

  /** Signs in with a key; returns the cookie value (shown once) and the session. */
  async signIn(key: string): Promise<{ cookie: string; session: Session }> {
    const principal = await this.keys.verify(key.trim());
    if (!principal) throw new UnauthorizedError('Unknown or revoked API key');
    // An ingest key opens no page: a session for it would only lead to 403s.
    if (principal.role === 'ingest') throw new ForbiddenError('An ingest key sends predictions and opens no page. Sign in with a label or admin key.');
    const now = this.opts.clock.now();
    await deleteExpiredSessions(this.db, now.toISOString());
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.opts.ttlSeconds * 1000).toISOString();
    const keyHash = hashKey(key.trim());
    await insertSession(this.db, { id_hash: sha256(cookie), key_hash: keyHash, csrf_token: csrfToken, created_at: now.toISOString(), expires_at: expiresAt });
    await deleteSessionsBeyond(this.db, keyHash, SESSIONS_PER_KEY);
    return { cookie, session: { principal, csrfToken, expiresAt } };
  }

  /** The live session of a cookie value, or undefined (unknown, expired, or its key revoked). */
  async resolve(cookie: string): Promise<Session | undefined> {
    const row = await findSession(this.db, sha256(cookie));
    if (!row) return undefined;
    if (row.expires_at <= this.opts.clock.now().toISOString()) {
      await deleteSession(this.db, row.id_hash);
      return undefined;
    }
    const principal = await this.keys.verifyHash(row.key_hash);
    return principal && { principal, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async signOut(cookie: string): Promise<void> {
    await deleteSession(this.db, sha256(cookie));
  }
}
