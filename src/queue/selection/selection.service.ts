import type { Db } from '../../db/database.js';
import type { Model } from '../../models/model.js';
import type { Clock } from '../../util/clock.js';
import type { NearDuplicateRegistry } from '../near-duplicates.js';
import type { QueueReads } from '../queue.ports.js';
import { readCounts } from '../queue.repository.js';
import { PoolRanker, type SelectionPorts } from './ranking.js';
import { listBarred, listPending } from './selection.repository.js';

export type { SelectionPorts } from './ranking.js';

/**
 * Claims bring regions up to date at most this often per model: a busy stream moves the regions
 * window every few hundred predictions, and a recomputation per claim would hold the event loop.
 */
const REGION_REFRESH_MS = 60_000;
/** A ranking is redone in the background when new items arrived, at most this often. */
const RERANK_MIN_MS = 10_000;
/** Fewest ids checked per query while walking a ranking for one claim. */
const MIN_WALK = 50;
/**
 * Rankings kept at most, over all models and regions: a claim may name any region number, and
 * each one named would otherwise keep a ranking (empty for a region that does not exist). The
 * least recently used goes first; it is ranked again if a claim asks for it.
 */
export const RANKINGS_KEPT = 64;

/** One ranked pool: the order claims hand items out in until it is redone. */
interface Ranking {
  /** What makes a ranking wrong rather than stale: the policy's settings and the champion. */
  key: string;
  ids: number[];
  /** Index of the first id that may still be handed out (those before it are labeled or out of scope). */
  cursor: number;
  /** Items the model had (any status) when ranked: more means new items wait outside the ranking. */
  items: number;
  regionsAt: string | undefined;
  builtAt: number;
}

/**
 * Orders a claim's fresh items by the model's `queue.selection` policy. The ranking of the whole
 * pool (embeddings, the champion, neighbours, the greedy picks) is built once per model state and
 * cached: claims walk it, passing over what their labeler may not take. A new champion or other
 * selection settings make it wrong, so the next claim waits for a new one; new items, moved
 * regions or a half-used list only make it stale, so claims go on with it while one is rebuilt
 * in the background. Labels alone change nothing: the greedy order already counted its own
 * picks as labeled.
 */
export class SelectionService {
  private readonly rankings = new Map<string, Ranking>();
  private readonly building = new Map<string, { key: string; done: Promise<Ranking> }>();
  private readonly ranker: PoolRanker;
  private readonly regions = new Map<number, { at: number; computedAt: Promise<string | undefined> }>();

  constructor(
    private readonly db: Db,
    predictions: QueueReads['predictions'],
    duplicates: NearDuplicateRegistry,
    private readonly ports: SelectionPorts,
    private readonly clock: Clock,
  ) {
    this.ranker = new PoolRanker(db, predictions, duplicates, ports);
  }

  /**
   * Up to `limit` item ids that `labeler` may take, best first. Reads only: the claim's
   * transaction then takes slots in this order, passing over what another claim got first.
   */
  async rank(model: Model, labeler: string, limit: number, region?: number): Promise<number[]> {
    const slot = `${model.id}:${region ?? '*'}`;
    const key = JSON.stringify([model.settings.queue.selection, model.settings.queue.selectionPool, model.settings.queue.typicalUntil, model.settings.queue.selectionSeed, await this.ports.championVersion(model)]);
    const regionsAt = await this.regionsComputedAt(model);
    let ranking = this.rankings.get(slot);
    if (ranking) this.touch(slot, ranking);
    if (!ranking || ranking.key !== key) ranking = await this.rebuild(slot, model, key, regionsAt, region);
    else if (await this.isStale(model, ranking, regionsAt)) void this.rebuild(slot, model, key, regionsAt, region).catch(() => undefined);
    return this.walk(model, ranking, labeler, limit);
  }

  /** Rankings held now (at most {@link RANKINGS_KEPT}). */
  get rankingsHeld(): number {
    return this.rankings.size;
  }

  /** Forgets a model's rankings (its items were rebuilt or removed). */
  forget(modelId: number): void {
    this.ranker.forget(modelId);
    for (const slot of [...this.rankings.keys()]) if (slot.startsWith(`${modelId}:`)) this.rankings.delete(slot);
  }

  private async walk(model: Model, ranking: Ranking, labeler: string, limit: number): Promise<number[]> {
    const out: number[] = [];
    const chunk = Math.max(4 * limit, MIN_WALK);
    for (let at = ranking.cursor; at < ranking.ids.length && out.length < limit; at += chunk) {
      const ids = ranking.ids.slice(at, at + chunk);
      const pending = await listPending(this.db, model.id, ids);
      // Leading ids nobody can take now (leased or labeled) are passed for every later claim; an
      // item whose lease lapses comes back by priority, then with the next ranking.
      if (at === ranking.cursor) {
        let skip = 0;
        while (skip < ids.length && !pending.has(ids[skip]!)) skip++;
        ranking.cursor += skip;
      }
      const open = ids.filter((id) => pending.has(id));
      const barred = await listBarred(this.db, labeler, open);
      for (const id of open) if (!barred.has(id) && out.length < limit) out.push(id);
    }
    return out;
  }

  private async isStale(model: Model, r: Ranking, regionsAt: string | undefined): Promise<boolean> {
    if (regionsAt !== r.regionsAt || r.cursor * 2 >= r.ids.length) return true;
    if (this.clock.now().getTime() - r.builtAt < RERANK_MIN_MS) return false;
    return (await this.itemCount(model)) > r.items;
  }

  /** One build per slot at a time: concurrent claims wait for the same one. */
  private rebuild(slot: string, model: Model, key: string, regionsAt: string | undefined, region?: number): Promise<Ranking> {
    const running = this.building.get(slot);
    if (running?.key === key) return running.done;
    const started = this.clock.now().getTime();
    const done = (async () => {
      // A build for the old champion or settings finishes first: one build per slot at a time.
      await running?.done.catch(() => undefined);
      const items = await this.itemCount(model);
      const ids = await this.ranker.rank(model, region);
      const ranking: Ranking = { key, ids, cursor: 0, items, regionsAt, builtAt: started };
      this.touch(slot, ranking);
      return ranking;
    })().finally(() => {
      if (this.building.get(slot)?.done === done) this.building.delete(slot);
    });
    this.building.set(slot, { key, done });
    return done;
  }

  /** Keeps `ranking` as the most recently used, dropping the least recently used past {@link RANKINGS_KEPT}. */
  private touch(slot: string, ranking: Ranking): void {
    this.rankings.delete(slot);
    this.rankings.set(slot, ranking);
    if (this.rankings.size > RANKINGS_KEPT) this.rankings.delete(this.rankings.keys().next().value!);
  }

  private async itemCount(model: Model): Promise<number> {
    const { status } = await readCounts(this.db, model.id);
    return status.pending + status.leased + status.labeled + status.out_of_scope;
  }

  /**
   * Brings regions up to date at most once a minute per model (`adaptive` reads region label
   * counts), in the background: claims go on with the tags they have, and a new computation
   * makes the ranking stale. Only the model's first claim waits for it.
   */
  private async regionsComputedAt(model: Model): Promise<string | undefined> {
    if (model.settings.queue.selection !== 'adaptive') return undefined;
    const now = this.clock.now().getTime();
    const last = this.regions.get(model.id);
    if (last !== undefined && now - last.at < REGION_REFRESH_MS && now >= last.at) return (await last.computedAt);
    const computedAt = this.ports.refreshRegions(model);
    this.regions.set(model.id, { at: now, computedAt: last ? computedAt.then((c) => c ?? last.computedAt) : computedAt });
    return last ? last.computedAt : computedAt;
  }
}
