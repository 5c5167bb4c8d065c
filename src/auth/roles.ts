/** What a key may do: `admin` may do everything. */
export type Role = 'ingest' | 'label' | 'admin';

export const ROLES: readonly Role[] = ['ingest', 'label', 'admin'];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
