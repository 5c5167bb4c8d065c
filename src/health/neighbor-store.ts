import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { SavedNeighbors } from './example-neighbors.js';

/** 2: distances summed in two lanes (`rowDistance`), so lists saved by version 1 differ in the last bits. */
const VERSION = 2;

/**
 * The kept neighbour lists of each model, saved beside the indexes when the service stops, so
 * that after a restart the checklist continues from them rather than computing cold. Derived
 * state, like the indexes: a missing, unreadable or mismatched file only means a cold start,
 * and a file older than the database is caught up like any other lists.
 */
export class NeighborStore {
  constructor(private readonly dir: string) {}

  save(modelId: number, shape: string, saved: SavedNeighbors): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.file(modelId);
    fs.writeFileSync(`${file}.tmp`, v8.serialize({ version: VERSION, shape, saved }));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** The lists saved for `modelId` under `shape` (k, metric, taxonomy), if any. */
  load(modelId: number, shape: string): SavedNeighbors | undefined {
    let stored: { version?: number; shape?: string; saved?: SavedNeighbors };
    try {
      stored = v8.deserialize(fs.readFileSync(this.file(modelId))) as typeof stored;
    } catch {
      return undefined;
    }
    return stored.version === VERSION && stored.shape === shape ? stored.saved : undefined;
  }

  private file(modelId: number): string {
    return path.join(this.dir, `health-${modelId}.v8`);
  }
}
