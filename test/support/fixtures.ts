import { ClusteredData } from './clustered-data.js';
import type { TestServer } from './server.js';

export interface SeededModel {
  name: string;
  concepts: string[];
  data: ClusteredData;
}

/** Registers a multiclass model and `examples` clustered training examples (one concept per cluster). */
export async function seedModel(
  server: TestServer,
  opts: { name?: string; dim?: number; clusters?: number; examples?: number; spread?: number; seed?: number; settings?: unknown; key?: string } = {},
): Promise<SeededModel> {
  const name = opts.name ?? 'pint';
  const clusters = opts.clusters ?? 4;
  const concepts = Array.from({ length: clusters }, (_, i) => `c${i}`);
  const data = new ClusteredData({ dim: opts.dim ?? 16, clusters, spread: opts.spread ?? 0.3, seed: opts.seed ?? 7 });
  const put = await server.request('PUT', `/v1/models/${name}`, {
    task: 'multiclass',
    embeddingDim: data.spec.dim,
    encoder: 'test-encoder@1',
    concepts: concepts.map((id) => ({ id })),
    settings: opts.settings,
  }, opts.key);
  if (put.status >= 300) throw new Error(`PUT model failed: ${JSON.stringify(put.body)}`);
  const total = opts.examples ?? 400;
  for (let start = 0; start < total; start += 500) {
    const examples = [];
    for (let i = start; i < Math.min(total, start + 500); i++) {
      const c = i % clusters;
      examples.push({ id: `ex-${i}`, embedding: data.point(c), concepts: [concepts[c]!] });
    }
    const res = await server.request('POST', `/v1/models/${name}/examples`, { examples }, opts.key);
    if (res.status !== 200) throw new Error(`POST examples failed: ${JSON.stringify(res.body)}`);
  }
  return { name, concepts, data };
}

/** A prediction record near cluster `c` (or far away when `outlier`). */
export function predictionFor(m: SeededModel, id: string, c: number, opts: { outlier?: boolean; top?: number } = {}) {
  return {
    id,
    embedding: opts.outlier ? m.data.outlier() : m.data.point(c),
    scores: m.data.scores(m.concepts, c, opts.top ?? 0.8),
    encoder: 'test-encoder@1',
  };
}
