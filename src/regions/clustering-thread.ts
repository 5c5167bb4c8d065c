import type { Logger } from 'pino';
import { workerEntryUrl } from '../util/worker-entry.js';
import { WorkerPool, WorkerTaskError } from '../util/worker-pool.js';
import { clusterWindow, type BuildSettings, type Clustering, type WindowPoint } from './regions.builder.js';

/** Clusters a window; the composition root runs it on a thread (`ClusteringThread`). */
export type WindowClusterer = (points: WindowPoint[], training: Float32Array[], settings: BuildSettings) => Promise<Clustering>;

/** The same clustering on the calling thread (`DRIFTLOOP_COMPUTE_THREADS=0`, tests). */
export const clusterHere: WindowClusterer = async (points, training, settings) => clusterWindow(points, training, settings);

/** A window as it crosses to the thread: every vector packed in one transferred buffer, not thousands of small clones. */
export interface ClusterTask {
  points: Omit<WindowPoint, 'vector'>[];
  vectors: Float32Array<ArrayBuffer>;
  training: Float32Array<ArrayBuffer>;
  dim: number;
  settings: BuildSettings;
}

/** Packs the window for the thread. */
export function packWindow(points: WindowPoint[], training: Float32Array[], settings: BuildSettings): ClusterTask {
  const dim = points[0]?.vector.length ?? training[0]?.length ?? 0;
  return {
    points: points.map(({ seq, id, isOod, estimate }) => ({ seq, id, isOod, estimate })),
    vectors: pack(points.map((p) => p.vector), dim),
    training: pack(training, dim),
    dim,
    settings: { fitSample: settings.fitSample, maxK: settings.maxK, mapSample: settings.mapSample, seed: settings.seed },
  };
}

/** The thread side: the window as `clusterWindow` takes it (views on the packed buffers hold the same numbers). */
export function clusterPacked(task: ClusterTask): Clustering {
  const points = task.points.map((p, i) => ({ ...p, vector: task.vectors.subarray(i * task.dim, (i + 1) * task.dim) }));
  return clusterWindow(points, unpack(task.training, task.dim), task.settings);
}

function pack(vectors: Float32Array[], dim: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new RangeError(`vector has ${v.length} dimensions, expected ${dim}`);
    out.set(v, i * dim);
  });
  return out;
}

function unpack(packed: Float32Array, dim: number): Float32Array[] {
  return dim === 0 ? [] : Array.from({ length: packed.length / dim }, (_, i) => packed.subarray(i * dim, (i + 1) * dim));
}

/**
 * Runs `clusterWindow` (PCA, k-means, UMAP: up to seconds of CPU at 5,000 × 256) on a worker
 * thread, so claims and ingestion keep the event loop meanwhile. The thread runs the same
 * deterministic code on the same numbers, so its clustering equals the calling thread's. If
 * the thread dies under a window, the window is clustered here rather than not at all. The
 * thread starts on first use, keeps no process alive while idle, and ends with `close()`.
 */
export class ClusteringThread {
  private readonly pool: WorkerPool<ClusterTask, Clustering>;

  constructor(private readonly log: Logger, niceness = 0) {
    this.pool = new WorkerPool(workerEntryUrl('clustering.worker', import.meta.url), 1, 'regions', log, niceness);
  }

  readonly cluster: WindowClusterer = async (points, training, settings) => {
    const task = packWindow(points, training, settings);
    try {
      return await this.pool.run(task, [task.vectors.buffer, task.training.buffer]);
    } catch (err) {
      if (!(err instanceof WorkerTaskError)) throw err;
      this.log.warn({ err }, 'regions thread failed; clustering on the calling thread');
      return clusterWindow(points, training, settings);
    }
  };

  /** Starts the thread ahead of the first window (`WorkerPool.warm`). */
  warm(): void {
    this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
