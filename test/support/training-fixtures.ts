import { expect } from 'vitest';
import { ClusteredData } from './clustered-data.js';
import type { TestServer } from './server.js';

/** Concept ids c0, c1, … for generated clusters. */
export function conceptIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `c${i}`);
}

/** Puts a multiclass model and uploads `perConcept` generated examples of each cluster. */
export async function seedModel(
  server: TestServer,
  name: string,
  data: ClusteredData,
  opts: { perConcept: number; settings?: Record<string, unknown>; task?: 'multiclass' | 'multilabel' },
): Promise<void> {
  const concepts = conceptIds(data.spec.clusters);
  const put = await server.request('PUT', `/v1/models/${name}`, {
    task: opts.task ?? 'multiclass',
    embeddingDim: data.spec.dim,
    concepts: concepts.map((id) => ({ id })),
    settings: opts.settings ?? {},
  });
  expect(put.status).toBe(201);
  const examples = concepts.flatMap((c, k) =>
    Array.from({ length: opts.perConcept }, (_, i) => ({ id: `${name}-${c}-${i}`, embedding: data.point(k), concepts: [c] })),
  );
  const added = await server.request('POST', `/v1/models/${name}/examples`, { examples });
  expect(added.status).toBe(200);
}

/** Polls a job until it is finished; returns its last state. */
export async function waitForJob(server: TestServer, jobId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.request('GET', `/v1/jobs/${jobId}`);
    expect(res.status).toBe(200);
    if (['succeeded', 'failed', 'canceled'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Queues a retrain and waits for it. */
export async function retrain(server: TestServer, model: string): Promise<any> {
  const res = await server.request('POST', `/v1/models/${model}/retrain`);
  expect(res.status).toBe(202);
  return waitForJob(server, res.body.jobId);
}

export { ClusteredData };

/** Generated labeled production items: points of each cluster moved by `shift`, labeled with their cluster's concept. */
export function shiftedItems(data: ClusteredData, prefix: string, count: number, shift: number, label: (cluster: number) => string = (c) => `c${c}`) {
  return Array.from({ length: count }, (_, i) => {
    const c = i % data.spec.clusters;
    return { id: `${prefix}-${i}`, embedding: data.point(c, shift), concepts: [label(c)] };
  });
}

/** Top-1 accuracy of the champion (POST .../predict) on labeled points. */
export async function championAccuracy(server: TestServer, model: string, points: { embedding: number[]; concepts: string[] }[]): Promise<number> {
  const res = await server.request('POST', `/v1/models/${model}/predict`, { embeddings: points.map((p) => p.embedding) });
  expect(res.status).toBe(200);
  const hits = (res.body.scores as Record<string, number>[]).filter((s, i) => {
    const top = Object.entries(s).sort((a, b) => b[1] - a[1])[0]![0];
    return top === points[i]!.concepts[0];
  });
  return hits.length / points.length;
}
