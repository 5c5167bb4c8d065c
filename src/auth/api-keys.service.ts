import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.js';
import { isoNow, type Clock } from '../util/clock.js';
import { RequestMemo } from '../util/request-memo.js';
import { countActiveKeys, findActiveKeyByHash, insertKey, keysWereCreated, listKeys, markKeysCreated, revokeKey, type ApiKeyRow } from './api-keys.repository.js';
import type { Role } from './roles.js';

/** The caller a key identifies. */
export interface Principal {
  role: Role;
  keyName: string;
}

export interface ApiKeyInfo {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Where the keys are used: a server bound to loopback may run open until the first key exists. */
export interface KeysContext {
  /** True when the server listens on loopback only; left out (the CLI), it never runs open. */
  boundToLoopback?: boolean;
}

/**
 * How long an answer of the key tables (a key in force, the server still open) serves later
 * requests, by the injected clock. Without it each request waits for a round trip before its body
 * is read; with it a key revoked (or the first key created) by another process, the CLI or another
 * instance, takes effect within this window; by this process, at once. A key not found is always
 * asked again, so a new key works at once everywhere.
 */
export const AUTH_FRESH_MS = 250;

/** Keys in force remembered at most; past it the memory starts afresh (hashes of real keys only). */
export const REMEMBERED_KEYS = 1000;

// Keys are 256-bit random tokens, so a fast unsalted hash is enough: no dictionary to guess from.
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Issues, verifies and revokes API keys; only hashes are stored. */
export class ApiKeysService {
  private readonly bootstrapHash: Buffer | undefined;
  /** Open mode only ever ends, so once it has, no request needs to ask the database again. */
  private closed: boolean;
  private readonly openPerRequest = new RequestMemo<boolean>();
  /** When (clock ms) a read that started then found the server still open. */
  private openSeenAt = Number.NEGATIVE_INFINITY;
  /** Keys found in force, by hash, with when (clock ms) the read that found them started. */
  private readonly inForce = new Map<string, { principal: Principal; at: number }>();

  constructor(
    private readonly db: Db,
    bootstrapAdminKey: string | undefined,
    private readonly clock: Clock,
    context: KeysContext = {},
  ) {
    this.bootstrapHash = bootstrapAdminKey ? Buffer.from(hashKey(bootstrapAdminKey), 'hex') : undefined;
    this.closed = !context.boundToLoopback || this.bootstrapHash !== undefined;
  }

  /**
   * True while the server runs open (every request is admin): bound to loopback, no bootstrap key,
   * and no key ever created, by this process or another one (the CLI) on the same database. A key
   * created here closes it at once; one created elsewhere within {@link AUTH_FRESH_MS}: the database
   * is asked again once the last answer is that old, once per `request` (the checks of one request
   * share the answer).
   */
  isOpen(request?: object): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.fresh(this.openSeenAt)) return Promise.resolve(true);
    return this.openPerRequest.get(request, async () => {
      const asked = this.clock.now().getTime();
      if (await keysWereCreated(this.db)) this.closed = true;
      else this.openSeenAt = Math.max(this.openSeenAt, asked);
      return !this.closed;
    });
  }

  /** True when some key can sign in: the bootstrap key or an unrevoked one. */
  async anyInForce(): Promise<boolean> {
    return this.bootstrapHash !== undefined || (await countActiveKeys(this.db)) > 0;
  }

  /** Records that a key is in force, so that removing the bootstrap key later does not open the server. */
  async recordBootstrap(): Promise<void> {
    if (this.bootstrapHash) await markKeysCreated(this.db, isoNow(this.clock));
  }

  /** Creates a key and returns it in clear text; it cannot be shown again. */
  async create(role: Role, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `dl_${role}_${randomBytes(32).toString('base64url')}`;
    const at = isoNow(this.clock);
    const row = await this.db.transaction().execute(async (trx) => {
      await markKeysCreated(trx, at);
      return insertKey(trx, { name, role, key_hash: hashKey(key), key_prefix: key.slice(0, 12), created_at: at, revoked_at: null });
    });
    this.closed = true;
    return { key, info: toInfo(row) };
  }

  async verify(key: string): Promise<Principal | undefined> {
    return this.verifyHash(hashKey(key));
  }

  /**
   * The caller of a key known by its hash (a session remembers only that), while the key is in
   * force: a key revoked here is refused at once, one revoked elsewhere within {@link AUTH_FRESH_MS}.
   */
  async verifyHash(hash: string): Promise<Principal | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    if (this.bootstrapHash && timingSafeEqual(this.bootstrapHash, Buffer.from(hash, 'hex'))) return { role: 'admin', keyName: 'bootstrap' };
    const known = this.inForce.get(hash);
    if (known && this.fresh(known.at)) return known.principal;
    const asked = this.clock.now().getTime();
    const row = await findActiveKeyByHash(this.db, hash);
    if (!row) {
      this.inForce.delete(hash);
      return undefined;
    }
    const principal: Principal = { role: row.role, keyName: row.name };
    if (this.inForce.size >= REMEMBERED_KEYS) this.inForce.clear();
    this.inForce.set(hash, { principal, at: asked });
    return principal;
  }

  /** Keys in force remembered now (at most {@link REMEMBERED_KEYS}). */
  get keysRemembered(): number {
    return this.inForce.size;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await listKeys(this.db)).map(toInfo);
  }

  async revoke(id: number): Promise<boolean> {
    const revoked = await revokeKey(this.db, id, isoNow(this.clock));
    this.inForce.clear();
    return revoked;
  }

  /** True when an answer read at `at` (clock ms) may still serve a request. */
  private fresh(at: number): boolean {
    const age = this.clock.now().getTime() - at;
    return age >= 0 && age < AUTH_FRESH_MS;
  }
}

function toInfo(r: ApiKeyRow): ApiKeyInfo {
  return { id: r.id, name: r.name, role: r.role, prefix: r.key_prefix, createdAt: r.created_at, revokedAt: r.revoked_at };
}
