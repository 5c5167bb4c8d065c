import type { Role } from '../db/schema.js';

export type { Role };

export const ROLES: readonly Role[] = ['ingest', 'label', 'admin'];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
