import type { Model } from '../models/model.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import { knnVote } from '../scoring/knn-vote.js';
import { decodeVector } from '../util/vectors.js';
import { centroid } from './report/regions.js';
import type { NewRegion, RegionExample, RegionsSection } from './report/report.types.js';
import { toMetricSpace } from './sampling/embedding-space.js';
import type { OodRow, PredictionWindowReader } from './drift.ports.js';

/** A region of the regions feature's clustering, as far as drift events need it. */
export interface ClusteredRegion {
  id: number;
  size: number;
  /** Share of its members that are out of distribution. */
  oodShare: number;
  /** Its most typical members (nearest the centre), prediction ids. */
  examples: string[];
}

/** The regions feature's clustering of the recent window (one clustering mechanism: src/regions/). */
export type RegionsReader = (model: Model) => Promise<{ windowCount: number; regions: ClusteredRegion[] }>;

/** A region counts as new when most of its members lie outside the training distribution. */
const NEW_REGION_OOD_SHARE = 0.5;
const MIN_REGION = 3;
const MAX_REGIONS = 8;

/** No regions (nothing clustered). */
export const EMPTY_REGIONS: RegionsSection = Object.freeze({ lookback: 0, clustered: 0, radius: null, regions: [], scattered: 0 });

/**
 * "New regions" for drift events: the regions of `GET .../regions` whose members are mostly
 * out of distribution, largest OOD count first, each named by the concept its nearest
 * training examples vote for.
 */
export class NewRegions {
  constructor(
    private readonly predictions: Pick<PredictionWindowReader, 'predictionsByIds'>,
    private readonly references: ReferenceRegistry,
    private readonly regions: RegionsReader,
  ) {}

  async find(model: Model): Promise<RegionsSection> {
    const set = await this.references.get(model);
    const radius = set.activeCalibration().quantile(model.settings.ood.quantile) ?? null;
    const { windowCount, regions } = await this.regions(model);
    const oodCount = (r: ClusteredRegion) => Math.round(r.size * r.oodShare);
    const clustered = regions.reduce((s, r) => s + oodCount(r), 0);
    const kept = regions
      .filter((r) => r.oodShare >= NEW_REGION_OOD_SHARE && oodCount(r) >= MIN_REGION)
      .sort((a, b) => oodCount(b) - oodCount(a) || a.id - b.id)
      .slice(0, MAX_REGIONS);
    if (kept.length === 0) return { lookback: windowCount, clustered, radius, regions: [], scattered: clustered };
    const rows = new Map((await this.predictions.predictionsByIds(model.id, kept.flatMap((r) => r.examples))).map((r) => [r.id, r]));
    const result = kept.map((r) => {
      const members = r.examples.map((id) => rows.get(id)).filter((x): x is OodRow => x !== undefined);
      return this.region(r, oodCount(r), clustered, members, model, set);
    });
    return { lookback: windowCount, clustered, radius, regions: result, scattered: clustered - kept.reduce((s, r) => s + oodCount(r), 0) };
  }

  private region(r: ClusteredRegion, size: number, clustered: number, members: OodRow[], model: Model, set: Awaited<ReturnType<ReferenceRegistry['get']>>): NewRegion {
    const vectors = members.map((m) => toMetricSpace(decodeVector(m.embedding), model.metric));
    const neighbors = vectors.length > 0 ? set.neighbors(centroid(vectors, vectors.map((_, i) => i), model.metric)) : [];
    const times = members.map((m) => m.timestamp).sort();
    return {
      id: r.id,
      size,
      share: clustered > 0 ? size / clustered : 0,
      nearestConcept: knnVote(neighbors).concept,
      nearestDistance: neighbors[0]?.distance ?? NaN,
      meanOodDistance: members.length ? members.reduce((s, m) => s + m.ood_distance, 0) / members.length : NaN,
      firstSeen: times[0] ?? '',
      lastSeen: times.at(-1) ?? '',
      examples: members.map(toExample),
    };
  }
}

function toExample(r: OodRow): RegionExample {
  return { predictionId: r.id, predicted: r.predicted, oodScore: r.ood_score, timestamp: r.timestamp, input: r.input_json ? (JSON.parse(r.input_json) as RegionExample['input']) : null };
}
