import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.js';
import { isoNow, type Clock } from '../util/clock.js';
import { countActiveKeys, findActiveKeyByHash, insertKey, listKeys, revokeKey, type ApiKeyRow } from './api-keys.repository.js';
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

// Keys are 256-bit random tokens, so a fast unsalted hash is enough: no dictionary to guess from.
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Issues, verifies and revokes API keys; only hashes are stored. */
export class ApiKeysService {
  private readonly bootstrapHash: Buffer | undefined;

  constructor(
    private readonly db: Db,
    bootstrapAdminKey: string | undefined,
    private readonly clock: Clock,
  ) {
    this.bootstrapHash = bootstrapAdminKey ? Buffer.from(hashKey(bootstrapAdminKey), 'hex') : undefined;
  }

  /** True when no key is configured at all: the server then runs open on loopback. */
  async isOpen(): Promise<boolean> {
    return !this.bootstrapHash && (await countActiveKeys(this.db)) === 0;
  }

  /** Creates a key and returns it in clear text; it cannot be shown again. */
  async create(role: Role, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `dl_${role}_${randomBytes(32).toString('base64url')}`;
    const row = await insertKey(this.db, {
      name,
      role,
      key_hash: hashKey(key),
      key_prefix: key.slice(0, 12),
      created_at: isoNow(this.clock),
      revoked_at: null,
    });
    return { key, info: toInfo(row) };
  }

  async verify(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
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
