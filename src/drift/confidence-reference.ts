import type { Model } from '../models/model.js';
import type { ProductionWindow } from './production-window.js';
import type { DriftProviders } from './drift.providers.js';
import type { PredictionWindowReader } from './drift.ports.js';

/**
 * What confidence_shift compares the window with: always the app's own top-1 scores, never
 * driftloop's classifier (another model, with its own calibration). `scores` is empty while
 * there is no reference yet, and `source` then says why.
 */
export interface ConfidenceReference {
  source: string | null;
  scores: number[];
  /** Why there is none yet, when `scores` is empty. */
  missing?: string;
}

/** Most example scores read: a fixed, deterministic sample (the first sent). */
const MAX_EXAMPLE_SCORES = 5000;
/** Fewest example scores that make a reference. */
const MIN_REFERENCE_SCORES = 20;

/**
 * The app's scores on examples sent with scores, or else its first `drift.windowSize`
 * predictions (the reference period) once the window has moved past them: a window compared
 * with itself would hide any shift.
 */
export class ConfidenceReferences {
  private readonly periods = new Map<number, { size: number; lastSeq: number; scores: number[] }>();

  constructor(
    private readonly predictions: Pick<PredictionWindowReader, 'firstPredictions'>,
    private readonly providers: Pick<DriftProviders, 'appReferenceScores'>,
  ) {}

  async get(model: Model, window: Pick<ProductionWindow, 'fromSeq'>): Promise<ConfidenceReference> {
    const examples = await this.providers.appReferenceScores(model, MAX_EXAMPLE_SCORES);
    if (examples.length >= MIN_REFERENCE_SCORES) return { source: `the app's scores on ${examples.length} examples`, scores: examples };
    const size = model.settings.drift.windowSize;
    const period = await this.period(model.id, size);
    if (period.scores.length === size && window.fromSeq !== null && window.fromSeq > period.lastSeq) {
      return { source: `the app's first ${size} predictions (reference period)`, scores: period.scores };
    }
    return {
      source: null,
      scores: [],
      missing: `No reference yet: send examples with the app's scores, or wait until the window has moved past the app's first ${size} predictions (the reference period).`,
    };
  }

  private async period(modelId: number, size: number) {
    const cached = this.periods.get(modelId);
    if (cached?.size === size) return cached;
    const rows = await this.predictions.firstPredictions(modelId, size);
    const period = { size, lastSeq: rows.at(-1)?.seq ?? 0, scores: rows.map((r) => r.top_score) };
    // The first predictions never change once there are `size` of them.
    if (rows.length === size) this.periods.set(modelId, period);
    return period;
  }
}
