import type { Model } from '../models/model.js';
import { duplicateRadius } from '../reference/duplicate-radius.js';
import { balanceCheck } from './balance.js';
import type { ExampleNeighbors } from './example-neighbors.js';
import type { ExampleSnapshot } from './example-snapshot.js';
import type { HealthCheck, HealthReport } from './health.types.js';
import { NearPairs } from './near-pairs.js';
import { TurnClock } from '../util/turn-clock.js';
import { conflictsCheck, duplicatesCheck, leakageCheck } from './pair-checks.js';
import { distinctnessCheck, PurityTally } from './purity.js';
import { ConceptSpreads, spreadCheck } from './spread.js';

/** The example-side checks, derived from the per-example neighbour lists. */
export interface ExampleChecks {
  computedAt: string;
  counts: HealthReport['counts'];
  checks: HealthCheck[];
}

/** Rows between looks at the clock: a row takes about 2 µs, and an await per row would cost as much again. */
const ROWS_PER_TICK = 256;

/** An example "sits among another concept" when fewer than half its neighbours share its concept. */
const MISPLACED_PURITY = 0.5;

/**
 * Pairs, purity, spread and counts from the neighbour lists: O(n·k) over lists already found
 * (and O(n·dim) for the spreads), with event-loop turns between stretches. `typical` is the
 * median OOD calibration distance, which scales the near-duplicate radius.
 */
export async function deriveExampleChecks(model: Model, lists: ExampleNeighbors, typical: number | undefined, computedAt: string): Promise<ExampleChecks> {
  const { health, ood } = model.settings;
  const snap = lists.snap;
  const conceptCount = snap.conceptNames.length;
  const clock = new TurnClock();
  const pairs = new NearPairs(snap, duplicateRadius(model.metric, health.duplicateRadius, typical), health.maxIds);
  const tally = new PurityTally(conceptCount);
  const purity = new Float32Array(snap.size).fill(NaN);
  // The order a cold scan visits them in: train lists of train rows, eval and then train lists of eval rows.
  for (let i = 0; i < snap.trainRows.length; i++) {
    const row = snap.trainRows[i]!;
    pairs.visit(row, lists.toTrain);
    purity[row] = tally.add(row, lists.toTrain, snap.concepts);
    if (i % ROWS_PER_TICK === 0) await clock.tick();
  }
  for (const table of [lists.toEval, lists.toTrain]) {
    for (let i = 0; i < snap.evalRows.length; i++) {
      pairs.visit(snap.evalRows[i]!, table);
      if (i % ROWS_PER_TICK === 0) await clock.tick();
    }
  }
  const low = new Set(tally.purities().filter((p) => p.purity < health.minPurity).map((p) => p.concept));
  const misplaced = snap.trainRows
    .filter((r) => purity[r]! < MISPLACED_PURITY && snap.concepts[r]!.some((c) => low.has(c)))
    .sort((a, b) => purity[a]! - purity[b]! || a - b);
  const spreads = await ConceptSpreads.measure(snap.vectors, snap.dim, snap.trainRows, (r) => snap.concepts[r]!, conceptCount);
  const outliers = farthestOfWide(snap, spreads, health.wideFactor);
  const counts = countByConcept(snap);
  return {
    computedAt,
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
function farthestOfWide(snap: ExampleSnapshot, spreads: ConceptSpreads, factor: number): number[] {
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
