import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { isoNow, type Clock } from '../util/clock.js';
import type { PublishedSnapshot, SnapshotStore } from '../vectors/derived-index.types.js';
import {
  deleteSnapshotParts,
  findSnapshot,
  insertSnapshotPart,
  lockSnapshot,
  readSnapshotPart,
  upsertSnapshot,
  type SnapshotFile,
} from './snapshots.repository.js';

/** Bytes per stored part: large enough for few round trips, small enough to never hold a whole index in one value. */
const PART_BYTES = 4 * 1024 * 1024;

/**
 * Index snapshots in the shared database: an instance publishes its saved index files, and
 * a new instance fetches them instead of rebuilding from every row. Each file is checked
 * against the SHA-256 recorded with it before it replaces anything on disk.
 */
export class IndexSnapshots implements SnapshotStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async highWater(modelId: number, kind: string): Promise<number | undefined> {
    return (await findSnapshot(this.db, modelId, kind))?.highWater;
  }

  latest(modelId: number, kind: string): Promise<PublishedSnapshot | undefined> {
    return findSnapshot(this.db, modelId, kind);
  }

  async fetch(modelId: number, kind: string, dir: string): Promise<boolean> {
    fs.mkdirSync(dir, { recursive: true });
    // One transaction, so a publication that lands meanwhile is not mixed into this read.
    const fetched = await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await findSnapshot(trx, modelId, kind);
        if (!snapshot) return undefined;
        const written: { tmp: string; file: string }[] = [];
        for (const f of snapshot.files) {
          const tmp = path.join(dir, `${f.name}.fetch`);
          written.push({ tmp, file: path.join(dir, f.name) });
          await this.download(trx, modelId, kind, f, tmp);
        }
        return written;
      });
    if (!fetched) return false;
    // The state file comes last in the list: until it is renamed, a half-restored folder is never loaded.
    for (const { tmp, file } of fetched) fs.renameSync(tmp, file);
    return true;
  }

  async publish(modelId: number, kind: string, highWater: number, files: { name: string; path: string }[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await lockSnapshot(trx, modelId);
      const current = await findSnapshot(trx, modelId, kind);
      if (current && current.highWater >= highWater) return false;
      await deleteSnapshotParts(trx, modelId, kind);
      const listed: SnapshotFile[] = [];
      for (const f of files) listed.push(await this.upload(trx, modelId, kind, f));
      await upsertSnapshot(trx, modelId, kind, { highWater, files: listed }, isoNow(this.clock));
      return true;
    });
  }

  private async upload(trx: Db, modelId: number, kind: string, f: { name: string; path: string }): Promise<SnapshotFile> {
    const hash = createHash('sha256');
    const fd = fs.openSync(f.path, 'r');
    let bytes = 0;
    let parts = 0;
    try {
      const buffer = Buffer.alloc(PART_BYTES);
      for (let n = fs.readSync(fd, buffer, 0, PART_BYTES, bytes); n > 0; n = fs.readSync(fd, buffer, 0, PART_BYTES, bytes)) {
        const data = Buffer.from(buffer.subarray(0, n));
        hash.update(data);
        await insertSnapshotPart(trx, modelId, kind, f.name, parts++, data);
        bytes += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    return { name: f.name, bytes, sha256: hash.digest('hex'), parts };
  }

  private async download(trx: Db, modelId: number, kind: string, f: SnapshotFile, tmp: string): Promise<void> {
    const hash = createHash('sha256');
    const fd = fs.openSync(tmp, 'w');
    let bytes = 0;
    try {
      for (let part = 0; part < f.parts; part++) {
        const data = await readSnapshotPart(trx, modelId, kind, f.name, part);
        if (!data) throw new SnapshotCorruptError(f.name, `part ${part} is missing`);
        hash.update(data);
        fs.writeSync(fd, data);
        bytes += data.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    if (bytes !== f.bytes || hash.digest('hex') !== f.sha256) {
      fs.rmSync(tmp, { force: true });
      throw new SnapshotCorruptError(f.name, 'its bytes differ from the checksum recorded at publication');
    }
  }
}

/** A published snapshot could not be read back whole; the instance rebuilds from the database instead. */
export class SnapshotCorruptError extends Error {
  override readonly name = 'SnapshotCorruptError';
  constructor(file: string, reason: string) {
    super(`index snapshot file ${file}: ${reason}`);
  }
}
