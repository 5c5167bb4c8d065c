import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusteringThread } from '../../src/regions/clustering-thread.js';
import { clusterWindow, type WindowPoint } from '../../src/regions/regions.builder.js';
import { ClusteredData } from '../support/clustered-data.js';

const data = new ClusteredData({ dim: 16, clusters: 4, spread: 0.2, seed: 3 });
const points: WindowPoint[] = Array.from({ length: 300 }, (_, i) => ({
  seq: i + 1,
  id: `p-${i}`,
  vector: Float32Array.from(i % 10 === 0 ? data.outlier() : data.point(i % 4)),
  isOod: i % 10 === 0,
  estimate: 0.5 + (i % 7) / 20,
}));
const training = Array.from({ length: 200 }, (_, i) => Float32Array.from(data.point(i % 4)));
const settings = { fitSample: 200, maxK: 6, mapSample: 150, seed: 1 };

const threads: ClusteringThread[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
});

describe('clustering windows on the regions thread', () => {
  it('when a window is clustered on the thread, then the clustering equals the calling thread’s exactly', async () => {
    const thread = new ClusteringThread(pino({ level: 'silent' }));
    threads.push(thread);
    const here = clusterWindow(points, training, settings);
    expect(here.k).toBeGreaterThanOrEqual(2);
    // Twice: the second call reuses the running thread.
    expect(await thread.cluster(points, training, settings)).toEqual(here);
    expect(await thread.cluster(points, training, { ...settings, seed: 2 })).toEqual(clusterWindow(points, training, { ...settings, seed: 2 }));
    // The caller's vectors are copied, not moved to the thread.
    expect(points[5]!.vector.length).toBe(16);
    expect(training[5]!.length).toBe(16);
  });

  it('when the window has no training points, then the thread clusters it as the calling thread does', async () => {
    const thread = new ClusteringThread(pino({ level: 'silent' }));
    threads.push(thread);
    expect(await thread.cluster(points, [], settings)).toEqual(clusterWindow(points, [], settings));
  });

  it('when the thread is closed, then windows are still clustered, on the calling thread', async () => {
    const thread = new ClusteringThread(pino({ level: 'silent' }));
    await thread.cluster(points.slice(0, 100), training, settings);
    await thread.close();
    expect(await thread.cluster(points, training, settings)).toEqual(clusterWindow(points, training, settings));
  });
});
