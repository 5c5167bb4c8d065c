import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { ConfidenceReferences } from './confidence-reference.js';
import { isoNow, type Clock } from '../util/clock.js';
import { confidenceShiftTest } from './detectors/confidence-shift.detector.js';
import { embeddingMmdTest } from './detectors/embedding-mmd.detector.js';
import { labeledAccuracyTest } from './detectors/labeled-accuracy.detector.js';
import { oodRateTest } from './detectors/ood-rate.detector.js';
import { predictionShiftTest } from './detectors/prediction-shift.detector.js';
import { driftDistributions } from './distributions.js';
import type { DriftProviders } from './drift.providers.js';
import type { DriftReads } from './drift.ports.js';
import type { DriftDistributions, DriftEvaluation, DriftTestResult } from './drift.types.js';
import { readWindow, WindowEmbeddings, type ProductionWindow } from './production-window.js';
import { PerformanceAssessor } from './performance/performance.assessor.js';
import type { SequentialDetector } from './sequential/sequential.service.js';
import { ReferenceSamples, type ReferenceSample } from './reference-sample.js';
import { hash32 } from './sampling/bottom-k.js';
import { WindowRescorer } from './rescored-window.js';
import type { MmdRunner } from './stats/mmd-threads.js';

/** An evaluation with the distributions behind it. */
export interface DriftAssessment {
  evaluation: DriftEvaluation;
  distributions: DriftDistributions;
}

/**
 * Computes the five tests over the current window. Stateless apart from caches: the
 * reference sample (per train-split version), the app's reference period (once complete), and the
 * last MMD result (per window and reference), so a repeated GET costs a window scan only.
 */
export class DriftEvaluator {
  private readonly references: ReferenceSamples;
  private readonly confidenceReferences: ConfidenceReferences;
  private readonly mmdCache = new Map<number, { key: string; result: DriftTestResult }>();
  private readonly performance = new PerformanceAssessor();
  private readonly rescorer: WindowRescorer;
  private readonly windowEmbeddings: WindowEmbeddings;

  constructor(
    private readonly db: Db,
    private readonly providers: DriftProviders,
    private readonly clock: Clock,
    private readonly sequential: SequentialDetector,
    private readonly reads: DriftReads,
    private readonly mmdRunner: MmdRunner,
  ) {
    this.references = new ReferenceSamples(reads.examples);
    this.confidenceReferences = new ConfidenceReferences(reads.predictions, providers);
    this.rescorer = new WindowRescorer(reads.predictions, providers);
    this.windowEmbeddings = new WindowEmbeddings(reads.predictions);
  }

  async assess(model: Model): Promise<DriftAssessment> {
    const s = model.settings.drift;
    const clock = stopwatch();
    const epoch = await this.providers.referenceEpoch(model);
    const window = await readWindow(this.reads.predictions, model, epoch && { since: epoch.since, flags: (seqs) => this.rescorer.flags(model, epoch, seqs) });
    clock.lap('window');
    // A turn of the event loop between stages: each stage's reads and arithmetic are short, but
    // run back to back (SQLite reads are synchronous) they would hold claims and ingestion for
    // the whole evaluation.
    await nextTurn();
    const reference = await this.references.get(model);
    clock.lap('reference');
    await nextTurn();
    const baseline = await this.confidenceReferences.get(model, window);
    const labeled = await this.providers.labeledAccuracy(model);
    clock.lap('providers');
    const [calibration, labeledSignals] = await Promise.all([this.providers.performanceCalibration(model), this.providers.performanceLabels(model)]);
    clock.lap('performance_inputs');
    await nextTurn();
    const concepts = model.concepts.map((c) => c.id);

    const oodCalibration = await this.providers.calibration(model);
    const ood = oodRateTest({
      oodCount: window.oodCount,
      count: window.count,
      quantile: model.settings.ood.quantile,
      threshold: s.threshold,
      alpha: s.alpha,
      calibrationSize: oodCalibration.size,
    });
    clock.lap('ood_rate');
    const mmd = await this.mmd(model, window, reference);
    clock.lap('embedding_mmd');
    await nextTurn();
    const prediction = predictionShiftTest({
      concepts,
      observed: concepts.map((c) => window.predicted.get(c) ?? 0),
      training: concepts.map((c) => reference.labelCounts.get(c) ?? 0),
      alpha: s.alpha,
      minShift: s.minPredictionShift,
    });
    clock.lap('prediction_shift');
    const confidence = confidenceShiftTest({ production: window.topScores, reference: baseline, alpha: s.alpha, minShift: s.minConfidenceShift });
    clock.lap('confidence_shift');
    const accuracy = labeledAccuracyTest({
      production: labeled?.production,
      evalAccuracy: labeled?.evalAccuracy,
      alpha: s.alpha,
      minLabeled: s.minLabeled,
      minDrop: s.minAccuracyDrop,
    });
    clock.lap('labeled_accuracy');
    const performance = this.performance.assess(model, window.signals, calibration, labeledSignals);
    clock.lap('performance');
    const sequential = await this.sequential.status(this.db, model);
    clock.lap('sequential');

    const score = window.count === 0 ? 0 : window.oodCount / window.count;
    return {
      evaluation: {
        // The window rule or the sequential detector's alarm, whichever comes first.
        status: ood.drift || sequential.alarmed ? 'drift' : 'ok',
        score,
        threshold: s.threshold,
        alpha: s.alpha,
        window: { size: window.size, count: window.count, fromSeq: window.fromSeq, toSeq: window.toSeq },
        tests: [ood, mmd, prediction, confidence, accuracy],
        performance,
        rescored: epoch && window.rescored ? { version: epoch.version, since: epoch.since, ...window.rescored } : null,
        sequential,
        evaluatedAt: isoNow(this.clock),
        timingsMs: clock.laps(),
      },
      distributions: driftDistributions({
        concepts,
        predicted: window.predicted,
        training: reference.labelCounts,
        production: window.topScores,
        baseline: baseline.scores,
        baselineSource: baseline.source,
      }),
    };
  }

  private async mmd(model: Model, window: ProductionWindow, reference: ReferenceSample): Promise<DriftTestResult> {
    const { mmd, alpha } = model.settings.drift;
    const key = `${window.fromSeq}:${window.toSeq}:${window.sampleSeqs.length}:${reference.key}:${mmd.permutations}:${alpha}`;
    const cached = this.mmdCache.get(model.id);
    if (cached?.key === key) return cached.result;
    const embeddings = await this.windowEmbeddings.read(model, window);
    await nextTurn();
    const result = await embeddingMmdTest({
      window: embeddings,
      reference: reference.embeddings,
      permutations: mmd.permutations,
      // Seeded by the window, so the same window always gets the same p-value.
      seed: hash32(`${model.id}:${window.toSeq}`, mmd.seed),
      alpha,
    }, this.mmdRunner);
    this.mmdCache.set(model.id, { key, result });
    return result;
  }
}

function stopwatch() {
  const laps: Record<string, number> = {};
  const start = performance.now();
  let last = start;
  return {
    lap(name: string) {
      const now = performance.now();
      laps[name] = Math.round((now - last) * 10) / 10;
      last = now;
    },
    laps() {
      return { ...laps, total: Math.round((performance.now() - start) * 10) / 10 };
    },
  };
}
