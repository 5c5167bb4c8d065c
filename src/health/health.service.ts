import type { Model } from '../models/model.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { ReferenceSet } from '../reference/reference-set.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector } from '../util/vectors.js';
import { calibrationHealth } from './calibration-health.js';
import { calibrationSizeCheck } from './calibration-size.js';
import { coverageCheck, type CoverageScan } from './coverage.js';
import { deriveExampleChecks, type ExampleChecks } from './example-checks.js';
import { ExampleNeighbors, type NeighborUpdate } from './example-neighbors.js';
import type { HealthReads } from './health.ports.js';
import type { NeighborStore } from './neighbor-store.js';
import { RowBlockMemories } from './row-block.js';
import { HEALTH_CHECK_NAMES, type HealthReport } from './health.types.js';
import { TurnClock } from '../util/turn-clock.js';

interface Cached<T> {
  key: string;
  value: Promise<T>;
}

const PREDICTION_PAGE = 500;
/** Predictions per batch search of the coverage scan. */
const COVERAGE_CHUNK = 100;

/**
 * The training-data checklist of a model, computed from its reference set: k-NN searches in
 * the HNSW indexes (one per example, never all pairs) over a snapshot of the examples read a
 * page at a time. The neighbour lists of every example are kept, and new examples update only
 * the lists they enter; the checks are derived from the lists again when the set grows. The
 * coverage of production is rescanned when new predictions arrive.
 */
export class HealthService {
  private readonly examples = new Map<number, Cached<ExampleChecks>>();
  private readonly coverage = new Map<number, Cached<CoverageScan>>();
  /** Per-example neighbour lists of each model, updated with the examples that arrive. */
  private readonly neighbors = new Map<number, { shape: string; lists: ExampleNeighbors; updating: boolean; update?: NeighborUpdate }>();
  /** WebAssembly memories of the lists' widest-row checks, reused across updates and models. */
  private readonly blockMemories = new RowBlockMemories();

  constructor(
    private readonly reads: HealthReads,
    private readonly references: ReferenceRegistry,
    private readonly clock: Clock,
    /** Where the lists are saved at shutdown and found after a restart; none keeps them in memory only. */
    private readonly store?: NeighborStore,
  ) {}

  /** Saves every model's lists that are not in the middle of an update (at shutdown). */
  saveAll(): void {
    for (const [modelId, kept] of this.neighbors) if (!kept.updating) this.store?.save(modelId, kept.shape, kept.lists.dump());
  }

  /** The checklist, computing only what changed since the last call. */
  async check(model: Model): Promise<HealthReport> {
    const set = await this.references.get(model);
    const exampleKey = JSON.stringify([set.highWater, set.train.size, set.evalIndex.size, model.metric, model.settings.ood, model.settings.health, model.concepts.map((c) => c.id)]);
    const latest = await this.reads.predictions.latestSeq(model.id);
    const coverageKey = JSON.stringify([exampleKey, latest, model.settings.drift.windowSize, model.settings.ood.quantile, model.settings.health.maxIds]);
    const [examples, scan] = await Promise.all([
      this.cached(this.examples, model.id, exampleKey, () => this.exampleChecks(model, set)),
      this.cached(this.coverage, model.id, coverageKey, () => this.scanCoverage(model, set, latest)),
    ]);
    const checks = [...examples.checks, coverageCheck(scan, model.settings.health.maxUncoveredShare), calibrationSizeCheck(set.calibrationSource(), model.settings.ood.quantile)];
    checks.sort((a, b) => HEALTH_CHECK_NAMES.indexOf(a.name) - HEALTH_CHECK_NAMES.indexOf(b.name));
    return { model: model.name, computedAt: examples.computedAt, counts: examples.counts, checks, calibration: calibrationHealth(model, set.calibrationSource()) };
  }

  private cached<T>(cache: Map<number, Cached<T>>, modelId: number, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = cache.get(modelId);
    if (hit?.key === key) return hit.value;
    // One computation per model at a time: a stale one still running finishes first, so
    // requests during a bulk upload queue up instead of piling up full scans side by side.
    const value = (hit?.value ?? Promise.resolve()).then(compute, compute);
    cache.set(modelId, { key, value });
    // A failed computation is not kept: the next call tries again.
    value.catch(() => cache.get(modelId)?.value === value && cache.delete(modelId));
    return value;
  }

  private async exampleChecks(model: Model, set: ReferenceSet): Promise<ExampleChecks> {
    const k = model.settings.ood.k;
    const shape = JSON.stringify([model.metric, model.embeddingDim, k, model.concepts.map((c) => c.id)]);
    let kept = this.neighbors.get(model.id);
    // Lists of another k or taxonomy, or ahead of the set (a database put back), start over.
    if (!kept || kept.shape !== shape || kept.lists.snap.maxSeq > set.highWater) {
      const lists = (!kept && (await this.restored(model, shape, set))) || new ExampleNeighbors(model, k, this.blockMemories);
      kept = { shape, lists, updating: false };
      this.neighbors.set(model.id, kept);
    }
    try {
      kept.updating = true;
      kept.update = await kept.lists.update(this.reads.examples, model, set);
      kept.updating = false;
    } catch (err) {
      // Half-updated lists are not kept: the next call starts over.
      this.neighbors.delete(model.id);
      throw err;
    }
    const typical = set.train.size > 1 ? set.activeCalibration().quantile(0.5) : undefined;
    return deriveExampleChecks(model, kept.lists, typical, isoNow(this.clock));
  }

  /** The lists saved before a restart, if they belong to this k, taxonomy and database. */
  private async restored(model: Model, shape: string, set: ReferenceSet): Promise<ExampleNeighbors | undefined> {
    const saved = this.store?.load(model.id, shape);
    if (!saved) return undefined;
    const lists = new ExampleNeighbors(model, model.settings.ood.k, this.blockMemories);
    try {
      lists.restore(saved);
    } catch {
      return undefined;
    }
    return lists.snap.maxSeq <= set.highWater && (await lists.matches(this.reads.examples, model)) ? lists : undefined;
  }

  /** What the last example update of `model` did (cold or incremental, how many examples). */
  lastUpdate(model: Model): NeighborUpdate | undefined {
    return this.neighbors.get(model.id)?.update;
  }

  /** Nearest train example of each of the last drift.windowSize predictions, against the OOD radius. */
  private async scanCoverage(model: Model, set: ReferenceSet, latest: number): Promise<CoverageScan> {
    const size = model.settings.drift.windowSize;
    const radius = set.train.size > 0 ? (set.activeCalibration().quantile(model.settings.ood.quantile) ?? null) : null;
    const scan: CoverageScan = { window: 0, radius, uncoveredIds: [], uncovered: 0 };
    const clock = new TurnClock();
    for (let before = latest + 1; scan.window < size; ) {
      const page = await this.reads.predictions.listPredictionsPage(model.id, before, Math.min(PREDICTION_PAGE, size - scan.window));
      if (page.length === 0) break;
      // One batch search per stretch of the page: the train index answers it on a search thread.
      for (let from = 0; from < page.length; from += COVERAGE_CHUNK) {
        const part = page.slice(from, from + COVERAGE_CHUNK);
        scan.window += part.length;
        if (radius === null) continue;
        const queries = new Float64Array(part.length * set.train.dim);
        part.forEach((p, i) => queries.set(decodeVector(p.embedding), i * set.train.dim));
        const found = await set.train.searchMany(queries, 1);
        part.forEach((p, i) => {
          const nearest = found[i]!.distances[0];
          if (nearest === undefined || nearest <= radius) return;
          scan.uncovered++;
          if (scan.uncoveredIds.length < model.settings.health.maxIds) scan.uncoveredIds.push(p.id);
        });
        await clock.tick();
      }
      before = page.at(-1)!.seq;
    }
    return scan;
  }
}
