import type { DemoDataset } from '../../demo/data/demo-dataset.js';
import type { ApiClient } from '../../demo/run/api-client.js';
import { prepareModel, streamProduction } from './loop-run.js';

/**
 * The labeler's time, modelled per decision (seconds). Not measured on people: stated so the
 * figures can be recomputed under other assumptions.
 * - `answer`: look at one item (image, scores, neighbours) and pick its concept by key.
 * - `tile`: glance at one grid thumbnail and judge "same as my answer or not".
 * - `toggle`: one keystroke selecting a tile.
 * - `confirm`: Enter on the grid.
 */
export const TIME_MODEL = Object.freeze({ answer: 5, tile: 0.8, toggle: 0.3, confirm: 0.5 });

export interface BulkResult {
  radius: number;
  decisions: number;
  answered: number;
  bulk: number;
  tilesShown: number;
  /** Share of shown tiles whose truth matched the answer (what the labeler selected). */
  gridPrecision: number;
  modelledSeconds: number;
  perMinuteBulk: number;
  perMinuteSingle: number;
}

/**
 * One labeler answers `decisions` claimed items; after each answer the page's grid
 * (`GET .../similar?limit=9&radius=${radius}`) is confirmed for the tiles that truly share the answer (a
 * careful labeler), in one bulk batch. One item at a time costs `answer` per label.
 */
export async function runBulk(api: ApiClient, data: DemoDataset, decisions: number, radius: number): Promise<BulkResult> {
  const model = `bench-bulk-r${String(radius).replace('.', '_')}`;
  await prepareModel(api, model, data, { drift: { windowSize: 300 }, retrain: { auto: false }, queue: { leaseSeconds: 3600 } });
  await streamProduction(api, model, [...data.prodClean, ...data.prodUgc]);
  const truth = new Map([...data.prodClean, ...data.prodUgc].map((r) => [r.id, r.concept]));
  const r = { answered: 0, bulk: 0, tilesShown: 0, seconds: 0 };
  while (r.answered < decisions) {
    const { items } = await api.post<{ items: { itemId: string; predictionId: string }[] }>(`/v1/models/${model}/queue/claim`, { labeler: 'ana', limit: 1 });
    if (items.length === 0) break;
    const item = items[0]!;
    const concept = truth.get(item.predictionId)!;
    // Concepts are fixed here (no retraining), so held-out classes stay proposals.
    const answer = data.model.concepts.some((c) => c.id === concept) ? { concepts: [concept] } : { concepts: [], newConcepts: [concept] };
    await api.post(`/v1/models/${model}/labels`, { labels: [{ itemId: item.itemId, labeler: 'ana', ...answer }] });
    r.answered++;
    r.seconds += TIME_MODEL.answer;
    const grid = (await api.get<{ items: { itemId: string; predictionId: string }[] }>(`/v1/models/${model}/queue/items/${item.itemId}/similar?limit=9&radius=${radius}`)).items;
    if (grid.length === 0) continue;
    const same = grid.filter((g) => truth.get(g.predictionId) === concept);
    r.tilesShown += grid.length;
    r.seconds += grid.length * TIME_MODEL.tile + same.length * TIME_MODEL.toggle + TIME_MODEL.confirm;
    if (same.length === 0) continue;
    await api.post(`/v1/models/${model}/labels`, { labels: same.map((g) => ({ itemId: g.itemId, labeler: 'ana', bulk: true, ...answer })) });
    r.bulk += same.length;
  }
  const labels = r.answered + r.bulk;
  return {
    radius,
    decisions,
    answered: r.answered,
    bulk: r.bulk,
    tilesShown: r.tilesShown,
    gridPrecision: r.tilesShown ? r.bulk / r.tilesShown : NaN,
    modelledSeconds: r.seconds,
    perMinuteBulk: (60 * labels) / r.seconds,
    perMinuteSingle: 60 / TIME_MODEL.answer,
  };
}
