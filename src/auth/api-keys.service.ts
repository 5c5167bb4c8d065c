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
   * and no key ever created, by this process or another one (the CLI) on the same database.
   * Asked on every request, so a key created while the server runs closes it at once: once per
   * `request` (the checks of one request share the answer), never carried over to another one.
   */
  isOpen(request?: object): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.openPerRequest.get(request, async () => {
      if (await keysWereCreated(this.db)) this.closed = true;
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

  /** The caller of a key known by its hash (a session remembers only that), while the key is in force. */
  async verifyHash(hash: string): Promise<Principal | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    if (this.bootstrapHash && timingSafeEqual(this.bootstrapHash, Buffer.from(hash, 'hex'))) return { role: 'admin', keyName: 'bootstrap' };
    const row = await findActiveKeyByHash(this.db, hash);
    return row ? { role: row.role, keyName: row.name } : undefined;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await listKeys(this.db)).map(toInfo);
  }

  revoke(id: number): Promise<boolean> {
    return revokeKey(this.db, id, isoNow(this.clock));
  }
}

function toInfo(r: ApiKeyRow): ApiKeyInfo {
  return { id: r.id, name: r.name, role: r.role, prefix: r.key_prefix, createdAt: r.created_at, revokedAt: r.revoked_at };
}
