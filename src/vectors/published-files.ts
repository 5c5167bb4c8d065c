import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PublishedSnapshot } from './derived-index.types.js';

/**
 * True when `dir` holds exactly the snapshot's files (same sizes and SHA-256s): the instance
 * that published it, or one that fetched it before, loads it from its own folder instead of
 * downloading it again.
 */
export function holdsPublished(dir: string, snapshot: PublishedSnapshot): boolean {
  return snapshot.files.every((f) => {
    const file = path.join(dir, f.name);
    try {
      return fs.statSync(file).size === f.bytes && createHash('sha256').update(fs.readFileSync(file)).digest('hex') === f.sha256;
    } catch {
      return false;
    }
  });
}
