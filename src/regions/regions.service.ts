import { setImmediate as nextTurn } from 'node:timers/promises';
import { ReferenceSamples } from '../drift/reference-sample.js';
import { toMetricSpace } from '../drift/sampling/embedding-space.js';
import type { Model } from '../models/model.js';
import type { RecentPredictionRow, RegionIdsStore, RegionsReads } from './regions.ports.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector } from '../util/vectors.js';
import { estimatedCorrect, regionAccuracy, regionScore } from './region-accuracy.js';
import { clusterHere, type WindowClusterer } from './clustering-thread.js';
import type { Clustering, WindowPoint } from './regions.builder.js';
import type { InputRef, MapPoint, Region, RegionsSnapshot } from './regions.types.js';

/** What regions need from the review queue (the queue implements it). */
export interface RegionQueuePort {
  /** Labeled items opened by predictions with seq above `afterSeq`: prediction seq → was the forwarded prediction right. */
  labeledOutcomes(model: Model, afterSeq: number): Promise<Map<number, boolean>>;
  /** Records the region of each open item opened by a window prediction, so claims can filter by region. */
  tagRegions(model: Model, regionOfSeq: Map<number, number>, fromSeq: number): Promise<void>;
}

/** Per prediction, the label-free probability that the forwarded prediction is right. */
export type CorrectnessEstimator = (model: Model, rows: RecentPredictionRow[]) => Promise<Float64Array>;

/** The fallback estimator: the model's confidence discounted by k-NN disagreement. */
const confidenceEstimator: CorrectnessEstimator = async (_model, rows) =>
  Float64Array.from(rows, (r) => estimatedCorrect({ topScore: r.top_score, disagreement: r.disagreement, knnShare: r.knn_agreement }));

const EXAMPLES_PER_REGION = 6;

/** A computed window, kept until the window moves on by `regions.refreshShare`. */
interface Cached {
  key: string;
  computedAt: string;
  throughSeq: number;
  fromSeq: number;
  millis: number;
  points: Pick<WindowPoint, 'seq' | 'id' | 'isOod'>[];
  inputs: (InputRef | null)[];
  clustering: Clustering;
  ids: number[];
  trainingTotal: number;
  trainingKey: string;
}

/** Regions of recent production data: clustered, ranked, cached, and tagged onto the queue. */
export class RegionsService {
  private readonly cache = new Map<number, Cached>();
  private readonly inflight = new Map<number, Promise<Cached | undefined>>();
  private readonly training: ReferenceSamples;

  constructor(
    private readonly reads: RegionsReads,
    private readonly queue: RegionQueuePort,
    /** Region ids shared with every instance on the database. */
    private readonly ids: RegionIdsStore,
    private readonly clock: Clock,
    private readonly estimate: CorrectnessEstimator = confidenceEstimator,
    /** Where the clustering runs: a worker thread in the service. */
    private readonly cluster: WindowClusterer = clusterHere,
  ) {
    this.training = new ReferenceSamples(reads.examples);
  }

  /** The model's regions, best to label first; recomputed only when the window moved on. */
  async snapshot(model: Model): Promise<RegionsSnapshot> {
    const cached = await this.current(model);
    if (!cached) return { computedAt: isoNow(this.clock), throughSeq: 0, windowCount: 0, k: 0, silhouette: null, regions: [], map: [], trainingKey: '', millis: 0 };
    const outcomes = await this.queue.labeledOutcomes(model, cached.fromSeq - 1);
    return present(cached, outcomes);
  }

  private async current(model: Model): Promise<Cached | undefined> {
    const s = model.settings.regions;
    const [seq, sample] = [await this.reads.predictions.latestSeq(model.id), await this.training.get(model)];
    const key = `${JSON.stringify(s)}:${model.metric}:${sample.key}`;
    const cached = this.cache.get(model.id);
    // A young window refreshes sooner: the share is of the predictions the window holds.
    const stale = Math.max(1, Math.ceil(s.refreshShare * Math.min(s.windowSize, cached?.points.length ?? 0)));
    if (cached && cached.key === key && seq - cached.throughSeq < stale) return cached;
    // Concurrent callers share one computation.
    const running = this.inflight.get(model.id);
    if (running) return running;
    const work = this.compute(model, key, sample.embeddings, sample.key).finally(() => this.inflight.delete(model.id));
    this.inflight.set(model.id, work);
    return work;
  }

  /** The model's last `limit` predictions, oldest first, read in pages with a turn of the event loop between them. */
  private async recentRows(modelId: number, limit: number): Promise<RecentPredictionRow[]> {
    const pages: RecentPredictionRow[][] = [];
    let left = limit;
    let beforeSeq: number | undefined;
    while (left > 0) {
      const page = await this.reads.predictions.listRecentPredictions(modelId, Math.min(ROWS_PER_READ, left), beforeSeq);
      if (page.length === 0) break;
      pages.push(page);
      left -= page.length;
      beforeSeq = page.at(-1)!.seq;
      if (page.length < ROWS_PER_READ) break;
      await nextTurn();
    }
    return pages.flat().reverse();
  }

  private async compute(model: Model, key: string, training: Float32Array[], trainingKey: string): Promise<Cached | undefined> {
    const started = performance.now();
    const s = model.settings.regions;
    const rows = await this.recentRows(model.id, s.windowSize);
    if (rows.length === 0) return undefined;
    const estimates = await this.estimate(model, rows);
    const points: WindowPoint[] = rows.map((r, i) => ({
      seq: r.seq,
      id: r.id,
      vector: toMetricSpace(decodeVector(r.embedding), model.metric),
      isOod: r.is_ood === 1,
      estimate: estimates[i]!,
    }));
    const clustering = await this.cluster(points, training, s);
    const ids = await this.ids.carry(model.id, clustering.centroids);
    const regionOfSeq = new Map(points.map((p, i) => [p.seq, ids[clustering.membership[i]!]!]));
    await this.queue.tagRegions(model, regionOfSeq, points[0]!.seq);
    const cached: Cached = {
      key,
      computedAt: isoNow(this.clock),
      throughSeq: points.at(-1)!.seq,
      fromSeq: points[0]!.seq,
      millis: performance.now() - started,
      points: points.map(({ seq, id, isOod }) => ({ seq, id, isOod })),
      inputs: rows.map((r) => (r.input_json ? (JSON.parse(r.input_json) as InputRef) : null)),
      clustering,
      ids,
      trainingTotal: training.length,
      trainingKey,
    };
    this.cache.set(model.id, cached);
    return cached;
  }
}

/** Window rows read per statement: a whole 5,000-row window of 256-dim embeddings in one synchronous SQLite read held the event loop for tens of milliseconds. */
const ROWS_PER_READ = 1000;

/** Labels, accuracy and ranking change with every label, so they are applied to the cached clustering on each call. */
function present(c: Cached, outcomes: Map<number, boolean>): RegionsSnapshot {
  const { clustering: cl, points } = c;
  const regions: Region[] = cl.typical.map((members, k) => {
    let correct = 0;
    let labeled = 0;
    let ood = 0;
    for (const i of members) {
      const o = outcomes.get(points[i]!.seq);
      if (o !== undefined) {
        labeled += 1;
        if (o) correct += 1;
      }
      if (points[i]!.isOod) ood += 1;
    }
    const estimatedAccuracy = regionAccuracy(members.map((i) => cl.estimates[i]!), { correct, total: labeled });
    const examples = members.slice(0, EXAMPLES_PER_REGION);
    return {
      id: c.ids[k]!,
      size: members.length,
      share: members.length / points.length,
      trainingShare: c.trainingTotal > 0 ? cl.trainingCounts[k]! / c.trainingTotal : 0,
      estimatedAccuracy,
      labeled,
      examples: examples.map((i) => points[i]!.id),
      inputs: examples.map((i) => c.inputs[i] ?? null),
      centroid2d: cl.centroids2d[k]!,
      oodShare: members.length > 0 ? ood / members.length : 0,
      score: regionScore({ size: members.length, windowCount: points.length, trainingCount: cl.trainingCounts[k]!, trainingTotal: c.trainingTotal, estimatedAccuracy }),
    };
  });
  regions.sort((a, b) => b.score - a.score || a.id - b.id);
  const map: MapPoint[] = cl.map.map((p) => ({ x: p.x, y: p.y, kind: p.kind, region: c.ids[p.cluster]! }));
  return {
    computedAt: c.computedAt,
    throughSeq: c.throughSeq,
    windowCount: points.length,
    k: cl.k,
    silhouette: cl.silhouette,
    regions: regions.filter((r) => r.size > 0),
    map,
    trainingKey: c.trainingKey,
    millis: c.millis,
  };
}
