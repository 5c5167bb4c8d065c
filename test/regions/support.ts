import { ClusteredData } from '../support/clustered-data.js';
import { confident, type Fixture } from '../queue/support.js';
import type { TestServer } from '../support/server.js';

/**
 * The window the region tests cluster, for a model of `setupModel`: 90 predictions across its
 * three training clusters (`k-*`), then 60 of one kind training never had (`n-*`, an image each).
 */
export function regionWindow(fx: Fixture) {
  const novel = new ClusteredData({ dim: 16, clusters: 1, spread: 0.15, seed: 99 });
  const known = Array.from({ length: 90 }, (_, i) => ({ id: `k-${i}`, embedding: fx.data.point(i % 3), scores: confident(i % 3) }));
  const fresh = Array.from({ length: 60 }, (_, i) => ({ id: `n-${i}`, embedding: novel.point(0), scores: { lager: 0.4, stout: 0.35, ipa: 0.25 }, input: { url: `https://img.example/n-${i}.jpg` } }));
  return { known, fresh, novelIds: new Set(fresh.map((p) => p.id)) };
}

/** The model's regions as `GET .../regions` lists them, best to label first. */
export async function listRegions(on: TestServer, model = 'pint'): Promise<{ id: number; size: number; examples: string[] }[]> {
  return (await on.request('GET', `/v1/models/${model}/regions`)).body.regions;
}
