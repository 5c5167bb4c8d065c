import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { loadHnswlib } from './hnswlib-build.js';
import type { WrittenIndex } from './vector-index.js';

const { HierarchicalNSW } = loadHnswlib();

export type { WrittenIndex } from './vector-index.js';

/** What a written file reads back as: its points, or why it does not read. */
export type IndexFileCheck = { count: number; sha256: string; bytes: number } | { error: string };

/** Checks a written index off the event loop (a thread) or here; resolves to what `checkIndexFile` returns. */
export type IndexChecker = (written: WrittenIndex) => Promise<IndexFileCheck>;

/**
 * Reads the temp file back whole (hnswlib's write does not throw when the disk is full, it
 * leaves a short file) and hashes it. Pure file work, so it runs on a thread as well as here.
 */
export function checkIndexFile(written: WrittenIndex): IndexFileCheck {
  const check = new HierarchicalNSW(written.metric, written.dim);
  try {
    check.readIndexSync(written.tmp);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const count = check.getCurrentCount();
  // Frees the graph now rather than whenever the garbage collector finalizes it.
  check.initIndex({ maxElements: 1 });
  const bytes = fs.readFileSync(written.tmp);
  return { count, sha256: sha256(bytes), bytes: bytes.length };
}

/**
 * Records the checked temp file's checksum and only then moves it over `file`: a file that
 * did not read back whole throws and leaves the previous file and checksum as they were.
 */
export function commitIndex(written: WrittenIndex, check: IndexFileCheck): void {
  if ('error' in check) throw new IndexWriteError(written.file, new Error(check.error));
  if (check.count !== written.count) throw new IndexWriteError(written.file, new Error(`wrote ${check.count} of ${written.count} points`));
  const sums = checksumFile(written.file);
  const sum = `${check.sha256}  ${check.bytes}\n`;
  fs.writeFileSync(`${sums}.tmp`, sum);
  if (fs.statSync(`${sums}.tmp`).size !== Buffer.byteLength(sum)) throw new IndexWriteError(sums, new Error('short write'));
  fs.renameSync(`${sums}.tmp`, sums);
  fs.renameSync(written.tmp, written.file);
}

/** True when `file` is exactly what `commitIndex` moved there: same size and SHA-256 as its checksum file says. */
export function matchesChecksum(file: string): boolean {
  try {
    const [sum, size] = fs.readFileSync(checksumFile(file), 'utf8').trim().split(/\s+/);
    return Number(size) === fs.statSync(file).size && sum === sha256(fs.readFileSync(file));
  } catch {
    return false;
  }
}

const checksumFile = (file: string) => `${file}.sha256`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** An index file could not be written whole (often: the disk is full). The previous file is kept. */
export class IndexWriteError extends Error {
  override readonly name = 'IndexWriteError';
  constructor(file: string, cause: unknown) {
    super(`could not write index ${file}: ${cause instanceof Error ? cause.message : String(cause)} (is the disk full?)`, { cause });
  }
}
