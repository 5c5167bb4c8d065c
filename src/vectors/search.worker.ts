/**
 * The search thread: read replicas of train indexes, each loaded from a saved index and fed
 * the same adds, in the same order, as its main-thread original.
 */
import { parentPort } from 'node:worker_threads';
import { HnswIndex, searchEach } from './hnsw-index.js';
import type { FromSearchThread, ToSearchThread } from './search-worker.protocol.js';

const port = parentPort!;
const replicas = new Map<number, HnswIndex>();
/** Adds kept for a deferred replica, oldest first: inserted at `resume`, in the order they came. */
const held = new Map<number, { label: number; vector: Float64Array | Float32Array }[]>();

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
      const later = held.get(message.key);
      if (later) later.push({ label: message.label, vector: message.vector });
      // Throws on a broken add, which ends this thread: a replica that missed an add must not answer.
      else replicas.get(message.key)?.add(message.label, message.vector);
      return;
    }
    case 'defer':
      if (replicas.has(message.key) && !held.has(message.key)) held.set(message.key, []);
      return;
    case 'resume': {
      const index = replicas.get(message.key);
      const later = held.get(message.key) ?? [];
      held.delete(message.key);
      if (!index) return reply({ op: 'failed', id: message.id, message: `no replica for key ${message.key}` });
      for (const { label, vector } of later) index.add(label, vector);
      return reply({ op: 'loaded', id: message.id, size: index.size });
    }
    case 'close':
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
