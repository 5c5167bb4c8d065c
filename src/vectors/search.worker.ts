/**
 * The search thread: read replicas of train indexes, each loaded from a saved index and fed
 * the same adds, in the same order, as its main-thread original.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setUpThread, type ThreadSetup } from '../util/thread-priority.js';
import { HnswIndex, searchEach } from './hnsw-index.js';
import type { FromSearchThread, ToSearchThread } from './search-worker.protocol.js';

const port = parentPort!;
setUpThread(workerData as ThreadSetup | null);
const replicas = new Map<number, HnswIndex>();
/** Adds kept for a deferred replica, oldest first (from `next` on), and the `resume` inserting them, if one is. */
interface Held {
  adds: ({ label: number; vector: Float64Array | Float32Array } | undefined)[];
  next: number;
  resuming?: number | undefined;
}
const held = new Map<number, Held>();
/** Adds a resume inserts before it lets other messages in (a close, a defer): about 50 ms of work. */
const RESUME_CHUNK = 256;
let closed = false;

function reply(message: FromSearchThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (message: ToSearchThread) => {
  switch (message.op) {
    case 'load': {
      const { file, metric, dim, params } = message.spec;
      held.delete(message.key);
      const index = HnswIndex.load(file, metric, dim, params);
      if (index) replicas.set(message.key, index);
      else replicas.delete(message.key);
      reply(index ? { op: 'loaded', id: message.id, size: index.size } : { op: 'failed', id: message.id, message: `cannot load ${file}` });
      return;
    }
    case 'add': {
      const { key, labels, vectors } = message;
      const later = held.get(key);
      const index = replicas.get(key);
      const dim = vectors.length / Math.max(1, labels.length);
      labels.forEach((label, i) => {
        const vector = vectors.subarray(i * dim, (i + 1) * dim);
        if (later) later.adds.push({ label, vector });
        // Throws on a broken add, which ends this thread: a replica that missed an add must not answer.
        else index?.add(label, vector);
      });
      return;
    }
    case 'defer': {
      const h = held.get(message.key);
      if (h) h.resuming = undefined;
      else if (replicas.has(message.key)) held.set(message.key, { adds: [], next: 0 });
      return;
    }
    case 'resume': {
      const h = held.get(message.key);
      if (!replicas.has(message.key)) return reply({ op: 'failed', id: message.id, message: `no replica for key ${message.key}` });
      if (!h) return reply({ op: 'loaded', id: message.id, size: replicas.get(message.key)!.size });
      h.resuming = message.id;
      resume(message.key, h, message.id);
      return;
    }
    case 'write': {
      const index = replicas.get(message.key);
      if (!index) return reply({ op: 'failed', id: message.id, message: `no replica for key ${message.key}` });
      // Held adds are not in the graph: its file would miss them.
      if (held.has(message.key)) return reply({ op: 'failed', id: message.id, message: `replica ${message.key} holds adds back` });
      try {
        reply({ op: 'written', id: message.id, count: index.write(message.file, message.tmp).count });
      } catch (err) {
        reply({ op: 'failed', id: message.id, message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    case 'drop':
      replicas.get(message.key)?.release();
      replicas.delete(message.key);
      held.delete(message.key);
      return;
    case 'close':
      closed = true;
      replicas.clear();
      held.clear();
      port.close();
      return;
    case 'search': {
      const index = replicas.get(message.key);
      if (!index) return reply({ op: 'failed', id: message.id, message: `no replica for key ${message.key}` });
      const found = searchEach(index, message.queries, message.k);
      const stride = Math.max(0, ...found.map((f) => f.labels.length));
      const counts = new Uint32Array(found.length);
      const labels = new Float64Array(found.length * stride);
      const distances = new Float64Array(found.length * stride);
      found.forEach((f, i) => {
        counts[i] = f.labels.length;
        labels.set(f.labels, i * stride);
        distances.set(f.distances, i * stride);
      });
      return reply({ op: 'found', id: message.id, stride, counts, labels, distances }, [counts.buffer, labels.buffer, distances.buffer]);
    }
  }
});

/**
 * Inserts the kept adds in chunks, letting messages in between: adds that arrive meanwhile join
 * the end (in order); a defer pauses it (what is left stays kept), a load or a close ends it.
 */
function resume(key: number, h: Held, id: number): void {
  if (closed) return;
  const index = replicas.get(key);
  if (!index || held.get(key) !== h) return reply({ op: 'loaded', id, size: index?.size ?? 0 });
  if (h.resuming !== id) return reply({ op: 'loaded', id, size: index.size });
  for (let n = 0; n < RESUME_CHUNK && h.next < h.adds.length; n++) {
    const add = h.adds[h.next]!;
    h.adds[h.next++] = undefined;
    index.add(add.label, add.vector);
  }
  if (h.next < h.adds.length) {
    setImmediate(() => resume(key, h, id));
    return;
  }
  held.delete(key);
  reply({ op: 'loaded', id, size: index.size });
}
