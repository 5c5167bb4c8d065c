import type { Model } from '../models/model.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { ReferenceSet } from '../reference/reference-set.js';
import { knnVote } from '../scoring/knn-vote.js';
import { decodeVector } from '../util/vectors.js';
import { centroid, linkRegions, representatives } from './report/regions.js';
import type { NewRegion, RegionExample, RegionsSection } from './report/report.types.js';
import { toMetricSpace } from './sampling/embedding-space.js';
import type { OodRow, PredictionWindowReader } from './drift.ports.js';

/** Bounds of the new-regions clustering: O(MAX_OOD²) distances at most. */
const LOOKBACK_WINDOWS = 5;
const MAX_OOD = 500;
const MIN_REGION = 3;
const MAX_REGIONS = 8;
const EXAMPLES_PER_REGION = 6;

/** No regions (nothing clustered). */
export const EMPTY_REGIONS: RegionsSection = Object.freeze({ lookback: 0, clustered: 0, radius: null, regions: [], scattered: 0 });

/** Recent out-of-distribution predictions grouped into "new regions", for the report and drift events. */
export class NewRegions {
  constructor(
    private readonly predictions: Pick<PredictionWindowReader, 'listRecentOod' | 'seqBeforeLast'>,
    private readonly references: ReferenceRegistry,
  ) {}

  async find(model: Model): Promise<RegionsSection> {
    const set = await this.references.get(model);
    return this.newRegions(model, set);
  }

  private async newRegions(model: Model, set: ReferenceSet): Promise<RegionsSection> {
    const lookback = LOOKBACK_WINDOWS * model.settings.drift.windowSize;
    const radius = set.activeCalibration().quantile(model.settings.ood.quantile) ?? null;
    const afterSeq = await this.predictions.seqBeforeLast(model.id, lookback);
    const rows = await this.predictions.listRecentOod(model.id, afterSeq, MAX_OOD);
    if (radius === null || rows.length === 0) return { lookback, clustered: rows.length, radius, regions: [], scattered: rows.length };
    const vectors = rows.map((r) => toMetricSpace(decodeVector(r.embedding), model.metric));
    const groups = linkRegions(vectors, radius, model.metric);
    const kept = groups.filter((g) => g.length >= MIN_REGION).slice(0, MAX_REGIONS);
    const inRegions = groups.filter((g) => g.length >= MIN_REGION).reduce((s, g) => s + g.length, 0);
    const regions = kept.map((members, i) => this.region(i + 1, members, rows, vectors, model, set));
    return { lookback, clustered: rows.length, radius, regions, scattered: rows.length - inRegions };
  }

  private region(id: number, members: number[], rows: OodRow[], vectors: Float32Array[], model: Model, set: ReferenceSet): NewRegion {
    const center = centroid(vectors, members, model.metric);
    const neighbors = set.neighbors(center);
    const vote = knnVote(neighbors);
    const times = members.map((m) => rows[m]!.timestamp).sort();
    return {
      id,
      size: members.length,
      share: members.length / rows.length,
      nearestConcept: vote.concept,
      nearestDistance: neighbors[0]?.distance ?? NaN,
      meanOodDistance: members.reduce((s, m) => s + rows[m]!.ood_distance, 0) / members.length,
      firstSeen: times[0]!,
      lastSeen: times.at(-1)!,
      examples: representatives(vectors, members, center, model.metric, EXAMPLES_PER_REGION).map((m) => toExample(rows[m]!)),
    };
  }
}

function toExample(r: OodRow): RegionExample {
  return { predictionId: r.id, predicted: r.predicted, oodScore: r.ood_score, timestamp: r.timestamp, input: r.input_json ? (JSON.parse(r.input_json) as RegionExample['input']) : null };
}
