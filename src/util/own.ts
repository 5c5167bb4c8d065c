/**
 * The value stored under `key` on the record itself. Keys come from clients (concept ids, metadata),
 * and `record['constructor']` would otherwise answer Object.prototype's function.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
