import type { Model } from '../models/model.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { ReferenceSet } from '../reference/reference-set.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector } from '../util/vectors.js';
import { balanceCheck } from './balance.js';
import { calibrationSizeCheck } from './calibration-size.js';
import { coverageCheck, type CoverageScan } from './coverage.js';
import { loadExampleSnapshot, type ExampleSnapshot } from './example-snapshot.js';
import type { HealthReads } from './health.ports.js';
import { HEALTH_CHECK_NAMES, type HealthCheck, type HealthReport } from './health.types.js';
import { NearPairs } from './near-pairs.js';
import { scanNeighbors, TurnClock } from './neighbor-scan.js';
import { conflictsCheck, duplicatesCheck, leakageCheck } from './pair-checks.js';
import { distinctnessCheck, PurityTally } from './purity.js';
import { duplicateRadius } from '../reference/duplicate-radius.js';
import { ConceptSpreads, spreadCheck } from './spread.js';
import { calibrationHealth } from './calibration-health.js';

/** The example-side checks, cached until the examples (or the settings they use) change. */
interface ExampleChecks {
  computedAt: string;
  counts: HealthReport['counts'];
  checks: HealthCheck[];
}

interface Cached<T> {
  key: string;
  value: Promise<T>;
}

const PREDICTION_PAGE = 500;
/** An example "sits among another concept" when fewer than half its neighbours share its concept. */
const MISPLACED_PURITY = 0.5;

/**
 * The training-data checklist of a model, computed from its reference set: k-NN searches in
 * the HNSW indexes (one per example, never all pairs) over a snapshot of the examples read a
 * page at a time. Example checks are cached per model until the reference set grows; the
 * coverage of production is rescanned when new predictions arrive.
 */
export class HealthService {
  private readonly examples = new Map<number, Cached<ExampleChecks>>();
  private readonly coverage = new Map<number, Cached<CoverageScan>>();

  constructor(
    private readonly reads: HealthReads,
    private readonly references: ReferenceRegistry,
    private readonly clock: Clock,
  ) {}

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
    const { health, ood } = model.settings;
    const snap = await loadExampleSnapshot(this.reads.examples, model, set.highWater, set.train.size + set.evalIndex.size);
    const conceptCount = snap.conceptNames.length;
    const typical = set.train.size > 1 ? set.activeCalibration().quantile(0.5) : undefined;
    const pairs = new NearPairs(snap, duplicateRadius(model.metric, health.duplicateRadius, typical), health.maxIds);
    const tally = new PurityTally(conceptCount);
    const purity = new Float32Array(snap.size).fill(NaN);
    await scanNeighbors(snap, snap.trainRows, set.train, ood.k, true, (row, neighbors, distances) => {
      pairs.visit(row, neighbors, distances);
      purity[row] = tally.add(snap.concepts[row]!, neighbors.map((n) => snap.concepts[n]!));
    });
    await scanNeighbors(snap, snap.evalRows, set.evalIndex, ood.k, true, pairs.visit);
    await scanNeighbors(snap, snap.evalRows, set.train, ood.k, false, pairs.visit);

    const low = new Set(tally.purities().filter((p) => p.purity < health.minPurity).map((p) => p.concept));
    const misplaced = snap.trainRows
      .filter((r) => purity[r]! < MISPLACED_PURITY && snap.concepts[r]!.some((c) => low.has(c)))
      .sort((a, b) => purity[a]! - purity[b]! || a - b);
    const spreads = new ConceptSpreads(snap.vectors, snap.dim, snap.trainRows, (r) => snap.concepts[r]!, conceptCount);
    const outliers = this.farthestOfWide(snap, spreads, health.wideFactor);
    const counts = countByConcept(snap);
    return {
      computedAt: isoNow(this.clock),
      counts: {
        train: snap.trainRows.length,
        eval: snap.evalRows.length,
        byConcept: Object.fromEntries(snap.conceptNames.map((c, i) => [c, { train: counts.train[i]!, eval: counts.eval[i]! }])),
      },
      checks: [
        balanceCheck(snap.conceptNames, counts.train, snap.trainRows.length, health.imbalanceRatio),
        duplicatesCheck(snap, pairs, health.maxIds),
        conflictsCheck(snap, pairs, health.maxIds),
        leakageCheck(snap, pairs, health.maxIds),
        distinctnessCheck(snap.conceptNames, tally, { k: ood.k, minPurity: health.minPurity, ...capIds(snap, misplaced, health.maxIds) }),
        spreadCheck(snap.conceptNames, spreads, { wideFactor: health.wideFactor, ...capIds(snap, outliers, health.maxIds) }),
      ],
    };
  }

  /** Train rows of the too-wide concepts, farthest from their concept's centroid first. */
  private farthestOfWide(snap: ExampleSnapshot, spreads: ConceptSpreads, factor: number): number[] {
    const wide = spreads.wide(factor).wide;
    if (wide.length === 0) return [];
    const far = new Map<number, number>();
    for (const r of snap.trainRows) {
      for (const c of snap.concepts[r]!) {
        if (wide.includes(c)) far.set(r, Math.max(far.get(r) ?? 0, spreads.distance(r, c) / spreads.spread[c]!));
      }
    }
    return [...far.keys()].sort((a, b) => far.get(b)! - far.get(a)! || a - b);
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
      for (const p of page) {
        await clock.tick();
        scan.window++;
        if (radius === null) continue;
        const nearest = set.train.search(decodeVector(p.embedding), 1).distances[0];
        if (nearest === undefined || nearest <= radius) continue;
        scan.uncovered++;
        if (scan.uncoveredIds.length < model.settings.health.maxIds) scan.uncoveredIds.push(p.id);
      }
      before = page.at(-1)!.seq;
    }
    return scan;
  }
}

function countByConcept(snap: ExampleSnapshot): { train: number[]; eval: number[] } {
  const train = new Array<number>(snap.conceptNames.length).fill(0);
  const evalCounts = new Array<number>(snap.conceptNames.length).fill(0);
  for (const r of snap.trainRows) for (const c of snap.concepts[r]!) train[c]!++;
  for (const r of snap.evalRows) for (const c of snap.concepts[r]!) evalCounts[c]!++;
  return { train, eval: evalCounts };
}

function capIds(snap: ExampleSnapshot, rows: number[], cap: number): { ids: string[]; idsTotal: number } {
  return { ids: rows.slice(0, cap).map((r) => snap.ids[r]!), idsTotal: rows.length };
}
