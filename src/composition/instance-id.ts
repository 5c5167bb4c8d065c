import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const FILE = 'instance-id';

/**
 * This instance's name in the shared database (the owner of the jobs it runs): kept in its
 * data folder, so a restarted instance knows the jobs it held before and recovers them at
 * once, while other instances wait for their leases to expire. A read-only process gets a
 * name of its own and writes nothing.
 */
export function instanceId(dataDir: string, readOnly = false): string {
  const file = path.join(dataDir, FILE);
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  if (!readOnly) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${id}\n`);
  }
  return id;
}
